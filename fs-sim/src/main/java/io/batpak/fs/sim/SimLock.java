package io.batpak.fs.sim;

import io.batpak.port.LockMode;
import io.batpak.port.StoreLock;
import java.nio.file.Path;

/**
 * A lock of a {@link SimStoreFs}: valid while not closed and no crash, restart or restore happened
 * since it was taken. Thread-safe: every call holds the simulator's lock.
 */
final class SimLock implements StoreLock {
  private final SimState sim;
  final Path path;
  final String pathString;
  final int inode;
  final LockMode mode;
  final long lockEpoch;
  final Throwable at;
  private boolean closed;

  SimLock(SimState sim, Path path, String pathString, int inode, LockMode mode) {
    this.sim = sim;
    this.path = path;
    this.pathString = pathString;
    this.inode = inode;
    this.mode = mode;
    this.lockEpoch = sim.open.epoch();
    this.at = OpenHandles.openedHere("lock " + mode + " of " + pathString);
  }

  @Override
  public Path path() {
    return path;
  }

  @Override
  public LockMode mode() {
    return mode;
  }

  @Override
  public boolean isValid() {
    synchronized (sim.mutex) {
      return !closed && lockEpoch == sim.open.epoch();
    }
  }

  /** Releases the lock. Idempotent and never throws; logged as {@code UNLOCK}. */
  @Override
  public void close() {
    synchronized (sim.mutex) {
      if (closed) {
        return;
      }
      closed = true;
      boolean live = lockEpoch == sim.open.epoch();
      if (live) {
        sim.open.unlocked(this);
      }
      sim.logControl("UNLOCK", pathString, mode.name(), live ? "ok" : "ok (invalidated)");
    }
  }

  @Override
  public String toString() {
    return "SimLock[" + pathString + ", " + mode + (isValid() ? "" : ", invalid") + "]";
  }
}
