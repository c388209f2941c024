package io.batpak.it.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.EventHeader;
import io.batpak.EventId;
import io.batpak.EventKind;
import io.batpak.IdempotencyKey;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.VisibilityFence;
import io.batpak.fs.sim.CrashProfile;
import io.batpak.fs.sim.ErrorKind;
import io.batpak.fs.sim.FaultAction;
import io.batpak.fs.sim.FaultRule;
import io.batpak.fs.sim.FaultTrigger;
import io.batpak.fs.sim.FsOp;
import io.batpak.fs.sim.OpRecord;
import io.batpak.fs.sim.SimEntropy;
import io.batpak.fs.sim.SimSeed;
import io.batpak.fs.sim.SimSnapshot;
import io.batpak.fs.sim.SimStoreClock;
import io.batpak.fs.sim.SimStoreFs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The crash-point explorer for visibility fences (issue 11, ADR 0015). A seeded workload on the
 * simulator (4 KiB segments, so fences span rotations; a periodic checkpoint every 4 KiB) mixes
 * ordinary appends and batches, fences that commit, fences that cancel, fences closed without a
 * commit, fences left open by a store close, and clean closes with reopens. It runs once fault-free
 * with a snapshot after every state-changing operation; each snapshot is crashed with every {@link
 * CrashProfile} and reopened. Then, for every operation kind the workload performs, seeded
 * occurrences get a fault of each kind that applies (a failed or short write, a full device, a
 * failed fsync, one that keeps its pages, a failed create, rename, publish, directory fsync,
 * delete, truncate or mkdir; not a write the device tears silently and reports as done, which is
 * damage, {@code DamageExplorerIT}'s subject), each in a run of its own that stops at the first
 * failure; that run is crashed at every snapshot from the fault on and at its end. For a sample of
 * crash points the reopen itself is crashed before each of its operations, and the disk reopened
 * again.
 *
 * <p>The oracle, on every reopen: every acknowledged event (an ordinary append that returned, a
 * fence whose {@code commit()} returned) is visible; no event of a fence whose commit was never
 * called (cancelled, closed, left open) is ever visible; a fence whose commit was called but did
 * not return is all or nothing; nothing else appears; each stream is dense from 0 with a linked
 * chain and {@code verifyAll} finds no problem.
 *
 * <p>{@code -Dbatpak.test.seed=N} replays a base seed; {@code -Dbatpak.fence.steps=N} sets the
 * workload's length.
 */
class FenceCrashExplorerIT {
  static final long DEFAULT_SEED = 0xFE11CEL;
  static final int DEFAULT_STEPS = 14;
  static final Path DIR = Path.of("/sim/fence-store");
  static final EventKind KIND = EventKind.custom(3, 1);
  static final List<Coordinate> STREAMS =
      List.of(
          Coordinate.of("acct-a", "bank"),
          Coordinate.of("acct-b", "bank"),
          Coordinate.of("acct-c", "bank"));

  /** Crash points from a fault on that are crashed. */
  static final int FAULT_WINDOW = 10;

  /** Of the crash points, every this-many also crashes its reopen at every operation. */
  static final int RECOVERY_EVERY = 16;

  /** Occurrences of each operation kind that get each fault. */
  static final int PER_KIND = 1;

  /** The keys of the explorer's own appends after a reopen (known, so the oracle allows them). */
  static final IdempotencyKey DURING = IdempotencyKey.of(0xD0D0L, 1);

  static final IdempotencyKey AFTER = IdempotencyKey.of(0xD0D0L, 2);

  static StoreConfig config(SimStoreFs fs, long seed) {
    return StoreConfig.builder(DIR)
        .fs(fs)
        .clock(new SimStoreClock())
        .entropy(new SimEntropy(seed))
        .deterministic(true)
        .segmentMaxBytes(4096)
        .checkpointEveryBytes(4096)
        .build();
  }

  /** What the workload did, for the oracle. */
  static final class Ledger {
    /** Every event id a call may have written. */
    final Set<EventId> attempted = new HashSet<>();

    /** Acknowledged events: the operation count when their call returned. */
    final Map<EventId, Long> acked = new HashMap<>();

    /** Fences whose commit was never called: their events must never be visible. */
    final List<List<EventId>> neverCommitted = new ArrayList<>();

    /** Fences whose commit was called: all or nothing; visible after {@code committedAt}. */
    final List<List<EventId>> commitCalled = new ArrayList<>();

    final List<Long> committedAt = new ArrayList<>();
    final List<String> inRun = new ArrayList<>();
  }

  /** One run: its snapshots, op log and ledger. */
  record Run(String label, long seed, List<SimSnapshot> snapshots, List<OpRecord> log, Ledger l) {}

  /** Runs the workload on a fresh simulator with {@code fault} (or none). */
  static Run run(long seed, int steps, FaultRule fault, String label) {
    SimStoreFs fs = SimStoreFs.builder().seed(seed).recordSnapshots(true).build();
    SplittableRandom rnd = new SplittableRandom(seed);
    Ledger l = new Ledger();
    Store store = Store.open(config(fs, seed));
    if (fault != null) {
      fs.addFault(fault);
    }
    int payload = 0;
    try {
      for (int step = 0; step < steps; step++) {
        int what = rnd.nextInt(10);
        if (what < 3) {
          int n = 1 + rnd.nextInt(3);
          List<BatchItem> items = new ArrayList<>();
          for (int i = 0; i < n; i++) {
            items.add(item(rnd, l, payload++));
          }
          List<AppendReceipt> rs = store.appendBatch(items);
          long at = fs.operationCount();
          for (AppendReceipt r : rs) {
            l.attempted.add(r.eventId());
            l.acked.put(r.eventId(), at);
          }
        } else if (what < 8) {
          int ending = rnd.nextInt(4); // 0, 1 commit; 2 cancel; 3 close without commit
          List<EventId> ids = new ArrayList<>();
          VisibilityFence fence = store.beginFence();
          boolean committing = ending <= 1;
          if (committing) {
            l.commitCalled.add(ids);
            l.committedAt.add(Long.MAX_VALUE);
          } else {
            l.neverCommitted.add(ids);
          }
          int n = rnd.nextInt(12);
          for (int i = 0; i < n; i++) {
            if (rnd.nextInt(4) == 0) {
              BatchItem a = item(rnd, l, payload++);
              BatchItem b = item(rnd, l, payload++);
              ids.add(EventId.of(a.options().idempotencyKey()));
              ids.add(EventId.of(b.options().idempotencyKey()));
              fence.appendBatch(List.of(a, b));
            } else {
              IdempotencyKey key = IdempotencyKey.of(0xFE11CEL, payload);
              l.attempted.add(EventId.of(key));
              ids.add(EventId.of(key));
              Coordinate c = pick(rnd);
              fence.append(
                  c, KIND, body(rnd, payload++), AppendOptions.defaults().withIdempotencyKey(key));
            }
          }
          if (committing) {
            fence.commit();
            long at = fs.operationCount();
            l.committedAt.set(l.committedAt.size() - 1, at);
            for (EventId id : ids) {
              l.acked.put(id, at);
            }
          } else if (ending == 2) {
            fence.cancel();
          } else if (rnd.nextBoolean()) {
            fence.close();
          } else {
            store.close(); // closing the store cancels the open fence
            store = Store.open(config(fs, seed));
          }
        } else {
          store.close();
          store = Store.open(config(fs, seed));
        }
      }
      store.close();
    } catch (RuntimeException e) {
      if (fault == null) {
        throw new AssertionError(label + ": the fault-free run failed", e);
      }
      try {
        store.close();
      } catch (RuntimeException expected) {
        // A poisoned store never closes silently.
      }
    }
    fs.clearFaults();
    return new Run(label, seed, fs.recordedSnapshots(), fs.opLog(), l);
  }

  /**
   * An item keyed by its number, so its event id is known before the call (an append that fails
   * with an unknown outcome may still show up after a reopen, and must be recognised).
   */
  private static BatchItem item(SplittableRandom rnd, Ledger l, int n) {
    IdempotencyKey key = IdempotencyKey.of(0xFE11CEL, n);
    l.attempted.add(EventId.of(key));
    return BatchItem.of(pick(rnd), KIND, body(rnd, n))
        .withOptions(AppendOptions.defaults().withIdempotencyKey(key));
  }

  private static Coordinate pick(SplittableRandom rnd) {
    return STREAMS.get(rnd.nextInt(STREAMS.size()));
  }

  private static Bytes body(SplittableRandom rnd, int n) {
    byte[] b = new byte[20 + rnd.nextInt(200)];
    Arrays.fill(b, (byte) n);
    return Bytes.of(b);
  }

  /** The oracle on a reopened store, for a crash after {@code ops} operations of the run. */
  static List<String> judge(Run r, long ops, Store store) {
    List<String> v = new ArrayList<>();
    Ledger l = r.l();
    List<EventHeader> all = new ArrayList<>();
    long after = -1;
    while (true) {
      List<EventHeader> page = store.queryAfter(Region.all(), after, 500);
      all.addAll(page);
      if (page.size() < 500) {
        break;
      }
      after = page.get(page.size() - 1).globalSequence();
    }
    Set<EventId> visible = new HashSet<>();
    for (EventHeader h : all) {
      visible.add(h.eventId());
      if (!l.attempted.contains(h.eventId())
          && !h.eventId().equals(EventId.of(DURING))
          && !h.eventId().equals(EventId.of(AFTER))) {
        v.add("an event no call wrote is visible: " + h.eventId());
      }
    }
    for (Map.Entry<EventId, Long> e : l.acked.entrySet()) {
      if (e.getValue() <= ops && !visible.contains(e.getKey())) {
        v.add("acknowledged event " + e.getKey() + " (at op " + e.getValue() + ") is gone");
      }
    }
    for (List<EventId> fence : l.neverCommitted) {
      for (EventId id : fence) {
        if (visible.contains(id)) {
          v.add("an event of a fence that never committed is visible: " + id);
        }
      }
    }
    for (List<EventId> fence : l.commitCalled) {
      long shown = fence.stream().filter(visible::contains).count();
      if (shown != 0 && shown != fence.size()) {
        v.add("a fence is partly visible: " + shown + " of " + fence.size() + " events");
      }
    }
    Map<String, List<EventHeader>> byStream = new TreeMap<>();
    for (EventHeader h : all) {
      byStream.computeIfAbsent(h.entity(), k -> new ArrayList<>()).add(h);
    }
    for (Map.Entry<String, List<EventHeader>> e : byStream.entrySet()) {
      List<EventHeader> s = e.getValue();
      if (!s.equals(store.stream(e.getKey()))) {
        v.add("stream " + e.getKey() + " differs from the global order's");
      }
      byte[] prev = new byte[32];
      for (int i = 0; i < s.size(); i++) {
        if (s.get(i).streamSequence() != i
            || !Arrays.equals(prev, s.get(i).prevHash().toByteArray())) {
          v.add("stream " + e.getKey() + " is not dense and chained at " + i);
          break;
        }
        prev = s.get(i).eventHash().toByteArray();
      }
    }
    if (!store.verifyAll((done, total) -> {}).intact()) {
      v.add("verifyAll found problems");
    }
    if (store.stats().eventCount() != all.size()) {
      v.add("stats counts " + store.stats().eventCount() + ", the query " + all.size());
    }
    return v;
  }

  /** Reopens the crashed disk; null and a violation if the open fails. */
  static List<String> reopenAndJudge(Run r, SimStoreFs fs, long ops, String where) {
    List<String> v = new ArrayList<>();
    try (Store store = Store.open(config(fs, r.seed()))) {
      v.addAll(judge(r, ops, store));
      // Appending after a recovery continues every stream.
      store.append(
          STREAMS.get(0),
          KIND,
          Bytes.utf8("after"),
          AppendOptions.defaults().withIdempotencyKey(AFTER));
    } catch (RuntimeException e) {
      v.add("the reopen failed: " + e);
    }
    List<String> out = new ArrayList<>();
    for (String s : v) {
      out.add(where + ": " + s);
    }
    return out;
  }

  /** Crashes snapshot {@code i} of {@code r} with every profile; returns violations. */
  static List<String> explore(Run r, int i, SplittableRandom pick, long[] counts) {
    List<String> out = new ArrayList<>();
    SimSnapshot snap = r.snapshots().get(i);
    SimStoreFs fs = SimStoreFs.builder().seed(r.seed()).build();
    for (CrashProfile profile : CrashProfile.values()) {
      fs.restore(snap);
      fs.clearFaults();
      fs.crash(profile);
      SimSnapshot crashed = fs.snapshot();
      String where =
          r.label() + " snapshot " + i + " (op " + snap.operationCount() + ") " + profile;
      long before = fs.operationCount();
      out.addAll(reopenAndJudge(r, fs, snap.operationCount(), where));
      counts[0]++;
      long reopenOps = fs.operationCount() - before;
      if (pick.nextInt(RECOVERY_EVERY) != 0) {
        continue;
      }
      for (long k = 1; k <= reopenOps; k++) {
        fs.restore(crashed);
        fs.clearFaults();
        fs.addFault(FaultRule.crashBeforeNth(k));
        try (Store st = Store.open(config(fs, r.seed()))) {
          st.append(
              STREAMS.get(1),
              KIND,
              Bytes.utf8("during"),
              AppendOptions.defaults().withIdempotencyKey(DURING));
        } catch (RuntimeException expected) {
          // The power loss in the middle of the reopen.
        }
        fs.clearFaults();
        fs.crash(profile);
        out.addAll(
            reopenAndJudge(
                r, fs, snap.operationCount(), where + ", then a crash before reopen op " + k));
        counts[1]++;
      }
    }
    return out;
  }

  /** The faults for one operation kind. */
  static List<FaultAction> faultsFor(FsOp op, SplittableRandom rnd) {
    return switch (op) {
      case WRITE ->
          List.of(
              FaultAction.fail(ErrorKind.IO),
              FaultAction.fail(ErrorKind.NO_SPACE),
              FaultAction.shortWrite(rnd.nextInt(64)));
      case SYNC -> List.of(FaultAction.failedSync(), FaultAction.failedSyncKeepsPages());
      case CREATE, RENAME, PUBLISH, DIR_SYNC, DELETE, TRUNCATE, MKDIR ->
          List.of(FaultAction.fail(ErrorKind.IO));
      default -> List.of();
    };
  }

  @Test
  void explore() {
    long base = SimSeed.resolve(DEFAULT_SEED);
    int steps = Integer.getInteger("batpak.fence.steps", DEFAULT_STEPS);
    System.out.println("[fence] base seed " + base + ", replay with -Dbatpak.test.seed=" + base);
    long started = System.nanoTime();
    Run clean = run(base, steps, null, "fault-free");
    assertTrue(
        !clean.l().commitCalled.isEmpty() && !clean.l().neverCommitted.isEmpty(),
        "the workload must both commit and cancel fences");
    List<String> violations = new ArrayList<>();
    long[] counts = new long[2];
    SplittableRandom pick = new SplittableRandom(base);
    for (int i = 0; i < clean.snapshots().size(); i++) {
      violations.addAll(explore(clean, i, pick, counts));
    }
    // Every operation kind the run performed, each fault that applies, on seeded occurrences.
    Map<FsOp, Integer> occurrences = new TreeMap<>();
    for (OpRecord rec : clean.log()) {
      try {
        occurrences.merge(FsOp.valueOf(rec.op()), 1, Integer::sum);
      } catch (IllegalArgumentException notAnOp) {
        // control records (CLOSE, CRASH) are no operation kinds
      }
    }
    int faultRuns = 0;
    Map<String, Integer> faultKinds = new TreeMap<>();
    for (Map.Entry<FsOp, Integer> e : occurrences.entrySet()) {
      SplittableRandom rnd = new SplittableRandom(base ^ e.getKey().ordinal());
      for (FaultAction action : faultsFor(e.getKey(), rnd)) {
        for (int j = 0; j < PER_KIND; j++) {
          long nth = 1 + rnd.nextInt(e.getValue());
          FaultRule rule = FaultRule.on(e.getKey(), FaultTrigger.nth(nth), action);
          String label = "fault " + e.getKey() + " #" + nth + " " + action;
          Run r = run(base, steps, rule, label);
          faultRuns++;
          faultKinds.merge(e.getKey() + " " + action.getClass().getSimpleName(), 1, Integer::sum);
          int from = 0;
          for (int i = 0; i < r.snapshots().size(); i++) {
            if (r.snapshots().get(i).operationCount() >= faultAt(r)) {
              from = i;
              break;
            }
          }
          for (int i = from; i < Math.min(r.snapshots().size(), from + FAULT_WINDOW); i++) {
            violations.addAll(explore(r, i, pick, counts));
          }
          if (!r.snapshots().isEmpty()) {
            violations.addAll(explore(r, r.snapshots().size() - 1, pick, counts));
          }
        }
      }
    }
    System.out.println(
        "[fence] "
            + clean.snapshots().size()
            + " snapshots in the fault-free run ("
            + clean.l().commitCalled.size()
            + " committed fences, "
            + clean.l().neverCommitted.size()
            + " never committed), "
            + faultRuns
            + " fault runs "
            + faultKinds
            + ", "
            + counts[0]
            + " crash points reopened, "
            + counts[1]
            + " crashes during a reopen, "
            + violations.size()
            + " violations, in "
            + (System.nanoTime() - started) / 1_000_000
            + " ms");
    Set<String> where = new java.util.TreeSet<>();
    for (String x : violations) {
      where.add(x.replaceAll(" snapshot .*", ""));
    }
    System.out.println("[fence] runs with violations: " + where);
    assertEquals(
        List.of(),
        violations.subList(0, Math.min(20, violations.size())),
        "fence crash explorer (base seed " + base + ")");
  }

  /** The operation count of the run's injected fault, or its last operation. */
  static long faultAt(Run r) {
    for (OpRecord rec : r.log()) {
      if (rec.injected()) {
        return rec.seq();
      }
    }
    return Long.MAX_VALUE;
  }
}
