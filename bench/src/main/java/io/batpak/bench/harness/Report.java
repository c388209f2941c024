package io.batpak.bench.harness;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns results into the table, the ratios, the goal checks and {@code bench-results.json} (the SVG
 * chart is {@link ResultsChart}). Stateless.
 */
final class Report {
  private Report() {}

  static final String BATPAK = "batpak-durable";

  /** The raw-disk baseline measured right after a batpak-durable trial. */
  static final String PAIRED = "raw-disk-paired";

  /**
   * A ratio of batpak's events/s to another row's.
   *
   * @param workload batpak's workload
   * @param over the row divided by (system and workload)
   * @param value batpak ÷ that row
   */
  record Ratio(String workload, String over, double value) {}

  /**
   * A goal from performance.md checked against this run.
   *
   * @param goal the goal as written
   * @param measured what this run measured
   * @param met true, false, or null when the run did not measure it
   */
  record Goal(String goal, String measured, Boolean met) {}

  static Optional<Result> find(List<Result> rs, String system, String workload) {
    return rs.stream()
        .filter(r -> r.system().equals(system) && r.workload().equals(workload) && r.ok())
        .findFirst();
  }

  /** The raw N nearest (in log scale) to {@code n}. */
  static int nearestRawN(double n) {
    int best = BaselineTrials.RAW_N[0];
    for (int c : BaselineTrials.RAW_N) {
      if (Math.abs(Math.log(c) - Math.log(Math.max(n, 1)))
          < Math.abs(Math.log(best) - Math.log(Math.max(n, 1)))) {
        best = c;
      }
    }
    return best;
  }

  static List<Ratio> ratios(List<Result> rs) {
    List<Ratio> out = new ArrayList<>();
    for (Result b : rs) {
      if (!b.ok() || !b.system().equals(BATPAK)) {
        continue;
      }
      for (Result o : rs) {
        if (o.ok() && !o.system().startsWith("batpak") && o.workload().equals(b.workload())) {
          out.add(new Ratio(b.workload(), o.system(), b.eventsPerSecond() / o.eventsPerSecond()));
        }
      }
      int n = rawNFor(b);
      if (n > 0) {
        for (String raw : List.of("raw-disk", "raw-cpu")) {
          find(rs, raw, "raw N=" + n)
              .ifPresent(
                  r ->
                      out.add(
                          new Ratio(
                              b.workload(),
                              raw + " N=" + n,
                              b.eventsPerSecond() / r.eventsPerSecond())));
        }
      }
    }
    Optional<Result> w3 = find(rs, "batpak-visible", "W3-submit");
    Optional<Result> cpu = find(rs, "raw-cpu", "raw N=256");
    if (w3.isPresent() && cpu.isPresent()) {
      out.add(
          new Ratio(
              "W3-submit",
              "raw-cpu N=256",
              w3.get().eventsPerSecond() / cpu.get().eventsPerSecond()));
    }
    return out;
  }

  /** The raw batch size a batpak row compares with: 1 for W1, 256 for W4, the achieved N for W2. */
  static int rawNFor(Result b) {
    switch (b.workload()) {
      case "W1":
        return 1;
      case "W4":
        return 256;
      case "W2-8":
      case "W2-32":
      case "W2s":
        Double e = b.extra().get("eventsPerFsync");
        return e == null ? -1 : nearestRawN(e);
      default:
        return -1;
    }
  }

  /**
   * A goal that batpak's {@code workload} row runs at ≥ {@code target} × {@code peer}'s row of the
   * same workload (events/s; for W6 streams/s, the inverse of the latency ratio).
   */
  record PeerGoal(String workload, String peer, String peerName, double target) {}

  /** The goals against peers (issue 15), in the order they are reported. */
  static final List<PeerGoal> PEER_GOALS =
      List.of(
          new PeerGoal("W1", "sqlite", "SQLite", 1.05),
          new PeerGoal("W2-32", "sqlite", "SQLite", 15),
          new PeerGoal("W4", "sqlite", "SQLite", 1.5),
          new PeerGoal("W6", "sqlite", "SQLite", 10),
          new PeerGoal("W6", "h2", "H2", 0.25),
          new PeerGoal("W2-32", "rocksdb", "RocksDB", 1.0),
          new PeerGoal("W4", "rocksdb", "RocksDB", 1.0),
          new PeerGoal("W6", "rocksdb", "RocksDB", 1.0));

