package io.batpak.engine.internal.verify;

import io.batpak.engine.internal.format.CompressedPayload;
import io.batpak.engine.internal.format.FrameCodec;

/**
 * Where the fields of one stored event record lie in a buffer, found without decoding them (no
 * string, no array): the verification pass reads each field in place. The record layout is {@code
 * docs/format.md}'s ("Event record"). Mutable and reused from record to record; not thread-safe
 * (each hashing thread has its own).
 */
final class RecordLayout {
  /** Bytes from a record's start (its length field) to its entity name's length. */
  static final int ENTITY_LENGTH_AT = 4 + 16 + 16 + 1 + 16;

  /** Absolute offset of the record's length field. */
  int at;

  /** One past the record's last byte. */
  int end;

  /** Absolute offset of the entity name's bytes, and their count. */
  int entityAt;

  int entityLength;

  /** Absolute offset of the scope's bytes, and their count. */
  int scopeAt;

  int scopeLength;

  /** Absolute offset of the kind (then stream sequence, timestamp, payload version, flags). */
  int kindAt;

  /** Absolute offset of the extension count. */
  int extensionsAt;

  /** Absolute offset of the previous hash (the content hash and event hash follow). */
  int hashesAt;

  /** Absolute offset of the payload's bytes, and their count. */
  int payloadAt;

  int payloadLength;

  /** Whether the payload is stored compressed ({@link CompressedPayload}). */
  boolean compressed;

  /**
   * Finds the fields of the record at {@code at} of {@code buf}, which must end by {@code limit}.
   *
   * @return null when the record is well formed, else what is wrong with it
   */
  String parse(byte[] buf, int at, int limit) {
    this.at = at;
    if (limit - at < 4) {
      return "a record length field cut by the end of the frame";
    }
    int length = FrameCodec.readInt(buf, at);
    if (length < 0 || length > limit - at - 4) {
      return "a record length of " + length + " where " + (limit - at - 4) + " bytes remain";
    }
    end = at + 4 + length;
    int p = at + ENTITY_LENGTH_AT;
    if (p + 2 > end) {
      return "a record too short for its fixed fields";
    }
    entityLength = u16(buf, p);
    entityAt = p + 2;
    p = entityAt + entityLength;
    if (p + 2 > end) {
      return "an entity name running past the record";
    }
    scopeLength = u16(buf, p);
    scopeAt = p + 2;
    kindAt = scopeAt + scopeLength;
    extensionsAt = kindAt + 2 + 8 + 8 + 2 + 1;
    if (extensionsAt + 2 > end) {
      return "a scope running past the record";
    }
    int extensions = u16(buf, extensionsAt);
    p = extensionsAt + 2;
    for (int i = 0; i < extensions; i++) {
      if (p + 2 > end) {
        return "extension " + i + " running past the record";
      }
      p += 2 + u16(buf, p);
      if (p + 4 > end) {
        return "extension " + i + " running past the record";
      }
      int n = FrameCodec.readInt(buf, p);
      if (n < 0 || n > end - p - 4) {
        return "extension " + i + " with a value length of " + n;
      }
      p += 4 + n;
    }
    hashesAt = p;
    if (hashesAt + 96 + 4 > end) {
      return "hashes running past the record";
    }
    int field = FrameCodec.readInt(buf, hashesAt + 96);
    compressed = (field & CompressedPayload.FLAG) != 0;
    payloadLength = field & ~CompressedPayload.FLAG;
    payloadAt = hashesAt + 100;
    if (payloadAt + payloadLength != end) {
      return "a payload length of "
          + payloadLength
          + " where the record holds "
          + (end - payloadAt);
    }
    return null;
  }

  static int u16(byte[] b, int at) {
    return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
  }

  static long u64(byte[] b, int at) {
    return FrameCodec.readLong(b, at);
  }
}
