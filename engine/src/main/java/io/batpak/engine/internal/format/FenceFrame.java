package io.batpak.engine.internal.format;

import io.batpak.CorruptStoreException;
import java.nio.ByteBuffer;

/**
 * The fence frames (docs/format.md "Fence frames", ADR 0015): begin, commit and cancel of a
 * visibility fence, system frames in the journal beside the event frames. The body is the common
 * 24-byte body header, with the fence's first global sequence as base and its event count as count
 * (0 in a begin frame), padded with zero bytes to {@link FrameCodec#MIN_BODY} so that it is a legal
 * frame length and a zero-filled tail never parses as one.
 *
 * <pre>
 * body ({@link FrameCodec#MIN_BODY} = 206 bytes):
 *   u8   type: 3 begin, 4 commit, 5 cancel
 *   u8   flags, 0
 *   u16  reserved, 0
 *   u64  first: the global sequence of the fence's first event (the next one, for a begin)
 *   u32  count: the fence's events, global sequences first .. first+count-1 (0 for a begin)
 *   u64  durable end: as in every frame
 *   182  zero bytes
 * </pre>
 */
public final class FenceFrame {
  /** Frame type of a fence-begin frame. */
  public static final int TYPE_BEGIN = 3;

  /** Frame type of a fence-commit frame. */
  public static final int TYPE_COMMIT = 4;

  /** Frame type of a fence-cancel frame. */
  public static final int TYPE_CANCEL = 5;

  /** A fence frame's whole length: prefix and body. */
  public static final int LENGTH = FrameCodec.PREFIX + FrameCodec.MIN_BODY;

  private FenceFrame() {}

  /** Whether the frame body at {@code bodyAt} of {@code buf} has a fence frame type. */
  public static boolean isFence(byte[] buf, int bodyAt) {
    int type = buf[bodyAt] & 0xFF;
    return type == TYPE_BEGIN || type == TYPE_COMMIT || type == TYPE_CANCEL;
  }

  /** The name of a fence frame type, for messages and dumps. */
  public static String name(int type) {
    switch (type) {
      case TYPE_BEGIN:
        return "fence-begin";
      case TYPE_COMMIT:
        return "fence-commit";
      case TYPE_CANCEL:
        return "fence-cancel";
      default:
        return "type " + type;
    }
  }

  /**
   * Writes one fence frame at {@code out}'s position.
   *
   * @return the frame's offset within {@code out}
   */
  public static int write(ByteBuffer out, int type, long first, int count, long durableEnd) {
    if (type != TYPE_BEGIN && type != TYPE_COMMIT && type != TYPE_CANCEL) {
      throw new IllegalArgumentException("not a fence frame type: " + type);
    }
    int start = out.position();
    out.position(start + FrameCodec.PREFIX);
    out.put((byte) type).put((byte) 0).putShort((short) 0);
    out.putLong(first).putInt(count).putLong(durableEnd);
    out.put(new byte[FrameCodec.MIN_BODY - FrameCodec.BODY_HEADER]);
    out.putInt(start, FrameCodec.MIN_BODY);
    out.putInt(start + 4, FrameCodec.crc(out, start, FrameCodec.MIN_BODY));
    return start;
  }

  /**
   * A decoded fence frame.
   *
   * @param type {@link #TYPE_BEGIN}, {@link #TYPE_COMMIT} or {@link #TYPE_CANCEL}
   * @param first the fence's first global sequence
   * @param count its event count
   */
  public record Decoded(int type, long first, long count) {
    /** One past the fence's last global sequence. */
    public long end() {
      return first + count;
    }

    @Override
    public String toString() {
      return name(type) + " of global sequences [" + first + ", " + end() + ")";
    }
  }

  /**
   * Decodes the CRC-checked fence frame body at {@code bodyAt} (of {@code bodyLength} bytes).
   *
   * @throws CorruptStoreException naming {@code file} and {@code fileOffset} if it is not a
   *     well-formed fence frame
   */
  public static Decoded decode(
      byte[] buf, int bodyAt, int bodyLength, String file, long fileOffset) {
    int type = buf[bodyAt] & 0xFF;
    if (bodyLength != FrameCodec.MIN_BODY) {
      throw corrupt(file, fileOffset, "length of a " + name(type) + " frame body", bodyLength);
    }
    if (buf[bodyAt + 1] != 0 || buf[bodyAt + 2] != 0 || buf[bodyAt + 3] != 0) {
      throw corrupt(file, fileOffset, "flags and reserved bytes of a " + name(type) + " frame", -1);
    }
    for (int i = FrameCodec.BODY_HEADER; i < bodyLength; i++) {
      if (buf[bodyAt + i] != 0) {
        throw corrupt(file, fileOffset, "padding of a " + name(type) + " frame", -1);
      }
    }
    long first = FrameCodec.readLong(buf, bodyAt + 4);
    long count = FrameCodec.readInt(buf, bodyAt + 12) & 0xFFFFFFFFL;
    if (first < 0 || (type == TYPE_BEGIN && count != 0)) {
      throw new CorruptStoreException(
          file,
          fileOffset,
          name(type) + " frame range",
          "a first global sequence >= 0" + (type == TYPE_BEGIN ? " and count 0" : ""),
          "first " + first + ", count " + count);
    }
    return new Decoded(type, first, count);
  }

  private static CorruptStoreException corrupt(String file, long offset, String what, int got) {
    return new CorruptStoreException(
        file,
        offset,
        what,
        what.startsWith("length") ? "" + FrameCodec.MIN_BODY : "zero bytes",
        got >= 0 ? "" + got : "other bytes");
  }
}
