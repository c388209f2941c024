package com.example.orders;

import io.batpak.EventType;

/** The events of an order. Each record carries its kind and schema version in {@link EventType}. */
public final class OrderEvents {
  private OrderEvents() {}

  /** An order was placed for {@code quantity} of {@code sku} at {@code priceCents} each. */
  @EventType(category = 1, typeId = 1)
  public record OrderPlaced(String orderId, String sku, int quantity, long priceCents) {}

  /** A payment of {@code amountCents} arrived for the order. */
  @EventType(category = 1, typeId = 2)
  public record PaymentReceived(String orderId, long amountCents) {}

  /** The order left the warehouse. */
  @EventType(category = 1, typeId = 3)
  public record OrderShipped(String orderId) {}

  /** Every event type, for {@code StoreConfig.Builder.eventTypes}. */
  public static final Class<?>[] ALL = {
    OrderPlaced.class, PaymentReceived.class, OrderShipped.class
  };
}
