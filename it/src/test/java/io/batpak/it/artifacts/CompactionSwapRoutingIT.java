package io.batpak.it.artifacts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.atLeastOnce;
import static org.mockito.Mockito.inOrder;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.CompactionConfig;
import io.batpak.CompactionResult;
import io.batpak.Coordinate;
import io.batpak.EventKind;
import io.batpak.EventNotFoundException;
import io.batpak.IdempotencyKey;
import io.batpak.ReceiptVerification;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StoreVerification;
import io.batpak.StoredEvent;
import io.batpak.VerificationProgress;
import io.batpak.fs.sim.CrashProfile;
import io.batpak.fs.sim.ErrorKind;
import io.batpak.fs.sim.FaultAction;
import io.batpak.fs.sim.FaultRule;
import io.batpak.fs.sim.FaultTrigger;
import io.batpak.fs.sim.FsOp;
import io.batpak.fs.sim.OpRecord;
import io.batpak.fs.sim.SimEntropy;
import io.batpak.fs.sim.SimStoreClock;
import io.batpak.fs.sim.SimStoreFs;
import io.batpak.port.FileHandle;
import io.batpak.port.RenameMode;
import io.batpak.port.StoreFs;
import io.batpak.port.SyncMode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mockito.InOrder;

/**
 * Routing proof of the compaction swap, the reference test's way: every step that makes a
 * compaction's output the store's (the intent's publish, the output's writes and fsync, the rename
 * over the last replaced segment, the removal of the replaced segments) goes through the {@link
 * StoreFs} the store was given, so a fault armed on it in the simulator surfaces.
 *
 * <ul>
 *   <li>CONTROL on the real {@code posix} backend: a merge and a retain compact (PERFORMED), leave
 *       no {@code .compacting} file and no intent, and the store reads the same before, after and
 *       after a reopen (removed events as compacted away).
 *   <li>A Mockito spy on the posix backend proves the order: intent published, output created and
 *       written, synced and closed, checkpoint removed, directory synced, output renamed over the
 *       last segment (REPLACE), directory synced, replaced segments removed, directory synced,
 *       intent removed, directory synced; and every file on disk, with its size, is what the calls
 *       through the port made (nothing written by a side door while compacting).
 *   <li>FAULT runs on the simulator, one per step: the compaction returns FAILED naming the step;
 *       before the switch the store is unchanged (in the session, after a restart and after a power
 *       loss); after it the store is compacted and the next open removes what is left over. Nothing
 *       acknowledged is lost, and the store takes appends and compacts again.
 * </ul>
 */
class CompactionSwapRoutingIT {
  private static final long SEED = 0xC0A1_5A4FL;
  private static final Path DIR = ArtifactStores.DIR;
  private static final EventKind KIND = ArtifactStores.KIND;
  private static final String INTENT = "compaction.intent";
  private static final String UNCHANGED = "the store is unchanged";
  private static final String COMPACTED =
      "the store is compacted, and the next open removes what is left over";

  /** Cycles of open, append, close: one small sealed segment each. */
  private static final int CYCLES = 4;

  @TempDir Path tmp;

  /** What was appended: receipts in order and the payload of each, with keys for some. */
  private final Map<AppendReceipt, byte[]> appended = new LinkedHashMap<>();

  private final Map<AppendReceipt, IdempotencyKey> keys = new LinkedHashMap<>();
  private final Map<AppendReceipt, String> entities = new LinkedHashMap<>();
  private final SplittableRandom rnd = new SplittableRandom(SEED);

  private static boolean kept(StoredEvent e) {
    return !e.header().coordinate().entity().startsWith("temp-");
  }

