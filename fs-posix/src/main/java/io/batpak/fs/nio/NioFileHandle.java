package io.batpak.fs.nio;

import io.batpak.port.FileHandle;
import io.batpak.port.ShortReadException;
import io.batpak.port.SymlinkRefusedException;
import io.batpak.port.SyncMode;
import io.batpak.port.UnsupportedFsOperationException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * A {@link FileHandle} over one {@link FileChannel}, shared by every thread that uses the handle.
 *
 * <h2>Interrupts</h2>
 *
 * A {@code FileChannel} is an interruptible channel: if a thread is interrupted while it is in (or
 * enters) an I/O call, the JDK <em>closes the channel</em> for everyone. This handle must never let
 * that happen to the threads it is shared with, so every call:
 *
 * <ol>
 *   <li>clears the caller's interrupt flag before touching the channel (so an interrupt that was
 *       already pending cannot close it) and sets it again before returning or throwing;
 *   <li>if an interrupt still arrives during the call and the JDK closes the channel, reopens the
 *       channel by path (same access mode, never creating, never following a symbolic link, and
 *       only if the path still names the same file) so other threads carry on, and throws an {@link
 *       java.io.InterruptedIOException} to the interrupted caller only;
 *   <li>if the call of another thread failed because the channel was closed under it by such an
 *       interrupt, retries positional reads, writes, {@link #size()} and {@link #truncate} (they
 *       are idempotent) on the reopened channel. A {@link #sync} that was cut short is <em>not</em>
 *       retried: an fsync error reported to the closed descriptor may never be reported to a new
 *       one, so a retried sync could report success falsely; it throws an {@link IOException}
 *       saying the outcome is unknown instead.
 * </ol>
 *
 * If the path no longer names the file the handle was opened on (it was renamed or replaced) when a
 * reopen is needed, the handle cannot recover and every later call fails with an {@link
 * IOException} that says why.
 *
 * <p>Thread-safe. {@link #close()} may race with other calls, which then fail with {@link
 * ClosedChannelException}.
 */
final class NioFileHandle implements FileHandle {
  private static final int MAX_RECOVERIES = 16;

  /** Whether {@link #map} is offered here ({@link io.batpak.port.FsCapabilities#mappedReads()}). */
  private static final boolean MAPS =
      NioStoreFs.capabilitiesFor(System.getProperty("os.name", "")).mappedReads();

  private final Path path;
  private final boolean writable;
  private final Object fileKey;
  private final Object reopenLock = new Object();

  private volatile FileChannel channel;
  private volatile boolean closed;
  private volatile IOException broken;

  private NioFileHandle(Path path, boolean writable, FileChannel channel, Object fileKey) {
    this.path = path;
    this.writable = writable;
    this.channel = channel;
    this.fileKey = fileKey;
  }

  /**
   * Opens {@code path}, never following a symbolic link at its last component ({@code
   * NOFOLLOW_LINKS}, which is {@code O_NOFOLLOW}): read-only, read-write, or as a new file
   * (exclusive). A link is {@link SymlinkRefusedException}, a directory an {@link IOException}.
   */
  static NioFileHandle open(Path path, boolean writable, boolean createNew, String op)
      throws IOException {
    Objects.requireNonNull(path, "path");
    Set<OpenOption> options = options(writable || createNew);
    if (createNew) {
      options.add(StandardOpenOption.CREATE_NEW);
    }
    FileChannel ch;
    try {
      ch = FileChannel.open(path, options);
    } catch (IOException e) {
      throw refusal(e, path, op);
    }
    BasicFileAttributes attrs = attributesOf(path);
    if (attrs != null && attrs.isDirectory()) {
      // Linux opens a directory for reading; refuse it here, not on the first read.
      ch.close();
      throw new FileSystemException(
          path.toString(), null, op + " refused: it is a directory, not a file");
    }
    return new NioFileHandle(
        path, writable || createNew, ch, attrs == null ? null : attrs.fileKey());
  }

  /**
   * The port's exception for a failed open of {@code path}: a symbolic link at the path is {@link
   * SymlinkRefusedException} however the JDK reported it ({@code ELOOP} as text in the system's
   * language, or {@code EEXIST} for an exclusive create), everything else as {@link NioErrors#map}
   * says.
   */
  private static IOException refusal(IOException e, Path path, String op) {
    IOException mapped = NioErrors.map(e, path, op);
    if (mapped instanceof SymlinkRefusedException || mapped instanceof NoSuchFileException) {
      return mapped;
    }
    BasicFileAttributes attrs = attributesOf(path);
    if (attrs != null && attrs.isSymbolicLink()) {
      SymlinkRefusedException x = new SymlinkRefusedException(path.toString(), op);
      x.initCause(e);
      return x;
    }
    return mapped;
  }

  private static Set<OpenOption> options(boolean writable) {
    Set<OpenOption> options = new HashSet<>();
    options.add(StandardOpenOption.READ);
    if (writable) {
      options.add(StandardOpenOption.WRITE);
    }
    options.add(LinkOption.NOFOLLOW_LINKS);
    return options;
  }

  /** The attributes of {@code path}, not following a link at its last component, or null. */
  private static BasicFileAttributes attributesOf(Path path) {
    try {
      return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      return null; // no identity check on reopen
    }
  }

  @Override
  public Path path() {
    return path;
  }

  @Override
  public boolean writable() {
    return writable;
  }

  @Override
  public long size() throws IOException {
    return call("size", true, FileChannel::size);
  }

  @Override
  public void write(ByteBuffer src, long position) throws IOException {
    checkPosition(position);
    int start = src.position();
    call(
        "write",
        true,
        ch -> {
          while (src.hasRemaining()) {
            ch.write(src, position + (src.position() - start));
          }
          return null;
        });
  }

  @Override
  public void read(ByteBuffer dst, long position) throws IOException {
    checkPosition(position);
    int start = dst.position();
    int requested = dst.remaining();
    call(
        "read",
        true,
        ch -> {
          while (dst.hasRemaining()) {
            int n = ch.read(dst, position + (dst.position() - start));
            if (n < 0) {
              throw new ShortReadException(path, position, requested, dst.position() - start);
            }
          }
          return null;
        });
  }

  @Override
  public void sync(SyncMode mode) throws IOException {
    Objects.requireNonNull(mode, "mode");
    call(
        "sync(" + mode + ")",
        false,
        ch -> {
          ch.force(mode == SyncMode.ALL);
          return null;
        });
  }

  /**
   * Sets the size: shrinks with {@link FileChannel#truncate}, grows by writing one zero byte at
   * {@code size - 1} (FileChannel cannot extend a file otherwise), so the new bytes read as zeros.
   */
  @Override
  public void truncate(long size) throws IOException {
    if (size < 0) {
      throw new IllegalArgumentException("negative size " + size + " for " + path);
    }
    call(
        "truncate",
        true,
        ch -> {
          long current = ch.size();
          if (size < current) {
            ch.truncate(size);
          } else if (size > current) {
            ByteBuffer zero = ByteBuffer.allocate(1);
            while (zero.hasRemaining()) {
              ch.write(zero, size - 1);
            }
          }
          return null;
        });
  }

  /**
   * Maps the region with {@link FileChannel#map} ({@code READ_ONLY}) after checking that the file
   * holds it; refused on Windows (see {@link NioStoreFs#capabilitiesFor}).
   */
  @Override
  public ByteBuffer map(long position, int length) throws IOException {
    checkPosition(position);
    if (length < 0) {
      throw new IllegalArgumentException("negative length " + length + " for " + path);
    }
    if (!MAPS) {
      throw new UnsupportedFsOperationException(
          "map of " + path + " is not supported by the nio backend on this operating system");
    }
    return call(
        "map",
        true,
        ch -> {
          long size = ch.size();
          if (position + length > size) {
            throw new ShortReadException(
                path, position, length, (int) Math.max(0, Math.min(length, size - position)));
          }
          return ch.map(FileChannel.MapMode.READ_ONLY, position, length);
        });
  }

  @Override
  public void close() throws IOException {
    FileChannel ch;
    synchronized (reopenLock) {
      if (closed) {
        return;
      }
      closed = true;
      ch = channel;
    }
    ch.close();
  }

  @Override
  public String toString() {
    return "NioFileHandle[" + path + (writable ? ", rw" : ", r") + (closed ? ", closed]" : "]");
  }

  /** The current channel; for tests that simulate a channel closed by another's interrupt. */
  FileChannel channelForTest() {
    return channel;
  }

  // ---------------------------------------------------------------------------------------------

  private interface ChannelCall<T> {
    T apply(FileChannel ch) throws IOException;
  }

  private static void checkPosition(long position) {
    if (position < 0) {
      throw new IllegalArgumentException("negative position " + position);
    }
  }

  /**
   * Runs {@code body} on the channel with the caller's interrupt flag cleared, recovering from a
   * channel closed by an interrupt as the class documentation describes.
   */
  private <T> T call(String op, boolean retryable, ChannelCall<T> body) throws IOException {
    boolean interrupted = Thread.interrupted();
    try {
      for (int recoveries = 0; ; recoveries++) {
        IOException poisoned = broken;
        if (poisoned != null && !closed) {
          throw new IOException(
              op + " of " + path + " refused: " + poisoned.getMessage(), poisoned);
        }
        FileChannel ch = channel;
        try {
          return body.apply(ch);
        } catch (ClosedByInterruptException e) {
          // The interrupt came during the call, after the flag was cleared: the JDK closed the
          // shared channel. Reopen it for the others; this caller alone learns of the interrupt.
          interrupted = true;
          recover(ch, op, e);
          throw NioErrors.interrupted(path, op, e);
        } catch (ClosedChannelException e) {
          if (closed) {
            throw e; // closed by close(): the documented outcome
          }
          // Another thread's interrupt closed the channel under (or before) this call.
          recover(ch, op, e);
          if (!retryable || recoveries >= MAX_RECOVERIES) {
            throw new IOException(
                op
                    + " of "
                    + path
                    + " was cut short because another thread's interrupt closed the shared"
                    + " channel; the channel was reopened, but the outcome of this "
                    + op
                    + " is unknown",
                e);
          }
        } catch (IOException e) {
          throw NioErrors.map(e, path, op);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Replaces {@code dead} with a fresh channel on the same file, unless someone already did. */
  private void recover(FileChannel dead, String op, IOException cause) throws IOException {
    synchronized (reopenLock) {
      if (closed) {
        ClosedChannelException x = new ClosedChannelException();
        x.initCause(cause);
        throw x;
      }
      if (channel != dead || broken != null) {
        return; // already reopened, or beyond repair (the next attempt reports it)
      }
      FileChannel fresh;
      try {
        fresh = FileChannel.open(path, options(writable));
      } catch (IOException e) {
        broken =
            new IOException(
                "the channel of "
                    + path
                    + " was closed by an interrupt during "
                    + op
                    + " and could not be reopened: "
                    + e,
                e);
        throw broken;
      }
      BasicFileAttributes now = attributesOf(path);
      Object key = now == null ? null : now.fileKey();
      if (fileKey != null && !fileKey.equals(key)) {
        fresh.close();
        broken =
            new IOException(
                "the channel of "
                    + path
                    + " was closed by an interrupt during "
                    + op
                    + ", and the path now names a different file (renamed or replaced), so the"
                    + " handle cannot be reopened",
                cause);
        throw broken;
      }
      channel = fresh;
    }
  }
}
