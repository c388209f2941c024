package io.batpak.fs.posix.internal;

import com.sun.jna.Native;
import io.batpak.port.SyncMode;
import io.batpak.spi.ProbeResult;
import java.io.IOException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * Entry point of the JNA side: the probe, and the few system-call sequences shared by the file
 * system, its handles and its locks. Loading this class binds libc; the provider reaches it only
 * from {@code probe()} and {@code open()}, inside a {@code catch (LinkageError)}, so a missing
 * {@code jna.jar} or native library becomes a probe answer instead of a crash.
 *
 * <p>Thread-safe (stateless).
 */
public final class Posix {
  /** The constants of this machine's architecture. */
  static final LinuxAbi ABI = LinuxAbi.forArch(System.getProperty("os.arch", ""));

  private static final int F_GETFD = 1;

  private Posix() {}

  /**
   * Binds libc and the optional symbols and reports what was found. The caller has already checked
   * the operating system and architecture ({@link LinuxAbi#unsupportedReason}).
   *
   * @throws LinkageError if JNA or libc cannot be loaded (the provider turns it into a reason)
   */
  public static ProbeResult probe() {
    if (Native.POINTER_SIZE != 8 || Native.LONG_SIZE != 8) {
      return ProbeResult.unavailable(
          "the posix backend needs a 64-bit JVM (off_t and size_t are mapped to long)");
    }
    LibC.getpid();
    // A variadic call on a descriptor that cannot exist must fail with EBADF: that proves the
    // interface binding reaches libc and errno comes back.
    if (LibCVarargs.INSTANCE.fcntl(-1, F_GETFD) != -1 || Native.getLastError() != Errno.EBADF) {
      return ProbeResult.unavailable(
          "fcntl(-1, F_GETFD) through JNA did not fail with EBADF; libc binding is unusable");
    }
    return ProbeResult.available(
        "libc loaded through JNA "
            + Native.VERSION
            + " on linux-"
            + ABI.arch
            + "; renameat2: "
            + (Renameat2.UNAVAILABLE == null ? "yes" : "no (" + Renameat2.UNAVAILABLE + ")")
            + "; fallocate: "
            + (Fallocate.UNAVAILABLE == null ? "yes" : "no (" + Fallocate.UNAVAILABLE + ")"));
  }

  /** Whether {@code renameat2} was bound. */
  static boolean hasRenameat2() {
    return Renameat2.UNAVAILABLE == null;
  }

  /** Whether {@code fallocate} was bound. */
  public static boolean hasFallocate() {
    return Fallocate.UNAVAILABLE == null;
  }

  /**
   * {@code open(path, flags, mode)}, retrying {@code EINTR}.
   *
   * @throws IOException mapped from {@code errno} with {@code op} and {@code path}
   */
  static int open(Path path, int flags, int mode, String op) throws IOException {
    byte[] cpath = NativePaths.of(path);
    while (true) {
      int fd = LibCVarargs.INSTANCE.open(cpath, flags, mode);
      if (fd >= 0) {
        return fd;
      }
      int errno = Native.getLastError();
      if (errno != Errno.EINTR) {
        throw Errno.toException(op, path, errno);
      }
    }
  }

  /**
   * Opens {@code dir} with {@code O_RDONLY|O_DIRECTORY|O_CLOEXEC}, following links, retrying {@code
   * EINTR}. {@code ENOTDIR} means {@code dir} itself is not a directory ({@link
   * NotDirectoryException}) unless a parent is the non-directory ({@link
   * java.nio.file.NoSuchFileException}: the path does not exist).
   */
  static int openDirectory(Path dir) throws IOException {
    byte[] cpath = NativePaths.of(dir);
    while (true) {
      int fd =
          LibCVarargs.INSTANCE.open(
              cpath, LinuxAbi.O_RDONLY | ABI.oDirectory | LinuxAbi.O_CLOEXEC, 0);
      if (fd >= 0) {
        return fd;
      }
      int errno = Native.getLastError();
      if (errno == Errno.EINTR) {
        continue;
      }
      if (errno == Errno.ENOTDIR && !PathChecks.parentIsNotDirectory(dir)) {
        throw new NotDirectoryException(dir.toString());
      }
      throw Errno.toException("open", dir, errno);
    }
  }

  /**
   * Refuses {@code fd}, just opened on {@code path} for {@code op}, unless it is a regular file (or
   * another non-directory): a read of zero bytes, which the kernel answers with {@code EISDIR} for
   * a directory and with 0 for a file, without touching the file. On refusal {@code fd} is closed
   * and an {@link IOException} naming the path is thrown, so a directory fails at the open and not
   * on a later read.
   */
  static void refuseDirectory(int fd, Path path, String op) throws IOException {
    while (LibC.pread(fd, null, 0, 0) < 0) {
      int errno = Native.getLastError();
      if (errno == Errno.EINTR) {
        continue;
      }
      IOException e = Errno.toException(op, path, errno);
      closeQuietly(fd, path, e);
      throw e;
    }
  }

  /** {@code fdatasync} for {@link SyncMode#DATA}, {@code fsync} for {@link SyncMode#ALL}. */
  static void sync(int fd, SyncMode mode, Path path) throws IOException {
    while (true) {
      int r = mode == SyncMode.DATA ? LibC.fdatasync(fd) : LibC.fsync(fd);
      if (r == 0) {
        return;
      }
      int errno = Native.getLastError();
      if (errno != Errno.EINTR) {
        throw Errno.toException(mode == SyncMode.DATA ? "fdatasync" : "fsync", path, errno);
      }
    }
  }

  /** Closes {@code fd}, reporting an error; {@code EINTR} is not retried (Linux closed it). */
  static void close(int fd, Path path) throws IOException {
    if (LibC.close(fd) < 0) {
      int errno = Native.getLastError();
      if (errno != Errno.EINTR) {
        throw Errno.toException("close", path, errno);
      }
    }
  }

  /** Closes {@code fd} on a failure path, adding a close error to {@code primary}. */
  static void closeQuietly(int fd, Path path, Throwable primary) {
    try {
      close(fd, path);
    } catch (IOException e) {
      primary.addSuppressed(e);
    }
  }

  /**
   * {@code fsync} of a directory through an {@code O_RDONLY|O_DIRECTORY|O_CLOEXEC} descriptor.
   *
   * @throws NotDirectoryException if {@code dir} (links followed) is not a directory
   * @throws java.nio.file.NoSuchFileException if it is missing, or below a non-directory
   */
  static void syncDirectory(Path dir) throws IOException {
    int fd = openDirectory(dir);
    try {
      sync(fd, SyncMode.ALL, dir);
    } catch (IOException e) {
      closeQuietly(fd, dir, e);
      throw e;
    }
    close(fd, dir);
  }
}