  private void appendSome(Store s, int n) {
    for (int i = 0; i < n; i++) {
      String entity = (rnd.nextInt(3) == 0 ? "temp-" : "order-") + rnd.nextInt(4);
      byte[] payload = new byte[40 + rnd.nextInt(200)];
      rnd.nextBytes(payload);
      IdempotencyKey key = IdempotencyKey.of(rnd.nextLong(), rnd.nextLong());
      AppendReceipt r =
          s.append(
              Coordinate.of(entity, "shop"),
              KIND,
              Bytes.of(payload),
              AppendOptions.defaults().withIdempotencyKey(key));
      appended.put(r, payload);
      keys.put(r, key);
      entities.put(r, entity);
    }
  }

  /** Appends {@link #CYCLES} times in a store of its own session. */
  private void fill(java.util.function.Supplier<StoreConfig> config) {
    for (int c = 0; c < CYCLES; c++) {
      try (Store s = Store.open(config.get())) {
        appendSome(s, 5 + rnd.nextInt(4));
      }
    }
  }

  /**
   * Every receipt verifies as the state says (with {@code removed}: those events compacted away,
   * dropped), survivors read back whole, verifyAll finds nothing, and keyed retries answer.
   */
  private void assertReads(Store s, Predicate<AppendReceipt> removed, String when) {
    for (Map.Entry<AppendReceipt, byte[]> e : appended.entrySet()) {
      AppendReceipt r = e.getKey();
      ReceiptVerification v = s.verifyReceipt(r);
      if (removed.test(r)) {
        ReceiptVerification.CompactedAway away =
            assertInstanceOf(ReceiptVerification.CompactedAway.class, v, when + " " + r);
        assertFalse(away.tombstone(), when);
        assertEquals(r.eventHash(), away.evidence().eventHash(), when);
        assertThrows(EventNotFoundException.class, () -> s.get(r.eventId()), when);
      } else {
        assertInstanceOf(ReceiptVerification.Valid.class, v, when + " " + r);
        assertArrayEquals(e.getValue(), s.get(r.eventId()).payload().toByteArray(), when);
      }
    }
    StoreVerification all = s.verifyAll(VerificationProgress.none());
    assertEquals(0, all.problemCount(), when + ": " + all.problems());
    assertEquals(appended.size(), all.eventsChecked(), when);
    assertEquals(appended.keySet().stream().filter(removed).count(), all.eventsCompacted(), when);
    for (Map.Entry<AppendReceipt, IdempotencyKey> k : keys.entrySet()) {
      AppendReceipt r = k.getKey();
      AppendReceipt again =
          s.append(
              Coordinate.of(entities.get(r), "shop"),
              KIND,
              Bytes.of(appended.get(r)),
              AppendOptions.defaults().withIdempotencyKey(k.getValue()));
      assertEquals(r, again, when + ": a retry answers the original receipt");
    }
  }

  private boolean removedByRetain(AppendReceipt r) {
    return entities.get(r).startsWith("temp-");
  }

  private static TreeSet<Long> segmentIds(List<String> names) {
    TreeSet<Long> ids = new TreeSet<>();
    for (String n : names) {
      if (n.endsWith(".seg")) {
        ids.add(Long.parseLong(n.substring(0, n.length() - 4)));
      }
    }
    return ids;
  }

  private static String segName(long id) {
    return String.format("%010d.seg", id);
  }

  // ---------------------------------------------------------------- CONTROL: posix

  private StoreConfig posixConfig(Path dir) {
    return StoreConfig.builder(dir).fsBackend("posix").segmentMaxBytes(64 * 1024).build();
  }

