package io.batpak.engine.internal.segment;

import io.batpak.port.FileHandle;
import io.batpak.port.ShortReadException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;

/**
 * The read handle of a sealed segment whose bytes are mapped ({@link FileHandle#map}): a read
 * copies from the mapping instead of making a system call. Only a segment that is never written
 * again is mapped, and only up to its valid length (ADR 0030), so the mapping never changes under a
 * reader and never reaches past the file's end.
 *
 * <p>It behaves as the handle it wraps did for the journal's readers: after {@link #close} (a
 * compaction replaced the segment) a read fails with {@link ClosedChannelException}, and the reader
 * reads again where the index now places the frame, as with {@code pread}. The mapping itself stays
 * valid for a read that already began (a mapped file that is deleted or renamed over keeps its
 * pages), and the garbage collector releases it once no read holds it.
 *
 * <p>Thread-safe: reads use absolute bulk copies, which leave the shared buffer's state alone.
 */
final class MappedSegment extends MappedReadHandle {
  private final ByteBuffer bytes;

  /**
   * Wraps {@code file}, whose first {@code bytes.capacity()} bytes {@code bytes} maps.
   *
   * @param file the segment's read handle, closed with this one
   * @param bytes the mapping of the segment's valid bytes
   */
  MappedSegment(FileHandle file, ByteBuffer bytes) {
    super(file);
    this.bytes = bytes;
  }

  /** The mapped length: the segment's valid bytes. */
  @Override
  public long size() throws IOException {
    checkOpen();
    return bytes.capacity();
  }

  /**
   * Copies {@code dst.remaining()} bytes from the mapping at {@code position}; a region past the
   * mapped length is a {@link ShortReadException} carrying the bytes there were, as a read at the
   * end of the file is.
   */
  @Override
  public void read(ByteBuffer dst, long position) throws IOException {
    checkOpen();
    if (position < 0) {
      throw new IllegalArgumentException("negative position " + position + " of " + path());
    }
    int requested = dst.remaining();
    int available = (int) Math.max(0, Math.min(requested, bytes.capacity() - position));
    dst.put(dst.position(), bytes, (int) Math.min(position, bytes.capacity()), available);
    dst.position(dst.position() + available);
    if (available < requested) {
      throw new ShortReadException(path(), position, requested, available);
    }
  }
}
