package io.batpak.engine;

import static io.batpak.engine.StoreFixtures.KIND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.Cursor;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StoreIoException;
import io.batpak.fs.sim.CrashProfile;
import io.batpak.fs.sim.FaultAction;
import io.batpak.fs.sim.FaultRule;
import io.batpak.fs.sim.FaultTrigger;
import io.batpak.fs.sim.FsOp;
import io.batpak.fs.sim.SimEntropy;
import io.batpak.fs.sim.SimStoreClock;
import io.batpak.fs.sim.SimStoreFs;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The first checkpoint of a store creates {@code cursors/} and syncs the store's directory so the
 * new entry survives a power loss. When that directory fsync failed, the checkpoint failed (and
 * said so), but the next one found the directory there and never synced its entry: it returned,
 * "saved durably", and a power loss took the directory, and with it every checkpoint, away; the
 * cursor resumed from the start. Found by LifetimeExplorerIT (it), seed 5001823.
 */
class CursorDirectoryAfterAFailedSyncTest {
  private static final Path DIR = Path.of("/sim/store");

  private static StoreConfig config(SimStoreFs fs, int open) {
    return StoreConfig.builder(DIR)
        .fs(fs)
        .clock(new SimStoreClock())
        .entropy(new SimEntropy(5 + 1_000_003L * open))
        .deterministic(true)
        .build();
  }

  @Test
  void aCheckpointAfterAFailedDirectorySyncIsDurable() {
    SimStoreFs fs = SimStoreFs.builder().seed(3).build();
    Store s = Store.open(config(fs, 0));
    for (int i = 0; i < 6; i++) {
      s.append(Coordinate.of("e", "s"), KIND, Bytes.of(new byte[20 + i]));
    }
    Cursor c = s.cursor(Region.all(), "c");
    c.pollBatch(3);
    fs.addFault(
        FaultRule.on(
            FsOp.DIR_SYNC, "/sim/store", FaultTrigger.nth(1), new FaultAction.FailedSync()));
    assertThrows(StoreIoException.class, c::checkpoint);
    fs.clearFaults();
    c.pollBatch(2);
    c.checkpoint(); // returns: saved durably
    assertEquals(4, c.position());
    // The power fails before anything else syncs the store's directory (a clean close would).
    fs.crash(CrashProfile.STRICT);
    try (Store again = Store.open(config(fs, 1));
        Cursor resumed = again.cursor(Region.all(), "c")) {
      assertEquals(4, resumed.position(), "the saved checkpoint after a power loss");
    }
  }
}