  /** A goal on one batpak row's events/s, or "not measured" when the row is missing. */
  private static void rate(
      List<Result> rs, List<Goal> g, String system, String w, String goal, double min) {
    Optional<Result> r = find(rs, system, w);
    g.add(
        r.isPresent()
            ? new Goal(
                goal,
                fmt("%.0f events/s", r.get().eventsPerSecond()),
                r.get().eventsPerSecond() >= min)
            : new Goal(goal, "not measured", null));
  }

  /** A goal on one batpak row's p50 in µs, or "not measured" when the row is missing. */
  private static void p50(List<Result> rs, List<Goal> g, String w, String goal, double maxMicros) {
    Optional<Result> r = find(rs, BATPAK, w);
    g.add(
        r.isPresent()
            ? new Goal(
                goal,
                maxMicros >= 100
                    ? fmt(
                        "p50 %.3f ms, p99 %.3f ms",
                        r.get().p50Micros() / 1000, r.get().p99Micros() / 1000)
                    : fmt("p50 %.2f µs, p99 %.2f µs", r.get().p50Micros(), r.get().p99Micros()),
                r.get().p50Micros() <= maxMicros)
            : new Goal(goal, "not measured", null));
  }

  /** Three replicated members (issue 18), compared with {@link #BATPAK} in the same run. */
  static final String REPLICATED = ReplicatedSystem.NAME;

  /** The workloads compared between {@link #REPLICATED} and {@link #BATPAK}. */
  static final List<String> REPLICATED_WORKLOADS = List.of("W1", "W2-8", "W2-32", "W4");

  /**
   * One workload on three replicated members beside single-node durable, from the same run.
   *
   * @param workload W1, W2-8, W2-32 or W4
   * @param replicated the batpak-replicated row
   * @param durable the batpak-durable row
   */
  record Replicated(String workload, Result replicated, Result durable) {
    /** Replicated events/s ÷ single-node durable events/s. */
    double ratio() {
      return replicated.eventsPerSecond() / durable.eventsPerSecond();
    }
  }

  /** Every compared workload where both rows are ok, in {@link #REPLICATED_WORKLOADS}' order. */
  static List<Replicated> replicated(List<Result> rs) {
    List<Replicated> out = new ArrayList<>();
    for (String w : REPLICATED_WORKLOADS) {
      Optional<Result> r = find(rs, REPLICATED, w);
      Optional<Result> d = find(rs, BATPAK, w);
      if (r.isPresent() && d.isPresent()) {
        out.add(new Replicated(w, r.get(), d.get()));
      }
    }
    return out;
  }

  /**
   * The replicated comparison as a Markdown table (empty when no workload has both rows): events/s
   * of each, their ratio, and the latency of one append (W4: one batch) as p50 / p99, which for
   * batpak-replicated is the commit latency (quorum fsync in the Raft logs + the leader's apply).
   */
  static String replicatedText(List<Result> rs) {
    List<Replicated> rows = replicated(rs);
    if (rows.isEmpty()) {
      return "";
    }
    StringBuilder b =
        new StringBuilder(
            "batpak-replicated (3 members, loopback) ÷ batpak-durable (1 node), same run;"
                + " latency per append (W4: per batch of 256), replicated = commit latency:\n\n"
                + "| workload | replicated events/s | durable events/s | replicated ÷ durable"
                + " | replicated p50 / p99 µs | durable p50 / p99 µs |\n"
                + "|---|---:|---:|---:|---:|---:|\n");
    for (Replicated r : rows) {
      b.append(
          fmt(
              "| %s | %s | %s | %s | %s / %s | %s / %s |\n",
              r.workload(),
              num(r.replicated().eventsPerSecond()),
              num(r.durable().eventsPerSecond()),
              Double.isNaN(r.ratio()) ? "-" : ratioText(r.ratio()),
              num(r.replicated().p50Micros()),
              num(r.replicated().p99Micros()),
              num(r.durable().p50Micros()),
              num(r.durable().p99Micros())));
    }
    return b.toString();
  }

