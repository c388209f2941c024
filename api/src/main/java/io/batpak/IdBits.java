package io.batpak;

import io.batpak.port.StoreClock;
import io.batpak.port.StoreEntropy;
import java.util.Objects;

/**
 * Shared code for the 128-bit id records ({@link EventId}, {@link CorrelationId}, {@link
 * CausationId}, {@link IdempotencyKey}): byte and text conversion, unsigned ordering and UUIDv7
 * generation. Package-private; the records are the public face.
 */
final class IdBits {
  /** The number of bytes in an id. */
  static final int BYTES = 16;

  /** The number of hex digits in an id's text form. */
  static final int HEX_DIGITS = 32;

  /** The largest Unix millisecond value a UUIDv7 can hold (48 bits). */
  static final long MAX_UUID_V7_MILLIS = (1L << 48) - 1;

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private IdBits() {}

  /**
   * Checks that {@code bytes} is a 16-byte id.
   *
   * @throws NullPointerException if {@code bytes} is null
   * @throws ValidationException if it is not 16 bytes long
   */
  static void checkBytes(byte[] bytes, String type) {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length != BYTES) {
      throw new ValidationException(
          type
              + " needs exactly "
              + BYTES
              + " bytes (big-endian), got "
              + bytes.length
              + "; pass the 16 bytes produced by toBytes()");
    }
  }

  /** Reads 8 big-endian bytes of {@code bytes} from {@code offset}. */
  static long readLong(byte[] bytes, int offset) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (bytes[offset + i] & 0xFF);
    }
    return v;
  }

  /** The 16 big-endian bytes of ({@code high}, {@code low}). */
  static byte[] toBytes(long high, long low) {
    byte[] out = new byte[BYTES];
    for (int i = 0; i < 8; i++) {
      out[i] = (byte) (high >>> (56 - 8 * i));
      out[8 + i] = (byte) (low >>> (56 - 8 * i));
    }
    return out;
  }

  /** {@code prefix + ":" + 32 lowercase hex digits}. */
  static String format(String prefix, long high, long low) {
    char[] out = new char[prefix.length() + 1 + HEX_DIGITS];
    prefix.getChars(0, prefix.length(), out, 0);
    int p = prefix.length();
    out[p++] = ':';
    for (int shift = 60; shift >= 0; shift -= 4) {
      out[p++] = HEX[(int) (high >>> shift) & 0xF];
    }
    for (int shift = 60; shift >= 0; shift -= 4) {
      out[p++] = HEX[(int) (low >>> shift) & 0xF];
    }
    return new String(out);
  }

  /**
   * Parses {@code prefix + ":" + 32 lowercase hex digits} strictly.
   *
   * @return {@code {high, low}}
   * @throws NullPointerException if {@code text} is null
   * @throws ValidationException if the prefix, the length or any digit is wrong
   */
  static long[] parse(String prefix, String type, String text) {
    Objects.requireNonNull(text, "text");
    int start = prefix.length() + 1;
    if (!text.startsWith(prefix)
        || text.length() <= prefix.length()
        || text.charAt(prefix.length()) != ':') {
      throw badText(prefix, type, text, "it does not start with \"" + prefix + ":\"");
    }
    if (text.length() != start + HEX_DIGITS) {
      throw badText(
          prefix,
          type,
          text,
          "it has " + (text.length() - start) + " hex digits after the prefix, not " + HEX_DIGITS);
    }
    long high = 0;
    long low = 0;
    for (int i = 0; i < HEX_DIGITS; i++) {
      char c = text.charAt(start + i);
      int digit;
      if (c >= '0' && c <= '9') {
        digit = c - '0';
      } else if (c >= 'a' && c <= 'f') {
        digit = c - 'a' + 10;
      } else {
        throw badText(
            prefix,
            type,
            text,
            "character "
                + MessageQuoting.quoteChar(c)
                + " at index "
                + (start + i)
                + " is not a lowercase hex digit");
      }
      if (i < 16) {
        high = (high << 4) | digit;
      } else {
        low = (low << 4) | digit;
      }
    }
    return new long[] {high, low};
  }

  private static ValidationException badText(String prefix, String type, String text, String why) {
    return new ValidationException(
        "Cannot parse "
            + type
            + " from "
            + MessageQuoting.quote(text)
            + ": "
            + why
            + "; expected \""
            + prefix
            + ":\" followed by exactly 32 lowercase hex digits, as produced by toString()");
  }

  /** Orders two ids as unsigned 128-bit numbers. */
  static int compare(long high1, long low1, long high2, long low2) {
    int c = Long.compareUnsigned(high1, high2);
    return c != 0 ? c : Long.compareUnsigned(low1, low2);
  }

  /**
   * Draws a UUIDv7 (RFC 9562) from {@code clock} and {@code entropy}.
   *
   * <p>Layout, most significant bit first: 48-bit Unix milliseconds, version nibble 7, 12-bit
   * {@code rand_a} holding the microseconds within the millisecond scaled to 12 bits (so ids from
   * one clock sort by time at microsecond resolution), variant bits {@code 10}, 62 random bits.
   *
   * @return {@code {high, low}}
   * @throws NullPointerException if an argument is null
   * @throws ValidationException if the clock's time is before 1970 or beyond UUIDv7's 48-bit range
   */
  static long[] uuidV7(StoreClock clock, StoreEntropy entropy) {
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(entropy, "entropy");
    long micros = clock.wallMicros();
    long millis = Math.floorDiv(micros, 1_000L);
    if (micros < 0 || millis > MAX_UUID_V7_MILLIS) {
      throw new ValidationException(
          "Cannot generate a UUIDv7: clock "
              + clock
              + " returned wallMicros() = "
              + micros
              + ", outside 0.."
              + (MAX_UUID_V7_MILLIS * 1_000L + 999L)
              + " (1970 to year 10889); fix the clock");
    }
    long subMillisMicros = micros - millis * 1_000L;
    long randA = (subMillisMicros << 12) / 1_000L;
    long high = (millis << 16) | (0x7L << 12) | randA;
    long low = (0b10L << 62) | (entropy.nextLong() >>> 2);
    return new long[] {high, low};
  }
}
