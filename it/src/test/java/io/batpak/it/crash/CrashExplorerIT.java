package io.batpak.it.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.EventId;
import io.batpak.EventKind;
import io.batpak.OpenReport;
import io.batpak.ReceiptVerification;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.fs.sim.CrashProfile;
import io.batpak.fs.sim.FaultAction;
import io.batpak.fs.sim.FaultRule;
import io.batpak.fs.sim.FaultTrigger;
import io.batpak.fs.sim.FsOp;
import io.batpak.fs.sim.OpRecord;
import io.batpak.fs.sim.SimSeed;
import io.batpak.fs.sim.SimSnapshot;
import io.batpak.fs.sim.SimStoreFs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The crash-point explorer: runs seeded workloads once on the simulator with a snapshot after every
 * state-changing operation, then, for every snapshot and every {@link CrashProfile}, crashes,
 * reopens with a plain configuration and runs the {@link Oracle}. For a sample of crash points it
 * also crashes the reopen itself, before each of its operations, and checks the reopen after that.
 * Writes {@code target/crash-report.json}.
 *
 * <p>Properties: {@code -Dbatpak.test.seed=N} (the base seed; workload 0 runs with it, so the seed
 * a violation names replays that workload first), {@code -Dbatpak.crash.multiplier=K} (K times more
 * workloads), {@code -Dbatpak.crash.workloads=N} (exactly N workloads), {@code
 * -Dbatpak.crash.steps=N} (steps per workload), {@code -Dbatpak.crash.only=TEXT} (only the
 * workloads whose description contains TEXT, such as {@code failed-sync-keep} or {@code batches}).
 */
class CrashExplorerIT {
  static final long DEFAULT_SEED = 0xBA7BAC0001L;
  static final int DEFAULT_WORKLOADS = 7 * Fault.SLOTS;
  static final int DEFAULT_STEPS = 60;
  static final int MIN_CRASH_POINTS = 10_000;

  /** At most this many crash points per workload get a second crash during their reopen. */
  static final int RECOVERY_SAMPLE = 12;

  /**
   * The seed of workload {@code i}: the base for i = 0, else kind ({@code i % 7}) and fault slot
   * ({@code i % 9}, see {@link Fault#forSeed}) cycle with i, so 63 workloads run every pair once.
   */
  static long workloadSeed(long base, int i) {
    if (i == 0) {
      return base;
    }
    long m = new SplittableRandom(base + i * 0x9E3779B97F4A7C15L).nextLong();
    return (m & ~0xFFFFL) | (i % Workload.Kind.CLASSIC) | ((long) (i % Fault.SLOTS) << 8);
  }

  static String replay(long seed) {
    return "mvn -B verify -pl it -Dit.test=CrashExplorerIT -Dbatpak.test.seed="
        + seed
        + " -Dbatpak.crash.workloads=1";
  }

  /** What one crash point gave. */
  record Point(
      long seed,
      String workload,
      long s,
      String op,
      CrashProfile profile,
      long recoveryCrashAt,
      Oracle.Verdict verdict,
      long readFaultAt) {
    Point(
        long seed,
        String workload,
        long s,
        String op,
        CrashProfile profile,
        long recoveryCrashAt,
        Oracle.Verdict verdict) {
      this(seed, workload, s, op, profile, recoveryCrashAt, verdict, -1);
    }
  }

