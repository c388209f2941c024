package io.batpak.fs.posix.internal;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * JNA direct mapping ({@link Native#register}) of the hot libc calls. Every method returns the C
 * result; on {@code -1} the caller reads {@link Native#getLastError()} (JNA saves {@code errno}
 * right after each call, per thread). {@code size_t}, {@code ssize_t} and {@code off_t} are {@code
 * long}: the backend refuses to run on anything but 64-bit Linux.
 *
 * <p>JNA native calls are not interruptible: {@link Thread#interrupt()} neither aborts them nor
 * closes a descriptor, which is exactly what the store needs.
 *
 * <p>Thread-safe (stateless).
 */
final class LibC {
  /** The C library, loaded once; shared with the optional bindings. */
  static final NativeLibrary LIBRARY = NativeLibrary.getInstance(Platform.C_LIBRARY_NAME);

  static {
    Native.register(LibC.class, LIBRARY);
  }

  private LibC() {}

  static native long pread(int fd, Pointer buf, long count, long offset);

  static native long pwrite(int fd, Pointer buf, long count, long offset);

  static native int fsync(int fd);

  static native int fdatasync(int fd);

  static native int close(int fd);

  static native int ftruncate(int fd, long length);

  static native long lseek(int fd, long offset, int whence);

  static native int flock(int fd, int operation);

  static native int unlink(byte[] path);

  static native int rename(byte[] from, byte[] to);

  static native int link(byte[] from, byte[] to);

  static native int mkdir(byte[] path, int mode);

  static native int rmdir(byte[] path);

  static native int getpid();
}