  /** Issue 18's goal: W2-32 on three replicated members ≥ 0.5 × single-node durable. */
  private static Goal replicatedGoal(List<Result> rs) {
    String goal = "W2-32 batpak-replicated ≥ 0.5 × batpak-durable";
    Optional<Replicated> r =
        replicated(rs).stream().filter(x -> x.workload().equals("W2-32")).findFirst();
    if (r.isEmpty()) {
      return new Goal(
          goal,
          "not measured (no "
              + (find(rs, REPLICATED, "W2-32").isPresent() ? BATPAK : REPLICATED)
              + " W2-32 row)",
          null);
    }
    return new Goal(
        goal,
        fmt(
            "%.2f × (%.0f vs %.0f events/s; commit p50 %.0f µs, p99 %.0f µs)",
            r.get().ratio(),
            r.get().replicated().eventsPerSecond(),
            r.get().durable().eventsPerSecond(),
            r.get().replicated().p50Micros(),
            r.get().replicated().p99Micros()),
        r.get().ratio() >= 0.5);
  }

  static List<Goal> goals(List<Result> rs) {
    List<Goal> g = new ArrayList<>();
    Optional<Result> w1 = find(rs, BATPAK, "W1");
    Optional<Result> raw1 = find(rs, PAIRED, "W1").or(() -> find(rs, "raw-disk", "raw N=1"));
    if (w1.isPresent() && raw1.isPresent()) {
      double lat = w1.get().p50Micros() - raw1.get().p50Micros();
      g.add(
          new Goal(
              "W1 p50 ≤ raw-disk N=1 p50 + 40 µs",
              fmt(
                  "p50 %.0f µs vs raw %.0f µs: +%.0f µs",
                  w1.get().p50Micros(), raw1.get().p50Micros(), lat),
              lat <= 40));
      double ratio = w1.get().eventsPerSecond() / raw1.get().eventsPerSecond();
      g.add(
          new Goal(
              "W1 throughput ≥ 0.9 × raw-disk N=1",
              fmt("%.2f × (%s)", ratio, raw1.get().system()),
              ratio >= 0.9));
    } else {
      g.add(new Goal("W1 throughput ≥ 0.9 × raw-disk N=1", "not measured", null));
    }
    for (String w : List.of("W2-8", "W2-32")) {
      int producers = Integer.parseInt(w.substring(3));
      Optional<Result> r = find(rs, BATPAK, w);
      String perFsync = w + " mean events per fsync ≥ 0.8 × " + producers;
      String vsRaw = w + " throughput ≥ 0.8 × raw-disk at the achieved N";
      if (r.isEmpty() || !r.get().extra().containsKey("eventsPerFsync")) {
        g.add(new Goal(perFsync, "not measured", null));
        g.add(new Goal(vsRaw, "not measured", null));
        continue;
      }
      double epf = r.get().extra().get("eventsPerFsync");
      g.add(
          new Goal(
              perFsync,
              fmt("%.1f (%.2f × producers)", epf, epf / producers),
              epf >= 0.8 * producers));
      int n = nearestRawN(epf);
      Optional<Result> raw =
          find(rs, PAIRED, w)
              .filter(p -> p.extra().getOrDefault("n", -1.0) == n)
              .or(() -> find(rs, "raw-disk", "raw N=" + n));
      if (raw.isPresent()) {
        double ratio = r.get().eventsPerSecond() / raw.get().eventsPerSecond();
        g.add(new Goal(vsRaw, fmt("%.2f × %s N=%d", ratio, raw.get().system(), n), ratio >= 0.8));
      } else {
        g.add(new Goal(vsRaw, fmt("not measured (no raw-disk N=%d row)", n), null));
      }
    }
    rate(rs, g, BATPAK, "W2s", "W2s ≥ 200 k events/s", 200_000);
    rate(rs, g, "batpak-visible", "W3-submit", "W3 submit() ≥ 300 k events/s", 300_000);
    Optional<Result> w3b = find(rs, "batpak-visible", "W3-blocking");
    Optional<Result> hand = find(rs, "raw-cpu", "handoff");
    if (w3b.isPresent() && hand.isPresent()) {
      double d = w3b.get().p50Micros() - hand.get().p50Micros();
      g.add(
          new Goal(
              "W3 blocking VISIBLE p50 ≤ thread hand-off p50 + 10 µs",
              fmt(
                  "p50 %.1f µs vs hand-off %.1f µs: %+.1f µs",
                  w3b.get().p50Micros(), hand.get().p50Micros(), d),
              d <= 10));
    }
    Optional<Result> w4 = find(rs, BATPAK, "W4");
    Optional<Result> raw256 = find(rs, PAIRED, "W4").or(() -> find(rs, "raw-disk", "raw N=256"));
    if (w4.isPresent() && raw256.isPresent()) {
      double ratio = w4.get().eventsPerSecond() / raw256.get().eventsPerSecond();
      g.add(
          new Goal(
              "W4 ≥ 0.7 × raw-disk N=256",
              fmt("%.2f × (%s)", ratio, raw256.get().system()),
              ratio >= 0.7));
    } else {
      g.add(new Goal("W4 ≥ 0.7 × raw-disk N=256", "not measured", null));
    }
    Double wpb = w4.map(r -> r.extra().get("writesPerBatch")).orElse(null);
    if (wpb != null) {
      g.add(
          new Goal(
              "W4 one write syscall per batch", fmt("%.2f writes per batch", wpb), wpb <= 1.01));
    }
    Double cpu = w4.map(r -> r.extra().get("cpuMicrosPerEvent")).orElse(null);
    g.add(
        cpu == null
            ? new Goal("W4 ≤ 2.0 µs CPU per event", "not measured", null)
            : new Goal(
                "W4 ≤ 2.0 µs CPU per event",
                fmt(
                    "%.2f µs (CPU of the JVM's Java threads ÷ events; harness included; %.2f µs"
                        + " with GC and JIT)",
                    cpu, w4.get().extra().getOrDefault("processCpuMicrosPerEvent", Double.NaN)),
                cpu <= 2.0));
    p50(rs, g, "W5", "W5 hot get(id) ≤ 1 µs", 1);
    p50(rs, g, "W5-batchframe", "W5-batchframe hot get(id) of an event in a batch ≤ 1 µs", 1);
    p50(rs, g, "W6-headers", "W6 stream of 1 k events ≤ 0.1 ms (headers)", 100);
    p50(rs, g, "W6", "W6 stream of 1 k events ≤ 0.3 ms (headers + payloads)", 300);
    OpenGoals.add(rs, g);
    CompactionGoals.add(rs, g);
    for (PeerGoal p : PEER_GOALS) {
      Optional<Result> b = find(rs, BATPAK, p.workload());
      Optional<Result> q = find(rs, p.peer(), p.workload());
      String goal =
          fmt(
              "%s vs %s ≥ %s ×",
              p.workload(),
              p.peerName(),
              BigDecimal.valueOf(p.target()).stripTrailingZeros().toPlainString());
      if (b.isPresent() && q.isPresent()) {
        double ratio = b.get().eventsPerSecond() / q.get().eventsPerSecond();
        g.add(new Goal(goal, fmt("%.2f ×", ratio), ratio >= p.target()));
      } else {
        g.add(
            new Goal(
                goal,
                "not measured (no "
                    + (b.isPresent() ? p.peer() : BATPAK)
                    + " "
                    + p.workload()
                    + " row)",
                null));
      }
    }
    g.add(replicatedGoal(rs));
    return g;
  }

