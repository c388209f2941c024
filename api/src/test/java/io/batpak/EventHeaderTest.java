package io.batpak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EventHeaderTest {

  private static Bytes hash(int fill) {
    byte[] b = new byte[32];
    java.util.Arrays.fill(b, (byte) fill);
    return Bytes.ofOwned(b);
  }

  private static EventHeader header(long global, long stream, Bytes content) {
    EventId id = EventId.of(0x0123456789abcdefL, 0x7edcba9876543210L);
    return new EventHeader(
        id,
        Coordinate.of("order:7", "shop"),
        EventKind.custom(1, 1),
        stream,
        global,
        1_700_000_000_000_000L,
        CorrelationId.of(id),
        Optional.empty(),
        0,
        3,
        Map.of(),
        12,
        content,
        hash(2),
        hash(3));
  }

  @Test
  void toReceiptCarriesEveryFieldTheReceiptHasAndNoSignature() {
    EventHeader h = header(41, 6, hash(1));
    assertEquals(new AppendReceipt(h.eventId(), 41, 6, hash(1), hash(3), hash(2)), h.toReceipt());
  }

  @Test
  void headersThatDifferInAReceiptFieldGiveDifferentReceipts() {
    EventHeader h = header(41, 6, hash(1));
    assertNotEquals(h.toReceipt(), header(42, 6, hash(1)).toReceipt());
    assertNotEquals(h.toReceipt(), header(41, 7, hash(1)).toReceipt());
    assertNotEquals(h.toReceipt(), header(41, 6, hash(9)).toReceipt());
  }
}
