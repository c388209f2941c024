package io.batpak.bench.harness;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;

/**
 * What every workload shares: the settings, the payload pools, the progress log, fresh data
 * folders, and the trial itself (open, run, fairness check, close). Not thread-safe: one run at a
 * time.
 */
final class Trials {
  private final Settings s;
  private final PrintStream log;
  private final Payloads p256;
  private final Payloads p64;
  private final Payloads p1k;
  private final long started = System.nanoTime();

  Trials(Settings s, PrintStream log) {
    this.s = s;
    this.log = log;
    this.p256 = Payloads.create(256, s.seed());
    this.p64 = Payloads.create(64, s.seed() + 1);
    this.p1k = Payloads.create(1024, s.seed() + 2);
  }

  Settings settings() {
    return s;
  }

  PrintStream log() {
    return log;
  }

  /** The 256-byte payload pool (every workload but W4-64B and W4-1KiB). */
  Payloads payloads256() {
    return p256;
  }

  /** The 64-byte payload pool (W4-64B). */
  Payloads payloads64() {
    return p64;
  }

  /** The 1 KiB payload pool (W4-1KiB). */
  Payloads payloads1k() {
    return p1k;
  }

  /**
   * Whether {@code --workloads} asks for the row {@code rowId} (an empty selection asks for all).
   */
  boolean selected(String rowId) {
    return s.workloads().isEmpty() || s.workloads().contains(rowId);
  }

  /** What a workload body measured and what it sent. */
  record Outcome(
      EventChecksum sent,
      long measured,
      double seconds,
      Histogram latencyNanos,
      Map<String, Double> extra,
      String note) {}

  /** The measured part of a trial, on an open system. */
  interface Body {
    Outcome run(SystemUnderTest system) throws Exception;
  }

  /** What runs after the fairness check, on the same open system. */
  interface After {
    void run(SystemUnderTest system) throws Exception;
  }

  static Result withNote(Result r, String note) {
    return new Result(
        r.workload(),
        r.system(),
        r.status(),
        note,
        r.events(),
        r.seconds(),
        r.p50Micros(),
        r.p99Micros(),
        r.extra());
  }

  /** Prints {@code r} as a progress line and returns it. */
  Result report(Result r) {
    double t = (System.nanoTime() - started) / 1e9;
    if (r.ok()) {
      log.printf(
          "[%6.1fs] %-15s %-14s %12.0f ev/s  p50 %9.1f µs  p99 %9.1f µs%s%n",
          t,
          r.system(),
          r.workload(),
          r.eventsPerSecond(),
          r.p50Micros(),
          r.p99Micros(),
          r.extra().isEmpty() ? "" : "  " + r.extra());
    } else {
      log.printf(
          "[%6.1fs] %-15s %-14s %s: %s%n", t, r.system(), r.workload(), r.status(), r.note());
    }
    log.flush();
    return r;
  }

  /** A new, empty folder for one trial's data under the work folder. */
  Path freshDir(String system, String workload) throws IOException {
    Files.createDirectories(s.work());
    return Files.createTempDirectory(s.work(), system + "-" + workload + "-");
  }

  /** Deletes {@code dir} and everything in it, best effort. */
  static void deleteTree(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException e) {
                  // best effort
                }
              });
    } catch (IOException e) {
      // best effort
    }
  }

  /**
   * Opens {@code system} on a fresh folder, runs {@code body}, checks that the system holds exactly
   * what it acknowledged, runs {@code after} (may be null) and closes it: one row, ok or failed.
   */
  Result trial(String workload, SystemUnderTest sut, Body body, After after) {
    Path dir = null;
    try {
      dir = freshDir(sut.name(), workload);
      if (sut instanceof BatpakSystem) {
        ((BatpakSystem) sut).resetCounters();
      }
      sut.open(dir);
      WindowEvent window = WindowEvent.start(sut.name(), workload);
      Outcome o = body.run(sut);
      window.commit();
      String unfair = fairness(sut, o.sent());
      if (unfair != null) {
        return Result.failed(workload, sut.name(), unfair);
      }
      Map<String, Double> extra = new LinkedHashMap<>(o.extra());
      Map<String, Long> counters = sut.counters();
      if (counters.containsKey("syncs") && counters.get("syncs") > 0) {
        extra.put("eventsPerFsync", round((double) o.sent().count() / counters.get("syncs"), 1));
      }
      if (after != null) {
        after.run(sut);
      }
      return Result.ok(
          workload,
          sut.name(),
          o.note(),
          o.measured(),
          o.seconds(),
          micros(o.latencyNanos(), 50),
          micros(o.latencyNanos(), 99),
          extra);
    } catch (Throwable t) {
      return Result.failed(workload, sut.name(), describe(t));
    } finally {
      try {
        sut.close();
      } catch (Exception e) {
        log.println("  (closing " + sut.name() + " failed: " + describe(e) + ")");
      }
      deleteTree(dir);
    }
  }

  static String describe(Throwable t) {
    String m = t.getClass().getSimpleName() + ": " + t.getMessage();
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (root != t) {
      m += " (cause: " + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
    }
    return m.length() > 400 ? m.substring(0, 400) + "…" : m;
  }

  /** Null when the system holds exactly what it acknowledged, else what differs. */
  static String fairness(SystemUnderTest sut, EventChecksum sent) throws Exception {
    EventChecksum held = sut.scan();
    if (held.equals(sent)) {
      return null;
    }
    return "fairness check failed: acknowledged "
        + sent.count()
        + " events (checksum "
        + Long.toHexString(sent.checksum())
        + ") but the system holds "
        + held.count()
        + " (checksum "
        + Long.toHexString(held.checksum())
        + ")";
  }

  static double micros(Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1000.0;
  }

  static double round(double v, int digits) {
    double f = Math.pow(10, digits);
    return Math.round(v * f) / f;
  }
}
