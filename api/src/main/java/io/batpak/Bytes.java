package io.batpak;

import static org.apiguardian.api.API.Status.STABLE;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * An immutable sequence of bytes: payloads, hashes and extension values. Never exposes its backing
 * array; {@link #toByteArray()} copies.
 *
 * <p>Thread-safe (immutable).
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public final class Bytes implements Comparable<Bytes> {
  private static final Bytes EMPTY = new Bytes(new byte[0]);

  private final byte[] bytes;
  private int hash;

  private Bytes(byte[] bytes) {
    this.bytes = bytes;
  }

  /** The empty sequence. */
  public static Bytes empty() {
    return EMPTY;
  }

  /** A copy of {@code bytes}. */
  public static Bytes of(byte... bytes) {
    Objects.requireNonNull(bytes, "bytes");
    return bytes.length == 0 ? EMPTY : new Bytes(bytes.clone());
  }

  /** A copy of {@code length} bytes of {@code bytes} from {@code offset}. */
  public static Bytes of(byte[] bytes, int offset, int length) {
    Objects.requireNonNull(bytes, "bytes");
    Objects.checkFromIndexSize(offset, length, bytes.length);
    return length == 0 ? EMPTY : new Bytes(Arrays.copyOfRange(bytes, offset, offset + length));
  }

  /** A copy of the remaining bytes of {@code buffer}; the buffer's position is not moved. */
  public static Bytes of(ByteBuffer buffer) {
    Objects.requireNonNull(buffer, "buffer");
    byte[] copy = new byte[buffer.remaining()];
    buffer.duplicate().get(copy);
    return copy.length == 0 ? EMPTY : new Bytes(copy);
  }

  /** The UTF-8 encoding of {@code text}. */
  public static Bytes utf8(String text) {
    Objects.requireNonNull(text, "text");
    return ofOwned(text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Parses lowercase or uppercase hexadecimal.
   *
   * @throws IllegalArgumentException if {@code hex} is not an even number of hex digits
   */
  public static Bytes fromHex(String hex) {
    Objects.requireNonNull(hex, "hex");
    return ofOwned(HexFormat.of().parseHex(hex));
  }

  /**
   * Wraps an array the caller hands over and promises never to modify again. For code in this
   * library that has just built the array; prefer {@link #of(byte...)}.
   */
  public static Bytes ofOwned(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    return bytes.length == 0 ? EMPTY : new Bytes(bytes);
  }

  /** The number of bytes. */
  public int size() {
    return bytes.length;
  }

  /** Whether there are no bytes. */
  public boolean isEmpty() {
    return bytes.length == 0;
  }

  /** The byte at {@code index}. */
  public byte byteAt(int index) {
    return bytes[index];
  }

  /** A copy of the bytes. */
  public byte[] toByteArray() {
    return bytes.clone();
  }

  /** A read-only view of the bytes. */
  public ByteBuffer asReadOnlyBuffer() {
    return ByteBuffer.wrap(bytes).asReadOnlyBuffer();
  }

  /** Copies the bytes into {@code target} at its position, advancing it. */
  public void copyTo(ByteBuffer target) {
    target.put(bytes);
  }

  /** Copies the bytes into {@code target} at {@code offset}. */
  public void copyTo(byte[] target, int offset) {
    System.arraycopy(bytes, 0, target, offset, bytes.length);
  }

  /** Decodes the bytes as UTF-8. */
  public String toUtf8() {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** Lowercase hexadecimal. */
  public String toHex() {
    return HexFormat.of().formatHex(bytes);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Bytes other && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    int h = hash;
    if (h == 0 && bytes.length > 0) {
      h = Arrays.hashCode(bytes);
      hash = h;
    }
    return h;
  }

  /** Unsigned lexicographic order. */
  @Override
  public int compareTo(Bytes o) {
    return Arrays.compareUnsigned(bytes, o.bytes);
  }

  /** Up to 32 bytes in hex, then the total size. */
  @Override
  public String toString() {
    if (bytes.length <= 32) {
      return "Bytes[" + toHex() + "]";
    }
    return "Bytes[" + HexFormat.of().formatHex(bytes, 0, 32) + "… (" + bytes.length + " bytes)]";
  }
}