  @ParameterizedTest
  @EnumSource(
      value = CompactionConfig.Strategy.class,
      names = {"MERGE", "RETAIN"})
  void controlOnPosixTheCompactionSwapsAndTheStoreReadsTheSame(CompactionConfig.Strategy how)
      throws IOException {
    Path dir = tmp.resolve("store");
    fill(() -> posixConfig(dir));
    Predicate<AppendReceipt> removed =
        how == CompactionConfig.Strategy.MERGE ? r -> false : this::removedByRetain;
    List<String> before = List.copyOf(ArtifactStores.sizesOnDisk(dir).keySet());
    try (Store s = Store.open(posixConfig(dir))) {
      assertReads(s, r -> false, "before");
      CompactionResult res =
          s.compact(
              how == CompactionConfig.Strategy.MERGE
                  ? CompactionConfig.merge()
                  : CompactionConfig.retain(CompactionSwapRoutingIT::kept));
      assertEquals(CompactionResult.Outcome.PERFORMED, res.outcome(), res.toString());
      assertEquals(CYCLES, res.segmentsBefore(), res.toString());
      assertEquals(1, res.segmentsAfter(), res.toString());
      assertReads(s, removed, "after");
      List<String> after = List.copyOf(ArtifactStores.sizesOnDisk(dir).keySet());
      for (String n : after) {
        assertFalse(n.endsWith(".compacting") || n.startsWith(INTENT), "left over: " + after);
      }
      TreeSet<Long> old = segmentIds(before);
      TreeSet<Long> now = segmentIds(after);
      assertTrue(now.contains(old.last()), "the output takes the last segment's name: " + after);
      for (long id : old.headSet(old.last())) {
        assertFalse(now.contains(id), "replaced segment " + id + " removed: " + after);
      }
    }
    try (Store s = Store.open(posixConfig(dir))) {
      assertReads(s, removed, "after a reopen");
    }
  }

  // ---------------------------------------------------------------- the spy: order of the calls

  @Test
  void theSpySeesIntentOutputSyncSwitchRemovalsInOrderAndNothingElseTouchesTheDisk()
      throws IOException {
    Path dir = tmp.resolve("store");
    try (StoreFs posix = CheckpointPublishRoutingIT.posix()) {
      StoreFsSpy spy = StoreFsSpy.around(posix);
      java.util.function.Supplier<StoreConfig> config =
          () -> StoreConfig.builder(dir).fs(spy.fs).segmentMaxBytes(64 * 1024).build();
      fill(config);
      TreeSet<Long> old = segmentIds(List.copyOf(ArtifactStores.sizesOnDisk(dir).keySet()));
      assertEquals(CYCLES, old.size(), old.toString());
      long first = old.first();
      long last = old.last();
      try (Store s = Store.open(config.get())) {
        CompactionResult res = s.compact(CompactionConfig.merge());
        assertEquals(CompactionResult.Outcome.PERFORMED, res.outcome(), res.toString());
        assertEquals(
            ArtifactStores.sizesOnDisk(dir),
            spy.modelledFiles(dir),
            "after compacting, every file and size is what the calls through the port made");
        assertReads(s, r -> false, "after");
      }
      Path intent = dir.resolve(INTENT);
      Path intentTemp = dir.resolve(INTENT + ".tmp");
      Path temp = dir.resolve(segName(last) + ".compacting");
      Path lastSeg = dir.resolve(segName(last));
      FileHandle intentHandle = spy.createdHandle(intentTemp);
      FileHandle out = spy.createdHandle(temp);
      InOrder order = inOrder(spy.fs, intentHandle, out);
      order.verify(spy.fs).create(intentTemp);
      order.verify(intentHandle, atLeastOnce()).write(any(), anyLong());
      order.verify(intentHandle).close();
      order.verify(spy.fs).publish(intentTemp, intent, SyncMode.ALL);
      order.verify(spy.fs).create(temp);
      // The header and the frames go out in 1 MiB writes from offset 0.
      order.verify(out).write(any(), eq(0L));
      order.verify(out).sync(SyncMode.ALL);
      order.verify(out).close();
      // The output is read back whole before it replaces anything.
      order.verify(spy.fs).openRead(temp);
      order.verify(spy.fs).deleteIfExists(dir.resolve(ArtifactStores.CHECKPOINT));
      order.verify(spy.fs).syncDirectory(dir);
      order.verify(spy.fs).rename(temp, lastSeg, RenameMode.REPLACE);
      order.verify(spy.fs).syncDirectory(dir);
      for (long id = first; id < last; id++) {
        order.verify(spy.fs).deleteIfExists(dir.resolve(segName(id)));
      }
      order.verify(spy.fs).syncDirectory(dir);
      order.verify(spy.fs).deleteIfExists(intent);
      order.verify(spy.fs).syncDirectory(dir);
      try (Store s = Store.open(config.get())) {
        assertReads(s, r -> false, "after a reopen");
      }
      assertEquals(ArtifactStores.sizesOnDisk(dir), spy.modelledFiles(dir), "after a reopen");
    }
  }

