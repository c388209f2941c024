package io.batpak.replication;

import io.batpak.port.StoreClock;
import java.util.concurrent.locks.Condition;

/**
 * The local store's clock on a member: wall time is the time the state machine sets before it
 * applies an entry (the proposer's timestamp, never below the newest event's), so every member
 * stamps an event and a segment header with the same microseconds. Monotonic time and timed waits
 * are the system's: they never reach the journal's bytes.
 */
final class ReplicaClock implements StoreClock {
  private final StoreClock system = StoreClock.system();
  private volatile long wallMicros;

  ReplicaClock(long startMicros) {
    this.wallMicros = startMicros;
  }

  /**
   * The wall time for the next apply: {@code proposedMicros}, or the newest event's time when that
   * is later. Only the state machine's apply thread calls it.
   */
  long advanceTo(long proposedMicros, long newestEventMicros) {
    long t = Math.max(proposedMicros, newestEventMicros);
    wallMicros = t;
    return t;
  }

  @Override
  public long wallMicros() {
    return wallMicros;
  }

  @Override
  public long wallNanos() {
    return Math.multiplyExact(wallMicros, 1_000L);
  }

  @Override
  public long monoNanos() {
    return system.monoNanos();
  }

  @Override
  public long awaitNanos(Condition condition, long nanos) throws InterruptedException {
    return system.awaitNanos(condition, nanos);
  }

  @Override
  public void sleepNanos(long nanos) throws InterruptedException {
    system.sleepNanos(nanos);
  }

  @Override
  public String toString() {
    return "ReplicaClock(" + wallMicros + "us)";
  }
}
