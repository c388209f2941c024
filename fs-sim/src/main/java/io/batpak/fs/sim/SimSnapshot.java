package io.batpak.fs.sim;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.List;
import org.apiguardian.api.API;

/**
 * An immutable copy of a {@link SimStoreFs}'s whole state at one instant: every file's volatile and
 * durable content, every directory's volatile and durable entries, the op log and its digest, the
 * seeded generator's position, the fault rules with their counters, and whether the simulator was
 * frozen by a simulated crash. Open handles and held locks are not part of it.
 *
 * <p>Taking one costs O(1): the simulator's state is persistent (copy-on-write), so a snapshot only
 * keeps references, and later writes copy the pages they touch instead of changing shared ones.
 * Restore it with {@link SimStoreFs#restore(SimSnapshot)} or {@link
 * SimStoreFs#fromSnapshot(SimSnapshot)}, as many times as needed: a snapshot never changes.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class SimSnapshot {
  final SimStoreFs.Config config;
  final PersistentArray<Inode> inodes;
  final int nextInode;
  final long rngState;
  final OpLog.Saved log;
  final boolean frozen;
  final String frozenReason;
  final FaultInjector.Saved faults;

  SimSnapshot(
      SimStoreFs.Config config,
      PersistentArray<Inode> inodes,
      int nextInode,
      long rngState,
      OpLog.Saved log,
      boolean frozen,
      String frozenReason,
      FaultInjector.Saved faults) {
    this.config = config;
    this.inodes = inodes;
    this.nextInode = nextInode;
    this.rngState = rngState;
    this.log = log;
    this.frozen = frozen;
    this.frozenReason = frozenReason;
    this.faults = faults;
  }

  /** The number of operations logged when the snapshot was taken. */
  public long operationCount() {
    return log.opCount();
  }

  /** The number of state-changing operations logged when the snapshot was taken. */
  public long stateChangingOperationCount() {
    return log.stateChangingCount();
  }

  /** The op-log digest when the snapshot was taken. */
  public long digest() {
    return log.digest();
  }

  /** The seed of the simulator the snapshot was taken from. */
  public long seed() {
    return config.seed();
  }

  /** Whether the simulator was frozen by a simulated crash fault when the snapshot was taken. */
  public boolean frozen() {
    return frozen;
  }

  /** The op log up to the snapshot, oldest first. Built on each call: O(length). */
  public List<OpRecord> opLog() {
    return OpLog.Node.toList(log.head());
  }

  @Override
  public String toString() {
    return "SimSnapshot[seed="
        + config.seed()
        + ", ops="
        + log.opCount()
        + ", digest="
        + Long.toHexString(log.digest())
        + (frozen ? ", frozen" : "")
        + "]";
  }
}
