package io.batpak.fs.sim;

import java.io.IOException;
import java.util.List;

/**
 * What each sync makes durable, with the sync faults applied: a file sync commits the file's
 * volatile content but its lost bytes ({@link LostRanges}), a directory sync commits the
 * directory's entries, a lying sync commits nothing, a failed one commits nothing and throws (a
 * failed file sync also drops the dirty pages, or, {@link FaultAction.FailedSyncKeepsPages}, marks
 * them lost). What a power loss then keeps is {@link PowerLoss}'s.
 *
 * <p>Not thread-safe: the simulator calls it under its one lock.
 */
final class Durability {
  private Durability() {}

  /** Syncs the file {@code id} (shown as {@code p}) under fault {@code a} (or none). */
  static void syncFile(Namespace ns, int id, String p, FaultAction a) throws IOException {
    Inode n = ns.inode(id);
    if (a instanceof FaultAction.LyingSync) {
      return;
    }
    if (a instanceof FaultAction.FailedSync) {
      ns.put(n.settled(n.dur));
      throw new IOException("injected fsync failure: the dirty pages of " + p + " were dropped");
    }
    if (a instanceof FaultAction.FailedSyncKeepsPages) {
      // Only what this sync would have written becomes lost: bytes already lost stay lost.
      ns.put(n.withLost(n.lost.union(LostRanges.diff(n.dur, n.writeBack()).clip(n.vol.size()))));
      throw new IOException(
          "injected fsync failure: the dirty pages of "
              + p
              + " stay readable but were marked clean, and will not be written");
    }
    ns.put(n.withDur(n.writeBack()));
  }

  /** Syncs the directory at {@code comps} (shown as {@code p}) under fault {@code a} (or none). */
  static void syncDirectory(Namespace ns, List<String> comps, String p, FaultAction a)
      throws IOException {
    Inode d = ns.directory(comps, p);
    if (a instanceof FaultAction.LyingSync) {
      return;
    }
    if (a instanceof FaultAction.FailedSync) {
      throw new IOException("injected directory sync failure: " + p);
    }
    ns.put(d.withDurEntries(d.volEntries));
  }

  /** Makes every file's write-back and every directory's entries durable, as a clean shutdown. */
  static void syncAll(Namespace ns) {
    for (int id = 0; id < ns.nextInode(); id++) {
      Inode n = ns.inodeOrNull(id);
      if (n != null && n.isFile()) {
        ns.put(n.withDur(n.writeBack()));
      } else if (n != null && n.isDir()) {
        ns.put(n.withDurEntries(n.volEntries));
      }
    }
  }
}
