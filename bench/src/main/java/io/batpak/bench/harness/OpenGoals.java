package io.batpak.bench.harness;

import java.util.List;
import java.util.Optional;

/**
 * The open goals of issue 10 (docs/performance.md "Opening: checkpoint, seals, scan") checked
 * against W8-open's rows: the open after a clean close within 0.15 s per million events and at
 * least 20 times faster than the full scan of the same store, the open after a crash within the
 * footers' open plus the full scan's cost of the newest segment's share of events, the index within
 * 64 heap bytes per event, and the full scan itself at 1 M events/s or more. Stateless.
 */
final class OpenGoals {
  private OpenGoals() {}

  /** Adds the goals W8-open measured to {@code g}. */
  static void add(List<Result> rs, List<Report.Goal> g) {
    Optional<Result> ckpt = Report.find(rs, Report.BATPAK, "W8-checkpoint");
    Optional<Result> crash = Report.find(rs, Report.BATPAK, "W8-crash");
    Optional<Result> scan = Report.find(rs, Report.BATPAK, "W8-scan");
    if (ckpt.isEmpty() || crash.isEmpty() || scan.isEmpty()) {
      g.add(new Report.Goal("W8-open: open after a clean close", "not measured", null));
      return;
    }
    Result c = ckpt.get();
    if (c.events() < 1_000_000) {
      g.add(
          new Report.Goal(
              "W8-open goals (stores of 1 M and 10 M events)",
              Report.fmt("not judged: a store of %d events", c.events()),
              null));
      return;
    }
    double millionsOfEvents = c.events() / 1e6;
    double limit = 0.15 * millionsOfEvents;
    g.add(
        new Report.Goal(
            "W8-checkpoint open after a clean close ≤ 0.15 s per 1 M events (1 M: 0.15 s, 10 M:"
                + " 1.5 s)",
            Report.fmt(
                "%.3f s for %d events (goal %.3f s): %.0f%% of the goal",
                c.seconds(), c.events(), limit, 100 * c.seconds() / limit),
            c.seconds() <= limit));
    double ratio = scan.get().seconds() / c.seconds();
    g.add(
        new Report.Goal(
            "W8-checkpoint ≥ 20 × faster than the full scan of the same store (W8-scan)",
            Report.fmt("%.1f × (scan %.3f s)", ratio, scan.get().seconds()),
            ratio >= 20));
    Double bound = crash.get().extra().get("footersPlusActiveScanMicros");
    if (bound != null) {
      g.add(
          new Report.Goal(
              "W8-crash ≤ footers (W8-footers) + the full scan's cost of the newest segment's"
                  + " events",
              Report.fmt(
                  "%.3f s vs %.3f s (%.0f events scanned)",
                  crash.get().seconds(),
                  bound / 1e6,
                  crash.get().extra().getOrDefault("activeSegmentEvents", Double.NaN)),
              crash.get().p50Micros() <= bound));
    }
    Double bytes = c.extra().get("indexBytesPerEvent");
    if (bytes != null) {
      g.add(
          new Report.Goal(
              "index ≤ 64 heap bytes per event (index loaded from the checkpoint)",
              Report.fmt(
                  "%.1f B per event; checkpoint %.1f B per event",
                  bytes, c.extra().getOrDefault("checkpointBytesPerEvent", Double.NaN)),
              bytes <= 64));
    }
    Result s = scan.get();
    g.add(
        new Report.Goal(
            "W8-scan full scan ≥ 2 M events/s",
            Report.fmt("%.0f events/s (%d events)", s.eventsPerSecond(), s.events()),
            s.eventsPerSecond() >= 2_000_000));
  }
}