  static String ratioText(double v) {
    return v >= 0.1 ? fmt("%.2f ×", v) : fmt("%.3f ×", v);
  }

  static String fmt(String f, Object... args) {
    return String.format(Locale.ROOT, f, args);
  }

  static String num(double v) {
    if (Double.isNaN(v)) {
      return "-";
    }
    if (v >= 100) {
      return fmt("%,.0f", v);
    }
    if (v >= 10) {
      return fmt("%.1f", v);
    }
    return fmt("%.2f", v);
  }

  static Set<String> workloads(List<Result> rs) {
    Set<String> w = new LinkedHashSet<>();
    for (String known :
        List.of(
            "W1",
            "W2-8",
            "W2-32",
            "W2s",
            "W3-submit",
            "W3-blocking",
            "W4",
            "W4-64B",
            "W4-1KiB",
            "W5",
            "W5-get",
            "W5-batchframe",
            "W6",
            "W6-headers",
            "W8",
            "W8-checkpoint",
            "W8-footers",
            "W8-crash",
            "W8-scan",
            "W9-merge",
            "W9-retain",
            "W9-append-quiet",
            "W9-append",
            "W9-append-paced")) {
      if (rs.stream().anyMatch(r -> r.workload().equals(known))) {
        w.add(known);
      }
    }
    rs.forEach(r -> w.add(r.workload()));
    return w;
  }

