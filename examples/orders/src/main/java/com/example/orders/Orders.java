package com.example.orders;

import com.example.orders.OrderEvents.OrderPlaced;
import com.example.orders.OrderEvents.OrderShipped;
import com.example.orders.OrderEvents.PaymentReceived;
import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.Coordinate;
import io.batpak.EventHeader;
import io.batpak.EventTypes;
import io.batpak.ExpectedVersion;
import io.batpak.Store;
import io.batpak.StoredEvent;
import java.util.Objects;

/**
 * The order service: every command is one append to the order's stream, guarded by the stream's
 * version, and an order's state is a fold over its stream. Thread-safe as the store is; a command
 * that raced another on the same order fails with {@code ConcurrencyConflictException}.
 */
public final class Orders {
  private final Store store;

  /** A service over {@code store}, which must know the types of {@link OrderEvents#ALL}. */
  public Orders(Store store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  /** Where an order's events go. */
  static Coordinate coordinate(String orderId) {
    return Coordinate.of("order:" + orderId, "shop");
  }

  /**
   * Places a new order; durable when this returns.
   *
   * @throws io.batpak.ConcurrencyConflictException if the order exists
   */
  public AppendReceipt place(String orderId, String sku, int quantity, long priceCents) {
    if (quantity <= 0 || priceCents < 0) {
      throw new IllegalArgumentException(
          "order "
              + orderId
              + ": quantity must be positive and price not negative, was "
              + quantity
              + " at "
              + priceCents);
    }
    return store.appendTyped(
        coordinate(orderId),
        new OrderPlaced(orderId, sku, quantity, priceCents),
        AppendOptions.defaults().withExpectedVersion(ExpectedVersion.noStream()));
  }

  /**
   * Records a payment; durable when this returns.
   *
   * @throws IllegalStateException if the order does not exist or is paid already
   */
  public AppendReceipt pay(String orderId, long amountCents) {
    OrderState state = state(orderId);
    if (state.isPaid()) {
      throw new IllegalStateException("order " + orderId + " is paid already: " + state);
    }
    return append(orderId, state, new PaymentReceived(orderId, amountCents));
  }

  /**
   * Ships a paid order; durable when this returns.
   *
   * @throws IllegalStateException if the order is not paid in full or shipped already
   */
  public AppendReceipt ship(String orderId) {
    OrderState state = state(orderId);
    if (!state.isPaid() || state.shipped()) {
      throw new IllegalStateException("order " + orderId + " cannot ship: " + state);
    }
    return append(orderId, state, new OrderShipped(orderId));
  }

  /**
   * The order's state, folded from its stream.
   *
   * @throws IllegalStateException if the order does not exist
   */
  public OrderState state(String orderId) {
    OrderState state = null;
    for (EventHeader header : store.stream(coordinate(orderId).entity())) {
      StoredEvent event = store.get(header.eventId());
      if (header.kind().equals(EventTypes.kindOf(OrderPlaced.class))) {
        state = OrderState.placed(store.decode(event, OrderPlaced.class), header.streamSequence());
      } else if (header.kind().equals(EventTypes.kindOf(PaymentReceived.class))) {
        state = state.paid(store.decode(event, PaymentReceived.class), header.streamSequence());
      } else if (header.kind().equals(EventTypes.kindOf(OrderShipped.class))) {
        state = state.shipped(header.streamSequence());
      }
    }
    if (state == null) {
      throw new IllegalStateException("no order " + orderId);
    }
    return state;
  }

  private AppendReceipt append(String orderId, OrderState state, Object event) {
    return store.appendTyped(
        coordinate(orderId),
        event,
        AppendOptions.defaults().withExpectedVersion(ExpectedVersion.exactly(state.version())));
  }
}
