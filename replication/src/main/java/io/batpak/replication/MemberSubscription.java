package io.batpak.replication;

import io.batpak.EventHeader;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.Subscription;
import io.batpak.SubscriptionEndedException;
import io.batpak.SubscriptionOptions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A subscription on a member that outlives the member's local store: when a snapshot install
 * replaces the store (ADR 0038), the engine's subscription on the old store ends with {@link
 * End#STORE_CLOSED}; this one then subscribes on the new store from its {@link #lastDelivered()},
 * which resumes without a gap and without a duplicate. It ends with {@code STORE_CLOSED} only when
 * the member itself closed or stopped.
 *
 * <p>Threads as for every {@link Subscription}: one thread polls; {@link #close()} and the counters
 * may be called from any thread.
 */
final class MemberSubscription implements Subscription {
  private final Supplier<Store> local;
  private final Region region;
  private final SubscriptionOptions options;
  private volatile Store store;
  private volatile Subscription current;
  private volatile long droppedEarlier;
  private volatile boolean closed;

  /**
   * Subscribes on the member's current local store.
   *
   * @param local the member's current local store; throws once the member closed or stopped
   * @param afterGlobalSequence where to start ({@link Store#subscribeFrom}), or null for a live
   *     subscription ({@link Store#subscribe})
   */
  MemberSubscription(
      Supplier<Store> local,
      Region region,
      @Nullable Long afterGlobalSequence,
      SubscriptionOptions options) {
    this.local = local;
    this.region = region;
    this.options = options;
    Store s = local.get();
    this.store = s;
    this.current =
        afterGlobalSequence == null
            ? s.subscribe(region, options)
            : s.subscribeFrom(region, afterGlobalSequence, options);
  }

  /**
   * After the current subscription ended with its store closed: whether it moved to the member's
   * new store (false when the member or this subscription closed).
   */
  private boolean movedOn() {
    Subscription sub = current;
    if (closed) {
      return false;
    }
    Store now;
    try {
      now = local.get();
    } catch (RuntimeException memberGone) {
      return false; // the member closed or stopped: this subscription ends as the engine's did
    }
    if (now == store) {
      return false;
    }
    Subscription next = now.subscribeFrom(region, sub.lastDelivered(), options);
    droppedEarlier += sub.dropped();
    store = now;
    current = next;
    if (closed) {
      next.close();
    }
    return true;
  }

  @Override
  public Optional<EventHeader> poll(Duration timeout) {
    long deadline = Waits.deadline(System.nanoTime(), timeout);
    while (true) {
      try {
        return current.poll(timeout);
      } catch (SubscriptionEndedException e) {
        moveOnOrThrow(e);
      }
      timeout = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }
  }

  @Override
  public List<EventHeader> pollBatch(int max, Duration timeout) {
    long deadline = Waits.deadline(System.nanoTime(), timeout);
    while (true) {
      try {
        return current.pollBatch(max, timeout);
      } catch (SubscriptionEndedException e) {
        moveOnOrThrow(e);
      }
      timeout = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }
  }

  private void moveOnOrThrow(SubscriptionEndedException e) {
    if (e.reason() != End.STORE_CLOSED || !movedOn()) {
      throw e;
    }
  }

  @Override
  public long dropped() {
    return droppedEarlier + current.dropped();
  }

  @Override
  public long droppedBeforeLast() {
    return current.droppedBeforeLast();
  }

  @Override
  public long lastDelivered() {
    return current.lastDelivered();
  }

  @Override
  public Optional<End> endReason() {
    return current.endReason();
  }

  @Override
  public void close() {
    closed = true;
    current.close();
  }
}
