package io.batpak.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.EventKind;
import io.batpak.OutcomeUnknownException;
import io.batpak.Store;
import io.batpak.fs.sim.CrashProfile;
import io.batpak.fs.sim.FsOp;
import io.batpak.fs.sim.SimStoreFs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** What a test gets from {@link SimStore}, with the kit's invariant check after each. */
@BatpakTest
class SimStoreTest {
  private static final Coordinate ORDER = Coordinate.of("order:1", "shop");
  private static final EventKind KIND = EventKind.custom(1, 1);

  private static List<AppendReceipt> append(Store store, Random random, int n) {
    List<AppendReceipt> receipts = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] payload = new byte[1 + random.nextInt(200)];
      random.nextBytes(payload);
      receipts.add(store.append(ORDER, KIND, Bytes.of(payload)));
    }
    return receipts;
  }

  @Test
  void everyAcknowledgedAppendSurvivesEachCrashProfile(SimStore sim, Random random) {
    Store store = sim.open();
    List<AppendReceipt> receipts = new ArrayList<>();
    for (CrashProfile profile : CrashProfile.values()) {
      receipts.addAll(append(store, random, 1 + random.nextInt(20)));
      store = sim.crashAndReopen(profile);
      for (AppendReceipt receipt : receipts) {
        assertTrue(store.verifyReceipt(receipt).isValid(), profile + ": " + receipt);
      }
    }
    assertEquals(receipts, sim.acknowledged());
    assertEquals(receipts.size(), store.stats().eventCount());
  }

  @Test
  void theParametersOfOneTestShareItsSeed(SimStore sim, Random random, SplittableRandom split) {
    assertEquals(new Random(sim.seed()).nextLong(), random.nextLong());
    assertEquals(new SplittableRandom(sim.seed()).nextLong(), split.nextLong());
    assertEquals(sim.seed(), sim.fs().seed());
  }

  @Test
  void aFailedFsyncPoisonsTheStoreAndLosesNothingAcknowledgedBefore(SimStore sim, Random random) {
    Store store = sim.open();
    List<AppendReceipt> before = append(store, random, 3);
    sim.failNth(FsOp.SYNC, 1);
    assertThrows(OutcomeUnknownException.class, () -> append(store, random, 1));
    assertThrows(OutcomeUnknownException.class, () -> append(store, random, 1), "poisoned");
    Store reopened = sim.crashAndReopen(CrashProfile.SECTOR);
    for (AppendReceipt receipt : before) {
      assertTrue(reopened.verifyReceipt(receipt).isValid(), receipt.toString());
    }
    assertEquals(before, sim.acknowledged());
  }

  @Test
  void aPoisonedStoreLeftOpenIsStillChecked(SimStore sim, Random random) {
    Store store = sim.open();
    append(store, random, 2);
    sim.failNth(FsOp.SYNC, 1);
    assertThrows(OutcomeUnknownException.class, () -> append(store, random, 1));
    // the kit's check closes it (which says it was poisoned), crashes, reopens and verifies
  }

  @Test
  void inVisibleModeACrashMayTakeWhatNoFsyncCovered(SimStore sim, Random random) {
    Store store = sim.open(config -> config.visible(1_000, Duration.ofHours(1)));
    append(store, random, 3);
    store.sync();
    append(store, random, 4);
    assertEquals(7, sim.acknowledged().size());
    store = sim.crashAndReopen(CrashProfile.STRICT);
    assertEquals(3, sim.acknowledged().size(), "the four un-synced events are no longer expected");
    assertEquals(3, store.stats().eventCount());
  }

  @Test
  void reopenClosesCleanlyAndKeepsTheSettings(SimStore sim, Random random) {
    Store store = sim.open(config -> config.segmentMaxBytes(4096));
    append(store, random, 30);
    Store reopened = sim.reopen();
    assertEquals(4096, reopened.config().segmentMaxBytes());
    assertEquals(30, reopened.stats().eventCount());
    assertTrue(reopened.stats().segmentCount() > 1, "small segments rotated");
  }

  @Test
  void aClosedStoreIsNotTheCurrentOne(SimStore sim) {
    IllegalStateException none = assertThrows(IllegalStateException.class, sim::store);
    assertTrue(none.getMessage().contains("call open() first"), none.getMessage());
    assertThrows(IllegalStateException.class, () -> sim.crashAndReopen(CrashProfile.STRICT));
    Store store = sim.open();
    assertThrows(IllegalStateException.class, sim::open, "already open");
    store.close();
    assertThrows(IllegalStateException.class, sim::store);
    assertEquals(0, sim.open().stats().eventCount());
  }

  @Test
  void settingsMustNotReplaceThePortsTheReplayNeeds(SimStore sim) {
    IllegalArgumentException fs =
        assertThrows(IllegalArgumentException.class, () -> sim.open(c -> c.fs(new SimStoreFs(1))));
    assertTrue(fs.getMessage().contains("changed the filesystem"), fs.getMessage());
    IllegalArgumentException det =
        assertThrows(IllegalArgumentException.class, () -> sim.open(c -> c.deterministic(false)));
    assertTrue(det.getMessage().contains("deterministic mode"), det.getMessage());
    assertThrows(IllegalStateException.class, sim::store, "nothing was opened");
  }
}
