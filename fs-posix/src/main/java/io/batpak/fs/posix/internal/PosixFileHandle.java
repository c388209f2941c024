package io.batpak.fs.posix.internal;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.batpak.port.FileHandle;
import io.batpak.port.ShortReadException;
import io.batpak.port.SyncMode;
import io.batpak.port.UnsupportedFsOperationException;
import java.io.IOException;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.NonWritableChannelException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A {@link FileHandle} over a raw descriptor: {@code pread}/{@code pwrite} from direct buffers
 * (heap buffers go through a per-thread direct bounce buffer), looping over short counts and
 * retrying {@code EINTR}; {@code fdatasync}/{@code fsync}; {@code ftruncate}; the size from {@code
 * lseek(SEEK_END)}, which is harmless because nothing here uses the file offset.
 *
 * <p>Thread-safe: positional calls may run concurrently. {@link #close()} may race with them; a
 * call that starts after it fails with {@link java.nio.channels.ClosedChannelException}, and the
 * descriptor is closed only when the calls in flight have finished, so its number is never reused
 * under them. Interrupting a calling thread has no effect on the handle: JNA calls are not
 * interruptible and nothing here closes on interrupt.
 */
public final class PosixFileHandle implements FileHandle {
  private final Path path;
  private final boolean writable;
  private final FdGuard guard;

  /**
   * The directory of this process's descriptors, through which {@link #map} reaches the very file
   * the descriptor is open on (procfs, present on every Linux this backend runs on).
   */
  private static final Path OWN_FDS = Path.of("/proc/self/fd");

  /** Whether {@link #map} is offered: procfs is mounted. */
  static final boolean MAPS = Files.isDirectory(OWN_FDS);

  PosixFileHandle(Path path, int fd, boolean writable) {
    this.path = path;
    this.writable = writable;
    this.guard = new FdGuard(fd);
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
    int fd = guard.acquire();
    try {
      long size = LibC.lseek(fd, 0, LinuxAbi.SEEK_END);
      if (size < 0) {
        throw Errno.toException("lseek", path, Native.getLastError());
      }
      return size;
    } finally {
      guard.release();
    }
  }

  @Override
  public void write(ByteBuffer src, long position) throws IOException {
    checkPosition(position);
    if (!writable) {
      throw new NonWritableChannelException();
    }
    int fd = guard.acquire();
    try {
      if (src.isDirect()) {
        writeDirect(fd, src, position);
        return;
      }
      ByteBuffer bounce = DirectBuffers.get();
      long at = position;
      while (src.hasRemaining()) {
        int n = Math.min(bounce.capacity(), src.remaining());
        ByteBuffer chunk = src.slice().limit(n);
        bounce.clear();
        bounce.put(chunk).flip();
        writeDirect(fd, bounce, at);
        src.position(src.position() + n);
        at += n;
      }
    } finally {
      guard.release();
    }
  }

  private void writeDirect(int fd, ByteBuffer src, long position) throws IOException {
    Pointer base = Native.getDirectBufferPointer(src);
    long at = position;
    try {
      while (src.hasRemaining()) {
        long n = LibC.pwrite(fd, base.share(src.position()), src.remaining(), at);
        if (n < 0) {
          int errno = Native.getLastError();
          if (errno == Errno.EINTR) {
            continue;
          }
          throw Errno.toException("pwrite", path, errno);
        }
        if (n == 0) {
          throw new IOException("pwrite " + path + " at offset " + at + " wrote nothing");
        }
        src.position(src.position() + (int) n);
        at += n;
      }
    } finally {
      Reference.reachabilityFence(src);
    }
  }

  @Override
  public void read(ByteBuffer dst, long position) throws IOException {
    checkPosition(position);
    if (dst.isReadOnly()) {
      // pread would write through the address of a read-only direct buffer.
      throw new IllegalArgumentException("cannot read into a read-only buffer");
    }
    int requested = dst.remaining();
    int fd = guard.acquire();
    try {
      int read;
      if (dst.isDirect()) {
        read = readDirect(fd, dst, position);
      } else {
        read = 0;
        ByteBuffer bounce = DirectBuffers.get();
        while (dst.hasRemaining()) {
          int want = Math.min(bounce.capacity(), dst.remaining());
          bounce.clear().limit(want);
          int n = readDirect(fd, bounce, position + read);
          dst.put(bounce.flip());
          read += n;
          if (n < want) {
            break;
          }
        }
      }
      if (read < requested) {
        throw new ShortReadException(path, position, requested, read);
      }
    } finally {
      guard.release();
    }
  }

  /** Reads until {@code dst} is full or the end of the file; returns the bytes read. */
  private int readDirect(int fd, ByteBuffer dst, long position) throws IOException {
    Pointer base = Native.getDirectBufferPointer(dst);
    int read = 0;
    try {
      while (dst.hasRemaining()) {
        long n = LibC.pread(fd, base.share(dst.position()), dst.remaining(), position + read);
        if (n < 0) {
          int errno = Native.getLastError();
          if (errno == Errno.EINTR) {
            continue;
          }
          throw Errno.toException("pread", path, errno);
        }
        if (n == 0) {
          break;
        }
        dst.position(dst.position() + (int) n);
        read += (int) n;
      }
      return read;
    } finally {
      Reference.reachabilityFence(dst);
    }
  }

  /**
   * Maps the region read-only with the JDK's {@link FileChannel#map}, on a channel opened through
   * {@code /proc/self/fd/<fd>}: that reaches the file this descriptor is open on even if its name
   * was since renamed over or deleted, never whatever the path names now. The channel is closed at
   * once; the mapping outlives it and is released by the garbage collector.
   */
  @Override
  public ByteBuffer map(long position, int length) throws IOException {
    checkPosition(position);
    if (length < 0) {
      throw new IllegalArgumentException("negative length " + length + " for " + path);
    }
    if (!MAPS) {
      throw new UnsupportedFsOperationException(
          "map of " + path + " is not supported: " + OWN_FDS + " is not mounted");
    }
    int fd = guard.acquire();
    try (FileChannel ch = FileChannel.open(OWN_FDS.resolve(Integer.toString(fd)))) {
      long size = ch.size();
      if (position + length > size) {
        throw new ShortReadException(
            path, position, length, (int) Math.max(0, Math.min(length, size - position)));
      }
      return ch.map(FileChannel.MapMode.READ_ONLY, position, length);
    } catch (ShortReadException e) {
      throw e;
    } catch (IOException e) {
      throw new IOException("map of " + path + " failed: " + e.getMessage(), e);
    } finally {
      guard.release();
    }
  }

  @Override
  public void sync(SyncMode mode) throws IOException {
    int fd = guard.acquire();
    try {
      Posix.sync(fd, mode, path);
    } finally {
      guard.release();
    }
  }

  @Override
  public void truncate(long size) throws IOException {
    if (size < 0) {
      throw new IllegalArgumentException("size must not be negative: " + size);
    }
    if (!writable) {
      throw new NonWritableChannelException();
    }
    int fd = guard.acquire();
    try {
      while (LibC.ftruncate(fd, size) < 0) {
        int errno = Native.getLastError();
        if (errno != Errno.EINTR) {
          throw Errno.toException("ftruncate", path, errno);
        }
      }
    } finally {
      guard.release();
    }
  }

  /**
   * Reserves disk blocks for {@code [offset, offset + length)} with {@code fallocate(fd, 0, ...)},
   * growing the file if needed, so later writes there cannot fail for lack of space.
   *
   * @return false when {@code fallocate} is missing from libc or the file system does not support
   *     it ({@code EOPNOTSUPP}, {@code ENOSYS}); nothing was reserved then
   * @throws io.batpak.port.NoSpaceException if the device is full
   * @throws IOException for any other failure
   */
  public boolean preallocate(long offset, long length) throws IOException {
    if (offset < 0 || length <= 0) {
      throw new IllegalArgumentException(
          "offset must be >= 0 and length > 0: offset " + offset + ", length " + length);
    }
    if (!writable) {
      throw new NonWritableChannelException();
    }
    if (Fallocate.UNAVAILABLE != null) {
      return false;
    }
    int fd = guard.acquire();
    try {
      while (Fallocate.fallocate(fd, 0, offset, length) < 0) {
        int errno = Native.getLastError();
        if (errno == Errno.EOPNOTSUPP || errno == Errno.ENOSYS) {
          return false;
        }
        if (errno != Errno.EINTR) {
          throw Errno.toException("fallocate", path, errno);
        }
      }
      return true;
    } finally {
      guard.release();
    }
  }

  @Override
  public void close() throws IOException {
    if (guard.close() < 0) {
      throw Errno.toException("close", path, Native.getLastError());
    }
  }

  @Override
  public String toString() {
    return "PosixFileHandle[" + path + (writable ? ", rw" : ", r") + "]";
  }

  private static void checkPosition(long position) {
    if (position < 0) {
      throw new IllegalArgumentException("position must not be negative: " + position);
    }
  }
}
