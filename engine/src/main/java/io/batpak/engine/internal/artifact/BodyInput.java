package io.batpak.engine.internal.artifact;

import io.batpak.port.FileHandle;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * A streaming, big-endian reader of an authority file's body, in 1 MiB chunks read straight into
 * native memory (no bounce copy in the backends), keeping the body's CRC32C. Nothing read may be
 * believed before {@link #finish} has checked the CRC: readers decode into fresh structures and
 * install them only after it.
 */
public final class BodyInput implements AutoCloseable {
  private static final int CHUNK = 1 << 20;

  private final FileHandle handle;
  private final Path file;
  private final long end;
  private final int expectedCrc;
  private final ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK).limit(0);
  private final CRC32C crc = new CRC32C();
  private long position;

  BodyInput(FileHandle handle, Path file, long start, long length, int expectedCrc) {
    this.handle = handle;
    this.file = file;
    this.position = start;
    this.end = start + length;
    this.expectedCrc = expectedCrc;
  }

  /** The body is shorter than what its content says; carries the file and offset. */
  public static final class Truncated extends IOException {
    private static final long serialVersionUID = 1L;

    Truncated(String message) {
      super(message);
    }
  }

  private void need(int n) throws IOException {
    if (buf.remaining() >= n) {
      return;
    }
    buf.compact();
    int want = (int) Math.min(buf.remaining(), end - position);
    if (want < n - buf.position()) {
      throw new Truncated(
          file + " at offset " + position + ": the body ends before the data it announces");
    }
    int kept = buf.position();
    handle.read(buf.duplicate().limit(kept + want), position);
    crc.update(buf.duplicate().limit(kept + want).position(kept));
    position += want;
    buf.position(kept + want).flip();
  }

  /** Bytes of the body not read yet. */
  public long remaining() {
    return end - position + buf.remaining();
  }

  /** Reads a long. */
  public long getLong() throws IOException {
    need(8);
    return buf.getLong();
  }

  /** Reads an int. */
  public int getInt() throws IOException {
    need(4);
    return buf.getInt();
  }

  /** Reads {@code n} bytes. */
  public byte[] getBytes(int n) throws IOException {
    byte[] out = new byte[n];
    for (int at = 0; at < n; ) {
      need(1);
      int k = Math.min(buf.remaining(), n - at);
      buf.get(out, at, k);
      at += k;
    }
    return out;
  }

  /** Reads a u16 length and that many bytes of UTF-8. */
  public String getString() throws IOException {
    need(2);
    int n = buf.getShort() & 0xFFFF;
    return new String(getBytes(n), StandardCharsets.UTF_8);
  }

  /** Reads {@code n} values into {@code a}. */
  public void getLongs(long[] a, int n) throws IOException {
    for (int at = 0; at < n; ) {
      need(8);
      int k = Math.min(buf.remaining() / 8, n - at);
      buf.asLongBuffer().get(a, at, k);
      buf.position(buf.position() + 8 * k);
      at += k;
    }
  }

  /** Reads {@code n} values into {@code a}. */
  public void getInts(int[] a, int n) throws IOException {
    for (int at = 0; at < n; ) {
      need(4);
      int k = Math.min(buf.remaining() / 4, n - at);
      buf.asIntBuffer().get(a, at, k);
      buf.position(buf.position() + 4 * k);
      at += k;
    }
  }

  /** Reads {@code n} values into {@code a}. */
  public void getChars(char[] a, int n) throws IOException {
    for (int at = 0; at < n; ) {
      need(2);
      int k = Math.min(buf.remaining() / 2, n - at);
      buf.asCharBuffer().get(a, at, k);
      buf.position(buf.position() + 2 * k);
      at += k;
    }
  }

  /**
   * Checks that the whole body was read and its CRC32C holds.
   *
   * @return null if it holds, else what is wrong (naming the file)
   */
  public String finish() {
    if (buf.hasRemaining() || position != end) {
      return file + ": " + (end - position + buf.remaining()) + " bytes follow the body's data";
    }
    if ((int) crc.getValue() != expectedCrc) {
      return file + " at offset " + AuthorityFile.HEADER + ": the body's CRC32C does not match";
    }
    return null;
  }

  @Override
  public void close() throws IOException {
    handle.close();
  }
}
