package io.batpak;

import static org.apiguardian.api.API.Status.STABLE;

import java.util.Objects;
import org.apiguardian.api.API;

/**
 * The 128-bit id of the event that directly caused another: a reaction's causation id is the {@link
 * EventId} it reacts to ({@link #of(EventId)}). Text form {@code causation:<32 lowercase hex
 * digits>}; byte form 16 bytes big-endian ({@code high} first).
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
public record CausationId(long high, long low) implements Comparable<CausationId> {
  /** The text prefix, {@value}. */
  public static final String PREFIX = "causation";

  /** The id with the given bits. Never throws. */
  public static CausationId of(long high, long low) {
    return new CausationId(high, low);
  }

  /**
   * The causation id naming {@code event} as the cause: the same 128 bits.
   *
   * @throws NullPointerException if {@code event} is null
   */
  public static CausationId of(EventId event) {
    Objects.requireNonNull(event, "event");
    return new CausationId(event.high(), event.low());
  }

  /**
   * The id from its 16 big-endian bytes, as written by {@link #toBytes()}.
   *
   * @throws NullPointerException if {@code bytes} is null
   * @throws ValidationException if {@code bytes} is not 16 bytes long
   */
  public static CausationId fromBytes(byte[] bytes) {
    IdBits.checkBytes(bytes, "CausationId");
    return new CausationId(IdBits.readLong(bytes, 0), IdBits.readLong(bytes, 8));
  }

  /**
   * Parses the text form {@code causation:<32 lowercase hex digits>} written by {@link
   * #toString()}. Strict: no other prefix, no uppercase, no whitespace, exactly 32 digits.
   *
   * @throws NullPointerException if {@code text} is null
   * @throws ValidationException if the text is not in that form; the message quotes it
   */
  public static CausationId parse(String text) {
    long[] v = IdBits.parse(PREFIX, "CausationId", text);
    return new CausationId(v[0], v[1]);
  }

  /** A new array holding the 16 big-endian bytes of this id. */
  public byte[] toBytes() {
    return IdBits.toBytes(high, low);
  }

  /** Compares as unsigned 128-bit numbers. */
  @Override
  public int compareTo(CausationId other) {
    return IdBits.compare(high, low, other.high, other.low);
  }

  /** {@code causation:<32 lowercase hex digits>}; {@link #parse} reads it back. */
  @Override
  public String toString() {
    return IdBits.format(PREFIX, high, low);
  }
}
