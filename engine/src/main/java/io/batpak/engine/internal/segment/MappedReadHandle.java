package io.batpak.engine.internal.segment;

import io.batpak.port.FileHandle;
import io.batpak.port.SyncMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.file.Path;

/**
 * What the journal's two mapped read handles share ({@link MappedSegment}, {@link
 * ChunkMappedSegment}): they wrap a segment's plain read handle, refuse writes, sync and close
 * through it, and fail a read after {@link #close} with {@link ClosedChannelException} as a closed
 * {@code pread} handle does. The mappings themselves are left to the garbage collector.
 */
abstract class MappedReadHandle implements FileHandle {
  /** The segment's plain read handle, closed with this one. */
  final FileHandle file;

  private volatile boolean closed;

  MappedReadHandle(FileHandle file) {
    this.file = file;
  }

  @Override
  public final Path path() {
    return file.path();
  }

  @Override
  public final boolean writable() {
    return false;
  }

  @Override
  public final void write(ByteBuffer src, long position) {
    throw new NonWritableChannelException();
  }

  /** Syncs through the wrapped handle (the mapped bytes are durable already). */
  @Override
  public final void sync(SyncMode mode) throws IOException {
    file.sync(mode);
  }

  @Override
  public final void truncate(long size) {
    throw new NonWritableChannelException();
  }

  /** Closes the wrapped handle; the mappings are left to the garbage collector. Idempotent. */
  @Override
  public final void close() throws IOException {
    closed = true;
    file.close();
  }

  /**
   * @throws ClosedChannelException if {@link #close} was called (a compaction replaced the segment)
   */
  final void checkOpen() throws ClosedChannelException {
    if (closed) {
      throw new ClosedChannelException();
    }
  }
}
