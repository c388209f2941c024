package io.batpak.fs.sim;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import io.batpak.port.StoreClock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import org.apiguardian.api.API;

/**
 * A simulated {@link StoreClock} that owns every time read and every timed wait: time moves only
 * when a test calls {@link #advance(Duration)} or the store waits.
 *
 * <p>It starts at a fixed instant: {@link #wallMicros()} is {@link #EPOCH_MICROS} (2033-05-18) and
 * {@link #monoNanos()} is {@link #MONO_ORIGIN_NANOS}; both move together and never decrease.
 *
 * <p><b>Timed waits happen instantly.</b> {@link #awaitNanos} and {@link #sleepNanos} advance the
 * simulated time by the full amount requested and return at once, without real waiting: in
 * deterministic mode a timed wait is a timeout that happens instantly. {@link #awaitNanos} still
 * releases and re-acquires the lock the caller holds (through {@code condition.awaitNanos(0)}), so
 * real threads blocked on that lock can progress, and it returns {@code 0} ("time is up") even if
 * the condition was signalled meanwhile, which the {@link Condition} contract allows as a spurious
 * timeout; callers re-check their predicate. {@link #sleepNanos} yields the thread once. Both throw
 * {@link InterruptedException} if the thread is interrupted, without advancing time.
 *
 * <p>Thread-safe: the time is one atomic counter.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class SimStoreClock implements StoreClock {

  /** The wall time a new clock shows, in microseconds since the Unix epoch. */
  public static final long EPOCH_MICROS = 2_000_000_000_000_000L;

  /** The monotonic time a new clock shows, in nanoseconds (non-zero, so zero never means "now"). */
  public static final long MONO_ORIGIN_NANOS = 1_000_000_000L;

  private static final long EPOCH_NANOS = EPOCH_MICROS * 1_000L;

  private final AtomicLong elapsedNanos = new AtomicLong();

  /** Creates a clock at {@link #EPOCH_MICROS}. */
  public SimStoreClock() {}

  /**
   * Moves time forward by {@code d}.
   *
   * @throws IllegalArgumentException if {@code d} is negative (time never goes back)
   */
  public void advance(Duration d) {
    Objects.requireNonNull(d, "d");
    advanceNanos(d.toNanos());
  }

  /**
   * Moves time forward by {@code nanos} nanoseconds.
   *
   * @throws IllegalArgumentException if {@code nanos} is negative
   */
  public void advanceNanos(long nanos) {
    if (nanos < 0) {
      throw new IllegalArgumentException("time never goes back; cannot advance by " + nanos);
    }
    elapsedNanos.accumulateAndGet(
        nanos,
        (cur, add) -> {
          long next = cur + add;
          if (next < cur || next > Long.MAX_VALUE - EPOCH_NANOS) {
            throw new ArithmeticException("simulated time overflows");
          }
          return next;
        });
  }

  /** The simulated time elapsed since this clock was created. */
  public Duration elapsed() {
    return Duration.ofNanos(elapsedNanos.get());
  }

  @Override
  public long wallMicros() {
    return wallNanos() / 1_000L;
  }

  @Override
  public long wallNanos() {
    return EPOCH_NANOS + elapsedNanos.get();
  }

  @Override
  public long monoNanos() {
    return MONO_ORIGIN_NANOS + elapsedNanos.get();
  }

  /**
   * Advances the simulated time by {@code nanos} (if positive), releases and re-acquires the
   * caller's lock, and returns {@code 0}, or {@code nanos} itself when it was zero or negative.
   *
   * @throws InterruptedException if the thread is interrupted (time does not advance)
   * @throws IllegalMonitorStateException if the caller does not hold the condition's lock
   */
  @Override
  public long awaitNanos(Condition condition, long nanos) throws InterruptedException {
    Objects.requireNonNull(condition, "condition");
    // Releases and re-acquires the caller's lock without parking; throws InterruptedException if
    // the thread is interrupted, and IllegalMonitorStateException if the caller does not hold the
    // lock, both before time moves.
    condition.awaitNanos(0L);
    if (nanos > 0) {
      advanceNanos(nanos);
    }
    return Math.min(nanos, 0L);
  }

  /**
   * Advances the simulated time by {@code nanos} (if positive) and returns at once, after yielding.
   *
   * @throws InterruptedException if the thread is interrupted (time does not advance)
   */
  @Override
  public void sleepNanos(long nanos) throws InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    if (nanos > 0) {
      advanceNanos(nanos);
    }
    Thread.yield();
  }

  @Override
  public String toString() {
    return "SimStoreClock[elapsed=" + elapsed() + "]";
  }
}
