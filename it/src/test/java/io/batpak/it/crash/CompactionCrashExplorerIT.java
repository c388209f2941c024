package io.batpak.it.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.CompactionResult;
import io.batpak.CorruptStoreException;
import io.batpak.EventHeader;
import io.batpak.Store;
import io.batpak.StoredEvent;
import io.batpak.fs.sim.CrashProfile;
import io.batpak.fs.sim.ErrorKind;
import io.batpak.fs.sim.FaultAction;
import io.batpak.fs.sim.FaultRule;
import io.batpak.fs.sim.FaultTrigger;
import io.batpak.fs.sim.FsOp;
import io.batpak.fs.sim.OpRecord;
import io.batpak.fs.sim.SimSeed;
import io.batpak.fs.sim.SimSnapshot;
import io.batpak.fs.sim.SimStoreFs;
import io.batpak.it.crash.CompactionOracle.Expect;
import io.batpak.it.crash.CompactionWorkload.Session;
import io.batpak.it.crash.CompactionWorkload.Strategy;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The crash-point explorer for compaction. For each strategy (merge, retain, tombstone) a seeded
 * {@link CompactionWorkload} builds small sealed segments on the simulator, then runs one session:
 * appends, {@code compact}, appends, close. The session is run once cleanly to count its file
 * system operations; then, for every operation index k:
 *
 * <ul>
 *   <li>a power loss just before operation k, the disk crashed with every {@link CrashProfile},
 *       reopened (mutable) and judged, closed, reopened and judged again; for every crashed disk
 *       that holds a compaction's intent or output (and every {@link #RECOVERY_EVERY}-th other one)
 *       that reopen is itself crashed before each of its operations, the disk crashed again,
 *       reopened and judged;
 *   <li>separately, each fault the simulator offers on operation k's kind (an I/O error, ENOSPC, a
 *       short write, a torn write, a failed fsync that drops or keeps the pages, a failed directory
 *       fsync, a failed or short read), in a run of its own that goes on to the session's end: the
 *       process restarts and the store is reopened and judged, then the power fails and it is
 *       reopened and judged again.
 * </ul>
 *
 * Each reopen is judged by the exact {@link CompactionOracle}; where the compaction had returned
 * PERFORMED, every group must be compacted; where it had returned FAILED with the store unchanged,
 * the next open (after a restart) must find the old segments. A torn write reports success and
 * writes garbage, so the disk lies: there the oracle is that the store never returns wrong data (it
 * may report the damage or refuse to open naming file and offset), and every acknowledged event it
 * lost is counted and printed.
 *
 * <p>Properties: {@code -Dbatpak.test.seed=N} (the base seed), {@code
 * -Dbatpak.compact.only=merge|retain |tombstone}.
 */
class CompactionCrashExplorerIT {
  static final long DEFAULT_SEED = 0xC0A1E5CE0001L;

  /** Of the crashed disks without a compaction in flight, every this-many gets recovery crashes. */
  static final int RECOVERY_EVERY = 6;

  static String replay(long base, Strategy st) {
    return "mvn -B verify -pl it -Dit.test=CompactionCrashExplorerIT -Dbatpak.test.seed="
        + base
        + " -Dbatpak.compact.only="
        + st.label();
  }

  /** The tallies of one task. */
  static final class Tally {
    long crashPoints;
    long recoveryCrashes;
    long faultRuns;
    long tornRuns;
    long tornRefused;
    long tornLost;

    /** Per file the torn write hit: runs, runs whose reopen refused, acknowledged events lost. */
    final Map<String, long[]> torn = new TreeMap<>();

    long reopens;
    final Map<String, Long> outcomes = new TreeMap<>();
    final List<String> violations = new ArrayList<>();

    void add(Tally o) {
      crashPoints += o.crashPoints;
      recoveryCrashes += o.recoveryCrashes;
      faultRuns += o.faultRuns;
      tornRuns += o.tornRuns;
      tornRefused += o.tornRefused;
      tornLost += o.tornLost;
      o.torn.forEach(
          (k, n) -> torn.merge(k, n, (a, b) -> new long[] {a[0] + b[0], a[1] + b[1], a[2] + b[2]}));
      reopens += o.reopens;
      o.outcomes.forEach((k, n) -> outcomes.merge(k, n, Long::sum));
      violations.addAll(o.violations);
    }

    void outcome(Session s) {
      String o =
          s.result != null
              ? s.result.outcome().name()
              : s.compactFailure != null
                  ? "threw " + s.compactFailure.getClass().getSimpleName()
                  : "not reached";
      outcomes.merge(o, 1L, Long::sum);
    }
  }

