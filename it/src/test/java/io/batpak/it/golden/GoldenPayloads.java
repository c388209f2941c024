package io.batpak.it.golden;

import io.batpak.EventType;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The record types of the golden store's JSON payloads. Their shape is frozen with the store: the
 * golden test decodes each JSON payload into its type and encodes it again, and the bytes must be
 * the stored ones (the json codec's output is part of what the golden store pins).
 */
final class GoldenPayloads {
  private GoldenPayloads() {}

  /** A customer joined. */
  @EventType(category = 0x2, typeId = 0x001)
  public record CustomerRegistered(String customerId, String name, String email) {}

  /** A customer changed their address. */
  @EventType(category = 0x2, typeId = 0x002)
  public record CustomerMoved(String customerId, String city, Optional<String> note) {}

  /** A line of an order. */
  public record Line(String sku, int quantity, long unitCents) {}

  /** An order was placed (version 2: lines and attributes). */
  @EventType(category = 0x1, typeId = 0x001, version = 2)
  public record OrderPlaced(
      String orderId,
      String customerId,
      List<Line> lines,
      Map<String, String> attributes,
      Instant placedAt) {}

  /** An order was paid. */
  @EventType(category = 0x1, typeId = 0x002)
  public record OrderPaid(String orderId, long cents, String method) {}

  /** A note on an order, long enough to fill segments. */
  @EventType(category = 0x1, typeId = 0x003)
  public record OrderNote(String orderId, int n, String text) {}

  /** Stock was reserved for an order. */
  @EventType(category = 0x3, typeId = 0x001)
  public record StockReserved(String sku, int quantity, String forOrder) {}

  /** The types by simple name, as the expected file names them. */
  static final Map<String, Class<?>> BY_NAME =
      Map.of(
          "CustomerRegistered", CustomerRegistered.class,
          "CustomerMoved", CustomerMoved.class,
          "OrderPlaced", OrderPlaced.class,
          "OrderPaid", OrderPaid.class,
          "OrderNote", OrderNote.class,
          "StockReserved", StockReserved.class);
}