  // ---------------------------------------------------------------- FAULT: the simulator

  /** One step of the swap, the fault armed on it, and which side of the switch it falls on. */
  enum SwapStep {
    INTENT_PUBLISH(
        FsOp.PUBLISH, "/sim/store/compaction.intent*", new FaultAction.Fail(ErrorKind.IO), false),
    OUTPUT_WRITE(FsOp.WRITE, "/sim/store/*.compacting", new FaultAction.Fail(ErrorKind.IO), false),
    OUTPUT_ENOSPC(
        FsOp.WRITE, "/sim/store/*.compacting", new FaultAction.Fail(ErrorKind.NO_SPACE), false),
    OUTPUT_FSYNC(FsOp.SYNC, "/sim/store/*.compacting", new FaultAction.FailedSync(), false),
    SWITCH_RENAME(
        FsOp.RENAME, "/sim/store/*.compacting", new FaultAction.Fail(ErrorKind.IO), false),
    REPLACED_REMOVAL(FsOp.DELETE, "/sim/store/*.seg", new FaultAction.Fail(ErrorKind.IO), true);

    final FsOp op;
    final String glob;
    final FaultAction action;
    final boolean afterSwitch;

    SwapStep(FsOp op, String glob, FaultAction action, boolean afterSwitch) {
      this.op = op;
      this.glob = glob;
      this.action = action;
      this.afterSwitch = afterSwitch;
    }
  }

  /** Opens so far on the simulator: each gets a later clock and entropy of its own. */
  private int epoch;

  /**
   * A deterministic store on {@code fs}; a clock and a generator that started over at every open
   * would hand out the same event ids again.
   */
  private StoreConfig simConfig(SimStoreFs fs) {
    epoch++;
    SimStoreClock clock = new SimStoreClock();
    clock.advance(java.time.Duration.ofHours(epoch));
    return StoreConfig.builder(DIR)
        .fs(fs)
        .clock(clock)
        .entropy(new SimEntropy(SEED + epoch))
        .deterministic(true)
        .segmentMaxBytes(64 * 1024)
        .build();
  }

