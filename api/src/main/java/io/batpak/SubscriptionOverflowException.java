package io.batpak;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import org.apiguardian.api.API;

/**
 * A {@link Subscription} with {@link SubscriptionOptions.Overflow#DISCONNECT} fell behind: its
 * queue of {@link #capacity()} events was full when the next event became visible, so it ended
 * (reason {@link Subscription.End#OVERFLOW}). Thrown by {@code poll} once the queued events have
 * been delivered. Nothing was lost for a subscriber that resumes with {@link Store#subscribeFrom}
 * after {@link #lastDelivered()}; a larger capacity or a faster consumer avoids it.
 *
 * @since 0.13
 */
@API(status = EXPERIMENTAL, since = "0.13")
public class SubscriptionOverflowException extends SubscriptionEndedException {
  private static final long serialVersionUID = 1L;

  private final int capacity;

  /**
   * Creates the exception.
   *
   * @param message the capacity, the last delivered position, and what to do
   * @param capacity the queue's capacity
   * @param lastDelivered the global sequence of the last event delivered
   */
  public SubscriptionOverflowException(String message, int capacity, long lastDelivered) {
    super(message, Subscription.End.OVERFLOW, lastDelivered, null);
    this.capacity = capacity;
  }

  /** The capacity of the queue that overflowed. */
  public int capacity() {
    return capacity;
  }
}
