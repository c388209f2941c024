package com.example.orders;

import com.example.orders.OrderEvents.OrderPlaced;
import com.example.orders.OrderEvents.PaymentReceived;

/**
 * An order as its events left it.
 *
 * @param orderId the order
 * @param totalCents what it costs
 * @param paidCents what was paid
 * @param shipped whether it shipped
 * @param version the stream sequence of its last event
 */
public record OrderState(
    String orderId, long totalCents, long paidCents, boolean shipped, long version) {

  static OrderState placed(OrderPlaced e, long version) {
    return new OrderState(e.orderId(), e.quantity() * e.priceCents(), 0, false, version);
  }

  OrderState paid(PaymentReceived e, long version) {
    return new OrderState(orderId, totalCents, paidCents + e.amountCents(), shipped, version);
  }

  OrderState shipped(long version) {
    return new OrderState(orderId, totalCents, paidCents, true, version);
  }

  /** Whether the payments cover the total. */
  public boolean isPaid() {
    return paidCents >= totalCents;
  }
}
