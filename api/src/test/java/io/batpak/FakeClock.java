package io.batpak;

import io.batpak.port.StoreClock;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;

/**
 * A manual clock with microsecond wall resolution: time moves only when the test says so, and timed
 * waits and sleeps return at once after advancing it. Thread-safe.
 */
final class FakeClock implements StoreClock {
  private final AtomicLong wallMicros;
  private final AtomicLong monoNanos = new AtomicLong();

  FakeClock(long wallMicros) {
    this.wallMicros = new AtomicLong(wallMicros);
  }

  /** Moves wall and monotonic time forward. */
  void advanceMicros(long micros) {
    wallMicros.addAndGet(micros);
    monoNanos.addAndGet(Math.multiplyExact(micros, 1_000L));
  }

  /** Sets wall time, for tests of out-of-range clocks. */
  void setWallMicros(long micros) {
    wallMicros.set(micros);
  }

  @Override
  public long wallMicros() {
    return wallMicros.get();
  }

  @Override
  public long wallNanos() {
    return Math.multiplyExact(wallMicros.get(), 1_000L);
  }

  @Override
  public long monoNanos() {
    return monoNanos.get();
  }

  /** Never blocks: the wait times out at once, as if the time had passed. */
  @Override
  public long awaitNanos(Condition condition, long nanos) {
    sleepNanos(nanos);
    return 0;
  }

  /** Never blocks: advances the clock instead (wall time by whole microseconds). */
  @Override
  public void sleepNanos(long nanos) {
    if (nanos > 0) {
      wallMicros.addAndGet(nanos / 1_000L);
      monoNanos.addAndGet(nanos);
    }
  }

  @Override
  public String toString() {
    return "FakeClock[" + wallMicros.get() + " µs]";
  }
}
