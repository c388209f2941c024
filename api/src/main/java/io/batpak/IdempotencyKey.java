package io.batpak;

import static org.apiguardian.api.API.Status.STABLE;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * The 128-bit identity of one logical operation, so that retrying it appends at most once. When an
 * append carries a key, the key becomes the event's id ({@link EventId#of(IdempotencyKey)}). Text
 * form {@code idempotency:<32 lowercase hex digits>}; byte form 16 bytes big-endian ({@code high}
 * first).
 *
 * <p>Ordering ({@link #compareTo}) treats the key as an unsigned 128-bit number.
 *
 * <p>Thread-safety: immutable.
 *
 * @param high the most significant 64 bits
 * @param low the least significant 64 bits
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public record IdempotencyKey(long high, long low) implements Comparable<IdempotencyKey> {
  /** The text prefix, {@value}. */
  public static final String PREFIX = "idempotency";

  /** The key with the given bits. Never throws. */
  public static IdempotencyKey of(long high, long low) {
    return new IdempotencyKey(high, low);
  }

  /**
   * The key of the operation named by {@code domain} and {@code parts}: "same operation" identity,
   * not content addressing. Two calls with equal arguments give equal keys, so a retried operation
   * is recognised; the payload is deliberately not an input, and two different operations must
   * differ in their domain or parts.
   *
   * <p>Derivation: SHA-256 over {@code le64(utf8len(domain)) ‖ utf8(domain) ‖ le64(parts.length) ‖}
   * then for each part {@code le64(utf8len(part)) ‖ utf8(part)}, where {@code le64} is a 64-bit
   * little-endian integer; the first 16 digest bytes, read big-endian, are ({@code high}, {@code
   * low}). The length prefixes keep {@code ("ab", "c")} and {@code ("a", "bc")} apart. This
   * derivation is stable: keys persist in stores, so it never changes. (The Rust original uses
   * BLAKE3 over the same framing; keys are not interchangeable between the two.)
   *
   * <p>Strings are encoded as UTF-8 with {@link String#getBytes(java.nio.charset.Charset)}, so an
   * unpaired surrogate becomes {@code '?'}.
   *
   * @param domain what kind of operation, e.g. {@code "payments.charge"}
   * @param parts what identifies this operation within the domain, e.g. an order number
   * @throws NullPointerException if {@code domain}, {@code parts} or any part is null
   */
  public static IdempotencyKey forOperation(String domain, String... parts) {
    Objects.requireNonNull(domain, "domain");
    Objects.requireNonNull(parts, "parts");
    MessageDigest sha = sha256();
    update(sha, domain);
    sha.update(le64(parts.length));
    for (int i = 0; i < parts.length; i++) {
      String part = parts[i];
      if (part == null) {
        throw new NullPointerException("parts[" + i + "]");
      }
      update(sha, part);
    }
    byte[] digest = sha.digest();
    return new IdempotencyKey(IdBits.readLong(digest, 0), IdBits.readLong(digest, 8));
  }

  /**
   * The key from its 16 big-endian bytes, as written by {@link #toBytes()}.
   *
   * @throws NullPointerException if {@code bytes} is null
   * @throws ValidationException if {@code bytes} is not 16 bytes long
   */
  public static IdempotencyKey fromBytes(byte[] bytes) {
    IdBits.checkBytes(bytes, "IdempotencyKey");
    return new IdempotencyKey(IdBits.readLong(bytes, 0), IdBits.readLong(bytes, 8));
  }

  /**
   * Parses the text form {@code idempotency:<32 lowercase hex digits>} written by {@link
   * #toString()}. Strict: no other prefix, no uppercase, no whitespace, exactly 32 digits.
   *
   * @throws NullPointerException if {@code text} is null
   * @throws ValidationException if the text is not in that form; the message quotes it
   */
  public static IdempotencyKey parse(String text) {
    long[] v = IdBits.parse(PREFIX, "IdempotencyKey", text);
    return new IdempotencyKey(v[0], v[1]);
  }

  /** A new array holding the 16 big-endian bytes of this key. */
  public byte[] toBytes() {
    return IdBits.toBytes(high, low);
  }

  /** Compares as unsigned 128-bit numbers. */
  @Override
  public int compareTo(IdempotencyKey other) {
    return IdBits.compare(high, low, other.high, other.low);
  }

  /** {@code idempotency:<32 lowercase hex digits>}; {@link #parse} reads it back. */
  @Override
  public String toString() {
    return IdBits.format(PREFIX, high, low);
  }

  private static void update(MessageDigest sha, String text) {
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    sha.update(le64(utf8.length));
    sha.update(utf8);
  }

  private static byte[] le64(long v) {
    byte[] b = new byte[8];
    for (int i = 0; i < 8; i++) {
      b[i] = (byte) (v >>> (8 * i));
    }
    return b;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      // Every Java SE platform must provide SHA-256 (MessageDigest javadoc).
      throw new AssertionError("SHA-256 is missing from this JDK", e);
    }
  }
}
