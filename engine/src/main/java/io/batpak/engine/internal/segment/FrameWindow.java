package io.batpak.engine.internal.segment;

import io.batpak.port.FileHandle;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A window onto one file read a large piece at a time (the window's size, or one frame when a frame
 * is larger), so a sequential pass over frames costs one read per window, not one per frame: {@code
 * verifyAll}, the compactor's copy and its read-back. The window moves only when its owner asks
 * ({@link #load}): offsets into {@link #buf()} stay valid until then. Not thread-safe; reused from
 * file to file.
 */
public final class FrameWindow {
  /** The default window: bytes read at a time. */
  public static final int WINDOW = 4 << 20;

  private final int window;

  /**
   * Grown to what the files need, up to a window (or one larger frame): small stores stay small.
   */
  private byte[] buf = new byte[0];

  private FileHandle in;
  private long start;
  private int length;

  /** A window of {@link #WINDOW} bytes. */
  public FrameWindow() {
    this(WINDOW);
  }

  /** A window of {@code window} bytes. */
  public FrameWindow(int window) {
    this.window = window;
  }

  /** Reads {@code in} from now on; nothing is loaded. */
  public void open(FileHandle file) {
    this.in = file;
    this.start = 0;
    this.length = 0;
  }

  /** Whether {@code [pos, pos + n)} is loaded. */
  public boolean holds(long pos, int n) {
    return pos >= start && pos + n <= start + length;
  }

  /**
   * Loads the window from {@code pos}: at least {@code n} bytes, at most up to {@code end} (the
   * caller knows {@code pos + n <= end} and that the file holds {@code end} bytes).
   */
  public void load(long pos, int n, long end) throws IOException {
    int want = (int) Math.max(n, Math.min(window, end - pos));
    if (want > buf.length) {
      buf = new byte[want];
    }
    in.read(ByteBuffer.wrap(buf, 0, want), pos);
    start = pos;
    length = want;
  }

  /** The bytes loaded; valid until the next {@link #load}. */
  public byte[] buf() {
    return buf;
  }

  /** Where file offset {@code pos} lies in {@link #buf()}. */
  public int at(long pos) {
    return (int) (pos - start);
  }
}