  /** The clean session of one strategy: its operations, in order. */
  record Clean(Strategy strategy, CompactionWorkload w, List<OpRecord> ops) {}

  @Test
  void explore() throws Exception {
    long base = SimSeed.resolve(DEFAULT_SEED);
    String only = System.getProperty("batpak.compact.only");
    System.out.println(
        "[compact] base seed " + base + ", replay with: " + replay(base, Strategy.MERGE));
    long started = System.nanoTime();
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    Tally total = new Tally();
    Map<Strategy, Integer> opsByStrategy = new TreeMap<>();
    try {
      List<Future<Tally>> futures = new ArrayList<>();
      for (Strategy st : Strategy.values()) {
        if (only != null && !st.label().equals(only)) {
          continue;
        }
        long seed = base ^ (0x9E3779B97F4A7C15L * (st.ordinal() + 1));
        CompactionWorkload w = new CompactionWorkload(seed);
        w.setUp();
        Clean c = clean(w, st, base);
        opsByStrategy.put(st, c.ops().size());
        Map<String, Long> kinds = new TreeMap<>();
        for (OpRecord r : c.ops()) {
          kinds.merge(r.op(), 1L, Long::sum);
        }
        System.out.println("[compact] " + st.label() + " session operations by kind " + kinds);
        for (int k = 1; k <= c.ops().size() + 1; k++) {
          int kk = k;
          futures.add(pool.submit(() -> crashPoint(c, kk, base)));
        }
        for (int k = 1; k <= c.ops().size(); k++) {
          int kk = k;
          futures.add(pool.submit(() -> faultsAt(c, kk, base)));
        }
      }
      for (Future<Tally> f : futures) {
        try {
          total.add(f.get());
        } catch (ExecutionException e) {
          throw new AssertionError("a run failed (base seed " + base + ")", e.getCause());
        }
      }
    } finally {
      pool.shutdownNow();
    }
    long millis = (System.nanoTime() - started) / 1_000_000;
    System.out.println(
        "[compact] operations per session "
            + opsByStrategy
            + ", "
            + total.crashPoints
            + " crash points (x "
            + CrashProfile.values().length
            + " profiles), "
            + total.recoveryCrashes
            + " crashes during a reopen, "
            + total.faultRuns
            + " fault runs ("
            + total.tornRuns
            + " torn writes, losing "
            + total.tornLost
            + " acknowledged events in all), "
            + total.reopens
            + " reopens judged, compaction outcomes "
            + total.outcomes
            + ", "
            + total.violations.size()
            + " violations, in "
            + millis
            + " ms");
    StringBuilder torn = new StringBuilder();
    total.torn.forEach(
        (file, n) ->
            torn.append(" ")
                .append(file)
                .append(": ")
                .append(n[0])
                .append(" runs, ")
                .append(n[1])
                .append(" refused to open, ")
                .append(n[2])
                .append(" acknowledged lost;"));
    System.out.println("[compact] torn writes (a disk that lies) by file:" + torn);
    for (String l : total.violations.subList(0, Math.min(20, total.violations.size()))) {
      System.out.println("[compact] VIOLATION " + l);
    }
    assertEquals(
        List.of(),
        total.violations.subList(0, Math.min(20, total.violations.size())),
        "the compaction explorer found "
            + total.violations.size()
            + " violations (base seed "
            + base
            + ")");
    assertTrue(total.crashPoints > 0, "no crash point explored");
  }

  /**
   * Runs the session cleanly: it must compact, and a restart and a power loss keep it compacted.
   */
  static Clean clean(CompactionWorkload w, Strategy st, long base) {
    SimStoreFs fs = SimStoreFs.fromSnapshot(w.base);
    long before = fs.operationCount();
    Session s = w.session(fs, st);
    String where = st.label() + " seed " + w.seed + " (" + replay(base, st) + ")";
    assertTrue(
        s.result != null && s.result.outcome() == CompactionResult.Outcome.PERFORMED,
        () -> where + ": the clean session did not compact: " + s.result + " " + s.compactFailure);
    assertEquals(
        w.groups(st).stream().mapToInt(List::size).sum(),
        s.result.segmentsBefore(),
        where + ": the compaction replaced other segments than planned " + w.groups(st));
    assertEquals(List.of(), s.notes, where);
    List<OpRecord> ops = new ArrayList<>();
    for (OpRecord r : fs.opLog()) {
      if (r.seq() > before && isFsOp(r.op())) {
        ops.add(r);
      }
    }
    ops.sort((a, b) -> Long.compare(a.seq(), b.seq()));
    SimSnapshot done = fs.snapshot();
    for (boolean powerLoss : new boolean[] {false, true}) {
      fs.restore(done);
      if (powerLoss) {
        fs.crash(CrashProfile.STRICT);
      } else {
        fs.restart();
      }
      try (Store store = Store.open(w.config(fs, CompactionWorkload.CYCLES + 1))) {
        List<String> v =
            CompactionOracle.check(
                store, fs, w, st, s, true, Collections.nCopies(w.groups(st).size(), Expect.NEW));
        assertEquals(
            List.of(), v, where + (powerLoss ? " after a power loss" : " after a restart"));
      }
    }
    return new Clean(st, w, ops);
  }

