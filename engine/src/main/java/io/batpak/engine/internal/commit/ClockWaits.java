package io.batpak.engine.internal.commit;

import io.batpak.port.StoreClock;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * Waiting for another of the store's threads to finish something, within a deadline of the store's
 * clock. The wait goes through {@link StoreClock#awaitNanos} in short slices, yielding between
 * them: with the system clock a signal ends it at once; with a simulated clock, whose timed waits
 * return at once and advance its time, the slices still give the other thread real time to run
 * before the deadline is reached, so a thread that is merely slow to be scheduled is never taken
 * for one that is stuck.
 */
public final class ClockWaits {
  /** The longest slice of one wait. */
  static final long SLICE_NANOS = 100_000;

  private ClockWaits() {}

  /**
   * Waits until {@code done} holds or the clock reaches {@code deadline}. {@code done} is checked
   * with {@code lock} held; whoever makes it true signals {@code changed} under {@code lock}.
   *
   * @return whether {@code done} holds; false on timeout or interrupt (the flag is restored)
   */
  public static boolean awaitUntil(
      StoreClock clock,
      ReentrantLock lock,
      Condition changed,
      BooleanSupplier done,
      long deadline) {
    lock.lock();
    try {
      while (!done.getAsBoolean()) {
        long left = deadline - clock.monoNanos();
        if (left <= 0) {
          return false;
        }
        clock.awaitNanos(changed, Math.min(left, SLICE_NANOS));
        if (!done.getAsBoolean()) {
          lock.unlock();
          try {
            Thread.yield();
          } finally {
            lock.lock();
          }
        }
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      lock.unlock();
    }
  }
}
