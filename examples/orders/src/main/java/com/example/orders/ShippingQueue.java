package com.example.orders;

import com.example.orders.OrderEvents.OrderShipped;
import com.example.orders.OrderEvents.PaymentReceived;
import io.batpak.EventKind;
import io.batpak.EventTypes;
import io.batpak.Projection;
import io.batpak.StoredEvent;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The orders waiting for the warehouse: paid, not shipped yet, oldest payment first. A projection
 * over every order stream (the region {@code Region.entity("order")}) that reads headers only: the
 * order is the stream's name, the event's kind says what happened.
 *
 * @param orderIds the orders, in the order their payment arrived
 */
public record ShippingQueue(List<String> orderIds) {
  private static final EventKind PAID = EventTypes.kindOf(PaymentReceived.class);
  private static final EventKind SHIPPED = EventTypes.kindOf(OrderShipped.class);

  /** Copies the list. */
  public ShippingQueue {
    orderIds = List.copyOf(orderIds);
  }

  /** The projection: {@code store.project(Region.entity("order"), ShippingQueue.PROJECTION)}. */
  public static final Projection<ShippingQueue> PROJECTION =
      Projection.of(
              "orders.shipping-queue",
              1,
              Set.of(PAID, SHIPPED),
              new ShippingQueue(List.of()),
              ShippingQueue.class,
              ShippingQueue::apply)
          .headersOnly();

  private ShippingQueue apply(StoredEvent event) {
    String orderId = event.header().coordinate().entity().substring("order:".length());
    if (event.header().kind().equals(SHIPPED)) {
      return new ShippingQueue(orderIds.stream().filter(id -> !id.equals(orderId)).toList());
    }
    return orderIds.contains(orderId)
        ? this
        : new ShippingQueue(Stream.concat(orderIds.stream(), Stream.of(orderId)).toList());
  }
}
