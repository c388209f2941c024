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
 *  8      2   format version (1 or 2; this build writes 2)
 * 10      2   header length H, including the CRC
 * 12      8   segment id
 * 20      8   created, microseconds since the epoch
 * 28      8   base global sequence: the global sequence of the segment's first event
 * 36      1+n codec name (length byte, ASCII)
 *  .      1+n compression name ("none", "lz4", "zstd"; a compaction's output "lz4+zstd" and so on)
 *  .      1+n hash name ("blake3")
 * H-4     4   CRC32C of bytes [0, H-4)
 * </pre>
 *
 * All integers are big-endian. Version 2 has the same layout as version 1; it says the segment may
 * end in a seal ({@link SegmentSeal}), which a version 1 segment never does. Version 3 is written
 * only by compaction, for a segment that replaces the segments numbered {@code firstSegmentId} to
 * {@code segmentId}: after the base global sequence it holds that first number (8 bytes), and the
 * names start at offset 44; its frames may be compacted frames ({@link FrameCodec#TYPE_COMPACTED}).
 *
 * @param version the format version, 1 or 2
 * @param segmentId the segment's number, from 1
 * @param createdMicros when it was created
 * @param baseGlobalSequence the global sequence its first event has
 * @param codec the payload codec's name, {@code "bytes"} when payloads are raw
 * @param compression the compression's name
 * @param hash the hash function's name
 * @param firstSegmentId the first segment number this segment replaces: its own number, except for
 *     a compaction's output (version 3)
 */
public record SegmentHeader(
    int version,
    long segmentId,
    long createdMicros,
    long baseGlobalSequence,
    String codec,
    String compression,
    String hash,
    long firstSegmentId) {

  /** A header of a segment that replaces no other (versions 1 and 2). */
  public SegmentHeader(
      int version,
      long segmentId,
      long createdMicros,
      long baseGlobalSequence,
      String codec,
      String compression,
      String hash) {
    this(
        version, segmentId, createdMicros, baseGlobalSequence, codec, compression, hash, segmentId);
  }

  /** The magic bytes. */
  static final byte[] MAGIC = {(byte) 0x89, 'B', 'P', 'K', 'S', 'E', 'G', 0x0A};

  /** The format version this build writes. */
  public static final int VERSION = 2;

  /** The format version of a compaction's output, which replaces a run of segments. */
  public static final int COMPACTED_VERSION = 3;

  /** The newest format version this build reads. */
  public static final int NEWEST_READABLE = COMPACTED_VERSION;

  /** The oldest format version this build reads. */
  public static final int OLDEST_READABLE = 1;

  /** Bytes before the variable-length names. */
  static final int FIXED = 36;

  /** The smallest header: the fixed fields, three one-byte name lengths and the CRC. */
  public static final int MIN_LENGTH = FIXED + 7;

  /** The largest header this build accepts. */
  public static final int MAX_LENGTH = 1024;

  /** A header of this build: no compression, BLAKE3 hashes. */
  public static SegmentHeader of(long segmentId, long createdMicros, long base, String codec) {
    return of(segmentId, createdMicros, base, codec, "none");
  }

  /**
   * A header of this build naming {@code compression}, the compressor the segment's appends store
   * payloads with ({@code none}, {@code lz4}, {@code zstd}), and BLAKE3 hashes.
   */
  public static SegmentHeader of(
      long segmentId, long createdMicros, long base, String codec, String compression) {
    return new SegmentHeader(VERSION, segmentId, createdMicros, base, codec, compression, "blake3");
  }

  /**
   * The header of a compaction's output numbered {@code segmentId}, replacing the segments from
   * {@code firstSegmentId} to {@code segmentId}.
   */
  public static SegmentHeader compacted(
      long segmentId, long firstSegmentId, long createdMicros, long base, String codec) {
    return compacted(segmentId, firstSegmentId, createdMicros, base, codec, "none");
  }

  /**
   * The header of a compaction's output, as {@link #compacted(long, long, long, long, String)},
   * naming {@code compression}: the compressors of the segments it replaces, joined by {@code +}
   * ({@code none} when none of them compressed), since their frames are copied as they are.
   */
  public static SegmentHeader compacted(
      long segmentId,
      long firstSegmentId,
      long createdMicros,
      long base,
      String codec,
      String compression) {
    return new SegmentHeader(
        COMPACTED_VERSION,
        segmentId,
        createdMicros,
        base,
        codec,
        compression,
        "blake3",
        firstSegmentId);
  }

  /** Where the names start in a header of {@code version}. */
  private static int namesAt(int version) {
    return version == COMPACTED_VERSION ? FIXED + 8 : FIXED;
  }

  /** Serialises the header. */
  public byte[] encode() {
    byte[] c = ascii(codec);
    byte[] z = ascii(compression);
    byte[] h = ascii(hash);
    int length = namesAt(version) + 3 + c.length + z.length + h.length + 4;
    ByteBuffer b = ByteBuffer.allocate(length);
    b.put(MAGIC).putShort((short) version).putShort((short) length);
    b.putLong(segmentId).putLong(createdMicros).putLong(baseGlobalSequence);
    if (version == COMPACTED_VERSION) {
      b.putLong(firstSegmentId);
    }
    b.put((byte) c.length).put(c).put((byte) z.length).put(z).put((byte) h.length).put(h);
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, length - 4);
    b.putInt((int) crc.getValue());
    return b.array();
  }

  /** The encoded length. */
  public int length() {
    return namesAt(version) + 3 + codec.length() + compression.length() + hash.length() + 4;
  }

  /**
   * Reads and parses the header of the open segment {@code in} (its first {@code min(size,
   * MAX_LENGTH)} bytes), as {@link #decode} does; {@code file} names it in errors.
   */
  public static SegmentHeader read(io.batpak.port.FileHandle in, String file)
      throws java.io.IOException {
    byte[] head = new byte[(int) Math.min(in.size(), MAX_LENGTH)];
    in.read(ByteBuffer.wrap(head), 0);
    return decode(head, file);
  }

  /**
   * Parses the header at the start of {@code bytes}, which holds the file's first {@code min(size,
   * MAX_LENGTH)} bytes. Every failure names the field it hit: a wrong magic byte at its own offset;
   * a header length that disagrees with the names' lengths, when the CRC holds over the length the
   * names give, at offset 10; anything else the CRC catches at offset 0, the header's start, since
   * the CRC cannot say which byte changed.
   *
   * @throws CorruptStoreException if the header is incomplete, damaged or inconsistent
   * @throws UnsupportedFormatException if the CRC holds and the version is not one this build reads
   */
  public static SegmentHeader decode(byte[] bytes, String file) {
    int available = bytes.length;
    for (int i = 0; i < MAGIC.length; i++) {
      if (i >= available) {
        throw new CorruptStoreException(
            file, 0, "segment header", "at least " + (MIN_LENGTH) + " bytes", available + " bytes");
      }
      if (bytes[i] != MAGIC[i]) {
        throw new CorruptStoreException(
            file,
            i,
            "segment header magic",
            hex(MAGIC),
            hex(java.util.Arrays.copyOf(bytes, Math.min(8, available))));
      }
    }
    if (available < MIN_LENGTH) {
      throw new CorruptStoreException(
          file, 0, "segment header", "at least " + (MIN_LENGTH) + " bytes", available + " bytes");
    }
    int declared = ((bytes[10] & 0xFF) << 8) | (bytes[11] & 0xFF);
    int structural = structuralLength(bytes);
    boolean declaredPlausible = declared >= MIN_LENGTH && declared <= MAX_LENGTH;
    if (declaredPlausible && declared <= available && crcHolds(bytes, declared)) {
      return parse(bytes, declared, file);
    }
    if (structural > 0 && structural != declared && crcHoldsWithLength(bytes, structural)) {
      throw new CorruptStoreException(
          file,
          10,
          "segment header length",
          structural + " (the length its names give, with which its CRC32C holds)",
          Integer.toString(declared));
    }
    if (!declaredPlausible) {
      throw new CorruptStoreException(
          file,
          10,
          "segment header length",
          "between " + (MIN_LENGTH) + " and " + MAX_LENGTH,
          Integer.toString(declared));
    }
    if (declared > available) {
      throw new CorruptStoreException(
          file, 0, "segment header", declared + " bytes", available + " bytes in the file");
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, declared - 4);
    throw new CorruptStoreException(
        file,
        0,
        "segment header CRC32C over bytes [0, " + (declared - 4) + ")",
        String.format("%08x", (int) crc.getValue()),
        String.format("%08x", ByteBuffer.wrap(bytes).getInt(declared - 4)));
  }

  /** The header length its three names imply, or -1 if they run past the bytes at hand. */
  private static int structuralLength(byte[] bytes) {
    int version = bytes.length > 9 ? ((bytes[8] & 0xFF) << 8) | (bytes[9] & 0xFF) : 0;
    int pos = namesAt(version);
    for (int i = 0; i < 3; i++) {
      if (pos >= bytes.length) {
        return -1;
      }
      pos += 1 + (bytes[pos] & 0xFF);
    }
    pos += 4;
    return pos <= bytes.length && pos <= MAX_LENGTH ? pos : -1;
  }

  /** Whether the CRC holds once the length field says {@code length}, as the names do. */
  private static boolean crcHoldsWithLength(byte[] bytes, int length) {
    byte[] fixed = java.util.Arrays.copyOf(bytes, length);
    fixed[10] = (byte) (length >>> 8);
    fixed[11] = (byte) length;
    return crcHolds(fixed, length);
  }

  private static boolean crcHolds(byte[] bytes, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, length - 4);
    return ByteBuffer.wrap(bytes).getInt(length - 4) == (int) crc.getValue();
  }

  private static SegmentHeader parse(byte[] bytes, int length, String file) {
    ByteBuffer b = ByteBuffer.wrap(bytes, 0, length);
    // The version is trusted only once the CRC holds: a torn header must read as damage, not
    // as a request to upgrade. Every format version keeps the magic, the version, the length and
    // a trailing CRC32C where version 1 has them.
    int version = b.getShort(8) & 0xFFFF;
    if (version < OLDEST_READABLE || version > NEWEST_READABLE) {
      throw new UnsupportedFormatException(
          file
              + " is a segment of format version "
              + version
              + "; this build reads versions "
              + OLDEST_READABLE
              + " to "
              + NEWEST_READABLE
              + (version > NEWEST_READABLE ? ". Upgrade batpak to open this store." : "."));
    }
    b.position(12);
    long id = b.getLong();
    long created = b.getLong();
    long base = b.getLong();
    long first = id;
    if (version == COMPACTED_VERSION) {
      first = b.getLong();
      if (first < 1 || first > id) {
        throw new CorruptStoreException(
            file, FIXED, "first segment replaced", "1.." + id, Long.toString(first));
      }
    }
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
    return new SegmentHeader(version, id, created, base, codec, compression, hash, first);
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