  /** The table as Markdown (also readable on a terminal). */
  static String table(List<Result> rs) {
    StringBuilder b = new StringBuilder();
    b.append("| workload | system | events/s | p50 µs | p99 µs | batpak ÷ this | notes |\n");
    b.append("|---|---|---:|---:|---:|---:|---|\n");
    List<Ratio> ratios = ratios(rs);
    for (String w : workloads(rs)) {
      for (Result r : rs) {
        if (!r.workload().equals(w)) {
          continue;
        }
        String ratio = "";
        for (Ratio q : ratios) {
          if (q.workload().equals(w) && q.over().equals(r.system())) {
            ratio = ratioText(q.value());
          }
        }
        String note = r.ok() ? r.note() : r.status().toUpperCase(Locale.ROOT) + ": " + r.note();
        if (r.ok() && !r.extra().isEmpty()) {
          note += " " + r.extra();
        }
        b.append(
            fmt(
                "| %s | %s | %s | %s | %s | %s | %s |\n",
                w,
                r.system(),
                r.ok() ? num(r.eventsPerSecond()) : r.status(),
                num(r.p50Micros()),
                num(r.p99Micros()),
                ratio,
                note.replace("|", "/")));
      }
    }
    b.append("\nbatpak ÷ raw limits (same run):\n\n");
    for (Ratio q : ratios) {
      if (q.over().startsWith("raw")) {
        b.append(fmt("- %s ÷ %s = %s\n", q.workload(), q.over(), ratioText(q.value())));
      }
    }
    return b.toString();
  }

  static String goalsText(List<Goal> goals) {
    StringBuilder b = new StringBuilder("| goal | this run | met |\n|---|---|---|\n");
    for (Goal g : goals) {
      b.append(
          fmt(
              "| %s | %s | %s |\n",
              g.goal(),
              g.measured(),
              g.met() == null ? "not measured" : g.met() ? "yes" : "**no**"));
    }
    return b.toString();
  }

  // ---------------------------------------------------------------------------------------------
  // JSON

