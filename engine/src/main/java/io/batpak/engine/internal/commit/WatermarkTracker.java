package io.batpak.engine.internal.commit;

import io.batpak.StoreClosedException;
import io.batpak.StoreTimeoutException;
import io.batpak.Watermark;
import io.batpak.Watermarks;
import io.batpak.engine.internal.time.Durations;
import io.batpak.port.StoreClock;
import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * The pipeline's watermarks, updated by the committer and awaited by callers; the applied
 * watermark's floor is set by the registered consumers ({@code internal/delivery}). Thread-safe.
 */
public final class WatermarkTracker {
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition moved = lock.newCondition();
  private final StoreClock clock;
  private long accepted;
  private long written;
  private long durable;
  private long visible;

  /** The least consumed count among registered consumers; {@code Long.MAX_VALUE} with none. */
  private long appliedFloor = Long.MAX_VALUE;

  private boolean ended;

  /** While a fence is open, its first global sequence: no watermark shows it or past it. */
  private long hold = Long.MAX_VALUE;

  /** Starts every watermark at {@code recovered}, the events found on open. */
  public WatermarkTracker(StoreClock clock, long recovered) {
    this.clock = clock;
    accepted = written = durable = visible = recovered;
  }

  /** A consistent snapshot. */
  public Watermarks snapshot() {
    lock.lock();
    try {
      return snapshotLocked();
    } finally {
      lock.unlock();
    }
  }

  /**
   * A fence opened at global sequence {@code at}: until {@link #release}, every watermark stops
   * there, so no caller sees (or waits past) a fenced event as accepted, written or durable.
   */
  void hold(long at) {
    lock.lock();
    try {
      hold = at;
    } finally {
      lock.unlock();
    }
  }

  /**
   * The fence ended: the watermarks show the pipeline's progress again, moving past the whole fence
   * in one step, visible to {@code visibleTo}.
   */
  void release(long visibleTo) {
    lock.lock();
    try {
      hold = Long.MAX_VALUE;
      visible = Math.max(visible, visibleTo);
      moved.signalAll();
    } finally {
      lock.unlock();
    }
  }

  void accepted(long v) {
    set(Watermark.ACCEPTED, v);
  }

  /**
   * Gives back sequence numbers that were accepted but never written (a group refused because the
   * device was full): the accepted watermark returns to {@code v}, never below what was written.
   */
  void retractAccepted(long v) {
    lock.lock();
    try {
      accepted = Math.max(written, Math.min(accepted, v));
    } finally {
      lock.unlock();
    }
  }

  void written(long v) {
    set(Watermark.WRITTEN, v);
  }

  void durable(long v) {
    set(Watermark.DURABLE, v);
  }

  void visible(long v) {
    set(Watermark.VISIBLE, v);
  }

  /**
   * Sets the applied watermark's floor: the least count of events consumed by a registered
   * consumer, or {@code Long.MAX_VALUE} when none is registered (applied then equals visible). May
   * move back (a consumer registered behind the others).
   */
  public void appliedFloor(long floor) {
    lock.lock();
    try {
      appliedFloor = floor;
      moved.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Wakes every waiter so it re-checks its condition (a consumer was asked to stop, a subscription
   * closed: {@link #awaitUntil}).
   */
  public void wake() {
    lock.lock();
    try {
      moved.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until {@code done} holds, re-checking it whenever a watermark moves or {@link #wake} is
   * called: without a time limit if {@code nanos} is negative (and then without reading the clock:
   * the subscription fan-out waits so, since a timed wait would move a simulated clock, and so the
   * timestamps of later appends, at a pace set by thread scheduling), else for at most {@code
   * nanos} of the store's clock. {@code done} is called under this tracker's lock and must not
   * block.
   *
   * @return whether {@code done} holds (false: the time ran out, or the pipeline ended)
   * @throws InterruptedException if the thread is interrupted
   */
  public boolean awaitUntil(BooleanSupplier done, long nanos) throws InterruptedException {
    lock.lock();
    try {
      while (!done.getAsBoolean()) {
        if (ended) {
          return false;
        }
        if (nanos < 0) {
          moved.await();
        } else if (nanos == 0) {
          return false;
        } else {
          nanos = Math.max(0, clock.awaitNanos(moved, nanos));
        }
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  private void set(Watermark w, long v) {
    lock.lock();
    try {
      switch (w) {
        case ACCEPTED:
          accepted = Math.max(accepted, v);
          break;
        case WRITTEN:
          written = Math.max(written, v);
          break;
        case DURABLE:
          durable = Math.max(durable, v);
          break;
        case APPLIED:
          throw new IllegalArgumentException("the applied watermark is set by its consumers");
        default:
          visible = Math.max(visible, v);
          break;
      }
      moved.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Whether {@link #end} was called: the store closed or was poisoned. */
  public boolean ended() {
    lock.lock();
    try {
      return ended;
    } finally {
      lock.unlock();
    }
  }

  /** Wakes every waiter for good: the store closed or was poisoned. */
  public void end() {
    lock.lock();
    try {
      ended = true;
      moved.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until {@code w} exceeds {@code globalSequence}.
   *
   * @throws StoreTimeoutException on timeout
   * @throws StoreClosedException if the pipeline ended first
   */
  public void await(Watermark w, long globalSequence, Duration timeout) {
    long nanos = Durations.nanos(timeout);
    lock.lock();
    try {
      while (snapshotLocked(w) <= globalSequence) {
        if (ended) {
          throw new StoreClosedException(
              "the store closed or was poisoned before the "
                  + w
                  + " watermark reached global sequence "
                  + globalSequence);
        }
        if (nanos <= 0) {
          throw new StoreTimeoutException(
              "the "
                  + w
                  + " watermark did not pass global sequence "
                  + globalSequence
                  + " within "
                  + timeout
                  + " (it is at "
                  + snapshotLocked(w)
                  + "). Waiting never causes an fsync: call sync() to make appends durable.");
        }
        try {
          nanos = clock.awaitNanos(moved, nanos);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new StoreTimeoutException("interrupted while waiting for " + w, e);
        }
      }
    } finally {
      lock.unlock();
    }
  }

  private long snapshotLocked(Watermark w) {
    return snapshotLocked().get(w);
  }

  private Watermarks snapshotLocked() {
    return new Watermarks(
        Math.min(accepted, hold),
        Math.min(written, hold),
        Math.min(durable, hold),
        visible,
        Math.min(visible, appliedFloor));
  }
}