  static boolean isFsOp(String name) {
    return Arrays.stream(FsOp.values()).anyMatch(o -> o.name().equals(name));
  }

  /** Whether the crash (or fault) rule fired in the session. */
  static boolean injected(SimStoreFs fs, long after) {
    for (OpRecord r : fs.opLog()) {
      if (r.seq() > after && r.injected()) {
        return true;
      }
    }
    return false;
  }

  /** A power loss before operation {@code k} of the session, with every profile. */
  static Tally crashPoint(Clean c, int k, long base) {
    Tally t = new Tally();
    CompactionWorkload w = c.w();
    Strategy st = c.strategy();
    SimStoreFs fs = SimStoreFs.fromSnapshot(w.base);
    fs.addFault(FaultRule.crashBeforeNth(k));
    Session s = w.session(fs, st);
    fs.clearFaults();
    boolean fired = fs.isFrozen();
    String where = st.label() + " seed " + w.seed + " crash before op " + k;
    if (k > c.ops().size()) {
      if (fired) {
        t.violations.add(where + ": the session has more operations than its clean run");
      }
      return t;
    }
    if (!fired) {
      t.violations.add(where + " (" + c.ops().get(k - 1) + "): the crash did not fire");
      return t;
    }
    t.outcome(s);
    List<Expect> expect = expect(w, st, s, false, t, where);
    SimSnapshot frozen = fs.snapshot();
    for (CrashProfile profile : CrashProfile.values()) {
      t.crashPoints++;
      String at = where + " (" + c.ops().get(k - 1) + ") profile " + profile;
      fs.restore(frozen);
      fs.crash(profile);
      SimSnapshot crashed = fs.snapshot();
      boolean inFlight = compactionOnDisk(fs);
      long opsBefore = fs.operationCount();
      long opsAfterOpen = judge(fs, w, st, s, expect, at, t);
      // The reopen of a disk with a compaction in flight (and every RECOVERY_EVERY-th other) is
      // crashed at each of its operations, under one profile per crash point.
      if (opsAfterOpen < 0
          || profile.ordinal() != k % CrashProfile.values().length
          || (!inFlight && k % RECOVERY_EVERY != 0)) {
        continue;
      }
      for (long j : CrashExplorerIT.distinctCrashes(fs.opLog(), opsBefore, opsAfterOpen)) {
        fs.restore(crashed);
        fs.addFault(FaultRule.crashBeforeNth(j));
        try (Store st2 = Store.open(w.config(fs, CompactionWorkload.CYCLES + 1))) {
          st2.stats(); // the crash did not fire: this reopen took fewer operations
        } catch (RuntimeException expected) {
          // the simulated power loss
        }
        fs.clearFaults();
        if (!fs.isFrozen()) {
          continue;
        }
        t.recoveryCrashes++;
        fs.crash(profile);
        judge(fs, w, st, s, expect, at + ", then a crash before op " + j + " of the reopen", t);
      }
    }
    return t;
  }

