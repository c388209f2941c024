package io.batpak.fs.posix.internal;

import com.sun.jna.Native;

/**
 * Optional binding of {@code renameat2(2)} (glibc 2.28 and later), probed on its own so a libc
 * without it only costs the atomic no-replace rename, never the backend. When the symbol is
 * missing, {@link #UNAVAILABLE} says why and {@link #renameat2} must not be called.
 *
 * <p>Thread-safe.
 */
final class Renameat2 {
  /** Null when the symbol was bound; otherwise the linker's message. */
  static final String UNAVAILABLE;

  static {
    String reason = null;
    try {
      LibC.LIBRARY.getFunction("renameat2");
      Native.register(Renameat2.class, LibC.LIBRARY);
    } catch (UnsatisfiedLinkError e) {
      reason = "renameat2 is not in " + LibC.LIBRARY.getName() + ": " + e.getMessage();
    }
    UNAVAILABLE = reason;
  }

  private Renameat2() {}

  static native int renameat2(
      int olddirfd, byte[] oldpath, int newdirfd, byte[] newpath, int flags);
}
