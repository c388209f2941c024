package io.batpak;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import org.apiguardian.api.API;

/**
 * A {@link Subscription} has ended and everything queued before the end was delivered: its poll
 * says why ({@link #reason()}) and where the subscriber stands ({@link #lastDelivered()}). To go
 * on, subscribe again with {@link Store#subscribeFrom} after {@link #lastDelivered()}.
 *
 * @since 0.13
 */
@API(status = EXPERIMENTAL, since = "0.13")
public class SubscriptionEndedException extends StoreException {
  private static final long serialVersionUID = 1L;

  private final Subscription.End reason;
  private final long lastDelivered;

  /**
   * Creates the exception.
   *
   * @param message why it ended, and what to do
   * @param reason why it ended
   * @param lastDelivered the global sequence of the last event delivered ({@link
   *     Subscription#lastDelivered()})
   * @param cause the failure that ended it, or null
   */
  public SubscriptionEndedException(
      String message, Subscription.End reason, long lastDelivered, Throwable cause) {
    super(message, cause);
    if (reason == null) {
      throw new NullPointerException("reason must not be null");
    }
    this.reason = reason;
    this.lastDelivered = lastDelivered;
  }

  /** Why the subscription ended. */
  public Subscription.End reason() {
    return reason;
  }

  /** The global sequence of the last event delivered, or where the subscription started after. */
  public long lastDelivered() {
    return lastDelivered;
  }
}
