package io.batpak;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Text, byte and order behaviour shared by the four 128-bit id records. */
class IdBitsTest {

  /** One id record type, seen through its static factories. */
  record IdType<T extends Comparable<T>>(
      String prefix,
      BiFunction<Long, Long, T> of,
      Function<byte[], T> fromBytes,
      Function<String, T> parse,
      Function<T, byte[]> toBytes) {
    T make(long high, long low) {
      return of.apply(high, low);
    }

    @Override
    public String toString() {
      return prefix;
    }
  }

  static Stream<IdType<?>> types() {
    return Stream.of(
        new IdType<>("event", EventId::of, EventId::fromBytes, EventId::parse, EventId::toBytes),
        new IdType<>(
            "correlation",
            CorrelationId::of,
            CorrelationId::fromBytes,
            CorrelationId::parse,
            CorrelationId::toBytes),
        new IdType<>(
            "causation",
            CausationId::of,
            CausationId::fromBytes,
            CausationId::parse,
            CausationId::toBytes),
        new IdType<>(
            "idempotency",
            IdempotencyKey::of,
            IdempotencyKey::fromBytes,
            IdempotencyKey::parse,
            IdempotencyKey::toBytes));
  }

  @ParameterizedTest
  @MethodSource("types")
  <T extends Comparable<T>> void textFormIsPrefixColonAnd32LowercaseHexDigits(IdType<T> type) {
    T id = type.make(0x0123456789ABCDEFL, 0xFEDCBA9876543210L);
    assertEquals(type.prefix() + ":0123456789abcdeffedcba9876543210", id.toString());
    assertEquals(type.prefix() + ":00000000000000000000000000000000", type.make(0, 0).toString());
    assertEquals(type.prefix() + ":ffffffffffffffffffffffffffffffff", type.make(-1, -1).toString());
  }

  @ParameterizedTest
  @MethodSource("types")
  <T extends Comparable<T>> void bytesAreBigEndianHighFirst(IdType<T> type) {
    T id = type.make(0x0102030405060708L, 0x090A0B0C0D0E0F10L);
    byte[] bytes = type.toBytes().apply(id);
    assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, bytes);
    bytes[0] = 99; // a copy: changing it does not change the id
    assertEquals(1, type.toBytes().apply(id)[0]);
  }

  @ParameterizedTest
  @MethodSource("types")
  <T extends Comparable<T>> void textAndBytesRoundTrip(IdType<T> type) {
    Seeded.check(
        "IdBitsTest.textAndBytesRoundTrip",
        2_000,
        random -> {
          T id = type.make(random.nextLong(), random.nextLong());
          assertEquals(id, type.parse().apply(id.toString()));
          assertEquals(id, type.fromBytes().apply(type.toBytes().apply(id)));
        });
  }

  @ParameterizedTest
  @MethodSource("types")
  <T extends Comparable<T>> void parseIsStrictAndNamesTheText(IdType<T> type) {
    String hex = "0123456789abcdeffedcba9876543210";
    String other = type.prefix().equals("event") ? "causation" : "event";
    List<String> bad =
        List.of(
            hex, // no prefix
            other + ":" + hex, // another type's prefix
            type.prefix() + hex, // no colon
            type.prefix() + ":" + hex.substring(1), // 31 digits
            type.prefix() + ":" + hex + "0", // 33 digits
            type.prefix() + ":" + hex.toUpperCase(java.util.Locale.ROOT), // uppercase
            type.prefix() + ":" + hex.substring(0, 31) + "g", // not hex
            type.prefix() + ": " + hex.substring(1), // space
            type.prefix().toUpperCase(java.util.Locale.ROOT) + ":" + hex, // prefix case
            type.prefix() + ":+" + hex.substring(1), // sign accepted by parseLong
            "",
            type.prefix() + ":");
    for (String text : bad) {
      ValidationException e =
          assertThrows(ValidationException.class, () -> type.parse().apply(text), text);
      assertTrue(e.getMessage().contains("\"" + text + "\""), e.getMessage());
      assertTrue(e.getMessage().contains(type.prefix() + ":"), e.getMessage());
    }
    assertThrows(NullPointerException.class, () -> type.parse().apply(null));
  }

  @ParameterizedTest
  @MethodSource("types")
  <T extends Comparable<T>> void fromBytesRejectsWrongLengths(IdType<T> type) {
    for (int length : new int[] {0, 15, 17, 32}) {
      ValidationException e =
          assertThrows(ValidationException.class, () -> type.fromBytes().apply(new byte[length]));
      assertTrue(e.getMessage().contains("got " + length), e.getMessage());
      assertTrue(e.getMessage().contains("16 bytes"), e.getMessage());
    }
    assertThrows(NullPointerException.class, () -> type.fromBytes().apply(null));
  }

  @ParameterizedTest
  @MethodSource("types")
  <T extends Comparable<T>> void orderIsUnsigned128Bit(IdType<T> type) {
    List<T> sorted =
        List.of(
            type.make(0, 0),
            type.make(0, 1),
            type.make(0, Long.MAX_VALUE),
            type.make(0, Long.MIN_VALUE),
            type.make(0, -1),
            type.make(1, 0),
            type.make(Long.MAX_VALUE, -1),
            type.make(Long.MIN_VALUE, 0),
            type.make(-1, -1));
    List<T> shuffled = new ArrayList<>(sorted);
    java.util.Collections.reverse(shuffled);
    shuffled.sort(Comparator.naturalOrder());
    assertEquals(sorted, shuffled);
    // Order agrees with the text form, which is what users see.
    Seeded.check(
        "IdBitsTest.orderIsUnsigned128Bit",
        2_000,
        random -> {
          long high = random.nextLong();
          T a = type.make(high, random.nextLong());
          T b = type.make(random.nextBoolean() ? high : random.nextLong(), random.nextLong());
          assertEquals(
              Integer.signum(a.toString().compareTo(b.toString())), Integer.signum(a.compareTo(b)));
        });
  }

  @Test
  void equalityIsByBitsAndType() {
    assertEquals(EventId.of(1, 2), new EventId(1, 2));
    assertEquals(EventId.of(1, 2).hashCode(), new EventId(1, 2).hashCode());
    assertNotEquals(EventId.of(1, 2), EventId.of(2, 1));
    assertNotEquals((Object) EventId.of(1, 2), CausationId.of(1, 2));
  }

  @Test
  void conversionsKeepTheBits() {
    EventId event = EventId.of(0x1234L, 0x5678L);
    assertEquals(CorrelationId.of(0x1234L, 0x5678L), CorrelationId.of(event));
    assertEquals(CausationId.of(0x1234L, 0x5678L), CausationId.of(event));
    IdempotencyKey key = IdempotencyKey.forOperation("orders", "42");
    EventId fromKey = EventId.of(key);
    assertEquals(key.high(), fromKey.high());
    assertEquals(key.low(), fromKey.low());
    assertEquals(
        key.toString().substring("idempotency:".length()),
        fromKey.toString().substring("event:".length()));
    assertThrows(NullPointerException.class, () -> EventId.of((IdempotencyKey) null));
    assertThrows(NullPointerException.class, () -> CorrelationId.of((EventId) null));
    assertThrows(NullPointerException.class, () -> CausationId.of((EventId) null));
  }
}
