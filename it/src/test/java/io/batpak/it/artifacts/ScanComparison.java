package io.batpak.it.artifacts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.OpenReport;
import io.batpak.Store;
import io.batpak.fs.sim.CrashProfile;
import io.batpak.fs.sim.SimSnapshot;
import io.batpak.fs.sim.SimStoreFs;
import io.batpak.it.crash.CrashShape;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The oracle of the fault runs: a store directory left by a failed publish (or seal) must open as
 * it is, and answer every read exactly like a full scan of the same journal (the same state with
 * its seals stripped and its checkpoint deleted), and like the ledger of what was acknowledged.
 */
final class ScanComparison {
  private ScanComparison() {}

  /** How the simulator is brought back before the reopen. */
  enum Reboot {
    /** The process died: handles and locks go, every byte written stays. */
    PROCESS_RESTART,
    /** Power loss: only what was made durable stays ({@link CrashProfile#STRICT}). */
    POWER_LOSS
  }

  /**
   * What the reopen found.
   *
   * @param report the open report of the store opened as it was left
   * @param reads its reads
   * @param files the store directory's files after the reboot, before the reopen
   */
  record Reopened(OpenReport report, StoreReads reads, List<String> files) {}

  /**
   * Reboots copies of {@code state}, opens one as it is (mutable, as an application would) and one
   * stripped of seals and checkpoint (read-only; it must load by scanning), and asserts that their
   * reads agree with each other and with {@code ledger}.
   */
  static Reopened reopen(SimSnapshot state, Reboot reboot, long seed, Ledger ledger, String label) {
    try {
      SimStoreFs scanned = reboot(state, reboot);
      long stripped = CrashShape.strip(scanned, ArtifactStores.DIR).bytes();
      StoreReads reference;
      try (Store s = Store.open(ArtifactStores.simConfig(scanned, seed).readOnly(true).build())) {
        assertEquals(
            OpenReport.IndexSource.SCAN,
            s.openReport().indexLoad().source(),
            label + ": the stripped copy (" + stripped + " seal bytes cut) must load by scanning");
        reference = StoreReads.of(s);
      }
      List<String> broken = ledger.violations(reference);
      assertTrue(broken.isEmpty(), label + ": a full scan breaks the ledger: " + broken);

      SimStoreFs asLeft = reboot(state, reboot);
      List<String> files = asLeft.list(ArtifactStores.DIR);
      try (Store s = Store.open(ArtifactStores.simConfig(asLeft, seed).build())) {
        StoreReads reads = StoreReads.of(s);
        List<String> diff = reference.differencesFrom(reads);
        assertTrue(
            diff.isEmpty(),
            label
                + ": opened as left ("
                + s.openReport().indexLoad()
                + ", files "
                + files
                + ") it reads differently from a full scan: "
                + diff);
        return new Reopened(s.openReport(), reads, files);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static SimStoreFs reboot(SimSnapshot state, Reboot reboot) {
    SimStoreFs fs = SimStoreFs.fromSnapshot(state);
    fs.clearFaults();
    if (reboot == Reboot.POWER_LOSS) {
      fs.crash(CrashProfile.STRICT);
    } else {
      fs.restart();
    }
    return fs;
  }
}
