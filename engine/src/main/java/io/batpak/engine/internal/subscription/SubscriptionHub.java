package io.batpak.engine.internal.subscription;

import io.batpak.EventHeader;
import io.batpak.Region;
import io.batpak.Subscription;
import io.batpak.SubscriptionOptions;
import io.batpak.engine.internal.commit.ClockWaits;
import io.batpak.engine.internal.commit.WatermarkTracker;
import io.batpak.engine.internal.index.Index;
import io.batpak.engine.internal.read.EventQueries;
import io.batpak.engine.internal.time.Durations;
import io.batpak.port.StoreClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * A store's subscriptions and its one fan-out thread (ADR 0023).
 *
 * <p>The fan-out thread waits, without a timeout, on the {@link WatermarkTracker}'s visible
 * watermark (which the committer already signals: no work is added to the commit path), then reads
 * the newly visible rows of the published {@link Index.View} from its {@link #position}: a
 * cancelled row is skipped, each row is matched against every live subscription on the index's
 * columns, and a matching event's header is built once and offered to each matching queue. The
 * thread starts with the first subscription; a store without subscriptions has none.
 *
 * <p><b>The handover.</b> A catch-up subscription reads its history itself (on its consumer's
 * thread) up to the fan-out's position, then {@link #register registers} under the hub's lock,
 * which the fan-out holds while it scans and moves its position: what lies below the position (read
 * by the subscription, the rest of its history read under the lock) and what lies at and above it
 * (offered by the fan-out, which offers a subscription only what lies after its {@code after}) meet
 * exactly, so no event is missed or delivered twice.
 *
 * <p>Lock order: the hub's lock, then a subscription's. Thread-safe.
 */
public final class SubscriptionHub {
  /** Rows the fan-out scans under the lock at a time, so a registration waits little. */
  private static final int CHUNK_ROWS = 4096;

  private final Index index;
  private final EventQueries rows;
  private final WatermarkTracker watermarks;
  private final StoreClock clock;
  private final String threadName;
  private final Supplier<Throwable> poison;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition stopped = lock.newCondition();

  /** The live subscriptions the fan-out offers to. Guarded by {@link #lock}. */
  private final List<HubSubscription> live = new ArrayList<>();

  /** Subscriptions still reading their history. Guarded by {@link #lock}. */
  private final Set<HubSubscription> catchingUp = new LinkedHashSet<>();

  /** The next global sequence the fan-out scans; written under {@link #lock}. */
  private volatile long position;

  private Thread thread;
  private boolean closing;
  private boolean done;

  /** Why the fan-out ended (then no subscription is live), or null. Guarded by {@link #lock}. */
  private Subscription.End end;

  private Throwable endCause;

  /**
   * @param poison the failure that poisoned the store, or null; asked when the pipeline ends
   */
  public SubscriptionHub(
      Index index,
      EventQueries rows,
      WatermarkTracker watermarks,
      StoreClock clock,
      String threadName,
      Supplier<Throwable> poison) {
    this.index = index;
    this.rows = rows;
    this.watermarks = watermarks;
    this.clock = clock;
    this.threadName = threadName;
    this.poison = poison;
    this.position = index.visible();
  }

  /**
   * A subscription to {@code region} after global sequence {@code after}; it catches up when it is
   * first polled.
   */
  public Subscription open(Region region, long after, SubscriptionOptions options) {
    HubSubscription s = new HubSubscription(this, rows, region, after, options, clock);
    lock.lock();
    try {
      if (live.isEmpty()) {
        // Nobody needs the rows the fan-out has not scanned yet (it starts with the first
        // subscription): skip them, so they reach this subscription as history, never as a backlog
        // in its queue.
        position = Math.max(position, rows.view().size());
      }
      if (after + 1 >= position && end == null) {
        // No history to read: live at once, so its queue fills (and overflows) without a poll.
        s.afterRegistered(after);
        s.goLive();
        live.add(s);
      } else {
        catchingUp.add(s);
      }
      if (end != null) {
        s.end(end, endCause); // the fan-out ended (the store was poisoned)
      }
      if (thread == null && !closing && end == null) {
        thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
        thread.start();
      }
    } finally {
      lock.unlock();
    }
    return s;
  }

  /** The next global sequence the fan-out scans: every event below it was offered. */
  long position() {
    return position;
  }

  /**
   * Makes {@code s} live: reads what is left of its history below the fan-out's position into
   * {@code history} and from then on the fan-out offers it everything after that. Consumer thread.
   */
  void register(HubSubscription s) {
    lock.lock();
    try {
      if (s.cursor + 1 < position) {
        s.cursor = rows.scan(s.region, s.cursor + 1, position, s.history, Integer.MAX_VALUE) - 1;
      }
      s.afterRegistered(s.cursor);
      catchingUp.remove(s);
      if (end != null) {
        s.end(end, endCause);
      } else if (!s.ended()) {
        live.add(s);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Forgets {@code s} (it ended). Any thread. */
  void remove(HubSubscription s) {
    lock.lock();
    try {
      live.remove(s);
      catchingUp.remove(s);
    } finally {
      lock.unlock();
    }
  }

  private void run() {
    Subscription.End reason = null;
    Throwable cause = null;
    try {
      while (reason == null) {
        watermarks.awaitUntil(() -> watermarks.snapshot().visible() > position || closing(), -1);
        boolean closingNow = closing();
        boolean ended = watermarks.ended();
        pump();
        if (closingNow) {
          reason = Subscription.End.STORE_CLOSED;
        } else if (ended) {
          cause = poison.get();
          reason = cause == null ? Subscription.End.STORE_CLOSED : Subscription.End.STORE_FAILED;
        }
      }
    } catch (InterruptedException e) {
      reason = Subscription.End.STORE_FAILED;
      cause = e;
    } catch (RuntimeException | Error e) {
      reason = Subscription.End.STORE_FAILED;
      cause = e;
    } finally {
      endAll(reason == null ? Subscription.End.STORE_FAILED : reason, cause);
      lock.lock();
      try {
        done = true;
        stopped.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  private boolean closing() {
    lock.lock();
    try {
      return closing;
    } finally {
      lock.unlock();
    }
  }

  /** Offers every visible row from {@link #position} to the live subscriptions. */
  private void pump() {
    while (true) {
      lock.lock();
      try {
        Index.View v = rows.view();
        long from = position;
        if (from >= v.size()) {
          return;
        }
        long to = Math.min(v.size(), from + CHUNK_ROWS);
        if (!live.isEmpty()) {
          offer(v, from, to);
        }
        position = to;
      } finally {
        lock.unlock();
      }
    }
  }

  /** Offers rows {@code from} to {@code to - 1}; a subscription that overflows is dropped. */
  private void offer(Index.View v, long from, long to) {
    for (long g = from; g < to; g++) {
      int row = (int) g;
      if (v.cancelled(row)) {
        continue; // a cancelled fence's event: never delivered
      }
      EventHeader h = null;
      boolean read = false;
      for (int i = 0; i < live.size(); i++) {
        HubSubscription s = live.get(i);
        if (g <= s.after() || !EventQueries.inRegion(index, s.region, v, row)) {
          continue;
        }
        if (!read) {
          h = rows.headerAt(v, row);
          read = true;
        }
        if (h == null) {
          break; // compaction dropped it
        }
        if (!s.offer(h)) {
          live.remove(i--); // it ended (an overflow, or it was closed)
        }
      }
    }
  }

  private void endAll(Subscription.End reason, Throwable cause) {
    lock.lock();
    try {
      if (end == null) {
        end = reason;
        endCause = cause;
      }
      for (HubSubscription s : live) {
        s.end(reason, cause);
      }
      for (HubSubscription s : catchingUp) {
        s.end(reason, cause);
      }
      live.clear();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Ends every subscription with {@link Subscription.End#STORE_CLOSED}: the fan-out offers what is
   * visible, then stops; waits for it within {@code timeout} (unless called on it), before the
   * journal closes. Events already queued stay deliverable. Idempotent.
   */
  public void close(Duration timeout) {
    Thread t;
    lock.lock();
    try {
      if (closing) {
        return;
      }
      closing = true;
      t = thread;
    } finally {
      lock.unlock();
    }
    watermarks.wake();
    if (t != null && t != Thread.currentThread()) {
      ClockWaits.awaitUntil(
          clock, lock, stopped, () -> done, Durations.deadline(clock.monoNanos(), timeout));
    }
    endAll(Subscription.End.STORE_CLOSED, null);
  }
}
