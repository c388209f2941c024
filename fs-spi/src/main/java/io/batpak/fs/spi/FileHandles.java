package io.batpak.fs.spi;

import static org.apiguardian.api.API.Status.STABLE;

import io.batpak.port.FileHandle;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apiguardian.api.API;

/**
 * Helpers for backend authors working with {@link FileHandle}s.
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public final class FileHandles {
  /** The chunk {@link #copyContent} moves at a time. */
  public static final int COPY_CHUNK = 64 * 1024;

  private FileHandles() {}

  /**
   * Copies every byte of {@code source} into {@code target} at the same offsets, in chunks of
   * {@link #COPY_CHUNK}, with positional reads and writes. Not durable until {@code target} is
   * synced. Safe for one caller per pair of handles.
   *
   * @throws io.batpak.port.ShortReadException if {@code source} ends before its size
   * @throws IOException if a read or a write fails; {@code target} then holds a prefix
   */
  public static void copyContent(FileHandle source, FileHandle target) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocateDirect(COPY_CHUNK);
    long size = source.size();
    for (long at = 0; at < size; ) {
      buffer.clear().limit((int) Math.min(COPY_CHUNK, size - at));
      source.read(buffer, at);
      buffer.flip();
      target.write(buffer, at);
      at += buffer.limit();
    }
  }
}
