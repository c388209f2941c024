package io.batpak.engine.internal.gate;

import io.batpak.port.StoreClock;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Runs atomic gates off the committing thread, so the committer can stop waiting for one at its
 * budget (ADR 0018). One worker thread at a time runs gates, one call at a time; the committer
 * waits for each on the store's clock. A worker whose gate runs past its budget is abandoned: it is
 * interrupted once, its result is discarded, and it ends when the gate returns; the next gate gets
 * a new worker. At most {@link #MAX_RUNAWAYS} abandoned workers may be alive at once; beyond that
 * gates are not started at all (the caller denies at once), so a gate that never returns costs one
 * parked thread, never an unbounded number. Workers are daemon threads. Used by the committing
 * thread only (with the commit lock held), except {@link #close}.
 */
final class GateThread implements AutoCloseable {
  /** The most abandoned workers alive at once before gates are refused without running. */
  static final int MAX_RUNAWAYS = 4;

  /** The longest slice of one wait. */
  private static final long SLICE_NANOS = 100_000;

  private final StoreClock clock;
  private final String name;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition done = lock.newCondition();
  private final AtomicInteger runaways = new AtomicInteger();
  private final AtomicInteger started = new AtomicInteger();
  private Worker worker;
  private boolean closed;

  GateThread(StoreClock clock, String name) {
    this.clock = clock;
    this.name = name;
  }

  /** What a run came to. */
  sealed interface Result<T> {}

  /** The call returned {@code value} or threw {@code failure}. */
  record Finished<T>(T value, Throwable failure) implements Result<T> {}

  /** The call did not return within the budget; {@code thread} runs on. */
  record TimedOut<T>(String thread) implements Result<T> {}

  /** The call was not started: {@code runaways} abandoned workers are still alive. */
  record Refused<T>(int runaways) implements Result<T> {}

  /** One call for the worker, completed under {@link #lock}. */
  private final class Task<T> implements Runnable {
    private final Supplier<T> call;
    private boolean finished;
    private T value;
    private Throwable failure;

    Task(Supplier<T> call) {
      this.call = call;
    }

    @Override
    public void run() {
      T v = null;
      Throwable f = null;
      try {
        v = call.get();
      } catch (Throwable t) {
        f = t;
      }
      lock.lock();
      try {
        value = v;
        failure = f;
        finished = true;
        done.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  private final class Worker implements Runnable {
    final LinkedBlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
    final Thread thread;
    volatile boolean abandoned;

    Worker() {
      thread = new Thread(this, name + "-" + started.incrementAndGet());
      thread.setDaemon(true);
    }

    @Override
    public void run() {
      try {
        while (!abandoned) {
          Runnable r = tasks.take();
          r.run();
        }
      } catch (InterruptedException e) {
        // closed, or abandoned while idle
      } finally {
        if (abandoned) {
          runaways.decrementAndGet();
        }
      }
    }
  }

  /**
   * Runs {@code call} on the worker and waits for it until {@code budgetNanos} of the store's clock
   * have passed.
   */
  <T> Result<T> run(Supplier<T> call, long budgetNanos) {
    int stuck = runaways.get();
    if (stuck >= MAX_RUNAWAYS) {
      return new Refused<>(stuck);
    }
    Worker w = worker();
    Task<T> task = new Task<>(call);
    long deadline = clock.monoNanos() + budgetNanos;
    w.tasks.add(task);
    boolean finished = awaitUntil(task, deadline);
    if (finished) {
      lock.lock();
      try {
        return new Finished<>(task.value, task.failure);
      } finally {
        lock.unlock();
      }
    }
    abandon(w);
    return new TimedOut<>(w.thread.getName());
  }

  /**
   * Waits on the store's clock until {@code task} finished or {@code deadline}, in slices with a
   * yield between them (as the committer's own waits do): with the system clock a signal ends it at
   * once; with a simulated clock, whose timed waits return at once and advance its time, the slices
   * still give the worker real time to run.
   */
  private boolean awaitUntil(Task<?> task, long deadline) {
    lock.lock();
    try {
      while (!task.finished) {
        long left = deadline - clock.monoNanos();
        if (left <= 0) {
          return false;
        }
        clock.awaitNanos(done, Math.min(left, SLICE_NANOS));
        if (!task.finished) {
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

  private Worker worker() {
    if (worker == null) {
      worker = new Worker();
      worker.thread.start();
    }
    return worker;
  }

  private void abandon(Worker w) {
    runaways.incrementAndGet();
    w.abandoned = true;
    worker = null;
    w.thread.interrupt();
  }

  /** The number of abandoned workers still alive. */
  int runaways() {
    return runaways.get();
  }

  /** Ends the idle worker; abandoned ones end when their gates return. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    Worker w = worker;
    worker = null;
    if (w != null) {
      w.thread.interrupt();
    }
  }
}
