package io.batpak.port;

import static org.apiguardian.api.API.Status.STABLE;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.apiguardian.api.API;

/**
 * An open file of a {@link StoreFs}, read and written at explicit positions.
 *
 * <p><b>Durability.</b> {@link #write} makes bytes visible to readers of this file, nothing more.
 * Only {@link #sync} makes them durable, and only for this file's content: a newly created file's
 * directory entry needs {@link StoreFs#syncDirectory} as well.
 *
 * <p><b>Thread-safety.</b> Implementations must allow concurrent positional reads and writes from
 * several threads; {@link #close} may race with other calls, which then fail with {@link
 * java.nio.channels.ClosedChannelException}. An implementation must never let an interrupt of the
 * calling thread close the handle.
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public interface FileHandle extends Closeable {

  /** The path this handle was opened with. */
  Path path();

  /** Whether this handle was opened for writing. */
  boolean writable();

  /**
   * The current size of the file in bytes.
   *
   * @throws IOException if the size cannot be read
   */
  long size() throws IOException;

  /**
   * Writes all remaining bytes of {@code src} at {@code position}, looping over short writes. On
   * return {@code src} has no remaining bytes.
   *
   * @throws NoSpaceException if the device is full; some prefix of the bytes may have been written
   * @throws java.nio.channels.NonWritableChannelException if the handle is read-only
   * @throws IOException for any other failure
   */
  void write(ByteBuffer src, long position) throws IOException;

  /**
   * Reads exactly {@code dst.remaining()} bytes starting at {@code position}.
   *
   * @throws ShortReadException if the end of the file comes first; it carries the number of bytes
   *     read, which are in {@code dst}
   * @throws IOException for any other failure
   */
  void read(ByteBuffer dst, long position) throws IOException;

  /**
   * Makes the file's content durable. On return every byte written before the call survives a
   * crash. After a failed sync the state of un-synced bytes is unknown; callers must not retry and
   * assume success (see decision 2 (docs/architecture.md)).
   *
   * @throws IOException if the device reports an error
   */
  void sync(SyncMode mode) throws IOException;

  /**
   * Sets the file's size to {@code size}, discarding bytes past it. Not durable until {@link
   * #sync}.
   *
   * @throws IOException on failure
   */
  void truncate(long size) throws IOException;

  /** Releases the handle. Idempotent. */
  @Override
  void close() throws IOException;
}
