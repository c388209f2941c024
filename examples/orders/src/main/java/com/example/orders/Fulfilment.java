package com.example.orders;

import com.example.orders.OrderEvents.OrderShipped;
import com.example.orders.OrderEvents.PaymentReceived;
import io.batpak.EventTypes;
import io.batpak.Reactions;
import io.batpak.Reactor;
import io.batpak.Region;
import io.batpak.StoredEvent;

/**
 * The warehouse: ships an order when its payment arrives, by appending {@link OrderShipped} to the
 * order's stream. Run it with {@code store.reactor(Fulfilment.REGION, "fulfilment", config, new
 * Fulfilment())}; the store links each shipment to its payment (causation, correlation) and appends
 * it once, even when a crash delivers the payment again.
 */
public final class Fulfilment implements Reactor {
  /** The payments of every order. */
  public static final Region REGION =
      Region.entity("order").withKind(EventTypes.kindOf(PaymentReceived.class));

  @Override
  public void react(StoredEvent payment, Reactions reactions) {
    String orderId = payment.header().coordinate().entity().substring("order:".length());
    reactions.appendEncoded(
        payment.header().coordinate(),
        EventTypes.kindOf(OrderShipped.class),
        new OrderShipped(orderId));
  }
}
