package io.batpak.fs.posix.internal;

import com.sun.jna.Native;

/**
 * Optional binding of {@code fallocate(2)}, probed on its own like {@link Renameat2}. {@code
 * posix_fallocate} is deliberately not used: glibc may emulate it by writing zeros.
 *
 * <p>Thread-safe.
 */
final class Fallocate {
  /** Null when the symbol was bound; otherwise the linker's message. */
  static final String UNAVAILABLE;

  static {
    String reason = null;
    try {
      LibC.LIBRARY.getFunction("fallocate");
      Native.register(Fallocate.class, LibC.LIBRARY);
    } catch (UnsatisfiedLinkError e) {
      reason = "fallocate is not in " + LibC.LIBRARY.getName() + ": " + e.getMessage();
    }
    UNAVAILABLE = reason;
  }

  private Fallocate() {}

  static native int fallocate(int fd, int mode, long offset, long len);
}
