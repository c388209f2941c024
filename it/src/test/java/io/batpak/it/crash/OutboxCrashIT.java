package io.batpak.it.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.EventHeader;
import io.batpak.EventId;
import io.batpak.EventKind;
import io.batpak.IdempotencyKey;
import io.batpak.Outbox;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StoreException;
import io.batpak.fs.sim.CrashProfile;
import io.batpak.fs.sim.ErrorKind;
import io.batpak.fs.sim.FaultAction;
import io.batpak.fs.sim.FaultRule;
import io.batpak.fs.sim.FaultTrigger;
import io.batpak.fs.sim.FsOp;
import io.batpak.fs.sim.SimEntropy;
import io.batpak.fs.sim.SimSnapshot;
import io.batpak.fs.sim.SimStoreClock;
import io.batpak.fs.sim.SimStoreFs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The outbox's flush under crashes and faults, on fs-sim (ADR 0023): a flush is one atomic batch,
 * so at every crash point of a store that flushes an outbox (each snapshot after a state-changing
 * operation, crashed with every {@link CrashProfile}), the reopened store shows every staged event
 * or none, shows all of them once {@code flush} returned, keeps every event acknowledged before,
 * and never shows what an outbox staged and never flushed. A write or fsync that fails during the
 * flush publishes none of it in the running store; after a crash it is all or nothing.
 *
 * <p>{@code -Dbatpak.test.seed=N} replays a seed.
 */
class OutboxCrashIT {
  static final Path DIR = Path.of("/sim/outbox-store");
  static final EventKind KIND = EventKind.custom(3, 2);
  static final List<Coordinate> STREAMS =
      List.of(Coordinate.of("order:1", "shop"), Coordinate.of("mail:1", "shop"));

  static StoreConfig config(SimStoreFs fs, long seed) {
    return StoreConfig.builder(DIR)
        .fs(fs)
        .clock(new SimStoreClock())
        .entropy(new SimEntropy(seed))
        .deterministic(true)
        .segmentMaxBytes(4096)
        .build();
  }

  static long seed() {
    long seed = Long.getLong("batpak.test.seed", new SplittableRandom().nextLong());
    System.out.println(
        "OutboxCrashIT seed " + seed + " (replay with -Dbatpak.test.seed=" + seed + ")");
    return seed;
  }

  static Bytes body(SplittableRandom rnd, int n) {
    byte[] b = new byte[40 + rnd.nextInt(160)];
    Arrays.fill(b, (byte) n);
    return Bytes.of(b);
  }

  /** What the workload wrote: ids acknowledged before the flush, staged-only, and the batch. */
  record Workload(
      List<EventId> before,
      long beforeAcked,
      List<EventId> neverFlushed,
      List<EventId> batch,
      long flushReturned) {}

  /** Appends, stages an outbox it drops, stages and flushes another, closes. */
  static Workload run(SimStoreFs fs, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    List<EventId> before = new ArrayList<>();
    List<EventId> dropped = new ArrayList<>();
    List<EventId> batch = new ArrayList<>();
    int n = 0;
    try (Store store = Store.open(config(fs, seed))) {
      for (int i = 0; i < 6 + rnd.nextInt(10); i++, n++) {
        IdempotencyKey k = IdempotencyKey.of(seed, n);
        store.append(
            STREAMS.get(rnd.nextInt(2)),
            KIND,
            body(rnd, n),
            AppendOptions.defaults().withIdempotencyKey(k));
        before.add(EventId.of(k));
      }
      long beforeAcked = fs.operationCount();
      Outbox never = store.outbox();
      for (int i = 0; i < 3; i++, n++) {
        IdempotencyKey k = IdempotencyKey.of(seed, n);
        never.stage(
            STREAMS.get(0), KIND, body(rnd, n), AppendOptions.defaults().withIdempotencyKey(k));
        dropped.add(EventId.of(k));
      }
      Outbox outbox = store.outbox();
      for (int i = 0; i < 4 + rnd.nextInt(12); i++, n++) {
        IdempotencyKey k = IdempotencyKey.of(seed, n);
        outbox.stage(
            STREAMS.get(rnd.nextInt(2)),
            KIND,
            body(rnd, n),
            AppendOptions.defaults().withIdempotencyKey(k));
        batch.add(EventId.of(k));
      }
      List<AppendReceipt> rs = outbox.flush();
      long returned = fs.operationCount();
      assertEquals(batch, rs.stream().map(AppendReceipt::eventId).toList());
      return new Workload(before, beforeAcked, dropped, batch, returned);
    }
  }

  static Set<EventId> visible(Store store) {
    Set<EventId> ids = new HashSet<>();
    long after = -1;
    while (true) {
      List<EventHeader> page = store.queryAfter(Region.all(), after, 500);
      page.forEach(h -> ids.add(h.eventId()));
      if (page.size() < 500) {
        return ids;
      }
      after = page.get(page.size() - 1).globalSequence();
    }
  }

