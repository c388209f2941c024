package io.batpak.engine.internal.artifact;

import io.batpak.port.FileHandle;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * A streaming, big-endian writer of an authority file's body: it writes through the file handle in
 * 1 MiB chunks and keeps the body's CRC32C, so a body of any size costs one chunk of memory.
 */
public final class BodyOutput {
  private static final int CHUNK = 1 << 20;

  private final FileHandle handle;
  private final ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK);
  private final CRC32C crc = new CRC32C();
  private long position;
  private long length;

  BodyOutput(FileHandle handle, long start) {
    this.handle = handle;
    this.position = start;
  }

  private void room(int n) throws IOException {
    if (buf.remaining() < n) {
      flush();
    }
  }

  private void flush() throws IOException {
    buf.flip();
    crc.update(buf.duplicate());
    length += buf.remaining();
    while (buf.hasRemaining()) {
      int n = buf.remaining();
      handle.write(buf, position);
      position += n;
    }
    buf.clear();
  }

  /** Writes a long. */
  public BodyOutput putLong(long v) throws IOException {
    room(8);
    buf.putLong(v);
    return this;
  }

  /** Writes an int. */
  public BodyOutput putInt(int v) throws IOException {
    room(4);
    buf.putInt(v);
    return this;
  }

  /** Writes bytes. */
  public BodyOutput put(byte[] bytes) throws IOException {
    for (int at = 0; at < bytes.length; ) {
      room(1);
      int n = Math.min(buf.remaining(), bytes.length - at);
      buf.put(bytes, at, n);
      at += n;
    }
    return this;
  }

  /** Writes a string as a u16 length and UTF-8. */
  public BodyOutput putString(String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    if (b.length > 0xFFFF) {
      throw new IllegalArgumentException("a name of " + b.length + " bytes");
    }
    room(2);
    buf.putShort((short) b.length);
    return put(b);
  }

  /** Writes the first {@code n} values. */
  public BodyOutput putLongs(long[] a, int n) throws IOException {
    for (int at = 0; at < n; ) {
      room(8);
      int k = Math.min(buf.remaining() / 8, n - at);
      buf.asLongBuffer().put(a, at, k);
      buf.position(buf.position() + 8 * k);
      at += k;
    }
    return this;
  }

  /** Writes the first {@code n} values. */
  public BodyOutput putInts(int[] a, int n) throws IOException {
    for (int at = 0; at < n; ) {
      room(4);
      int k = Math.min(buf.remaining() / 4, n - at);
      buf.asIntBuffer().put(a, at, k);
      buf.position(buf.position() + 4 * k);
      at += k;
    }
    return this;
  }

  /** Writes the first {@code n} values. */
  public BodyOutput putChars(char[] a, int n) throws IOException {
    for (int at = 0; at < n; ) {
      room(2);
      int k = Math.min(buf.remaining() / 2, n - at);
      buf.asCharBuffer().put(a, at, k);
      buf.position(buf.position() + 2 * k);
      at += k;
    }
    return this;
  }

  /** Writes what is buffered; returns the body's length. */
  long finish() throws IOException {
    flush();
    return length;
  }

  /** The body's CRC32C, after {@link #finish}. */
  int crc() {
    return (int) crc.getValue();
  }
}
