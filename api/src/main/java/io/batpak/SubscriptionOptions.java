package io.batpak;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import org.apiguardian.api.API;

/**
 * How a {@link Subscription} buffers: the capacity of its queue and what happens when the queue is
 * full because the subscriber polls more slowly than events become visible. Immutable; each {@code
 * with…} method returns a copy. Thread-safe.
 *
 * <p>The default is a queue of {@value #DEFAULT_CAPACITY} events with {@link Overflow#DISCONNECT}:
 * a subscriber that falls behind is told so (after it has drained what was queued) and can resume
 * with {@link Store#subscribeFrom} from {@link SubscriptionOverflowException#lastDelivered()},
 * missing nothing. {@link Overflow#DROP_OLDEST} keeps the subscription alive and loses events
 * instead, counted ({@link Subscription#dropped()}) and locatable ({@link
 * Subscription#droppedBeforeLast()}). No policy drops silently.
 *
 * @param capacity how many events the queue holds, from 1 to {@value #MAX_CAPACITY}
 * @param overflow what happens when an event arrives and the queue is full
 * @since 0.13
 */
@API(status = EXPERIMENTAL, since = "0.13")
public record SubscriptionOptions(int capacity, Overflow overflow) {

  /** The default queue capacity: the reference's broadcast capacity. */
  public static final int DEFAULT_CAPACITY = 8192;

  /** The largest queue capacity (one event header is a few hundred bytes). */
  public static final int MAX_CAPACITY = 1 << 20;

  private static final SubscriptionOptions DEFAULTS =
      new SubscriptionOptions(DEFAULT_CAPACITY, Overflow.DISCONNECT);

  /**
   * What a full queue does with a new event.
   *
   * @since 0.13
   */
  @API(status = EXPERIMENTAL, since = "0.13")
  public enum Overflow {
    /**
     * The subscription ends: nothing more is queued; once the subscriber has polled what was
     * queued, {@code poll} throws {@link SubscriptionOverflowException} with the capacity and the
     * last delivered global sequence, from which {@link Store#subscribeFrom} resumes without a gap.
     * The reference's behaviour, and the default.
     */
    DISCONNECT,
    /**
     * The oldest queued event is dropped to make room, and counted: {@link Subscription#dropped()}
     * is the total, and {@link Subscription#droppedBeforeLast()} says how many were dropped right
     * before the event the last poll returned (they lie between it and the event polled before it,
     * in global order, so {@link Store#queryAfter} can read them back).
     */
    DROP_OLDEST
  }

  /**
   * Validates.
   *
   * @throws NullPointerException if {@code overflow} is null
   * @throws ValidationException if {@code capacity} is not between 1 and {@value #MAX_CAPACITY}
   */
  public SubscriptionOptions {
    if (overflow == null) {
      throw new NullPointerException("overflow must not be null");
    }
    if (capacity < 1 || capacity > MAX_CAPACITY) {
      throw new ValidationException(
          "a subscription's capacity must be between 1 and "
              + MAX_CAPACITY
              + " events, got "
              + capacity
              + "; the default is "
              + DEFAULT_CAPACITY);
    }
  }

  /** A queue of {@value #DEFAULT_CAPACITY} events with {@link Overflow#DISCONNECT}. */
  public static SubscriptionOptions defaults() {
    return DEFAULTS;
  }

  /**
   * A copy with another capacity.
   *
   * @throws ValidationException if {@code capacity} is not between 1 and {@value #MAX_CAPACITY}
   */
  public SubscriptionOptions withCapacity(int capacity) {
    return new SubscriptionOptions(capacity, overflow);
  }

  /**
   * A copy with another overflow policy.
   *
   * @throws NullPointerException if {@code overflow} is null
   */
  public SubscriptionOptions withOverflow(Overflow overflow) {
    return new SubscriptionOptions(capacity, overflow);
  }
}
