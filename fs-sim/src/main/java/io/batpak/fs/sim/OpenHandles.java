package io.batpak.fs.sim;

import io.batpak.port.LockMode;
import io.batpak.port.LockUnavailableException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The handles open and the locks held on one simulator, in the order they were opened, and the
 * epoch that a crash, restart or restore advances: a handle or lock from an older epoch is invalid.
 * Not part of a snapshot.
 *
 * <p>Not thread-safe: the simulator calls it under its one lock.
 */
final class OpenHandles {
  private long epoch;
  private final Set<SimHandle> handles = new LinkedHashSet<>();
  private final Set<SimLock> locks = new LinkedHashSet<>();

  /** The current epoch: what new handles and locks are stamped with. */
  long epoch() {
    return epoch;
  }

  void opened(SimHandle h) {
    handles.add(h);
  }

  void closed(SimHandle h) {
    handles.remove(h);
  }

  void unlocked(SimLock l) {
    locks.remove(l);
  }

  /**
   * Takes a lock of {@code mode} on inode {@code id} for {@code lock}, or throws if a held lock
   * conflicts (an exclusive lock conflicts with every other).
   *
   * @throws LockUnavailableException naming the conflicting holder's mode
   */
  void lock(SimLock lock, String p) throws LockUnavailableException {
    for (SimLock held : locks) {
      if (held.inode == lock.inode
          && (lock.mode == LockMode.EXCLUSIVE || held.mode == LockMode.EXCLUSIVE)) {
        throw new LockUnavailableException(
            p, "held " + held.mode + " by another holder in this simulator");
      }
    }
    locks.add(lock);
  }

  /** Whether inode {@code id} has an open handle or a held lock. */
  boolean isOpen(int id) {
    for (SimHandle h : handles) {
      if (h.inode == id) {
        return true;
      }
    }
    for (SimLock l : locks) {
      if (l.inode == id) {
        return true;
      }
    }
    return false;
  }

  /** Invalidates every handle and lock: a new epoch begins. */
  void invalidateAll() {
    epoch++;
    handles.clear();
    locks.clear();
  }

  /** The handles still open, then the locks still held, each in the order they were opened. */
  List<OpenResource> list() {
    List<OpenResource> out = new ArrayList<>();
    for (SimHandle h : handles) {
      out.add(new OpenResource("handle", h.pathString, h.writable ? "read-write" : "read", h.at));
    }
    for (SimLock l : locks) {
      out.add(new OpenResource("lock", l.pathString, l.mode.name(), l.at));
    }
    return out;
  }

  /** Where a handle or lock was opened, for leak reports. */
  static Throwable openedHere(String what) {
    return new Throwable(what + " opened here (thread " + Thread.currentThread().getName() + ")");
  }
}
