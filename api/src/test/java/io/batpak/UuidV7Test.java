package io.batpak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.port.StoreEntropy;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** {@link EventId#generate} and {@link CorrelationId#generate}: RFC 9562 UUIDv7. */
class UuidV7Test {
  /** 2026-11-25T17:00:00.123456Z in microseconds. */
  private static final long T0 = 1_795_626_000_123_456L;

  @Test
  void layoutIsUuidV7WithSubMillisecondFraction() {
    FakeClock clock = new FakeClock(T0);
    EventId id = EventId.generate(clock, new SeededEntropy(1));
    UUID uuid = new UUID(id.high(), id.low());
    assertEquals(7, uuid.version());
    assertEquals(2, uuid.variant()); // IETF variant, bits 10
    assertEquals(T0 / 1000, id.timestampMillis());
    assertEquals(T0 / 1000, id.high() >>> 16);
    assertEquals(0x7, (id.high() >>> 12) & 0xF);
    assertEquals(456 * 4096 / 1000, id.high() & 0xFFF); // rand_a: 456 µs of 1000, in 12 bits
    assertEquals(0b10, id.low() >>> 62);
  }

  @Test
  void randomBitsAreTheTop62BitsOfTheEntropy() {
    long entropyWord = new SeededEntropy(7).nextLong();
    EventId id = EventId.generate(new FakeClock(T0), new SeededEntropy(7));
    assertEquals(entropyWord >>> 2, id.low() & ((1L << 62) - 1));
  }

  @Test
  void subMillisecondFractionSpansTheTwelveBitsMonotonically() {
    FakeClock clock = new FakeClock(T0 - T0 % 1000); // start of a millisecond
    long previous = -1;
    for (int micro = 0; micro < 1000; micro++) {
      EventId id = EventId.generate(clock, new SeededEntropy(micro));
      long randA = id.high() & 0xFFF;
      assertTrue(randA > previous, "rand_a must grow with the microsecond: " + micro);
      assertTrue(randA <= 0xFFF);
      previous = randA;
      clock.advanceMicros(1);
    }
    assertEquals(0, EventId.generate(new FakeClock(0), new SeededEntropy(0)).high() & 0xFFF);
    assertEquals(4091, previous); // 999 * 4096 / 1000
  }

  @Test
  void idsFromOneClockSortByTimeAtMicrosecondResolution() {
    Seeded.check(
        "UuidV7Test.idsFromOneClockSortByTimeAtMicrosecondResolution",
        20,
        random -> {
          FakeClock clock = new FakeClock(T0 + random.nextLong(1_000_000_000L));
          StoreEntropy entropy = new SeededEntropy(random.nextLong());
          EventId previous = EventId.generate(clock, entropy);
          for (int i = 0; i < 500; i++) {
            clock.advanceMicros(1 + random.nextInt(random.nextBoolean() ? 3 : 5_000));
            EventId next = EventId.generate(clock, entropy);
            assertTrue(
                previous.compareTo(next) < 0,
                previous + " should sort before " + next + " at " + clock);
            assertTrue(previous.toString().compareTo(next.toString()) < 0);
            previous = next;
          }
        });
  }

  @Test
  void sameClockReadingDiffersOnlyInRandomBits() {
    FakeClock clock = new FakeClock(T0);
    StoreEntropy entropy = new SeededEntropy(3);
    EventId a = EventId.generate(clock, entropy);
    EventId b = EventId.generate(clock, entropy);
    assertEquals(a.high(), b.high());
    assertNotEquals(a.low(), b.low());
  }

  @Test
  void generationIsDeterministicGivenClockAndEntropy() {
    EventId a = EventId.generate(new FakeClock(T0), new SeededEntropy(42));
    EventId b = EventId.generate(new FakeClock(T0), new SeededEntropy(42));
    assertEquals(a, b);
    CorrelationId c = CorrelationId.generate(new FakeClock(T0), new SeededEntropy(42));
    assertEquals(a.high(), c.high());
    assertEquals(a.low(), c.low());
  }

  @Test
  void correlationIdsAreUuidV7Too() {
    CorrelationId id = CorrelationId.generate(new FakeClock(T0), new SeededEntropy(5));
    UUID uuid = new UUID(id.high(), id.low());
    assertEquals(7, uuid.version());
    assertEquals(2, uuid.variant());
    assertEquals(T0 / 1000, uuid.getMostSignificantBits() >>> 16);
  }

  @Test
  void clockOutsideTheUuidV7RangeIsRejectedNamingTheReading() {
    FakeClock clock = new FakeClock(0);
    clock.setWallMicros(-1);
    ValidationException e =
        assertThrows(
            ValidationException.class, () -> EventId.generate(clock, new SeededEntropy(0)));
    assertTrue(e.getMessage().contains("wallMicros() = -1"), e.getMessage());
    long beyond = ((1L << 48)) * 1000L;
    clock.setWallMicros(beyond);
    e =
        assertThrows(
            ValidationException.class, () -> CorrelationId.generate(clock, new SeededEntropy(0)));
    assertTrue(e.getMessage().contains(Long.toString(beyond)), e.getMessage());
    clock.setWallMicros(beyond - 1); // the last representable microsecond
    EventId last = EventId.generate(clock, new SeededEntropy(0));
    assertEquals((1L << 48) - 1, last.timestampMillis());
  }

  @Test
  void nullArgumentsAreRejected() {
    assertThrows(NullPointerException.class, () -> EventId.generate(null, new SeededEntropy(0)));
    assertThrows(NullPointerException.class, () -> EventId.generate(new FakeClock(T0), null));
  }

  @Test
  void systemClockAndSecureEntropyProduceIncreasingIds() {
    EventId a = EventId.generate(io.batpak.port.StoreClock.system(), StoreEntropy.secure());
    EventId b = EventId.generate(io.batpak.port.StoreClock.system(), StoreEntropy.secure());
    assertTrue(a.timestampMillis() <= b.timestampMillis());
    assertEquals(7, new UUID(a.high(), a.low()).version());
  }
}