  /**
   * Each fault the simulator offers on operation {@code k}'s kind, in a run of its own: a restart
   * and a reopen, then a power loss and a reopen.
   */
  static Tally faultsAt(Clean c, int k, long base) {
    Tally t = new Tally();
    CompactionWorkload w = c.w();
    Strategy st = c.strategy();
    OpRecord op = c.ops().get(k - 1);
    FsOp kind = FsOp.valueOf(op.op());
    long nth = 0;
    for (int i = 0; i < k; i++) {
      nth += c.ops().get(i).op().equals(op.op()) ? 1 : 0;
    }
    for (FaultAction action : actions(kind)) {
      SimStoreFs fs = SimStoreFs.fromSnapshot(w.base);
      long before = fs.operationCount();
      fs.addFault(FaultRule.on(kind, "**", FaultTrigger.nth(nth), action));
      Session s = w.session(fs, st);
      fs.clearFaults();
      String where =
          st.label() + " seed " + w.seed + " fault " + action + " on op " + k + " (" + op + ")";
      if (!injected(fs, before)) {
        t.violations.add(where + ": the fault did not fire");
        continue;
      }
      t.faultRuns++;
      t.outcome(s);
      boolean torn = action instanceof FaultAction.TornWrite;
      List<Expect> first = expect(w, st, s, true, t, where);
      if (torn) {
        t.tornRuns++;
        fs.restart();
        long refusedBefore = t.tornRefused;
        long lost = corrupting(fs, w, st, s, where + ", after a restart", t);
        t.tornLost += lost;
        String file = op.path().replaceAll(".*/", "").replaceAll("^[0-9]+", "N");
        t.torn.merge(
            file,
            new long[] {1, t.tornRefused - refusedBefore, lost},
            (a, b) -> new long[] {a[0] + b[0], a[1] + b[1], a[2] + b[2]});
        fs.crash(CrashProfile.STRICT);
        corrupting(fs, w, st, s, where + ", after a power loss", t);
        continue;
      }
      fs.restart();
      judge(fs, w, st, s, first, where + ", after a restart", t);
      fs.crash(CrashProfile.STRICT);
      // The reopen settled the directory and closed cleanly: a power loss now changes nothing.
      judge(fs, w, st, s, first, where + ", after a power loss", t);
    }
    return t;
  }

  /**
   * What each group's state must be after the session {@code s}: compacted where the compaction
   * returned PERFORMED or had finished the group (its switch and removals synced) before it failed;
   * old where it never got to the group, or (with the volatile state {@code kept}, a restart)
   * failed before the group's switch; with {@code kept}, compacted where it failed after the
   * switch. The groups a compaction finished are found from {@code segmentsBefore}, the sum of
   * their sizes (a retain or tombstone group with nothing to remove is skipped, and counted in no
   * sum).
   */
  static List<Expect> expect(
      CompactionWorkload w, Strategy st, Session s, boolean kept, Tally t, String where) {
    List<List<Long>> groups = w.groups(st);
    List<Expect> out = new ArrayList<>(Collections.nCopies(groups.size(), Expect.ANY));
    if (s.result == null && s.compactFailure == null) {
      Collections.fill(out, Expect.OLD); // the compaction was never called
      return out;
    }
    if (s.result == null) {
      return out;
    }
    if (s.result.outcome() == CompactionResult.Outcome.PERFORMED) {
      Collections.fill(out, Expect.NEW);
      return out;
    }
    if (s.result.outcome() != CompactionResult.Outcome.FAILED) {
      t.violations.add(where + ": the compaction returned " + s.result);
      return out;
    }
    int done = 0;
    int failing = -1;
    for (int i = 0; i < groups.size(); i++) {
      if (!w.changes(st, groups.get(i))) {
        continue;
      }
      if (done == s.result.segmentsBefore()) {
        failing = i;
        break;
      }
      out.set(i, Expect.NEW);
      done += groups.get(i).size();
    }
    if (failing < 0) {
      t.violations.add(
          where + ": segmentsBefore " + s.result.segmentsBefore() + " sums no groups " + groups);
      Collections.fill(out, Expect.ANY);
      return out;
    }
    for (int i = failing + 1; i < groups.size(); i++) {
      out.set(i, Expect.OLD);
    }
    if (kept) {
      out.set(failing, s.result.reason().endsWith(COMPACTED) ? Expect.NEW : Expect.OLD);
    }
    return out;
  }

  static final String COMPACTED =
      "the store is compacted, and the next open removes what is left over";

  static boolean performed(Session s) {
    return s.result != null && s.result.outcome() == CompactionResult.Outcome.PERFORMED;
  }

  /** The faults the simulator offers on an operation of kind {@code kind}. */
  static List<FaultAction> actions(FsOp kind) {
    return switch (kind) {
      case WRITE ->
          List.of(
              new FaultAction.Fail(ErrorKind.IO),
              new FaultAction.Fail(ErrorKind.NO_SPACE),
              new FaultAction.ShortWrite(7),
              new FaultAction.TornWrite(9));
      case SYNC ->
          List.of(
              new FaultAction.Fail(ErrorKind.IO),
              new FaultAction.FailedSync(),
              new FaultAction.FailedSyncKeepsPages());
      case DIR_SYNC -> List.of(new FaultAction.Fail(ErrorKind.IO), new FaultAction.FailedSync());
      case READ -> List.of(new FaultAction.Fail(ErrorKind.IO), new FaultAction.ShortRead(3));
      case CREATE, COPY ->
          List.of(new FaultAction.Fail(ErrorKind.IO), new FaultAction.Fail(ErrorKind.NO_SPACE));
      default -> List.of(new FaultAction.Fail(ErrorKind.IO));
    };
  }

