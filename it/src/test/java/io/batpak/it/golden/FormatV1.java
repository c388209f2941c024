package io.batpak.it.golden;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.bouncycastle.crypto.digests.Blake3Digest;

/**
 * A reader of journal format v1 written from {@code docs/format.md} alone, sharing no code with the
 * engine: segment headers, frames, event records, the canonical header and the hashes. The golden
 * store test reads the checked-in segments with it, so the files are checked against the document
 * as well as against the engine. Every violation of the document is an {@link AssertionError}
 * naming the file, the offset and what was expected.
 */
final class FormatV1 {

  static final byte[] MAGIC = {(byte) 0x89, 'B', 'P', 'K', 'S', 'E', 'G', 0x0A};
  static final int MIN_BODY = 206;
  static final int MAX_BODY = 128 * 1024 * 1024;
  static final byte HASH_VERSION = 0x01;

  private static final HexFormat HEX = HexFormat.of();

  private FormatV1() {}

  /** A segment file: its header fields, its header bytes and its frames. */
  record Segment(
      String name,
      int version,
      int headerLength,
      long number,
      long createdMicros,
      long baseGlobalSequence,
      String codec,
      String compression,
      String hash,
      byte[] header,
      List<Frame> frames) {}

  /** A frame: where it is, its body fields and its events. */
  record Frame(
      long offset,
      int length,
      int type,
      long baseGlobalSequence,
      long durableEnd,
      List<Event> events) {}

  /** An event record as stored. */
  record Event(
      byte[] id,
      byte[] correlation,
      boolean hasCausation,
      byte[] causation,
      String entity,
      String scope,
      int kind,
      long streamSequence,
      long globalSequence,
      long timestampMicros,
      int payloadVersion,
      int flags,
      Map<String, byte[]> extensions,
      byte[] prevHash,
      byte[] contentHash,
      byte[] eventHash,
      byte[] payload) {}

  /** Parses segment file {@code name} with content {@code bytes}. */
  static Segment segment(String name, byte[] bytes) {
    return segment(name, bytes, 1);
  }

