package io.batpak.port;

import static org.apiguardian.api.API.Status.STABLE;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import org.apiguardian.api.API;

/**
 * The time port: every time the store reads, and every timed wait it makes, goes through one
 * instance, so a simulated clock can own every timestamp and every timeout.
 *
 * <p>Implementations are thread-safe. Wall time never goes backwards as seen through this interface
 * ({@link #system()} clamps), and {@link #monoNanos()} is monotonic.
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public interface StoreClock {

  /** Microseconds since the Unix epoch; never decreasing. */
  long wallMicros();

  /** Nanoseconds since the Unix epoch; never decreasing. */
  long wallNanos();

  /** A monotonic nanosecond counter with an arbitrary origin, for measuring intervals. */
  long monoNanos();

  /**
   * Waits on {@code condition}, whose lock the caller holds, for at most {@code nanos} nanoseconds
   * of this clock's time, like {@link Condition#awaitNanos(long)}.
   *
   * @return an estimate of the nanoseconds left, zero or less when the time is up
   * @throws InterruptedException if the thread is interrupted
   */
  long awaitNanos(Condition condition, long nanos) throws InterruptedException;

  /**
   * Sleeps for {@code nanos} nanoseconds of this clock's time.
   *
   * @throws InterruptedException if the thread is interrupted
   */
  void sleepNanos(long nanos) throws InterruptedException;

  /** The system clock, with wall time clamped so it never steps backwards. */
  static StoreClock system() {
    return SystemClockHolder.INSTANCE;
  }
}

/** Lazily creates the shared system clock. */
final class SystemClockHolder {
  static final StoreClock INSTANCE = new SystemStoreClock();

  private SystemClockHolder() {}
}

/** {@link StoreClock#system()}: JDK time sources with a monotonic clamp on wall time. */
final class SystemStoreClock implements StoreClock {
  private final AtomicLong lastWallNanos = new AtomicLong(Long.MIN_VALUE);

  @Override
  public long wallMicros() {
    return wallNanos() / 1_000L;
  }

  @Override
  public long wallNanos() {
    java.time.Instant now = java.time.Instant.now();
    long nanos =
        Math.addExact(Math.multiplyExact(now.getEpochSecond(), 1_000_000_000L), now.getNano());
    return lastWallNanos.accumulateAndGet(nanos, Math::max);
  }

  @Override
  public long monoNanos() {
    return System.nanoTime();
  }

  @Override
  public long awaitNanos(Condition condition, long nanos) throws InterruptedException {
    return condition.awaitNanos(nanos);
  }

  @Override
  public void sleepNanos(long nanos) throws InterruptedException {
    TimeUnit.NANOSECONDS.sleep(nanos);
  }

  @Override
  public String toString() {
    return "StoreClock.system()";
  }
}
