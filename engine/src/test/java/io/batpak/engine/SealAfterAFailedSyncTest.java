package io.batpak.engine;

import static io.batpak.engine.StoreFixtures.KIND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.CompactionConfig;
import io.batpak.CompactionResult;
import io.batpak.Coordinate;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StoreIoException;
import io.batpak.VerificationProgress;
import io.batpak.fs.sim.CrashProfile;
import io.batpak.fs.sim.FaultAction;
import io.batpak.fs.sim.FaultRule;
import io.batpak.fs.sim.FaultTrigger;
import io.batpak.fs.sim.FsOp;
import io.batpak.fs.sim.SimEntropy;
import io.batpak.fs.sim.SimStoreClock;
import io.batpak.fs.sim.SimStoreFs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A clean close whose seal's fsync fails. The seal is appended to the active segment and synced;
 * when that fsync fails (Linux may keep the pages readable and never write them, or drop them), the
 * close reports it, and the seal's bytes must not outlive the failure: an open in the same boot
 * that trusted them took the segment as sealed, a later clean close published an index checkpoint
 * over it, and after a power loss (the seal's bytes lost, a zero-filled hole in their place) the
 * store opened but every compaction and verifyAll met a "damaged frame" where the seal had been,
 * and the repair the message recommends would have cut the journal there, with every acknowledged
 * event after it. Found by LifetimeExplorerIT (it), seed 1000138.
 */
class SealAfterAFailedSyncTest {
  private static final Path DIR = Path.of("/sim/store");

  private static StoreConfig config(SimStoreFs fs, int open) {
    return StoreConfig.builder(DIR)
        .fs(fs)
        .clock(new SimStoreClock())
        .entropy(new SimEntropy(77 + 1_000_003L * open))
        .deterministic(true)
        .build();
  }

  @ParameterizedTest
  @ValueSource(strings = {"keeps-pages", "drops-pages"})
  void aSealWhoseSyncFailedIsNotTrustedByTheNextOpen(String how) throws Exception {
    SimStoreFs fs = SimStoreFs.builder().seed(11).build();
    List<AppendReceipt> acked = new ArrayList<>();
    Store first = Store.open(config(fs, 0));
    for (int i = 0; i < 6; i++) {
      acked.add(
          first.append(
              Coordinate.of(i % 2 == 0 ? "keep" : "temp", "s"), KIND, Bytes.of(new byte[80 + i])));
    }
    // The close syncs the segment once more, then appends the seal and syncs it: the second.
    fs.addFault(
        FaultRule.on(
            FsOp.SYNC,
            "**/*.seg",
            FaultTrigger.nth(2),
            how.equals("keeps-pages")
                ? new FaultAction.FailedSyncKeepsPages()
                : new FaultAction.FailedSync()));
    StoreIoException sealing = assertThrows(StoreIoException.class, first::close);
    assertTrue(sealing.getMessage().contains("sealing"), sealing.getMessage());
    fs.clearFaults();

    // The same boot: open, append to a new segment, close cleanly (a seal and a checkpoint).
    try (Store second = Store.open(config(fs, 1))) {
      for (int i = 0; i < 4; i++) {
        acked.add(
            second.append(
                Coordinate.of(i % 2 == 0 ? "keep" : "temp", "s"),
                KIND,
                Bytes.of(new byte[90 + i])));
      }
    }
    fs.crash(CrashProfile.STRICT);

    try (Store third = Store.open(config(fs, 2))) {
      for (AppendReceipt r : acked) {
        assertTrue(third.verifyReceipt(r).isValid(), () -> r + " after the power loss");
      }
      assertEquals(
          List.of(),
          third.verifyAll(VerificationProgress.none()).problems(),
          "verifyAll after the power loss");
      CompactionResult c =
          third.compact(CompactionConfig.retain(e -> !e.header().entity().equals("temp")));
      assertNotEquals(CompactionResult.Outcome.FAILED, c.outcome(), c.toString());
    }
  }
}