  static String json(
      Settings s, Map<String, String> machine, Map<String, String> durability, List<Result> rs) {
    StringBuilder b = new StringBuilder("{\n");
    b.append("  \"mode\": ").append(str(s.mode())).append(",\n");
    b.append("  \"settings\": {")
        .append(
            fmt(
                "\"warmupMillis\": %d, \"measureMillis\": %d, \"maxEvents\": %d, \"populate\": %d,"
                    + " \"hotEvents\": %d, \"reopens\": %d, \"seed\": %d, \"payloadBytes\": [64,"
                    + " 256, 1024], \"entities\": %d, \"distribution\": \"zipf(s=1)\"",
                s.warmupMillis(),
                s.measureMillis(),
                s.maxEvents(),
                s.populate(),
                s.hotEvents(),
                s.reopens(),
                s.seed(),
                Payloads.ENTITIES))
        .append("},\n");
    b.append("  \"machine\": ").append(obj(machine)).append(",\n");
    b.append("  \"durability\": ").append(obj(durability)).append(",\n");
    b.append("  \"results\": [\n");
    for (int i = 0; i < rs.size(); i++) {
      Result r = rs.get(i);
      b.append("    {")
          .append(
              fmt(
                  "\"workload\": %s, \"system\": %s, \"status\": %s, \"eventsPerSecond\": %s,"
                      + " \"p50Micros\": %s, \"p99Micros\": %s, \"events\": %d, \"seconds\": %s,"
                      + " \"note\": %s, \"extra\": {",
                  str(r.workload()),
                  str(r.system()),
                  str(r.status()),
                  dbl(r.eventsPerSecond()),
                  dbl(r.p50Micros()),
                  dbl(r.p99Micros()),
                  r.events(),
                  dbl(r.seconds()),
                  str(r.note())));
      int j = 0;
      for (Map.Entry<String, Double> e : r.extra().entrySet()) {
        b.append(j++ > 0 ? ", " : "")
            .append(str(e.getKey()))
            .append(": ")
            .append(dbl(e.getValue()));
      }
      b.append("}}").append(i + 1 < rs.size() ? ",\n" : "\n");
    }
    b.append("  ],\n  \"ratios\": [\n");
    List<Ratio> ratios = ratios(rs);
    for (int i = 0; i < ratios.size(); i++) {
      Ratio q = ratios.get(i);
      b.append(
          fmt(
              "    {\"workload\": %s, \"batpakOver\": %s, \"ratio\": %s}%s\n",
              str(q.workload()), str(q.over()), dbl(q.value()), i + 1 < ratios.size() ? "," : ""));
    }
    b.append("  ],\n  \"replicatedOverDurable\": [\n");
    List<Replicated> replicated = replicated(rs);
    for (int i = 0; i < replicated.size(); i++) {
      Replicated q = replicated.get(i);
      b.append(
          fmt(
              "    {\"workload\": %s, \"ratio\": %s, \"replicatedP50Micros\": %s,"
                  + " \"replicatedP99Micros\": %s, \"durableP50Micros\": %s,"
                  + " \"durableP99Micros\": %s}%s\n",
              str(q.workload()),
              dbl(q.ratio()),
              dbl(q.replicated().p50Micros()),
              dbl(q.replicated().p99Micros()),
              dbl(q.durable().p50Micros()),
              dbl(q.durable().p99Micros()),
              i + 1 < replicated.size() ? "," : ""));
    }
    b.append("  ],\n  \"goals\": [\n");
    List<Goal> goals = goals(rs);
    for (int i = 0; i < goals.size(); i++) {
      Goal g = goals.get(i);
      b.append(
          fmt(
              "    {\"goal\": %s, \"measured\": %s, \"met\": %s}%s\n",
              str(g.goal()),
              str(g.measured()),
              g.met() == null ? "null" : g.met().toString(),
              i + 1 < goals.size() ? "," : ""));
    }
    b.append("  ],\n  \"fairness\": {\"checked\": ")
        .append(rs.stream().filter(r -> !r.status().equals("n/a")).count())
        .append(", \"failed\": ")
        .append(rs.stream().filter(r -> r.status().equals("failed")).count())
        .append("}\n}\n");
    return b.toString();
  }

  private static String obj(Map<String, String> m) {
    StringBuilder b = new StringBuilder("{");
    int i = 0;
    for (Map.Entry<String, String> e : m.entrySet()) {
      b.append(i++ > 0 ? ", " : "").append(str(e.getKey())).append(": ").append(str(e.getValue()));
    }
    return b.append("}").toString();
  }

  static String dbl(double v) {
    return Double.isNaN(v) || Double.isInfinite(v) ? "null" : fmt("%.3f", v);
  }

  static String str(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"':
          b.append("\\\"");
          break;
        case '\\':
          b.append("\\\\");
          break;
        case '\n':
          b.append("\\n");
          break;
        default:
          if (c < 0x20) {
            b.append(fmt("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
      }
    }
    return b.append('"').toString();
  }
}
