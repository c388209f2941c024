package io.batpak.engine.internal.format;

import io.batpak.CorruptStoreException;
import io.batpak.UnsupportedFormatException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The header at the start of every segment file (format v1, see docs/format.md).
 *
 * <pre>
 * offset size field
 *  0      8   magic 0x89 'B' 'P' 'K' 'S' 'E' 'G' 0x0A
 *  8      2   format version (1)
 * 10      2   header length H, including the CRC
 * 12      8   segment id
 * 20      8   created, microseconds since the epoch
 * 28      8   base global sequence: the global sequence of the segment's first event
 * 36      1+n codec name (length byte, ASCII)
 *  .      1+n compression name ("none")
 *  .      1+n hash name ("blake3")
 * H-4     4   CRC32C of bytes [0, H-4)
 * </pre>
 *
 * All integers are big-endian.
 *
 * @param segmentId the segment's number, from 1
 * @param createdMicros when it was created
 * @param baseGlobalSequence the global sequence its first event has
 * @param codec the payload codec's name, {@code "bytes"} when payloads are raw
 * @param compression the compression's name
 * @param hash the hash function's name
 */
public record SegmentHeader(
    long segmentId,
    long createdMicros,
    long baseGlobalSequence,
    String codec,
    String compression,
    String hash) {

  /** The magic bytes. */
  static final byte[] MAGIC = {(byte) 0x89, 'B', 'P', 'K', 'S', 'E', 'G', 0x0A};

  /** The format version this build writes and reads. */
  public static final int VERSION = 1;

  /** Bytes before the variable-length names. */
  static final int FIXED = 36;

  /** The largest header this build accepts. */
  public static final int MAX_LENGTH = 1024;

  /** A header of this build: no compression, BLAKE3 hashes. */
  public static SegmentHeader of(long segmentId, long createdMicros, long base, String codec) {
    return new SegmentHeader(segmentId, createdMicros, base, codec, "none", "blake3");
  }

  /** Serialises the header. */
  public byte[] encode() {
    byte[] c = ascii(codec);
    byte[] z = ascii(compression);
    byte[] h = ascii(hash);
    int length = FIXED + 3 + c.length + z.length + h.length + 4;
    ByteBuffer b = ByteBuffer.allocate(length);
    b.put(MAGIC).putShort((short) VERSION).putShort((short) length);
    b.putLong(segmentId).putLong(createdMicros).putLong(baseGlobalSequence);
    b.put((byte) c.length).put(c).put((byte) z.length).put(z).put((byte) h.length).put(h);
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, length - 4);
    b.putInt((int) crc.getValue());
    return b.array();
  }

  /** The encoded length. */
  public int length() {
    return FIXED + 3 + codec.length() + compression.length() + hash.length() + 4;
  }

  /**
   * Reads the length a header claims, from its first 12 bytes, after checking the magic. The
   * version is checked by {@link #decode}, after the CRC.
   *
   * @throws CorruptStoreException if the magic is wrong or the length impossible
   */
  public static int declaredLength(byte[] first12, String file) {
    for (int i = 0; i < MAGIC.length; i++) {
      if (first12[i] != MAGIC[i]) {
        throw new CorruptStoreException(
            file, i, "segment header magic", hex(MAGIC), hex(java.util.Arrays.copyOf(first12, 8)));
      }
    }
    int length = ((first12[10] & 0xFF) << 8) | (first12[11] & 0xFF);
    if (length < FIXED + 3 + 4 || length > MAX_LENGTH) {
      throw new CorruptStoreException(
          file,
          10,
          "segment header length",
          "between " + (FIXED + 7) + " and " + MAX_LENGTH,
          Integer.toString(length));
    }
    return length;
  }

  /**
   * Parses a whole header.
   *
   * @throws CorruptStoreException if the CRC or a field is wrong
   * @throws UnsupportedFormatException if the CRC holds and the version is not 1
   */
  public static SegmentHeader decode(byte[] bytes, String file) {
    int length = declaredLength(bytes, file);
    ByteBuffer b = ByteBuffer.wrap(bytes, 0, length);
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, length - 4);
    int stored = b.getInt(length - 4);
    if (stored != (int) crc.getValue()) {
      throw new CorruptStoreException(
          file,
          length - 4,
          "segment header CRC32C",
          Integer.toHexString((int) crc.getValue()),
          Integer.toHexString(stored));
    }
    // The version is trusted only once the CRC holds: a torn header must read as damage, not
    // as a request to upgrade. Every format version keeps the magic, the version, the length and
    // a trailing CRC32C where version 1 has them.
    int version = b.getShort(8) & 0xFFFF;
    if (version != VERSION) {
      throw new UnsupportedFormatException(
          file
              + " is a segment of format version "
              + version
              + "; this build reads version "
              + VERSION
              + (version > VERSION ? ". Upgrade batpak to open this store." : "."));
    }
    b.position(12);
    long id = b.getLong();
    long created = b.getLong();
    long base = b.getLong();
    String codec = name(b, length, file);
    String compression = name(b, length, file);
    String hash = name(b, length, file);
    if (b.position() != length - 4) {
      throw new CorruptStoreException(
          file,
          b.position(),
          "segment header layout",
          "CRC at " + (length - 4),
          "names end at " + b.position());
    }
    return new SegmentHeader(id, created, base, codec, compression, hash);
  }

  private static String name(ByteBuffer b, int limit, String file) {
    int n = b.get() & 0xFF;
    if (b.position() + n > limit - 4) {
      throw new CorruptStoreException(
          file, b.position(), "segment header name length", "<= " + (limit - 4), "" + n);
    }
    byte[] s = new byte[n];
    b.get(s);
    return new String(s, StandardCharsets.US_ASCII);
  }

  private static byte[] ascii(String s) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    if (b.length > 64) {
      throw new IllegalArgumentException("name too long: " + s);
    }
    return b;
  }

  static String hex(byte[] b) {
    return java.util.HexFormat.of().formatHex(b);
  }
}