  /**
   * The oracle: violations of "all or nothing" and of durability, for a crash after {@code ops}.
   */
  static List<String> judge(Workload w, Set<EventId> seen, long ops) {
    List<String> v = new ArrayList<>();
    long shown = w.batch().stream().filter(seen::contains).count();
    if (shown != 0 && shown != w.batch().size()) {
      v.add("the flushed batch is partly visible: " + shown + " of " + w.batch().size());
    }
    if (ops >= w.flushReturned() && shown != w.batch().size()) {
      v.add("flush returned (op " + w.flushReturned() + ") but its batch is gone");
    }
    if (ops >= w.beforeAcked() && !seen.containsAll(w.before())) {
      v.add("an event acknowledged before the flush is gone");
    }
    for (EventId id : w.neverFlushed()) {
      if (seen.contains(id)) {
        v.add("an event staged in an outbox that was never flushed is visible: " + id);
      }
    }
    return v;
  }

  @Test
  void aFlushIsAllOrNothingAtEveryCrashPoint() {
    long seed = seed();
    SimStoreFs fs = SimStoreFs.builder().seed(seed).recordSnapshots(true).build();
    Workload w = run(fs, seed);
    List<SimSnapshot> snaps = fs.recordedSnapshots();
    List<String> violations = new ArrayList<>();
    int none = 0;
    int all = 0;
    SimStoreFs crashFs = SimStoreFs.builder().seed(seed).build();
    for (int i = 0; i < snaps.size(); i++) {
      SimSnapshot snap = snaps.get(i);
      for (CrashProfile profile : CrashProfile.values()) {
        crashFs.restore(snap);
        crashFs.clearFaults();
        crashFs.crash(profile);
        String where = "seed " + seed + " snapshot " + i + " (op " + snap.operationCount() + ") ";
        try (Store store = Store.open(config(crashFs, seed))) {
          Set<EventId> seen = visible(store);
          long shown = w.batch().stream().filter(seen::contains).count();
          none += shown == 0 ? 1 : 0;
          all += shown == w.batch().size() ? 1 : 0;
          for (String s : judge(w, seen, snap.operationCount())) {
            violations.add(where + profile + ": " + s);
          }
        } catch (RuntimeException e) {
          violations.add(where + profile + ": the reopen failed: " + e);
        }
      }
    }
    System.out.println(
        "OutboxCrashIT: "
            + snaps.size()
            + " crash points x "
            + CrashProfile.values().length
            + " profiles reopened; batch absent in "
            + none
            + ", complete in "
            + all);
    assertEquals(List.of(), violations);
    assertTrue(none > 0 && all > 0, "crash points on both sides of the flush: " + none + "/" + all);
  }

  @Test
  void aWriteOrFsyncThatFailsDuringTheFlushPublishesNothing() {
    long seed = seed();
    List<FaultAction> faults =
        List.of(
            FaultAction.fail(ErrorKind.IO),
            FaultAction.fail(ErrorKind.NO_SPACE),
            FaultAction.failedSync(),
            FaultAction.failedSyncKeepsPages());
    for (FaultAction fault : faults) {
      SimStoreFs fs = SimStoreFs.builder().seed(seed).build();
      SplittableRandom rnd = new SplittableRandom(seed);
      List<EventId> batch = new ArrayList<>();
      Store store = Store.open(config(fs, seed));
      store.append(STREAMS.get(0), KIND, body(rnd, 0));
      Outbox outbox = store.outbox();
      for (int i = 0; i < 5; i++) {
        IdempotencyKey k = IdempotencyKey.of(seed, 100 + i);
        outbox.stage(
            STREAMS.get(i % 2), KIND, body(rnd, i), AppendOptions.defaults().withIdempotencyKey(k));
        batch.add(EventId.of(k));
      }
      FsOp op = fault instanceof FaultAction.Fail ? FsOp.WRITE : FsOp.SYNC;
      fs.addFault(FaultRule.on(op, FaultTrigger.nth(1), fault));
      assertThrows(StoreException.class, outbox::flush, fault.toString());
      Set<EventId> seen = visible(store);
      assertTrue(
          batch.stream().noneMatch(seen::contains),
          fault + ": a failed flush shows none of its events in the running store");
      try {
        store.close();
      } catch (StoreException e) {
        // a poisoned store says so on close; the reopen below is the check
      }
      fs.crash(CrashProfile.STRICT);
      try (Store reopened = Store.open(config(fs, seed))) {
        Set<EventId> after = visible(reopened);
        long shown = batch.stream().filter(after::contains).count();
        assertTrue(
            shown == 0 || shown == batch.size(),
            fault + ": all or nothing after a crash, saw " + shown + " of " + batch.size());
        assertEquals(1 + shown, reopened.stats().eventCount(), fault + ": nothing else");
      }
    }
  }
}