  /**
   * Parses segment file {@code name} with content {@code bytes}, whose header must name format
   * version {@code version}. Version 2 keeps the header and frame layout of version 1 and may end
   * in a seal; give the bytes without it.
   */
  static Segment segment(String name, byte[] bytes, int expectedVersion) {
    Reader r = new Reader(name, bytes);
    for (int i = 0; i < MAGIC.length; i++) {
      r.check(bytes[i] == MAGIC[i], i, "magic byte " + i, MAGIC[i], bytes[i]);
    }
    r.pos = 8;
    int version = r.u16();
    int headerLength = r.u16();
    r.check(
        headerLength >= 43 && headerLength <= 1024, 10, "header length", "43..1024", headerLength);
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, headerLength - 4);
    int storedCrc = ByteBuffer.wrap(bytes, headerLength - 4, 4).getInt();
    r.check(
        storedCrc == (int) crc.getValue(),
        headerLength - 4,
        "header CRC32C",
        Integer.toHexString((int) crc.getValue()),
        Integer.toHexString(storedCrc));
    r.check(version == expectedVersion, 8, "format version", expectedVersion, version);
    long number = r.u64();
    long created = r.u64();
    long base = r.u64();
    String codec = r.name8();
    String compression = r.name8();
    String hash = r.name8();
    r.check(r.pos == headerLength - 4, r.pos, "end of the names", headerLength - 4, r.pos);
    r.check(
        name.equals(String.format("%010d.seg", number)),
        12,
        "segment number matching the file name",
        name,
        number);
    r.pos = headerLength;
    List<Frame> frames = new ArrayList<>();
    while (r.pos < bytes.length) {
      frames.add(frame(r));
    }
    return new Segment(
        name,
        version,
        headerLength,
        number,
        created,
        base,
        codec,
        compression,
        hash,
        Arrays.copyOf(bytes, headerLength),
        frames);
  }

  private static Frame frame(Reader r) {
    long start = r.pos;
    int length = r.i32();
    r.check(
        length >= MIN_BODY && length <= MAX_BODY,
        start,
        "frame body length",
        "206..128 MiB",
        length);
    int storedCrc = r.i32();
    r.check(start + 8 + length <= r.bytes.length, start, "whole frame", length, "end of file");
    CRC32C crc = new CRC32C();
    crc.update(r.bytes, (int) start, 4);
    crc.update(r.bytes, (int) start + 8, length);
    r.check(
        storedCrc == (int) crc.getValue(),
        start + 4,
        "frame CRC32C",
        Integer.toHexString((int) crc.getValue()),
        Integer.toHexString(storedCrc));
    int type = r.u8();
    r.check(type == 1, start + 8, "frame type", 1, type);
    r.check(r.u8() == 0 && r.u16() == 0, start + 9, "reserved bytes", 0, "non-zero");
    long base = r.u64();
    int count = r.i32();
    r.check(count >= 1, start + 20, "event count", ">= 1", count);
    long durableEnd = r.u64();
    r.check(durableEnd <= start, start + 24, "durable end", "<= " + start, durableEnd);
    List<Event> events = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      events.add(event(r, base + i));
    }
    r.check(r.pos == start + 8 + length, r.pos, "end of frame", start + 8 + length, r.pos);
    return new Frame(start, 8 + length, type, base, durableEnd, events);
  }

  private static Event event(Reader r, long globalSequence) {
    long start = r.pos;
    int length = r.i32();
    byte[] id = r.bytes(16);
    byte[] correlation = r.bytes(16);
    int present = r.u8();
    r.check(present == 0 || present == 1, r.pos - 1, "causation present", "0 or 1", present);
    byte[] causation = r.bytes(16);
    if (present == 0) {
      r.check(Arrays.equals(causation, new byte[16]), r.pos - 16, "absent causation", 0, "bytes");
    }
    String entity = r.utf8(r.u16());
    String scope = r.utf8(r.u16());
    int kind = r.u16();
    long streamSequence = r.u64();
    long timestamp = r.u64();
    int payloadVersion = r.u16();
    int flags = r.u8();
    int extCount = r.u16();
    Map<String, byte[]> extensions = new LinkedHashMap<>();
    String previousKey = null;
    for (int i = 0; i < extCount; i++) {
      String key = r.ascii(r.u16());
      byte[] value = r.bytes(r.i32());
      r.check(
          previousKey == null || previousKey.compareTo(key) < 0,
          r.pos,
          "extensions sorted by key",
          "after " + previousKey,
          key);
      previousKey = key;
      extensions.put(key, value);
    }
    byte[] prev = r.bytes(32);
    byte[] content = r.bytes(32);
    byte[] eventHash = r.bytes(32);
    byte[] payload = r.bytes(r.i32());
    r.check(r.pos == start + 4 + length, start, "record length", r.pos - start - 4, length);
    return new Event(
        id,
        correlation,
        present == 1,
        causation,
        entity,
        scope,
        kind,
        streamSequence,
        globalSequence,
        timestamp,
        payloadVersion,
        flags,
        extensions,
        prev,
        content,
        eventHash,
        payload);
  }

  /** BLAKE3-256 of {@code bytes}. */
  static byte[] blake3(byte[] bytes) {
    Blake3Digest d = new Blake3Digest(256);
    d.update(bytes, 0, bytes.length);
    byte[] out = new byte[32];
    d.doFinal(out, 0);
    return out;
  }

  /** The canonical header of {@code e} (docs/format.md, "Hash chain"). */
  static byte[] canonicalHeader(Event e) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(e.id());
    out.writeBytes(e.correlation());
    out.write(e.hasCausation() ? 1 : 0);
    out.writeBytes(e.causation());
    lengthPrefixed(out, e.entity().getBytes(StandardCharsets.UTF_8));
    lengthPrefixed(out, e.scope().getBytes(StandardCharsets.UTF_8));
    bigEndian(out, e.kind(), 2);
    bigEndian(out, e.streamSequence(), 8);
    bigEndian(out, e.globalSequence(), 8);
    bigEndian(out, e.timestampMicros(), 8);
    bigEndian(out, e.payloadVersion(), 2);
    bigEndian(out, e.flags(), 1);
    bigEndian(out, e.extensions().size(), 4);
    for (Map.Entry<String, byte[]> x : e.extensions().entrySet()) {
      lengthPrefixed(out, x.getKey().getBytes(StandardCharsets.US_ASCII));
      lengthPrefixed(out, x.getValue());
    }
    return out.toByteArray();
  }

  /** {@code BLAKE3(0x01 ‖ prev_event_hash ‖ canonical_header ‖ content_hash)}. */
  static byte[] eventHash(Event e) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(HASH_VERSION);
    out.writeBytes(e.prevHash());
    out.writeBytes(canonicalHeader(e));
    out.writeBytes(blake3(e.payload()));
    return blake3(out.toByteArray());
  }

  private static void lengthPrefixed(ByteArrayOutputStream out, byte[] bytes) {
    bigEndian(out, bytes.length, 4);
    out.writeBytes(bytes);
  }

  /** The low {@code n} bytes of {@code v}, most significant first. */
  private static void bigEndian(ByteArrayOutputStream out, long v, int n) {
    for (int i = n - 1; i >= 0; i--) {
      out.write((int) (v >>> (8 * i)) & 0xFF);
    }
  }

  static String hex(byte[] bytes) {
    return HEX.formatHex(bytes);
  }

  /** A cursor over one file's bytes that fails with the file and offset. */
  private static final class Reader {
    final String file;
    final byte[] bytes;
    int pos;

    Reader(String file, byte[] bytes) {
      this.file = file;
      this.bytes = bytes;
    }

    void check(boolean ok, long offset, String what, Object expected, Object actual) {
      if (!ok) {
        throw new AssertionError(
            file
                + " at offset "
                + offset
                + ": "
                + what
                + " should be "
                + expected
                + ", is "
                + actual
                + " (docs/format.md, format v1)");
      }
    }

    private void need(int n) {
      check(pos + n <= bytes.length, pos, n + " more bytes", n, bytes.length - pos + " left");
    }

    int u8() {
      need(1);
      return bytes[pos++] & 0xFF;
    }

    int u16() {
      need(2);
      int v = ((bytes[pos] & 0xFF) << 8) | (bytes[pos + 1] & 0xFF);
      pos += 2;
      return v;
    }

    int i32() {
      need(4);
      int v = ByteBuffer.wrap(bytes, pos, 4).getInt();
      pos += 4;
      return v;
    }

    long u64() {
      need(8);
      long v = ByteBuffer.wrap(bytes, pos, 8).getLong();
      pos += 8;
      return v;
    }

    byte[] bytes(int n) {
      check(n >= 0, pos, "a length", ">= 0", n);
      need(n);
      byte[] out = Arrays.copyOfRange(bytes, pos, pos + n);
      pos += n;
      return out;
    }

    String utf8(int n) {
      return new String(bytes(n), StandardCharsets.UTF_8);
    }

    String ascii(int n) {
      return new String(bytes(n), StandardCharsets.US_ASCII);
    }

    String name8() {
      return ascii(u8());
    }
  }
}
