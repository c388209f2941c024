package io.batpak.it.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.Store;
import io.batpak.fs.sim.CrashProfile;
import io.batpak.fs.sim.FaultRule;
import io.batpak.fs.sim.OpRecord;
import io.batpak.fs.sim.SimSeed;
import io.batpak.fs.sim.SimSnapshot;
import io.batpak.fs.sim.SimStoreFs;
import io.batpak.it.crash.CrashExplorerIT.Reopen;
import io.batpak.it.crash.SealSteps.Aim;
import io.batpak.it.crash.SealSteps.Phase;
import io.batpak.it.crash.SealSteps.Step;
import java.io.IOException;
import java.io.UncheckedIOException;
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
 * The crash-point explorer for sealed segments and the index checkpoint. Four workloads ({@link
 * Workload.Kind#ROTATION}: sealing on rotation in 4 KiB segments; {@link Workload.Kind#CLOSE}: many
 * clean closes, each sealing and publishing the checkpoint; {@link Workload.Kind#CHECKPOINT}: a
 * periodic checkpoint every 4 KiB of journal; {@link Workload.Kind#CHECKPOINT_OPEN}: checkpoints,
 * then appends and power losses, so opens load a checkpoint and cut a torn tail or start a new
 * segment) run once fault-free with a snapshot after every state-changing operation, and each
 * snapshot is crashed with every {@link CrashProfile}. Then every step of those procedures ({@link
 * SealSteps}) gets a fault, in a run of its own: a failed write, a short seal write, a failed
 * fsync, a failed publish or rename, a failed directory fsync, a torn temporary file, a failed
 * create, delete or truncate (at most {@link #PER_KIND} steps of each kind of step and fault); that
 * run is crashed at every snapshot from the fault on, for {@link #FAULT_WINDOW} state changes, and
 * at its end. For a sample of the crashed disks that hold a checkpoint and whose reopen writes
 * (cuts a tail, starts a segment), the reopen itself is crashed before each of its operations.
 *
 * <p>Each reopen is judged by the recovery {@link Oracle} and by the {@link FullScanOracle}: the
 * reopened store answers every read (each event by id, each stream, the global order) exactly like
 * a full scan of the same journal, with every seal stripped and no checkpoint. Writes {@code
 * target/seal-crash-report.json}.
 *
 * <p>Properties: {@code -Dbatpak.test.seed=N} (the base seed), {@code -Dbatpak.seal.only=TEXT}
 * (only the runs whose description contains TEXT, such as {@code checkpoint_open} or {@code
 * failed-rename}), {@code -Dbatpak.seal.steps=N} (steps per workload), {@code
 * -Dbatpak.seal.perKind=N} (fault runs per kind of step, on N seeded occurrences; a large N puts a
 * fault on every occurrence).
 */
class SealCrashExplorerIT {
  static final long DEFAULT_SEED = 0x5EA1ED0001L;
  static final int DEFAULT_STEPS = 28;

  /** State changes after a fault whose snapshots are crashed. */
  static final int FAULT_WINDOW = 8;

  /** Steps of each kind (phase, role, fault) that get a fault run, by default. */
  static final int PER_KIND = 1;

  /**
   * Of the crashed disks whose reopen loads a checkpoint and writes, every this-many is sampled.
   */
  static final int RECOVERY_EVERY = 8;

  static final Workload.Kind[] KINDS = {
    Workload.Kind.ROTATION,
    Workload.Kind.CLOSE,
    Workload.Kind.CHECKPOINT,
    Workload.Kind.CHECKPOINT_OPEN
  };

  static String replay(long base, String what) {
    return "mvn -B verify -pl it -Dit.test=SealCrashExplorerIT -Dbatpak.test.seed="
        + base
        + " '-Dbatpak.seal.only="
        + what
        + "'";
  }

  /** What one crash point gave. */
  record Point(
      String run,
      long s,
      String op,
      CrashProfile profile,
      long recoveryCrashAt,
      List<String> v,
      String load) {
    String where() {
      return run
          + " crash point "
          + s
          + " (after "
          + op
          + ") profile "
          + profile
          + (recoveryCrashAt >= 0
              ? ", then a crash before operation " + recoveryCrashAt + " of the reopen"
              : "");
    }
  }

  /** One run to explore: its history and which of its snapshots to crash. */
  record Run(String label, History history, List<Integer> snapshots) {}

  @Test
  void explore() throws Exception {
    long base = SimSeed.resolve(DEFAULT_SEED);
    int steps = Integer.getInteger("batpak.seal.steps", DEFAULT_STEPS);
    String only = System.getProperty("batpak.seal.only");
    int perKind = Integer.getInteger("batpak.seal.perKind", PER_KIND);
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    System.out.println("[seal] base seed " + base + ", replay with: " + replay(base, "TEXT"));
    long started = System.nanoTime();
    List<Run> runs = new ArrayList<>();
    Map<String, Long> stepsByPhase = new TreeMap<>();
    List<String> inRun = new ArrayList<>();
    List<String> missedAims = new ArrayList<>();
    int faultRuns = 0;
    for (Workload.Kind kind : KINDS) {
      long seed = base ^ (0x9E3779B97F4A7C15L * (kind.ordinal() + 1));
      Workload w = new Workload(seed, kind, Fault.parse("none"), steps);
      History h = w.run(true);
      List<Step> found = SealSteps.of(h);
      for (Step s : found) {
        stepsByPhase.merge(s.phase().label(), 1L, Long::sum);
      }
      check(kind, found);
      String label = w.toString();
      if (only == null || label.contains(only)) {
        runs.add(new Run(label, h, all(h)));
        inRun.addAll(prefixed(label, h.inRunViolations));
      }
      for (Aim aim : SealSteps.sample(found, perKind, seed)) {
        Workload fw = new Workload(seed, kind, aim.fault(), steps);
        if (only != null && !fw.toString().contains(only)) {
          continue;
        }
        History fh = fw.run(true);
        if (!fired(fh, aim.step().rec().seq())) {
          missedAims.add(fw + ": the fault did not fire at op " + aim.step().rec().seq());
        }
        runs.add(new Run(fw.toString(), fh, window(fh, aim.step().rec().seq())));
        faultRuns++;
        inRun.addAll(prefixed(fw.toString(), fh.inRunViolations));
      }
    }
    long snapshots = 0;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<List<Point>>> futures = new ArrayList<>();
    try {
      for (Run r : runs) {
        snapshots += r.snapshots().size();
        for (int from = 0; from < r.snapshots().size(); from += 8) {
          List<Integer> part =
              r.snapshots().subList(from, Math.min(r.snapshots().size(), from + 8));
          futures.add(pool.submit(() -> explore(r, part)));
        }
      }
      Map<String, Long> loads = new TreeMap<>();
      long points = 0;
      long recoveryCrashes = 0;
      long violations = 0;
      List<String> lines = new ArrayList<>();
      for (Future<List<Point>> f : futures) {
        List<Point> got;
        try {
          got = f.get();
        } catch (ExecutionException e) {
          throw new AssertionError("a crash point failed to run", e.getCause());
        }
        for (Point p : got) {
          loads.merge(p.load(), 1L, Long::sum);
          if (p.recoveryCrashAt() < 0) {
            points++;
          } else {
            recoveryCrashes++;
          }
          if (!p.v().isEmpty()) {
            violations++;
            if (lines.size() < 20) {
              lines.add(
                  p.where()
                      + ": "
                      + CrashExplorerIT.Report.brief(p.v())
                      + "\n  replay: "
                      + replay(base, p.run().replaceAll(".*fault=([^\\]]*)\\].*", "$1")));
            }
          }
        }
      }
      long millis = (System.nanoTime() - started) / 1_000_000;
      String summary =
          runs.size()
              + " runs ("
              + faultRuns
              + " with a fault on a step), steps by phase "
              + stepsByPhase
              + ", "
              + snapshots
              + " snapshots, "
              + points
              + " crash points, "
              + recoveryCrashes
              + " crashes during a reopen, reopens by how they loaded the index "
              + loads
              + ", "
              + violations
              + " violations, "
              + inRun.size()
              + " in-run violations, "
              + missedAims.size()
              + " faults that missed their step, in "
              + millis
              + " ms";
      System.out.println("[seal] " + summary);
      for (String l : lines) {
        System.out.println("[seal] VIOLATION " + l);
      }
      for (String l : inRun) {
        System.out.println("[seal] IN-RUN VIOLATION " + l);
      }
      for (String l : missedAims) {
        System.out.println("[seal] MISSED " + l);
      }
      Path out = Path.of("target", "seal-crash-report.json");
      Files.createDirectories(out.getParent());
      Files.writeString(
          out,
          "{\n  \"baseSeed\": "
              + base
              + ",\n  \"summary\": "
              + Json.quote(summary)
              + ",\n  \"violations\": "
              + Json.quoteAll(lines)
              + ",\n  \"inRunViolations\": "
              + Json.quoteAll(inRun)
              + "\n}\n",
          StandardCharsets.UTF_8);
      assertEquals(
          0,
          violations + inRun.size(),
          () ->
              "the seal explorer found violations (base seed "
                  + base
                  + "):\n"
                  + String.join("\n", lines)
                  + "\n"
                  + String.join("\n", inRun));
      assertEquals(List.of(), missedAims, "faults that did not fire where they were aimed");
      if (only == null) {
        assertTrue(points > 0, "no crash point explored");
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** Each workload must reach the procedures it is there for, or it tests nothing. */
  static void check(Workload.Kind kind, List<Step> steps) {
    List<Phase> need =
        switch (kind) {
          case ROTATION -> List.of(Phase.ROTATION_SEAL, Phase.CLOSE_CHECKPOINT);
          case CLOSE -> List.of(Phase.CLOSE_SEAL, Phase.CLOSE_CHECKPOINT);
          case CHECKPOINT -> List.of(Phase.PERIODIC_CHECKPOINT);
          default -> List.of(Phase.OPEN_AFTER_CHECKPOINT, Phase.PERIODIC_CHECKPOINT);
        };
    for (Phase p : need) {
      assertTrue(
          steps.stream().anyMatch(s -> s.phase() == p),
          kind + " workload reached no step of " + p + ": " + steps);
    }
  }

  static List<String> prefixed(String label, List<String> msgs) {
    List<String> out = new ArrayList<>();
    for (String m : msgs) {
      out.add(label + ": " + m);
    }
    return out;
  }

  static List<Integer> all(History h) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < h.snapshots.size(); i++) {
      out.add(i);
    }
    return out;
  }

  /**
   * The snapshots from op {@code seq} on, for {@link #FAULT_WINDOW} state changes, and the last.
   */
  static List<Integer> window(History h, long seq) {
    List<Integer> out = new ArrayList<>();
    int first = -1;
    for (int i = 0; i < h.snapshots.size(); i++) {
      if (h.snapshots.get(i).operationCount() >= seq) {
        first = i;
        break;
      }
    }
    if (first >= 0) {
      for (int i = first; i < Math.min(h.snapshots.size(), first + FAULT_WINDOW); i++) {
        out.add(i);
      }
    }
    int last = h.snapshots.size() - 1;
    if (last >= 0 && !out.contains(last)) {
      out.add(last);
    }
    return out;
  }

  /** Whether the run's op log shows an injected fault at op {@code seq}. */
  static boolean fired(History h, long seq) {
    for (OpRecord r : h.opLog) {
      if (r.seq() == seq) {
        return r.injected();
      }
    }
    return false;
  }

  /** Crashes the snapshots {@code part} of run {@code r} with every profile, and judges each. */
  static List<Point> explore(Run r, List<Integer> part) {
    History h = r.history();
    long seed = h.workload.seed;
    List<Point> out = new ArrayList<>();
    SimStoreFs fs = SimStoreFs.builder().seed(seed).build();
    SplittableRandom rnd = new SplittableRandom(seed ^ part.get(0));
    for (int i : part) {
      SimSnapshot snap = h.snapshots.get(i);
      long s = snap.stateChangingOperationCount();
      String op = h.opAt(snap.operationCount());
      for (CrashProfile profile : CrashProfile.values()) {
        fs.restore(snap);
        fs.clearFaults();
        fs.crash(profile);
        SimSnapshot crashed = fs.snapshot();
        boolean checkpoint = exists(fs, CrashShape.CHECKPOINT);
        long opsBefore = fs.operationCount();
        long changesBefore = fs.stateChangingOperationCount();
        FullScanOracle.Answer full = FullScanOracle.of(crashed, seed);
        Reopen re = CrashExplorerIT.reopen(fs, seed);
        boolean wrote = re.changesAfterOpen > changesBefore;
        String load = load(re);
        out.add(new Point(r.label(), s, op, profile, -1, judge(h, s, re, full), load));
        List<OpRecord> log = fs.opLog();
        if (!checkpoint || !wrote || re.failure != null || rnd.nextInt(RECOVERY_EVERY) != 0) {
          continue;
        }
        for (long k : CrashExplorerIT.distinctCrashes(log, opsBefore, re.opsAfterOpen)) {
          fs.restore(crashed);
          fs.clearFaults();
          fs.addFault(FaultRule.crashBeforeNth(k));
          try (Store st = Store.open(Workload.plainConfig(fs, seed))) {
            st.stats(); // the crash did not fire: this reopen took fewer operations
          } catch (RuntimeException expected) {
            // The simulated power loss surfaced as a store exception.
          }
          fs.clearFaults();
          fs.crash(profile);
          FullScanOracle.Answer again = FullScanOracle.of(fs.snapshot(), seed);
          Reopen second = CrashExplorerIT.reopen(fs, seed);
          String how = load(second);
          out.add(new Point(r.label(), s, op, profile, k, judge(h, s, second, again), how));
        }
      }
    }
    return out;
  }

  /**
   * How a reopen loaded its index: {@code CHECKPOINT}, {@code SEALS} or {@code SCAN}, with {@code
   * +distrusted} when it ignored a checkpoint or a seal, {@code +cut} when it cut a torn tail, or
   * {@code refused}.
   */
  static String load(Reopen re) {
    if (re.store == null) {
      return "refused";
    }
    io.batpak.OpenReport report = re.store.openReport();
    return report.indexLoad().source()
        + (report.indexLoad().distrusted().isEmpty() ? "" : "+distrusted")
        + (report.tornTail().isPresent() ? "+cut" : "");
  }

  /** Both oracles on a reopen; closes the reopened store. */
  static List<String> judge(History h, long s, Reopen re, FullScanOracle.Answer full) {
    List<String> v = new ArrayList<>(FullScanOracle.differences(full, re.store));
    v.addAll(re.verdict(h, s).violations());
    return v;
  }

  private static boolean exists(SimStoreFs fs, String name) {
    try {
      return fs.exists(Workload.DIR.resolve(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
