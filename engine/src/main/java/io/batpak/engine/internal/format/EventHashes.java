package io.batpak.engine.internal.format;

import java.nio.charset.StandardCharsets;

/**
 * The event hash of the commit path ({@code docs/format.md} "Event hash"): the same function as
 * {@link FrameCodec#eventHash}, which stays its definition, but with the whole input ({@code
 * HASH_VERSION ‖ prevHash ‖ canonical header ‖ contentHash}) laid out in one reused buffer and
 * hashed in one update. Nothing is allocated per event but the 32-byte hash itself (the record
 * keeps it): no canonical header array, no UTF-8 copies of the entity and scope when they are ASCII
 * (the usual case; other strings are encoded as {@link FrameCodec#canonicalHeader} encodes them),
 * none of the extension keys (always ASCII). Not thread-safe: the sequencer keeps one.
 */
public final class EventHashes {
  private final Blake3 blake3 = new Blake3();
  private byte[] buf = new byte[512];

  /**
   * The event hash of {@code r} after {@code prevHash}, at the given stream and global sequence.
   */
  public byte[] eventHash(
      byte[] prevHash, EventContent r, long streamSequence, long globalSequence) {
    String[] keys = r.extensionKeys();
    byte[][] values = r.extensionValues();
    // UTF-8 takes at most 3 bytes per UTF-16 char (a pair of surrogates takes 4 for 2 chars).
    long most = 1 + 32 + 49 + 4 + 4 + 29 + 4 + 32;
    most += 3L * r.entity().length() + 3L * r.scope().length();
    for (int i = 0; i < keys.length; i++) {
      most += 4 + keys[i].length() + 4 + values[i].length;
    }
    if (buf.length < most) {
      buf = new byte[Math.toIntExact(Math.max(most, 2L * buf.length))];
    }
    byte[] b = buf;
    int n = 0;
    b[n++] = FrameCodec.HASH_VERSION;
    System.arraycopy(prevHash, 0, b, n, 32);
    n += 32;
    n = putLong(b, n, r.idHi());
    n = putLong(b, n, r.idLo());
    n = putLong(b, n, r.correlationHi());
    n = putLong(b, n, r.correlationLo());
    b[n++] = (byte) (r.hasCausation() ? 1 : 0);
    n = putLong(b, n, r.causationHi());
    n = putLong(b, n, r.causationLo());
    n = putUtf8(b, n, r.entity());
    n = putUtf8(b, n, r.scope());
    b[n++] = (byte) (r.kind() >>> 8);
    b[n++] = (byte) r.kind();
    n = putLong(b, n, streamSequence);
    n = putLong(b, n, globalSequence);
    n = putLong(b, n, r.timestampMicros());
    b[n++] = (byte) (r.payloadVersion() >>> 8);
    b[n++] = (byte) r.payloadVersion();
    b[n++] = (byte) r.flags();
    n = putInt(b, n, keys.length);
    for (int i = 0; i < keys.length; i++) {
      n = putAscii32(b, n, keys[i]);
      n = putInt(b, n, values[i].length);
      System.arraycopy(values[i], 0, b, n, values[i].length);
      n += values[i].length;
    }
    System.arraycopy(r.contentHash(), 0, b, n, 32);
    n += 32;
    return blake3.update(b, 0, n).finish();
  }

  /**
   * Writes {@code s} in UTF-8 after its length as a big-endian u32, at {@code n}; returns the
   * position after it. ASCII is written char by char; anything else goes through {@link
   * String#getBytes}, so the bytes are exactly those of {@link FrameCodec#canonicalHeader}.
   */
  private static int putUtf8(byte[] b, int n, String s) {
    int len = s.length();
    int at = n + 4;
    for (int i = 0; i < len; i++) {
      char c = s.charAt(i);
      if (c >= 0x80) {
        byte[] encoded = s.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(encoded, 0, b, at, encoded.length);
        putInt(b, n, encoded.length);
        return at + encoded.length;
      }
      b[at + i] = (byte) c;
    }
    putInt(b, n, len);
    return at + len;
  }

  /**
   * Writes an extension key after its length as a big-endian u32. Keys are visible ASCII ({@link
   * io.batpak.ExtensionKey} refuses anything else before an event exists), one byte per char.
   */
  private static int putAscii32(byte[] b, int n, String key) {
    int len = key.length();
    n = putInt(b, n, len);
    for (int i = 0; i < len; i++) {
      b[n + i] = (byte) key.charAt(i);
    }
    return n + len;
  }

  private static int putInt(byte[] b, int n, int v) {
    b[n] = (byte) (v >>> 24);
    b[n + 1] = (byte) (v >>> 16);
    b[n + 2] = (byte) (v >>> 8);
    b[n + 3] = (byte) v;
    return n + 4;
  }

  private static int putLong(byte[] b, int n, long v) {
    putInt(b, n, (int) (v >>> 32));
    return putInt(b, n + 4, (int) v);
  }
}
