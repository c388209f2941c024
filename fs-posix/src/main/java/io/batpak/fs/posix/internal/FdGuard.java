package io.batpak.fs.posix.internal;

import java.nio.channels.ClosedChannelException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps a file descriptor number from being closed while a call uses it. Without this, a {@code
 * close} racing a {@code pread} loop could free the number, another open could reuse it, and the
 * loop would read or write someone else's file. Each call brackets its use with {@link #acquire()}
 * and {@link #release()}; {@link #close()} marks the guard closed and the descriptor is closed by
 * whichever of {@code close} or the last {@code release} comes last.
 *
 * <p>Thread-safe and lock-free.
 */
final class FdGuard {
  private static final long CLOSED = 1L << 62;

  private final int fd;
  private final AtomicLong state = new AtomicLong();

  FdGuard(int fd) {
    this.fd = fd;
  }

  /**
   * Marks one call in flight and returns the descriptor.
   *
   * @throws ClosedChannelException if the guard is closed
   */
  int acquire() throws ClosedChannelException {
    while (true) {
      long s = state.get();
      if ((s & CLOSED) != 0) {
        throw new ClosedChannelException();
      }
      if (state.compareAndSet(s, s + 1)) {
        return fd;
      }
    }
  }

  /** Ends a call begun with {@link #acquire()}; closes the descriptor if it was the last one. */
  void release() {
    if (state.decrementAndGet() == CLOSED) {
      LibC.close(fd);
    }
  }

  /** Whether {@link #close()} was called. */
  boolean isClosed() {
    return (state.get() & CLOSED) != 0;
  }

  /**
   * Closes the guard. Returns the result of {@code close(2)} when it ran now (0 or -1 with {@code
   * errno} set), or 0 when the guard was already closed or calls still run (the last of them closes
   * the descriptor, and an error then cannot be reported).
   */
  int close() {
    while (true) {
      long s = state.get();
      if ((s & CLOSED) != 0) {
        return 0;
      }
      if (state.compareAndSet(s, s | CLOSED)) {
        return s == 0 ? LibC.close(fd) : 0;
      }
    }
  }
}
