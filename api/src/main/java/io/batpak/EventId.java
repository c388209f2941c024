package io.batpak;

import static org.apiguardian.api.API.Status.STABLE;

import io.batpak.port.StoreClock;
import io.batpak.port.StoreEntropy;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * The 128-bit identity of one event. Text form {@code event:<32 lowercase hex digits>}; byte form
 * 16 bytes big-endian ({@code high} first).
 *
 * <p>Fresh ids are UUIDv7 ({@link #generate}), so ids drawn from one clock sort by time. When an
 * append carries an {@link IdempotencyKey}, the key becomes the event id ({@link
 * #of(IdempotencyKey)}); such ids are not time-ordered.
 *
 * <p>Ordering ({@link #compareTo}) treats the id as an unsigned 128-bit number.
 *
 * <p>Thread-safety: immutable.
 *
 * @param high the most significant 64 bits
 * @param low the least significant 64 bits
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public record EventId(long high, long low) implements Comparable<EventId> {
  /** The text prefix, {@value}. */
  public static final String PREFIX = "event";

  /** The id with the given bits. Never throws. */
  public static EventId of(long high, long low) {
    return new EventId(high, low);
  }

  /**
   * The event id an append with {@code key} gets: the same 128 bits.
   *
   * @throws NullPointerException if {@code key} is null
   */
  public static EventId of(IdempotencyKey key) {
    Objects.requireNonNull(key, "key");
    return new EventId(key.high(), key.low());
  }

  /**
   * A fresh UUIDv7 (RFC 9562) id: 48-bit Unix milliseconds from {@code clock.wallMicros() / 1000},
   * version 7, the microseconds within the millisecond scaled to 12 bits, variant {@code 10}, and
   * 62 random bits from {@code entropy}. IdBits from one never-decreasing clock sort by time at
   * microsecond resolution; two ids from the same microsecond are ordered by their random bits.
   *
   * <p>Thread-safe if the clock and the entropy are.
   *
   * @throws NullPointerException if an argument is null
   * @throws ValidationException if the clock reads before 1970 or beyond UUIDv7's 48-bit
   *     millisecond range
   */
  public static EventId generate(StoreClock clock, StoreEntropy entropy) {
    long[] v = IdBits.uuidV7(clock, entropy);
    return new EventId(v[0], v[1]);
  }

  /**
   * The id from its 16 big-endian bytes, as written by {@link #toBytes()}.
   *
   * @throws NullPointerException if {@code bytes} is null
   * @throws ValidationException if {@code bytes} is not 16 bytes long
   */
  public static EventId fromBytes(byte[] bytes) {
    IdBits.checkBytes(bytes, "EventId");
    return new EventId(IdBits.readLong(bytes, 0), IdBits.readLong(bytes, 8));
  }

  /**
   * Parses the text form {@code event:<32 lowercase hex digits>} written by {@link #toString()}.
   * Strict: no other prefix, no uppercase, no whitespace, exactly 32 digits.
   *
   * @throws NullPointerException if {@code text} is null
   * @throws ValidationException if the text is not in that form; the message quotes it
   */
  public static EventId parse(String text) {
    long[] v = IdBits.parse(PREFIX, "EventId", text);
    return new EventId(v[0], v[1]);
  }

  /** A new array holding the 16 big-endian bytes of this id. */
  public byte[] toBytes() {
    return IdBits.toBytes(high, low);
  }

  /**
   * The Unix milliseconds field of a UUIDv7 id (the top 48 bits). Meaningless for ids that are not
   * UUIDv7, such as those made from an {@link IdempotencyKey}.
   */
  public long timestampMillis() {
    return high >>> 16;
  }

  /** Compares as unsigned 128-bit numbers. */
  @Override
  public int compareTo(EventId other) {
    return IdBits.compare(high, low, other.high, other.low);
  }

  /** {@code event:<32 lowercase hex digits>}; {@link #parse} reads it back. */
  @Override
  public String toString() {
    return IdBits.format(PREFIX, high, low);
  }
}
