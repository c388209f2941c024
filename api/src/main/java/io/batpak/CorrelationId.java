package io.batpak;

import static org.apiguardian.api.API.Status.STABLE;

import io.batpak.port.StoreClock;
import io.batpak.port.StoreEntropy;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * The 128-bit id that ties together every event of one logical flow (a request and everything it
 * caused). By default an event's correlation id is its own {@link EventId} ({@link #of(EventId)}).
 * Text form {@code correlation:<32 lowercase hex digits>}; byte form 16 bytes big-endian ({@code
 * high} first).
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
public record CorrelationId(long high, long low) implements Comparable<CorrelationId> {
  /** The text prefix, {@value}. */
  public static final String PREFIX = "correlation";

  /** The id with the given bits. Never throws. */
  public static CorrelationId of(long high, long low) {
    return new CorrelationId(high, low);
  }

  /**
   * The correlation id that starts a flow at {@code event}: the same 128 bits.
   *
   * @throws NullPointerException if {@code event} is null
   */
  public static CorrelationId of(EventId event) {
    Objects.requireNonNull(event, "event");
    return new CorrelationId(event.high(), event.low());
  }

  /**
   * A fresh UUIDv7 id, generated exactly like {@link EventId#generate}.
   *
   * @throws NullPointerException if an argument is null
   * @throws ValidationException if the clock reads before 1970 or beyond UUIDv7's 48-bit
   *     millisecond range
   */
  public static CorrelationId generate(StoreClock clock, StoreEntropy entropy) {
    long[] v = IdBits.uuidV7(clock, entropy);
    return new CorrelationId(v[0], v[1]);
  }

  /**
   * The id from its 16 big-endian bytes, as written by {@link #toBytes()}.
   *
   * @throws NullPointerException if {@code bytes} is null
   * @throws ValidationException if {@code bytes} is not 16 bytes long
   */
  public static CorrelationId fromBytes(byte[] bytes) {
    IdBits.checkBytes(bytes, "CorrelationId");
    return new CorrelationId(IdBits.readLong(bytes, 0), IdBits.readLong(bytes, 8));
  }

  /**
   * Parses the text form {@code correlation:<32 lowercase hex digits>} written by {@link
   * #toString()}. Strict: no other prefix, no uppercase, no whitespace, exactly 32 digits.
   *
   * @throws NullPointerException if {@code text} is null
   * @throws ValidationException if the text is not in that form; the message quotes it
   */
  public static CorrelationId parse(String text) {
    long[] v = IdBits.parse(PREFIX, "CorrelationId", text);
    return new CorrelationId(v[0], v[1]);
  }

  /** A new array holding the 16 big-endian bytes of this id. */
  public byte[] toBytes() {
    return IdBits.toBytes(high, low);
  }

  /** Compares as unsigned 128-bit numbers. */
  @Override
  public int compareTo(CorrelationId other) {
    return IdBits.compare(high, low, other.high, other.low);
  }

  /** {@code correlation:<32 lowercase hex digits>}; {@link #parse} reads it back. */
  @Override
  public String toString() {
    return IdBits.format(PREFIX, high, low);
  }
}
