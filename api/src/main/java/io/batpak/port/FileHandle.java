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

  /**
   * Maps {@code length} bytes of the file from {@code position} into memory, read-only, so they can
   * be read without a system call per read. An optional capability: a backend offers it when {@link
   * FsCapabilities#mappedReads()} is true; the default, like any backend without it, refuses with
   * {@link UnsupportedFsOperationException}, and the caller reads with {@link #read} instead.
   *
   * <p><b>Only immutable bytes may be mapped.</b> The region must already hold its final bytes, and
   * neither this process nor another may write, truncate or shorten the file under it while the
   * mapping is used: what a mapping shows of a later write is unspecified, and on Linux reading a
   * page of a mapping whose file was truncated below it raises {@code SIGBUS}, which the JDK turns
   * into an {@link InternalError} or which stops the JVM. Deleting or renaming the file is safe on
   * POSIX systems: the mapping keeps the old file's bytes until it is released (Windows refuses to
   * delete a mapped file, so a backend there must not offer mappings). The store maps sealed
   * segments, which it never writes again and compaction replaces by rename, never in place, and
   * whole chunks of the active segment that a completed sync covers, below which it never writes or
   * cuts (ADR 0031).
   *
   * <p><b>Result.</b> A read-only buffer of exactly {@code length} bytes, position 0, limit {@code
   * length}, big-endian. Its absolute getters do not change its state, so several threads may read
   * one mapping at once; its relative getters and position do, so a thread that uses them reads a
   * {@link ByteBuffer#duplicate() duplicate}. The mapping does not depend on this handle: closing
   * the handle leaves it readable.
   *
   * <p><b>Release.</b> There is none to call: a mapping is released when its buffer becomes
   * unreachable and the garbage collector clears it (Java 17 has no public unmap; forcing one while
   * another thread may still read the buffer could crash the JVM). Until then the file's pages and,
   * for a deleted file, its disk space stay held.
   *
   * @param position the first byte to map, at least 0
   * @param length how many bytes, at least 0
   * @return a read-only view of {@code [position, position + length)}
   * @throws ShortReadException if the file ends before {@code position + length} (nothing is
   *     mapped: a mapping past the end would fault when read)
   * @throws UnsupportedFsOperationException if the backend cannot map files (without {@link
   *     FsCapabilities#mappedReads()})
   * @throws IllegalArgumentException if {@code position} or {@code length} is negative
   * @throws java.nio.channels.ClosedChannelException if the handle is closed
   * @throws IOException for any other failure; the message names the file
   * @since 0.2
   */
  default ByteBuffer map(long position, int length) throws IOException {
    throw new UnsupportedFsOperationException(
        "map of " + path() + " is not supported by this backend (FsCapabilities.mappedReads())");
  }

  /** Releases the handle. Idempotent. */
  @Override
  void close() throws IOException;
}