  private static List<String> list(SimStoreFs fs) {
    try {
      return fs.list(DIR);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @ParameterizedTest
  @EnumSource(SwapStep.class)
  void aFaultOnEachSwapStepFailsTheCompactionOnItsSideOfTheSwitch(SwapStep step) {
    for (boolean powerLoss : new boolean[] {false, true}) {
      appended.clear();
      keys.clear();
      entities.clear();
      SimStoreFs fs = SimStoreFs.builder().seed(SEED).build();
      fill(() -> simConfig(fs));
      TreeSet<Long> old = segmentIds(list(fs));
      String when = step + (powerLoss ? " then a power loss" : " then a restart");
      Predicate<AppendReceipt> after = step.afterSwitch ? this::removedByRetain : r -> false;
      Store s = Store.open(simConfig(fs));
      long before = fs.operationCount();
      fs.addFault(FaultRule.on(step.op, step.glob, FaultTrigger.nth(1), step.action));
      CompactionResult res = s.compact(CompactionConfig.retain(CompactionSwapRoutingIT::kept));
      fs.clearFaults();
      assertTrue(
          fs.opLog().stream().anyMatch(r -> r.seq() > before && r.injected()),
          when + ": the fault fired");
      assertEquals(CompactionResult.Outcome.FAILED, res.outcome(), when + ": " + res);
      assertTrue(
          res.reason().endsWith(step.afterSwitch ? COMPACTED : UNCHANGED),
          when + ": " + res.reason());
      assertTrue(res.reason().contains("injected"), when + ": names the fault: " + res.reason());
      // In the session: reads as the side of the switch says, and the store goes on.
      assertReads(s, after, when + ", in the session");
      // These go to the active segment, which no compaction touches until a later session.
      java.util.Set<AppendReceipt> early = java.util.Set.copyOf(appended.keySet());
      appendSome(s, 3);
      Predicate<AppendReceipt> afterReopen = r -> early.contains(r) && after.test(r);
      List<String> names = list(fs);
      assertFalse(names.stream().anyMatch(n -> n.endsWith(".compacting")), when + ": " + names);
      if (step.afterSwitch) {
        assertTrue(names.contains(INTENT), when + ": the intent waits for the next open " + names);
        assertTrue(names.contains(segName(old.first())), when + ": " + names);
      } else {
        assertFalse(names.contains(INTENT), when + ": " + names);
        assertTrue(segmentIds(names).containsAll(old), when + ": unchanged " + names);
      }
      if (powerLoss) {
        s.sync();
        fs.crash(CrashProfile.STRICT);
      } else {
        s.close();
        fs.restart();
      }
      try (Store again = Store.open(simConfig(fs))) {
        List<String> reopened = list(fs);
        assertFalse(
            reopened.stream().anyMatch(n -> n.endsWith(".compacting") || n.startsWith(INTENT)),
            when + ": the open left " + reopened);
        TreeSet<Long> ids = segmentIds(reopened);
        if (step.afterSwitch) {
          assertTrue(ids.contains(old.last()), when + ": " + reopened);
          assertTrue(
              old.headSet(old.last()).stream().noneMatch(ids::contains),
              when + ": the open removed the replaced segments " + reopened);
        } else {
          assertTrue(ids.containsAll(old), when + ": " + reopened);
        }
        assertReads(again, afterReopen, when + ", reopened");
      }
      // A compaction in a later session (every event in a sealed segment) removes them all.
      try (Store again = Store.open(simConfig(fs))) {
        CompactionResult retry =
            again.compact(CompactionConfig.retain(CompactionSwapRoutingIT::kept));
        assertTrue(
            retry.outcome() != CompactionResult.Outcome.FAILED, when + ": the retry " + retry);
        assertReads(again, this::removedByRetain, when + ", compacted by the retry");
      }
    }
  }

  /** The simulator's log shows the compaction's steps through the port in the control run. */
  @Test
  void controlOnTheSimulatorTheSwapStepsAreLoggedInOrder() {
    SimStoreFs fs = SimStoreFs.builder().seed(SEED).build();
    fill(() -> simConfig(fs));
    TreeSet<Long> old = segmentIds(list(fs));
    long before;
    try (Store s = Store.open(simConfig(fs))) {
      before = fs.operationCount();
      CompactionResult res = s.compact(CompactionConfig.merge());
      assertEquals(CompactionResult.Outcome.PERFORMED, res.outcome(), res.toString());
    }
    List<String> steps = new ArrayList<>();
    for (OpRecord r : fs.opLog()) {
      if (r.seq() > before) {
        steps.add(r.op() + " " + r.path().replace(DIR + "/", ""));
      }
    }
    String out = segName(old.last()) + ".compacting";
    int rename = steps.indexOf("RENAME " + out + " -> " + segName(old.last()));
    assertTrue(rename > 0, steps.toString());
    assertTrue(steps.indexOf("CREATE " + out) < steps.indexOf("SYNC " + out), steps.toString());
    assertTrue(steps.indexOf("SYNC " + out) < rename, steps.toString());
    assertTrue(steps.indexOf("DELETE " + ArtifactStores.CHECKPOINT) < rename, steps.toString());
    assertTrue(steps.indexOf("DELETE " + segName(old.first())) > rename, steps.toString());
    assertTrue(steps.indexOf("DELETE " + INTENT) > steps.indexOf("DELETE " + segName(old.first())));
  }
}
