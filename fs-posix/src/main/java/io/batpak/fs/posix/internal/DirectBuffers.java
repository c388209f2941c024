package io.batpak.fs.posix.internal;

import java.nio.ByteBuffer;

/**
 * One direct bounce buffer per thread, through which heap buffers are read and written: the system
 * calls need a stable native address, which a heap array does not have.
 *
 * <p>Thread-safe (thread-confined buffers).
 */
final class DirectBuffers {
  /** The bounce buffer size; larger transfers go through it in chunks. */
  static final int SIZE = 64 * 1024;

  private static final ThreadLocal<ByteBuffer> BUFFER =
      ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(SIZE));

  private DirectBuffers() {}

  /** This thread's bounce buffer, cleared. */
  static ByteBuffer get() {
    return BUFFER.get().clear();
  }
}
