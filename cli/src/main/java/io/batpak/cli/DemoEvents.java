package io.batpak.cli;

import io.batpak.EventKind;
import java.util.List;

/**
 * The events of {@code batpak demo}: a small shop where customers place orders and pay for them.
 * The payloads are records, which the {@code json} codec writes with sorted properties. They are
 * public so that the codec can read them back on any class path.
 *
 * @since 0.1
 */
public final class DemoEvents {

  // Kinds: category 1 customers, 2 orders, 3 payments.
  static final EventKind CUSTOMER_REGISTERED = EventKind.custom(0x1, 0x001);
  static final EventKind ORDER_PLACED = EventKind.custom(0x2, 0x001);
  static final EventKind ORDER_LINE_ADDED = EventKind.custom(0x2, 0x002);
  static final EventKind ORDER_CONFIRMED = EventKind.custom(0x2, 0x003);
  static final EventKind ORDER_CANCELLED = EventKind.custom(0x2, 0x004);
  static final EventKind PAYMENT_REQUESTED = EventKind.custom(0x3, 0x001);
  static final EventKind PAYMENT_CAPTURED = EventKind.custom(0x3, 0x002);

  private DemoEvents() {}

  /** The readable name of a demo kind, or its hex form. */
  static String kindName(EventKind kind) {
    List<EventKind> kinds =
        List.of(
            CUSTOMER_REGISTERED,
            ORDER_PLACED,
            ORDER_LINE_ADDED,
            ORDER_CONFIRMED,
            ORDER_CANCELLED,
            PAYMENT_REQUESTED,
            PAYMENT_CAPTURED);
    List<String> names =
        List.of(
            "CustomerRegistered",
            "OrderPlaced",
            "OrderLineAdded",
            "OrderConfirmed",
            "OrderCancelled",
            "PaymentRequested",
            "PaymentCaptured");
    int i = kinds.indexOf(kind);
    return i < 0 ? kind.toString() : names.get(i);
  }

  /**
   * A customer signed up.
   *
   * @param customerId the customer's stream
   * @param name the customer's name
   * @param email where to reach them
   */
  public record CustomerRegistered(String customerId, String name, String email) {}

  /**
   * A customer placed an order; the order's saga starts here.
   *
   * @param orderId the order's stream
   * @param customerId who ordered
   * @param currency ISO 4217 code
   */
  public record OrderPlaced(String orderId, String customerId, String currency) {}

  /**
   * A line of an order.
   *
   * @param orderId the order
   * @param line the line number, from 1
   * @param sku the product
   * @param quantity how many
   * @param unitPriceCents the price of one, in cents
   */
  public record OrderLineAdded(
      String orderId, int line, String sku, int quantity, long unitPriceCents) {}

  /**
   * The shop asked the payment provider to charge the order's total.
   *
   * @param paymentId the payment's stream
   * @param orderId the order being paid
   * @param amountCents the total, in cents
   * @param currency ISO 4217 code
   */
  public record PaymentRequested(
      String paymentId, String orderId, long amountCents, String currency) {}

  /**
   * The payment provider took the money.
   *
   * @param paymentId the payment
   * @param orderId the order
   * @param amountCents the amount taken, in cents
   * @param provider who took it
   */
  public record PaymentCaptured(
      String paymentId, String orderId, long amountCents, String provider) {}

  /**
   * The order is paid and will ship.
   *
   * @param orderId the order
   * @param paymentId the payment that settled it
   */
  public record OrderConfirmed(String orderId, String paymentId) {}

  /**
   * The order was cancelled.
   *
   * @param orderId the order
   * @param reason why
   */
  public record OrderCancelled(String orderId, String reason) {}
}
