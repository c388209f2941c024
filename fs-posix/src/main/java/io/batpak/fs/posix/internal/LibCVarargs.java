package io.batpak.fs.posix.internal;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * JNA interface mapping for the libc calls whose C prototypes are variadic ({@code open}, {@code
 * openat}, {@code fcntl}). Direct mapping has no varargs; declaring the Java methods variadic makes
 * JNA use the platform's variadic calling convention, which matters on ABIs (Apple arm64) that pass
 * variadic arguments differently. These calls happen once per file or lock, so the extra cost of
 * interface mapping does not matter.
 *
 * <p>Thread-safe.
 */
public interface LibCVarargs extends Library {
  /** The instance bound to the C library. */
  LibCVarargs INSTANCE = Native.load(Platform.C_LIBRARY_NAME, LibCVarargs.class);

  /**
   * {@code int open(const char *path, int flags, ...)}; the variadic argument is the {@code mode_t}
   * mode.
   */
  int open(byte[] path, int flags, Object... mode);

  /**
   * {@code int fcntl(int fd, int cmd, ...)}; the variadic argument is an {@code int} or a {@code
   * struct flock *}.
   */
  int fcntl(int fd, int cmd, Object... arg);

  /**
   * {@code int ioctl(int fd, unsigned long request, ...)}; the variadic argument is an {@code int}
   * (the source descriptor of {@code FICLONE}).
   */
  int ioctl(int fd, long request, Object... arg);
}
