package io.batpak.engine.internal.verify;

import io.batpak.port.FileHandle;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A window onto one file read a large piece at a time ({@link #WINDOW} bytes, or one frame when a
 * frame is larger), so a sequential pass costs one read per window, not one per frame. The window
 * moves only when its owner asks ({@link #load}): offsets into {@link #buf()} stay valid until
 * then. Not thread-safe; reused from file to file.
 */
final class FrameWindow {
  /** Bytes read at a time. */
  static final int WINDOW = 4 << 20;

  /**
   * Grown to what the files need, up to a window (or one larger frame): small stores stay small.
   */
  private byte[] buf = new byte[0];

  private FileHandle in;
  private long start;
  private int length;

  /** Reads {@code in} from now on; nothing is loaded. */
  void open(FileHandle file) {
    this.in = file;
    this.start = 0;
    this.length = 0;
  }

  /** Whether {@code [pos, pos + n)} is loaded. */
  boolean holds(long pos, int n) {
    return pos >= start && pos + n <= start + length;
  }

  /**
   * Loads the window from {@code pos}: at least {@code n} bytes, at most up to {@code end} (the
   * caller knows {@code pos + n <= end} and that the file holds {@code end} bytes).
   */
  void load(long pos, int n, long end) throws IOException {
    int want = (int) Math.max(n, Math.min(WINDOW, end - pos));
    if (want > buf.length) {
      buf = new byte[want];
    }
    in.read(ByteBuffer.wrap(buf, 0, want), pos);
    start = pos;
    length = want;
  }

  /** The bytes loaded; valid until the next {@link #load}. */
  byte[] buf() {
    return buf;
  }

  /** Where file offset {@code pos} lies in {@link #buf()}. */
  int at(long pos) {
    return (int) (pos - start);
  }
}
