package io.batpak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class IdempotencyKeyTest {

  /**
   * Vectors computed independently with Python: {@code hashlib.sha256(le64(len(d)) + d + le64(n) +
   * ...).hexdigest()[:32]}. They pin the derivation; keys persist, so it never changes.
   */
  @Test
  void knownVectors() {
    assertEquals(
        "idempotency:e6bfa7356e433de713d3d8b73354937e",
        IdempotencyKey.forOperation("payments.charge", "order-42", "attempt-1").toString());
    assertEquals(
        "idempotency:374708fff7719dd5979ec875d56cd228", IdempotencyKey.forOperation("").toString());
    assertEquals(
        "idempotency:c7d089ccce3c8ed5838fd81bc35106a9",
        IdempotencyKey.forOperation("ünïcode", "😀").toString());
  }

  @Test
  void firstSixteenDigestBytesAreReadBigEndian() {
    IdempotencyKey key = IdempotencyKey.forOperation("payments.charge", "order-42", "attempt-1");
    assertEquals(0xe6bfa7356e433de7L, key.high());
    assertEquals(0x13d3d8b73354937eL, key.low());
  }

  @Test
  void lengthFramingKeepsPartBoundariesApart() {
    assertEquals(
        "idempotency:db21973e55b7a654d0b46e97aed3d4b5",
        IdempotencyKey.forOperation("d", "ab", "c").toString());
    assertEquals(
        "idempotency:ca2012eef24057ca622d9e384350110f",
        IdempotencyKey.forOperation("d", "a", "bc").toString());
    assertNotEquals(IdempotencyKey.forOperation("da", "b"), IdempotencyKey.forOperation("d", "ab"));
    assertNotEquals(IdempotencyKey.forOperation("d"), IdempotencyKey.forOperation("d", ""));
    assertNotEquals(IdempotencyKey.forOperation("d", ""), IdempotencyKey.forOperation("d", "", ""));
  }

  @Test
  void sameOperationSameKey() {
    assertEquals(
        IdempotencyKey.forOperation("orders.place", "customer-7", "cart-3"),
        IdempotencyKey.forOperation("orders.place", "customer-7", "cart-3"));
    assertEquals(
        IdempotencyKey.forOperation("orders.place", new String[] {"customer-7", "cart-3"}),
        IdempotencyKey.forOperation("orders.place", "customer-7", "cart-3"));
  }

  @Test
  void nullsAreRejectedNamingTheArgument() {
    assertEquals(
        "domain",
        assertThrows(NullPointerException.class, () -> IdempotencyKey.forOperation(null))
            .getMessage());
    assertEquals(
        "parts",
        assertThrows(
                NullPointerException.class, () -> IdempotencyKey.forOperation("d", (String[]) null))
            .getMessage());
    assertEquals(
        "parts[1]",
        assertThrows(NullPointerException.class, () -> IdempotencyKey.forOperation("d", "a", null))
            .getMessage());
  }
}
