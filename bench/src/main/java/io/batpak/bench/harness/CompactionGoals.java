package io.batpak.bench.harness;

import java.util.List;
import java.util.Optional;

/**
 * The compaction goals of issue 11 (docs/performance.md "Compaction (W9)") checked against W9's
 * rows: MERGE at least half as fast as a raw copy of the same bytes through the same backend, in
 * the same run ({@code W9-merge} over {@code raw-disk-copy}), and W2-32 while a compaction runs at
 * least 0.7 of the same workload without it ({@code W9-append} over {@code W9-append-quiet}, and
 * {@code W9-append-paced}, whose compactions are paced, over the same). RETAIN's ratio to the copy
 * is reported, not judged. Stateless.
 */
final class CompactionGoals {
  private CompactionGoals() {}

  /** Adds the goals W9 measured to {@code g}. */
  static void add(List<Result> rs, List<Report.Goal> g) {
    Optional<Result> merge = Report.find(rs, Report.BATPAK, CompactionTrials.MERGE);
    Optional<Result> copy = Report.find(rs, CompactionTrials.COPY, CompactionTrials.MERGE);
    String mergeGoal = "W9-merge ≥ 0.5 × a raw copy of the same bytes (raw-disk-copy)";
    if (merge.isPresent() && copy.isPresent()) {
      double ratio = copy.get().seconds() / merge.get().seconds();
      g.add(
          new Report.Goal(
              mergeGoal,
              Report.fmt(
                  "%.2f × (%.1f MB/s vs the copy's %.1f MB/s)",
                  ratio,
                  merge.get().extra().getOrDefault("MBps", Double.NaN),
                  copy.get().extra().getOrDefault("MBps", Double.NaN)),
              ratio >= 0.5));
    } else {
      g.add(new Report.Goal(mergeGoal, "not measured", null));
    }
    appendGoal(rs, g, CompactionTrials.APPEND, "W9-append: W2-32 while compacting");
    appendGoal(
        rs,
        g,
        CompactionTrials.APPEND_PACED,
        "W9-append-paced: W2-32 while compacting at "
            + (CompactionTrials.PACED_BYTES_PER_SECOND >> 20)
            + " MiB/s");
  }

  /** The goal of a compacting W2-32 row: at least 0.7 of W9-append-quiet. */
  private static void appendGoal(List<Result> rs, List<Report.Goal> g, String row, String what) {
    Optional<Result> during = Report.find(rs, Report.BATPAK, row);
    Optional<Result> quiet = Report.find(rs, Report.BATPAK, CompactionTrials.APPEND_QUIET);
    String goal = what + " ≥ 0.7 × without (W9-append-quiet)";
    if (during.isPresent() && quiet.isPresent()) {
      double ratio = during.get().eventsPerSecond() / quiet.get().eventsPerSecond();
      g.add(
          new Report.Goal(
              goal,
              Report.fmt(
                  "%.2f × (%.0f vs %.0f events/s; %.0f compactions, %.1f MB compacted)",
                  ratio,
                  during.get().eventsPerSecond(),
                  quiet.get().eventsPerSecond(),
                  during.get().extra().getOrDefault("compactions", Double.NaN),
                  during.get().extra().getOrDefault("compactedMB", Double.NaN)),
              ratio >= 0.7));
    } else {
      g.add(new Report.Goal(goal, "not measured", null));
    }
  }
}