  @Test
  void explore() throws Exception {
    long base = SimSeed.resolve(DEFAULT_SEED);
    int multiplier = Integer.getInteger("batpak.crash.multiplier", 1);
    Integer fixed = Integer.getInteger("batpak.crash.workloads");
    int workloads = fixed != null ? fixed : DEFAULT_WORKLOADS * multiplier;
    int steps = Integer.getInteger("batpak.crash.steps", DEFAULT_STEPS);
    String only = System.getProperty("batpak.crash.only");
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    System.out.println(
        "[crash] base seed "
            + base
            + ", "
            + workloads
            + " workloads of "
            + steps
            + " steps, "
            + threads
            + " threads; replay one workload with: "
            + replay(base));
    long started = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<List<Point>>> futures = new ArrayList<>();
    List<String> inRun = new ArrayList<>();
    long snapshots = 0;
    try {
      for (int i = 0; i < workloads; i++) {
        long seed = workloadSeed(base, i);
        Workload w = Workload.forSeed(seed, steps);
        if (only != null && !w.toString().contains(only)) {
          continue;
        }
        History h = w.run(true);
        for (String msg : h.inRunViolations) {
          inRun.add(w + ": " + msg + "\n  replay: " + replay(seed));
        }
        snapshots += h.snapshots.size();
        List<SimSnapshot> snaps = h.snapshots;
        int every = Math.max(1, snaps.size() / RECOVERY_SAMPLE);
        int chunk = 16;
        for (int from = 0; from < snaps.size(); from += chunk) {
          int start = from;
          int end = Math.min(snaps.size(), from + chunk);
          futures.add(pool.submit(() -> explore(h, start, end, every)));
        }
        System.out.println(
            "[crash] workload "
                + (i + 1)
                + "/"
                + workloads
                + " "
                + w
                + ": "
                + h.calls.size()
                + " calls, "
                + h.intents.size()
                + " intents, "
                + snaps.size()
                + " snapshots, digest "
                + Long.toHexString(h.digest));
      }
      Report report = new Report();
      for (Future<List<Point>> f : futures) {
        try {
          for (Point p : f.get()) {
            report.add(p);
          }
        } catch (ExecutionException e) {
          throw new AssertionError("a crash point failed to run", e.getCause());
        }
      }
      long millis = (System.nanoTime() - started) / 1_000_000;
      report.workloads = workloads;
      report.snapshots = snapshots;
      report.inRun.addAll(inRun);
      report.millis = millis;
      report.base = base;
      Path out = Path.of("target", "crash-report.json");
      Files.createDirectories(out.getParent());
      Files.writeString(out, report.json(), StandardCharsets.UTF_8);
      System.out.println(
          "[crash] "
              + report.crashPoints
              + " crash points, "
              + report.recoveryCrashes
              + " recovery crashes, "
              + report.violations
              + " violations, "
              + inRun.size()
              + " in-run violations in "
              + millis
              + " ms; report "
              + out.toAbsolutePath());
      for (String line : report.violationLines) {
        System.out.println("[crash] VIOLATION " + line);
      }
      for (Map.Entry<String, Long> e : report.byClass.entrySet()) {
        System.out.println(
            "[crash] VIOLATION CLASS x"
                + e.getValue()
                + " "
                + e.getKey()
                + "\n  first: "
                + report.firstOfClass.get(e.getKey()));
      }
      for (String line : inRun) {
        System.out.println("[crash] IN-RUN VIOLATION " + line);
      }
      assertEquals(
          0,
          report.violations + inRun.size(),
          () ->
              "the recovery oracle found violations (base seed "
                  + base
                  + "):\n"
                  + String.join("\n", report.violationLines)
                  + "\n"
                  + String.join("\n", inRun));
      if (fixed == null && only == null) {
        assertTrue(
            report.crashPoints >= (long) MIN_CRASH_POINTS * multiplier,
            "only " + report.crashPoints + " crash points explored");
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** Crashes at snapshots [from, to) of {@code h} with every profile. */
  static List<Point> explore(History h, int from, int to, int recoveryEvery) {
    List<Point> out = new ArrayList<>();
    SimStoreFs fs = SimStoreFs.builder().seed(h.workload.seed).build();
    for (int i = from; i < to; i++) {
      SimSnapshot snap = h.snapshots.get(i);
      long s = snap.stateChangingOperationCount();
      String op = h.opAt(snap.operationCount());
      for (CrashProfile profile : CrashProfile.values()) {
        fs.restore(snap);
        fs.clearFaults();
        fs.crash(profile);
        SimSnapshot crashed = fs.snapshot();
        long opsBefore = fs.operationCount();
        long changesBefore = fs.stateChangingOperationCount();
        Reopen r = reopen(fs, h.workload.seed);
        boolean recoveryWrote = r.changesAfterOpen > changesBefore;
        OpenReport.TornTail damage =
            r.store == null ? null : r.store.openReport().tornTail().orElse(null);
        Oracle.Verdict v = r.verdict(h, s);
        out.add(new Point(h.workload.seed, h.workload.toString(), s, op, profile, -1, v));
        boolean sample =
            (i % recoveryEvery == 0 && profile == CrashProfile.values()[i % 3])
                || (recoveryWrote && i % 2 == 0);
        if (!sample) {
          continue;
        }
        List<OpRecord> log = fs.opLog();
        if (r.failure == null) {
          out.add(appendAfterRecovery(fs, crashed, h, s, op, profile, damage));
        }
        // A read that reports the end of the file early (a short read of 0 bytes) during the
        // reopen: the open may refuse (and then opens without the fault), but it must never cut
        // or drop what it could not read.
        long reads = 0;
        for (OpRecord rec : log) {
          if (rec.seq() > opsBefore
              && rec.seq() <= r.opsAfterOpen
              && rec.op().equals("READ")
              && rec.path().endsWith(".seg")) {
            reads++;
          }
        }
        // One read per sampled point: the first, the middle or the last, in turn.
        for (long n : List.of(i % 3 == 0 ? 1L : i % 3 == 1 ? (reads + 1) / 2 : reads)) {
          if (n < 1) {
            continue;
          }
          fs.restore(crashed);
          fs.clearFaults();
          fs.addFault(
              FaultRule.on(
                  FsOp.READ, "**/*.seg", FaultTrigger.nth(n), FaultAction.shortRead((int) n % 2)));
          Reopen faulted = reopen(fs, h.workload.seed);
          fs.clearFaults();
          Oracle.Verdict fv = faulted.store != null ? faulted.verdict(h, s, damage) : null;
          if (fv == null) {
            fv = reopen(fs, h.workload.seed).verdict(h, s, damage);
          }
          out.add(new Point(h.workload.seed, h.workload.toString(), s, op, profile, -1, fv, n));
        }
        for (long k : distinctCrashes(log, opsBefore, r.opsAfterOpen)) {
          fs.restore(crashed);
          fs.clearFaults();
          fs.addFault(FaultRule.crashBeforeNth(k));
          try (Store st = Store.open(Workload.plainConfig(fs, h.workload.seed))) {
            // The crash did not fire: the reopen took fewer operations this time.
            st.stats();
          } catch (RuntimeException expected) {
            // The simulated power loss surfaced as a store exception.
          }
          fs.clearFaults();
          fs.crash(profile);
          Reopen again = reopen(fs, h.workload.seed);
          out.add(
              new Point(
                  h.workload.seed,
                  h.workload.toString(),
                  s,
                  op,
                  profile,
                  k,
                  again.verdict(h, s, damage)));
        }
      }
    }
    return out;
  }

  /**
   * Reopens the crashed disk, appends one event to the stream of the last recovered event (so its
   * chain must go on from the recovered head) and waits for its receipt, loses power again, reopens
   * and checks the oracle with that event and its receipt: recovery left a store that takes appends
   * at the right place.
   */
  static Point appendAfterRecovery(
      SimStoreFs fs,
      SimSnapshot crashed,
      History h,
      long s,
      String op,
      CrashProfile profile,
      OpenReport.TornTail damage) {
    fs.restore(crashed);
    fs.clearFaults();
    AppendReceipt marker;
    long before;
    String label = h.workload + " (append after recovery)";
    try (Store st = Store.open(Workload.plainConfig(fs, h.workload.seed))) {
      before = st.stats().eventCount();
      String entity =
          before == 0
              ? "post-recovery"
              : st.queryAfter(Region.all(), before - 2, 1).get(0).coordinate().entity();
      marker =
          st.append(
              Coordinate.of(entity, "crash"),
              EventKind.custom(2, 1),
              Bytes.utf8("post-recovery after " + s));
    } catch (RuntimeException e) {
      // On an honest disk a store that recovered must take appends; otherwise it may refuse.
      Oracle.Verdict v =
          h.workload.fault.mode() == Fault.Mode.HONEST
              ? new Oracle.Verdict(
                  "violation", List.of("appending after recovery failed: " + Oracle.describe(e)))
              : new Oracle.Verdict("append-refused", List.of());
      return new Point(h.workload.seed, label, s, op, profile, -1, v, -2);
    }
    fs.crash(CrashProfile.STRICT);
    Reopen again = reopen(fs, h.workload.seed);
    Oracle.Verdict v;
    if (again.store == null) {
      v = again.verdict(h, s, damage);
    } else {
      List<String> extra = new ArrayList<>();
      ReceiptVerification rv = again.store.verifyReceipt(marker);
      if (!rv.isValid() || marker.globalSequence() != before) {
        extra.add(
            "the event appended after recovery (receipt @"
                + marker.globalSequence()
                + ", "
                + before
                + " events recovered) does not verify after a power loss: "
                + rv);
      }
      Reopen closing = again;
      v = closing.verdict(h, s, damage, java.util.Set.of(marker.eventId()));
      if (!extra.isEmpty()) {
        List<String> all = new ArrayList<>(v.violations());
        all.addAll(extra);
        v = new Oracle.Verdict("violation", all);
      }
    }
    return new Point(
        h.workload.seed, h.workload + " (append after recovery)", s, op, profile, -1, v, -2);
  }

  /**
   * The n (counted as {@link FaultRule#crashBeforeNth} counts: operations of an {@link FsOp} kind)
   * for which crashing before the n-th operation of the reopen logged in records {@code (from, to]}
   * gives a distinct disk: before the first operation and after each state-changing one.
   */
  static List<Long> distinctCrashes(List<OpRecord> log, long from, long to) {
    List<Long> out = new ArrayList<>();
    out.add(1L);
    long n = 0;
    for (OpRecord rec : log) {
      if (rec.seq() <= from || rec.seq() > to || !FS_OPS.contains(rec.op())) {
        continue;
      }
      n++;
      if (rec.stateChanging() && rec.seq() < to) {
        out.add(n + 1);
      }
    }
    return out;
  }

  private static final java.util.Set<String> FS_OPS = new java.util.HashSet<>();

  static {
    for (FsOp op : FsOp.values()) {
      FS_OPS.add(op.name());
    }
  }

  /** A reopen over {@code fs} and the oracle's view of it. */
  static final class Reopen {
    Store store;
    RuntimeException failure;

    /** The disk before the open. */
    SimSnapshot before;

    long opsAfterOpen;
    long changesAfterOpen;
    private final SimStoreFs fs;

    Reopen(SimStoreFs fs) {
      this.fs = fs;
    }

    Oracle.Verdict verdict(History h, long s) {
      return verdict(h, s, null);
    }

    Oracle.Verdict verdict(History h, long s, OpenReport.TornTail earlier) {
      return verdict(h, s, earlier, java.util.Set.of());
    }

    Oracle.Verdict verdict(
        History h, long s, OpenReport.TornTail earlier, java.util.Set<EventId> extra) {
      try {
        return Oracle.check(h, s, store, failure, earlier, extra, before);
      } catch (RuntimeException e) {
        return new Oracle.Verdict(
            "violation", List.of("reading the reopened store failed: " + Oracle.describe(e)));
      } finally {
        if (store != null) {
          try {
            store.close();
          } catch (RuntimeException ignored) {
            // The verdict is what matters.
          }
        }
        fs.clearFaults();
      }
    }
  }

  static Reopen reopen(SimStoreFs fs, long seed) {
    Reopen r = new Reopen(fs);
    r.before = fs.snapshot();
    try {
      r.store = Store.open(Workload.plainConfig(fs, seed));
    } catch (RuntimeException e) {
      r.failure = e;
    }
    r.opsAfterOpen = fs.operationCount();
    r.changesAfterOpen = fs.stateChangingOperationCount();
    return r;
  }

  /** Tallies, and the JSON of {@code target/crash-report.json}. */
  static final class Report {
    long base;
    long workloads;
    long snapshots;
    long crashPoints;
    long recoveryCrashes;
    long readFaults;
    long appendsAfterRecovery;
    long violations;
    long millis;
    final Map<String, Long> byProfile = new TreeMap<>();
    final Map<String, Long> byOperation = new TreeMap<>();
    final Map<String, Long> byOutcome = new TreeMap<>();
    final Map<String, Long> byFault = new TreeMap<>();
    final List<String> violationLines = new ArrayList<>();
    final List<String> violationJson = new ArrayList<>();
    final List<String> inRun = new ArrayList<>();
    final Map<String, Long> byWorkload = new TreeMap<>();
    final List<String> firstByWorkload = new ArrayList<>();

    /** Violations by class (the message with numbers and names masked), with a first example. */
    final Map<String, Long> byClass = new TreeMap<>();

    final Map<String, String> firstOfClass = new TreeMap<>();

    void add(Point p) {
      if (p.readFaultAt() == -2) {
        appendsAfterRecovery++;
      } else if (p.readFaultAt() >= 0) {
        readFaults++;
      } else if (p.recoveryCrashAt() < 0) {
        crashPoints++;
        byProfile.merge(p.profile().name(), 1L, Long::sum);
        byOperation.merge(p.op(), 1L, Long::sum);
        String fault = p.workload().replaceAll(".*fault=([^:\\]]*).*", "$1");
        byFault.merge(fault, 1L, Long::sum);
      } else {
        recoveryCrashes++;
      }
      byOutcome.merge(p.verdict().outcome(), 1L, Long::sum);
      if (!p.verdict().ok()) {
        violations++;
        for (String msg : p.verdict().violations()) {
          String cls = violationClass(msg);
          if (byClass.merge(cls, 1L, Long::sum) == 1L) {
            firstOfClass.put(
                cls,
                p.workload()
                    + " at "
                    + p.s()
                    + " "
                    + p.profile()
                    + ": "
                    + (msg.length() > 300 ? msg.substring(0, 300) + "..." : msg)
                    + " (replay: "
                    + replay(p.seed())
                    + ")");
          }
        }
        if (byWorkload.merge(p.workload(), 1L, Long::sum) == 1L) {
          firstByWorkload.add(
              p.workload()
                  + " at "
                  + p.s()
                  + " "
                  + p.profile()
                  + (p.recoveryCrashAt() >= 0 ? " recovery-crash " + p.recoveryCrashAt() : "")
                  + ": "
                  + brief(p.verdict().violations()).get(0));
        }
        if (violationLines.size() < 20) {
          String where =
              p.workload()
                  + " crash point "
                  + p.s()
                  + " (after "
                  + p.op()
                  + ") profile "
                  + p.profile()
                  + (p.recoveryCrashAt() >= 0
                      ? ", then a crash before operation " + p.recoveryCrashAt() + " of the reopen"
                      : "")
                  + (p.readFaultAt() == -2 ? ", then an append, a power loss and a reopen" : "")
                  + (p.readFaultAt() >= 0
                      ? ", with a short read at read " + p.readFaultAt() + " of the reopen"
                      : "");
          violationLines.add(
              where + ": " + brief(p.verdict().violations()) + "\n  replay: " + replay(p.seed()));
          violationJson.add(
              "{\"seed\": "
                  + p.seed()
                  + ", \"where\": "
                  + Json.quote(where)
                  + ", \"violations\": "
                  + Json.quoteAll(brief(p.verdict().violations()))
                  + ", \"replay\": "
                  + Json.quote(replay(p.seed()))
                  + "}");
        }
      }
    }

    /** A violation message with the numbers, tags and quoted values masked: its class. */
    static String violationClass(String msg) {
      String m = msg.replaceAll("\\(.*", "").replaceAll("/\\S+", "PATH");
      m = m.replaceAll("[0-9a-f]{8}-[0-9a-f-]+", "ID").replaceAll("'[^']*'", "'X'");
      m = m.replaceAll("\\bt\\d+", "tN").replaceAll("-?\\d+", "N");
      return m.length() > 120 ? m.substring(0, 120) : m;
    }

    /** The first three violations of a point, each cut to 400 characters. */
    static List<String> brief(List<String> all) {
      List<String> out = new ArrayList<>();
      for (String v : all.subList(0, Math.min(3, all.size()))) {
        out.add(v.length() > 400 ? v.substring(0, 400) + "..." : v);
      }
      if (all.size() > 3) {
        out.add("and " + (all.size() - 3) + " more");
      }
      return out;
    }

    String json() {
      return "{\n  \"baseSeed\": "
          + base
          + ",\n  \"workloads\": "
          + workloads
          + ",\n  \"snapshots\": "
          + snapshots
          + ",\n  \"crashPoints\": "
          + crashPoints
          + ",\n  \"byProfile\": "
          + Json.map(byProfile)
          + ",\n  \"byOperation\": "
          + Json.map(byOperation)
          + ",\n  \"byFault\": "
          + Json.map(byFault)
          + ",\n  \"byOutcome\": "
          + Json.map(byOutcome)
          + ",\n  \"recoveryCrashes\": "
          + recoveryCrashes
          + ",\n  \"readFaultsDuringRecovery\": "
          + readFaults
          + ",\n  \"appendsAfterRecovery\": "
          + appendsAfterRecovery
          + ",\n  \"violations\": "
          + violations
          + ",\n  \"violationsByClass\": "
          + Json.map(byClass)
          + ",\n  \"firstViolationOfEachClass\": "
          + Json.quoteAll(new ArrayList<>(firstOfClass.values()))
          + ",\n  \"violationsByWorkload\": "
          + Json.map(byWorkload)
          + ",\n  \"firstViolationOfEachWorkload\": "
          + Json.quoteAll(firstByWorkload)
          + ",\n  \"inRunViolations\": "
          + inRun.size()
          + ",\n  \"elapsedMillis\": "
          + millis
          + ",\n  \"replay\": "
          + Json.quote(replay(base))
          + ",\n  \"firstViolations\": ["
          + String.join(",\n    ", violationJson)
          + "]\n}\n";
    }
  }
}
