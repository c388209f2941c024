package io.batpak.fs.nio;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedByInterruptException;

/**
 * Runs channel calls on channels that only the calling thread uses (a directory opened for fsync, a
 * temporary file opened for its sync, the lock channel) so that a pending interrupt does not make
 * the JDK close the channel and fail the call: the interrupt flag is cleared before the call and
 * set again afterwards. An interrupt that arrives during the call still closes the channel; the
 * caller then gets an {@link InterruptedIOException} (the outcome is unknown) with the flag set.
 */
final class Uninterruptibly {
  private Uninterruptibly() {}

  /** One channel call. */
  interface IoCall<T> {
    T call() throws IOException;
  }

  static <T> T call(IoCall<T> call) throws IOException {
    boolean interrupted = Thread.interrupted();
    try {
      return call.call();
    } catch (ClosedByInterruptException e) {
      interrupted = true;
      InterruptedIOException x =
          new InterruptedIOException("interrupted during the call; its outcome is unknown");
      x.initCause(e);
      throw x;
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
