package io.batpak.engine.internal.subscription;

import io.batpak.EventHeader;
import io.batpak.Region;
import io.batpak.Subscription;
import io.batpak.SubscriptionEndedException;
import io.batpak.SubscriptionOptions;
import io.batpak.SubscriptionOverflowException;
import io.batpak.ValidationException;
import io.batpak.engine.internal.read.EventQueries;
import io.batpak.engine.internal.time.Durations;
import io.batpak.port.StoreClock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One subscription of a {@link SubscriptionHub}: first its history, read page by page on the
 * consumer's thread from the published index, then the events the fan-out offers to its bounded
 * queue. The consumer's fields ({@link #history}, {@link #cursor}, the delivery counters) are
 * confined to the one consumer thread (and the hub's lock while it {@link SubscriptionHub#register
 * registers}); the queue and the end are guarded by {@link #lock}.
 */
final class HubSubscription implements Subscription {
  /** The most events one history page holds. */
  private static final int PAGE = 1024;

  /** The most rows one history page scans (a sparse region returns to the loop in between). */
  private static final int PAGE_ROWS = 1 << 16;

  private final SubscriptionHub hub;
  private final EventQueries rows;
  final Region region;
  private final SubscriptionOptions options;
  private final StoreClock clock;

  // --- the consumer's (and the hub's lock's, while it registers) ---

  /** History read but not yet delivered, in global order. */
  final ArrayDeque<EventHeader> history = new ArrayDeque<>();

  /** The last global sequence whose row the history has looked at. */
  long cursor;

  /** Whether the fan-out offers to it (its history ends at {@link #after}). */
  private boolean live;

  private volatile long lastDelivered;
  private volatile long droppedBeforeLast;

  // --- guarded by lock ---

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<Entry> queue = new ArrayDeque<>();

  /** The fan-out offers only events after this; set when it registers. Hub's lock. */
  private long after;

  private volatile long dropped;
  private volatile End end;
  private Throwable endCause;

  /** A queued event and how many events were dropped right before it. */
  private static final class Entry {
    final EventHeader header;
    long droppedBefore;

    Entry(EventHeader header, long droppedBefore) {
      this.header = header;
      this.droppedBefore = droppedBefore;
    }
  }

  HubSubscription(
      SubscriptionHub hub,
      EventQueries rows,
      Region region,
      long after,
      SubscriptionOptions options,
      StoreClock clock) {
    this.hub = hub;
    this.rows = rows;
    this.region = region;
    this.options = options;
    this.clock = clock;
    this.cursor = after;
    this.after = after;
    this.lastDelivered = after;
  }

  /** Hub's lock: everything up to here was history. */
  long after() {
    return after;
  }

  boolean ended() {
    return end != null;
  }

  // ---------------------------------------------------------------- fan-out side

  /**
   * Fan-out thread, under the hub's lock: queues {@code h}, dropping the oldest under {@code
   * DROP_OLDEST} or ending the subscription under {@code DISCONNECT} when the queue is full.
   *
   * @return false if the subscription has ended (the hub then forgets it)
   */
  boolean offer(EventHeader h) {
    lock.lock();
    try {
      if (end != null) {
        return false;
      }
      long carry = 0;
      if (queue.size() >= options.capacity()) {
        if (options.overflow() == SubscriptionOptions.Overflow.DISCONNECT) {
          endLocked(End.OVERFLOW, null);
          return false;
        }
        Entry oldest = queue.poll();
        carry = 1 + oldest.droppedBefore;
        dropped++;
        Entry next = queue.peek();
        if (next != null) {
          next.droppedBefore += carry;
          carry = 0;
        }
      }
      queue.add(new Entry(h, carry));
      changed.signalAll();
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Ends the subscription (the first reason wins) and wakes the consumer. Any thread. */
  void end(End reason, Throwable cause) {
    lock.lock();
    try {
      endLocked(reason, cause);
    } finally {
      lock.unlock();
    }
  }

  private void endLocked(End reason, Throwable cause) {
    if (end == null) {
      end = reason;
      endCause = cause;
    }
    changed.signalAll();
  }

  // ---------------------------------------------------------------- consumer side

  /** Hub's lock, before the subscription is handed out: it has no history to read. */
  void goLive() {
    live = true;
  }

  /** Hub's lock, when it registers: the fan-out offers only events after {@code after}. */
  void afterRegistered(long after) {
    this.after = after;
  }

  @Override
  public Optional<EventHeader> poll(Duration timeout) {
    long nanos = checkTimeout(timeout);
    long deadline = clock.monoNanos() + nanos;
    while (true) {
      EventHeader h = next();
      if (h != null) {
        return Optional.of(h);
      }
      lock.lock();
      try {
        while (queue.isEmpty() && end == null) {
          long left = deadline - clock.monoNanos();
          if (left <= 0) {
            return Optional.empty();
          }
          try {
            clock.awaitNanos(changed, left);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
          }
        }
      } finally {
        lock.unlock();
      }
    }
  }

  @Override
  public List<EventHeader> pollBatch(int max, Duration timeout) {
    if (max <= 0) {
      throw new ValidationException(
          "pollBatch needs max > 0, got " + max + "; it is the most events one call returns");
    }
    Optional<EventHeader> first = poll(timeout);
    if (first.isEmpty()) {
      return List.of();
    }
    List<EventHeader> out = new ArrayList<>(Math.min(max, PAGE));
    out.add(first.get());
    try {
      EventHeader h;
      while (out.size() < max && (h = next()) != null) {
        out.add(h);
      }
    } catch (SubscriptionEndedException e) {
      // the next poll throws it again
    }
    return out;
  }

  private static long checkTimeout(Duration timeout) {
    if (timeout == null) {
      throw new NullPointerException("timeout must not be null");
    }
    if (timeout.isNegative()) {
      throw new ValidationException(
          "a poll timeout must not be negative, got "
              + timeout
              + "; use Duration.ZERO not to wait");
    }
    return Durations.nanos(timeout);
  }

  /**
   * The next event if one is ready, without waiting: history first (reading the next page, or
   * registering with the hub once the history reaches the fan-out), then the queue.
   *
   * @return the event, or null when none is ready
   * @throws SubscriptionEndedException once it has ended and everything before the end was
   *     delivered
   */
  private EventHeader next() {
    if (end == End.CLOSED) {
      throw endedException();
    }
    if (history.isEmpty() && !live) {
      catchUp();
    }
    EventHeader h = history.poll();
    if (h != null) {
      return deliver(h, 0);
    }
    lock.lock();
    try {
      Entry e = queue.poll();
      if (e != null) {
        return deliver(e.header, e.droppedBefore);
      }
      if (end != null) {
        throw endedException();
      }
      return null;
    } finally {
      lock.unlock();
    }
  }

  /** Reads history until a page holds an event or the subscription is live. */
  private void catchUp() {
    try {
      while (history.isEmpty() && !live && end == null) {
        long target = hub.position();
        if (cursor + 1 < target) {
          long to = Math.min(target, cursor + 1 + PAGE_ROWS);
          cursor = rows.scan(region, cursor + 1, to, history, PAGE) - 1;
        } else {
          hub.register(this);
          live = true;
        }
      }
    } catch (RuntimeException e) {
      if (end != null) {
        throw endedException(); // the store closed under the read
      }
      end(End.STORE_FAILED, e);
      hub.remove(this);
      throw e;
    }
  }

  private EventHeader deliver(EventHeader h, long droppedBefore) {
    lastDelivered = h.globalSequence();
    droppedBeforeLast = droppedBefore;
    return h;
  }

  private SubscriptionEndedException endedException() {
    End reason = end;
    long last = lastDelivered;
    switch (reason) {
      case OVERFLOW:
        return new SubscriptionOverflowException(
            "the subscription to "
                + region
                + " fell behind: its queue of "
                + options.capacity()
                + " events was full when the next event became visible, so it was disconnected"
                + " (overflow policy DISCONNECT). The last event delivered is global sequence "
                + last
                + "; subscribeFrom(region, "
                + last
                + ", options) resumes without a gap. Poll faster, raise the capacity, or use"
                + " DROP_OLDEST",
            options.capacity(),
            last);
      case CLOSED:
        return new SubscriptionEndedException(
            "the subscription to " + region + " was closed", reason, last, null);
      case STORE_CLOSED:
        return new SubscriptionEndedException(
            "the store was closed; the subscription to "
                + region
                + " delivered everything up to global sequence "
                + last
                + " that was queued. Reopen the store and subscribeFrom(region, "
                + last
                + ", options) to go on",
            reason,
            last,
            endCause);
      default:
        return new SubscriptionEndedException(
            "the subscription to "
                + region
                + " ended because the store failed"
                + (endCause == null ? "" : " (" + endCause.getMessage() + ")")
                + " after global sequence "
                + last
                + "; reopen the store and subscribeFrom(region, "
                + last
                + ", options)",
            reason,
            last,
            endCause);
    }
  }

  @Override
  public long dropped() {
    return dropped;
  }

  @Override
  public long droppedBeforeLast() {
    return droppedBeforeLast;
  }

  @Override
  public long lastDelivered() {
    return lastDelivered;
  }

  @Override
  public Optional<End> endReason() {
    return Optional.ofNullable(end);
  }

  @Override
  public void close() {
    lock.lock();
    try {
      endLocked(End.CLOSED, null);
      queue.clear();
    } finally {
      lock.unlock();
    }
    hub.remove(this);
  }

  @Override
  public String toString() {
    return "Subscription[" + region + ", " + options + ", lastDelivered=" + lastDelivered + "]";
  }
}
