package io.batpak.engine.internal;

import io.batpak.engine.internal.commit.ClockWaits;
import io.batpak.engine.internal.time.Durations;
import io.batpak.port.StoreClock;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A store's completion thread: the futures of {@code submit} complete here, never on a committing
 * thread, so a caller's callback can neither slow the commit path nor deadlock it. Thread-safe.
 */
final class CompletionThread implements Executor {
  private final ExecutorService executor;
  private final StoreClock clock;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition drained = lock.newCondition();
  private boolean done;
  private volatile Thread thread;

  CompletionThread(String name, StoreClock clock) {
    this.clock = clock;
    this.executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, name);
              t.setDaemon(true);
              thread = t;
              return t;
            });
  }

  @Override
  public void execute(Runnable task) {
    executor.execute(task);
  }

  /**
   * Runs what it was given (every append already has its outcome, so this completes their futures)
   * and ends; waits for that, on the store's clock, within {@code timeout}, except when called on
   * this thread (from a future's callback), where it would wait on itself.
   */
  void stop(Duration timeout) {
    executor.execute(this::markDrained);
    executor.shutdown();
    if (Thread.currentThread() == thread) {
      return;
    }
    ClockWaits.awaitUntil(
        clock, lock, drained, () -> done, Durations.deadline(clock.monoNanos(), timeout));
  }

  /** The last task: every completion before it has run. */
  private void markDrained() {
    lock.lock();
    try {
      done = true;
      drained.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