  /** Whether the disk holds a compaction's intent or output being built. */
  static boolean compactionOnDisk(SimStoreFs fs) {
    try {
      for (String n : fs.list(Workload.DIR)) {
        if (n.endsWith(".compacting") || n.startsWith("compaction.intent")) {
          return true;
        }
      }
      return false;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * Reopens (mutable) and judges; closes; reopens and judges again. Returns the operation count
   * right after the first open, or -1 if it failed.
   */
  static long judge(
      SimStoreFs fs,
      CompactionWorkload w,
      Strategy st,
      Session s,
      List<Expect> expect,
      String where,
      Tally t) {
    long first = -1;
    for (int round = 0; round < 2; round++) {
      String at = where + (round == 0 ? "" : ", second reopen");
      Store store;
      try {
        store = Store.open(w.config(fs, CompactionWorkload.CYCLES + 1));
      } catch (RuntimeException e) {
        t.violations.add(at + ": refused to open: " + e);
        return -1;
      }
      if (round == 0) {
        first = fs.operationCount();
      }
      t.reopens++;
      try {
        for (String v : CompactionOracle.check(store, fs, w, st, s, round == 1, expect)) {
          t.violations.add(at + ": " + v);
        }
      } catch (RuntimeException e) {
        t.violations.add(at + ": the oracle's reads failed: " + e);
      } finally {
        try {
          store.close();
        } catch (RuntimeException e) {
          t.violations.add(at + ": close failed: " + e);
        }
      }
    }
    return first;
  }

  /**
   * The oracle on a disk a torn write damaged: the store may refuse to open (a {@link
   * CorruptStoreException}), or report damage, but never returns wrong data: every event it returns
   * is one that was appended, with its exact payload. Returns how many acknowledged events it lost.
   */
  static long corrupting(
      SimStoreFs fs, CompactionWorkload w, Strategy st, Session s, String where, Tally t) {
    Store store;
    try {
      store = Store.open(w.config(fs, CompactionWorkload.CYCLES + 1));
    } catch (CorruptStoreException e) {
      t.tornRefused++;
      return w.setupReceipts.size() + s.acked.size();
    } catch (RuntimeException e) {
      t.violations.add(where + ": refused to open with " + e);
      return 0;
    }
    t.reopens++;
    long lost = 0;
    try {
      Map<Integer, byte[]> payloads = new HashMap<>();
      for (CompactionWorkload.Ev e : w.setupEvents) {
        payloads.put(e.tag(), e.payload());
      }
      for (CompactionWorkload.Ev e : w.sessionEvents) {
        payloads.put(e.tag(), e.payload());
      }
      List<EventHeader> visible;
      try {
        visible = CompactionOracle.query(store);
      } catch (CorruptStoreException damaged) {
        visible = List.of(); // reported, with file and offset
      }
      for (EventHeader h : visible) {
        try {
          StoredEvent e = store.get(h.eventId());
          if (h.kind().equals(io.batpak.EventKind.TOMBSTONE)) {
            continue;
          }
          byte[] p = e.payload().toByteArray();
          byte[] want = payloads.get(CompactionWorkload.tagOf(p));
          if (want == null || !Arrays.equals(want, p)) {
            t.violations.add(where + ": event " + h.globalSequence() + " returned wrong data");
          }
        } catch (CorruptStoreException damaged) {
          // reported, with file and offset
        }
      }
      Map<Integer, io.batpak.AppendReceipt> acked = new TreeMap<>(w.setupReceipts);
      acked.putAll(s.acked);
      for (io.batpak.AppendReceipt r : acked.values()) {
        io.batpak.ReceiptVerification rv;
        try {
          rv = store.verifyReceipt(r);
        } catch (CorruptStoreException damaged) {
          lost++;
          continue;
        }
        if (!(rv instanceof io.batpak.ReceiptVerification.Valid)
            && !(rv instanceof io.batpak.ReceiptVerification.CompactedAway)) {
          lost++;
        }
      }
    } finally {
      try {
        store.close();
      } catch (RuntimeException e) {
        t.violations.add(where + ": close failed: " + e);
      }
    }
    return lost;
  }
}
