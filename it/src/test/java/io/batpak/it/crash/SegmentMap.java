package io.batpak.it.crash;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Every field of one segment file, found by reading it as {@code docs/format.md} lays it out
 * (written here from the document, not from the engine's code, so the damage workloads do not share
 * the engine's mistakes): the header's magic, version, length, segment number, creation time, base
 * global sequence, the three names with their length bytes and the CRC; and for each frame its
 * length, CRC, body header (type, reserved bytes, base global sequence, event count, durable end)
 * and every field of every event record, extensions included.
 */
final class SegmentMap {

  /**
   * One field.
   *
   * @param name where it is, such as {@code header.magic} or {@code frame[3].record[1].payload}
   * @param offset its first byte in the file
   * @param length its size in bytes
   * @param frame the index of the frame that holds it, or -1 for the segment header
   * @param containerStart where that frame (or the header, 0) starts
   */
  record Field(String name, long offset, int length, int frame, long containerStart) {
    boolean inHeader() {
      return frame == -1;
    }

    /** Whether the field is part of the segment's seal (its footer frame or trailer). */
    boolean inSeal() {
      return frame == SEAL;
    }

    boolean contains(long pos) {
      return pos >= offset && pos < offset + length;
    }
  }

  /**
   * One frame.
   *
   * @param index its index in the segment, from 0
   * @param offset where it starts
   * @param total its size, prefix included
   * @param events how many events it holds
   */
  record Frame(int index, long offset, int total, int events) {
    long end() {
      return offset + total;
    }
  }

  /** The {@link Field#frame()} of a field of the seal. */
  static final int SEAL = -2;

  final int headerLength;
  final List<Field> fields = new ArrayList<>();
  final List<Frame> frames = new ArrayList<>();

  private final ByteBuffer b;

  private SegmentMap(byte[] bytes) {
    this.b = ByteBuffer.wrap(bytes);
    this.headerLength = b.getShort(10) & 0xFFFF;
  }

  /**
   * Maps an intact segment without a seal: a format-v1 segment, or a format-v2 one in the shape a
   * crash leaves ({@link CrashShape#withoutSeal}); the header and frame layouts of the two are the
   * same.
   *
   * @throws IllegalStateException if {@code bytes} is not such a segment, or ends in a seal
   */
  static SegmentMap of(byte[] bytes) {
    if (CrashShape.footerOffset(bytes) >= 0) {
      throw new IllegalStateException(
          "the segment ends in a seal (trailer at "
              + (bytes.length - CrashShape.TRAILER)
              + "): map it without (CrashShape.withoutSeal)");
    }
    SegmentMap m = new SegmentMap(bytes);
    m.header();
    long pos = m.headerLength;
    while (pos < bytes.length) {
      pos = m.frame(m.frames.size(), pos);
    }
    if (pos != bytes.length) {
      throw new IllegalStateException("the last frame runs past the end of the segment");
    }
    return m;
  }

  private void add(String name, long offset, int length, int frame, long start) {
    fields.add(new Field(name, offset, length, frame, start));
  }

  private void header() {
    add("header.magic", 0, 8, -1, 0);
    add("header.version", 8, 2, -1, 0);
    add("header.length", 10, 2, -1, 0);
    add("header.segment", 12, 8, -1, 0);
    add("header.created", 20, 8, -1, 0);
    add("header.baseGlobalSequence", 28, 8, -1, 0);
    int p = 36;
    for (String name : new String[] {"codec", "compression", "hash"}) {
      int n = b.get(p) & 0xFF;
      add("header." + name + "Length", p, 1, -1, 0);
      if (n > 0) {
        add("header." + name, p + 1, n, -1, 0);
      }
      p += 1 + n;
    }
    if (p != headerLength - 4) {
      throw new IllegalStateException("the header names end at " + p + ", not " + headerLength);
    }
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, headerLength - 4);
    if ((int) crc.getValue() != b.getInt(headerLength - 4)) {
      throw new IllegalStateException("the header CRC does not hold: not an intact segment");
    }
    add("header.crc", headerLength - 4, 4, -1, 0);
  }

  private long frame(int index, long start) {
    int s = Math.toIntExact(start);
    int bodyLength = b.getInt(s);
    String f = "frame[" + index + "].";
    add(f + "length", s, 4, index, start);
    add(f + "crc", s + 4, 4, index, start);
    int body = s + 8;
    CRC32C crc = new CRC32C();
    crc.update(b.array(), s, 4);
    crc.update(b.array(), body, bodyLength);
    if ((int) crc.getValue() != b.getInt(s + 4)) {
      throw new IllegalStateException("frame " + index + " at " + s + " fails its CRC");
    }
    add(f + "type", body, 1, index, start);
    add(f + "reserved1", body + 1, 1, index, start);
    add(f + "reserved2", body + 2, 2, index, start);
    add(f + "baseGlobalSequence", body + 4, 8, index, start);
    add(f + "count", body + 12, 4, index, start);
    add(f + "durableEnd", body + 16, 8, index, start);
    int count = b.getInt(body + 12);
    int p = body + 24;
    for (int r = 0; r < count; r++) {
      p = record(f + "record[" + r + "].", p, index, start);
    }
    if (p != body + bodyLength) {
      throw new IllegalStateException("frame " + index + "'s records end at " + p);
    }
    frames.add(new Frame(index, start, 8 + bodyLength, count));
    return body + bodyLength;
  }

  private int record(String r, int p, int frame, long start) {
    int recordLength = b.getInt(p);
    int end = p + 4 + recordLength;
    add(r + "length", p, 4, frame, start);
    p += 4;
    p = fixed(r + "eventId", p, 16, frame, start);
    p = fixed(r + "correlationId", p, 16, frame, start);
    p = fixed(r + "causationPresent", p, 1, frame, start);
    p = fixed(r + "causationId", p, 16, frame, start);
    p = string16(r + "entity", p, frame, start);
    p = string16(r + "scope", p, frame, start);
    p = fixed(r + "kind", p, 2, frame, start);
    p = fixed(r + "streamSequence", p, 8, frame, start);
    p = fixed(r + "timestamp", p, 8, frame, start);
    p = fixed(r + "payloadVersion", p, 2, frame, start);
    p = fixed(r + "flags", p, 1, frame, start);
    int extensions = b.getShort(p) & 0xFFFF;
    p = fixed(r + "extensionCount", p, 2, frame, start);
    for (int e = 0; e < extensions; e++) {
      p = string16(r + "extension[" + e + "].key", p, frame, start);
      int v = b.getInt(p);
      p = fixed(r + "extension[" + e + "].valueLength", p, 4, frame, start);
      if (v > 0) {
        p = fixed(r + "extension[" + e + "].value", p, v, frame, start);
      }
    }
    p = fixed(r + "prevHash", p, 32, frame, start);
    p = fixed(r + "contentHash", p, 32, frame, start);
    p = fixed(r + "eventHash", p, 32, frame, start);
    int payload = b.getInt(p);
    p = fixed(r + "payloadLength", p, 4, frame, start);
    if (payload > 0) {
      p = fixed(r + "payload", p, payload, frame, start);
    }
    if (p != end) {
      throw new IllegalStateException(r + " ends at " + p + ", its length says " + end);
    }
    return p;
  }

  private int fixed(String name, int p, int n, int frame, long start) {
    add(name, p, n, frame, start);
    return p + n;
  }

  private int string16(String name, int p, int frame, long start) {
    int n = b.getShort(p) & 0xFFFF;
    add(name + "Length", p, 2, frame, start);
    if (n > 0) {
      add(name, p + 2, n, frame, start);
    }
    return p + 2 + n;
  }

  /**
   * The fields of the seal at the end of {@code sealed} (a segment that ends in one), as {@code
   * docs/format.md} lays it out: the footer frame's length and CRC, its body's type, reserved
   * bytes, base global sequence, event count, frames end, name and stream counts, the names, the
   * streams, the events and the zero padding (as regions), and the trailer's footer offset and
   * magic. Their {@link Field#frame()} is {@link #SEAL}, their container the footer frame.
   *
   * @throws IllegalStateException if {@code sealed} does not end in a seal
   */
  static List<Field> sealFields(byte[] sealed) {
    long footer = CrashShape.footerOffset(sealed);
    if (footer < 0) {
      throw new IllegalStateException("the segment does not end in a seal");
    }
    ByteBuffer b = ByteBuffer.wrap(sealed);
    int f = (int) footer;
    int body = f + 8;
    int bodyLength = b.getInt(f);
    List<Field> out = new ArrayList<>();
    int[][] fixed = {{f, 4}, {f + 4, 4}, {body, 1}, {body + 1, 3}, {body + 4, 8}, {body + 12, 4}};
    String[] names = {"length", "crc", "type", "reserved", "baseGlobalSequence", "count"};
    for (int i = 0; i < names.length; i++) {
      out.add(new Field("seal." + names[i], fixed[i][0], fixed[i][1], SEAL, footer));
    }
    out.add(new Field("seal.framesEnd", body + 16, 8, SEAL, footer));
    out.add(new Field("seal.nameCount", body + 24, 4, SEAL, footer));
    out.add(new Field("seal.streamCount", body + 28, 4, SEAL, footer));
    int count = b.getInt(body + 12);
    int nameCount = b.getInt(body + 24);
    int streamCount = b.getInt(body + 28);
    int p = body + 32;
    for (int i = 0; i < nameCount; i++) {
      p += 2 + (b.getShort(p) & 0xFFFF);
    }
    out.add(new Field("seal.names", body + 32, p - body - 32, SEAL, footer));
    out.add(new Field("seal.streams", p, streamCount * 44, SEAL, footer));
    p += streamCount * 44;
    out.add(new Field("seal.events", p, count * 50, SEAL, footer));
    p += count * 50;
    if (p < body + bodyLength) {
      out.add(new Field("seal.padding", p, body + bodyLength - p, SEAL, footer));
    }
    int trailer = sealed.length - CrashShape.TRAILER;
    out.add(new Field("trailer.footerOffset", trailer, 8, SEAL, footer));
    out.add(new Field("trailer.magic", trailer + 8, 8, SEAL, footer));
    return out;
  }

  /** The fields of frame {@code index}. */
  List<Field> fieldsOf(int index) {
    List<Field> out = new ArrayList<>();
    for (Field f : fields) {
      if (f.frame() == index) {
        out.add(f);
      }
    }
    return out;
  }

  /** The header's fields. */
  List<Field> headerFields() {
    return fieldsOf(-1);
  }
}
