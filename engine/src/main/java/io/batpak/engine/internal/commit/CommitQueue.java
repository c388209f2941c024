package io.batpak.engine.internal.commit;

import io.batpak.OutcomeUnknownException;
import io.batpak.QueueFullPolicy;
import io.batpak.StoreClosedException;
import io.batpak.StoreConfig;
import io.batpak.StoreException;
import io.batpak.StoreInterruptedException;
import io.batpak.StoreTimeoutException;
import io.batpak.engine.internal.time.Durations;
import io.batpak.port.StoreClock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * The appends waiting for the committer, in the order they were submitted, which is each thread's
 * call order (docs/architecture.md, decision 1): submission with back-pressure, taking a group,
 * waiting for work, and the short wait for the last group's producers. Poisoning and closing drain
 * it. Thread- safe: producers submit from any thread; the committer takes with its commit lock
 * held.
 */
final class CommitQueue {
  private final StoreConfig config;
  private final StoreClock clock;
  private final PoisonLatch latch;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmpty = lock.newCondition();
  private final Condition notFull = lock.newCondition();
  private final ArrayDeque<AppendRequest> queue = new ArrayDeque<>();
  private boolean closing;

  /** Appends queued when the last group was taken; written and read with the commit lock held. */
  private int depthAtTake;

  CommitQueue(StoreConfig config, PoisonLatch latch) {
    this.config = config;
    this.clock = config.clock();
    this.latch = latch;
  }

  /**
   * Queues {@code request}, waiting for room as {@link StoreConfig#queueFullPolicy()} says.
   *
   * @throws StoreClosedException if the pipeline is closing
   * @throws OutcomeUnknownException if it is poisoned, or the wait for room was interrupted
   * @throws StoreTimeoutException if the queue stays full
   */
  void submit(AppendRequest request) {
    lock.lock();
    try {
      long nanos =
          config.queueFullPolicy() == QueueFullPolicy.BLOCK
              ? Durations.nanos(config.queueFullTimeout())
              : 0;
      // The poison check and the enqueue happen under the lock that poisoning takes to drain.
      latch.check();
      while (queue.size() >= config.queueCapacity() && !closing && !latch.isTripped()) {
        if (nanos <= 0) {
          throw new StoreTimeoutException(
              "the commit queue is full ("
                  + config.queueCapacity()
                  + " appends waiting) and stayed full for "
                  + config.queueFullTimeout()
                  + "; nothing was queued. Slow down, raise queueCapacity, or use"
                  + " QueueFullPolicy.BLOCK with a longer timeout.");
        }
        try {
          nanos = clock.awaitNanos(notFull, nanos);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new StoreInterruptedException(
              "interrupted while waiting for room in the commit queue; the append was not"
                  + " queued and nothing was written",
              e);
        }
      }
      latch.check();
      if (closing) {
        throw new StoreClosedException("the store is closing; the append was not queued");
      }
      queue.add(request);
      notEmpty.signal();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Takes the next group: queued appends in order, up to {@link StoreConfig#maxGroupEvents()}
   * events (always at least one append). Called with the commit lock held, so groups commit in
   * queue order.
   */
  List<AppendRequest> take() {
    lock.lock();
    try {
      // Each append holds at least one event: the group has at most this many.
      depthAtTake = queue.size();
      List<AppendRequest> group = new ArrayList<>(Math.min(queue.size(), config.maxGroupEvents()));
      int events = 0;
      while (!queue.isEmpty()) {
        int n = queue.peek().events().size();
        if (!group.isEmpty() && events + n > config.maxGroupEvents()) {
          break;
        }
        group.add(queue.poll());
        events += n;
      }
      if (!group.isEmpty()) {
        notFull.signalAll();
      }
      return group;
    } finally {
      lock.unlock();
    }
  }

  /** How many appends were queued when {@link #take} last ran (the group it took included). */
  int depthAtTake() {
    return depthAtTake;
  }

  /**
   * Waits until there is work: something queued, or {@code nanosUntilSync} ran out. The deadline is
   * asked again on every wake-up, from the state the last commit left.
   *
   * @return false when the pipeline is closing or poisoned and nothing is queued: time to stop
   */
  boolean awaitWork(LongSupplier nanosUntilSync) throws InterruptedException {
    lock.lock();
    try {
      while (queue.isEmpty() && !closing && !latch.isTripped()) {
        long nanos = nanosUntilSync.getAsLong();
        if (nanos == Long.MAX_VALUE) {
          notEmpty.await();
        } else if (nanos <= 0) {
          return true;
        } else {
          clock.awaitNanos(notEmpty, nanos);
        }
      }
      return !queue.isEmpty() && !latch.isTripped();
    } finally {
      lock.unlock();
    }
  }

  /**
   * After a group of {@code expected} appends whose producers were all waiting on it, gives those
   * producers a moment (at most a quarter of the last commit's time, and 200 µs) to queue their
   * next appends, so the next group is about as large as the last one instead of taking only the
   * first arrival.
   */
  void gatherStragglers(int expected, long commitNanos) {
    if (expected < 2) {
      return;
    }
    long deadline = clock.monoNanos() + Math.min(commitNanos / 4, 200_000);
    while (clock.monoNanos() < deadline) {
      lock.lock();
      try {
        if (closing || latch.isTripped() || queue.size() >= expected) {
          return;
        }
      } finally {
        lock.unlock();
      }
      Thread.yield();
    }
  }

  /**
   * Throws if the pipeline is closing, as {@link #submit} would.
   *
   * @throws StoreClosedException if it is closing
   */
  void checkOpen() {
    lock.lock();
    try {
      if (closing) {
        throw new StoreClosedException("the store is closing; nothing was written");
      }
    } finally {
      lock.unlock();
    }
  }

  boolean isClosingAndEmpty() {
    lock.lock();
    try {
      return closing && queue.isEmpty();
    } finally {
      lock.unlock();
    }
  }

  /** Stops intake: later submissions fail, waiters wake. */
  void close() {
    lock.lock();
    try {
      closing = true;
      notEmpty.signalAll();
      notFull.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Trips {@code latch} with {@code e} (the first failure wins) and drains the queue in one step
   * under the lock, so no append is queued after the drain.
   *
   * @return the appends that were queued, never to be written
   */
  List<AppendRequest> poison(StoreException e) {
    lock.lock();
    try {
      latch.trip(e);
      notEmpty.signalAll();
      return drainLocked();
    } finally {
      lock.unlock();
    }
  }

  /** Empties the queue (at close, after the committer stopped). */
  List<AppendRequest> drain() {
    lock.lock();
    try {
      return drainLocked();
    } finally {
      lock.unlock();
    }
  }

  private List<AppendRequest> drainLocked() {
    List<AppendRequest> rest = new ArrayList<>(queue);
    queue.clear();
    notFull.signalAll();
    return rest;
  }
}
