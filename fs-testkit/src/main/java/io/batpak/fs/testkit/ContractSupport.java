package io.batpak.fs.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.port.LockUnavailableException;
import io.batpak.port.StoreFs;
import io.batpak.port.SymlinkRefusedException;
import io.batpak.port.SyncMode;
import io.batpak.port.UnsupportedFsOperationException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Static helpers the areas of {@link StoreFsContract} share: the suite's seed, buffers, a bounded
 * wait on a helper thread, and the one-answer assertions for refused operations.
 */
final class ContractSupport {
  /** The seed every pseudo-random choice of the suite derives from. */
  static final long SEED = 0x5EED_BA7BAL;

  private ContractSupport() {}

  static ByteBuffer buf(int n) {
    return ByteBuffer.allocate(n);
  }

  static byte[] toArray(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  /** The result of {@code f}, waiting at most twice the child timeout; its failure rethrown. */
  static <T> T await(Future<T> f) throws Exception {
    try {
      return f.get(StoreFsContract.CHILD_TIMEOUT_SECONDS * 2L, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof Error) {
        throw (Error) cause;
      }
      if (cause instanceof Exception) {
        throw (Exception) cause;
      }
      throw e;
    } catch (TimeoutException e) {
      f.cancel(true);
      throw new AssertionError(
          "a helper thread did not finish within "
              + StoreFsContract.CHILD_TIMEOUT_SECONDS * 2
              + " s",
          e);
    }
  }

  /** An operation expected to fail, for the one-answer checks below. */
  interface Refused {
    void run() throws IOException;
  }

  /**
   * Asserts that {@code op} throws exactly a {@link NoSuchFileException} whose message names {@code
   * named}: the answer for a path that does not exist, including one below a regular file.
   */
  static void assertMissing(String what, Path named, Refused op) {
    NoSuchFileException e = assertThrows(NoSuchFileException.class, op::run, what);
    assertTrue(
        String.valueOf(e.getMessage()).contains(named.toString()),
        what + ": the message must name " + named + ": " + e.getMessage());
  }

  /**
   * Asserts that {@code op} on the directory {@code dir} is refused with an {@link IOException}
   * naming it that is none of the port's typed answers (the directory exists, is no link, and is no
   * missing path), and that it fails at once rather than on a later read.
   */
  static void assertRefusedAsDirectory(String what, Path dir, Refused op) {
    IOException e = assertThrows(IOException.class, op::run, what);
    assertFalse(
        e instanceof NoSuchFileException
            || e instanceof FileAlreadyExistsException
            || e instanceof NotDirectoryException
            || e instanceof SymlinkRefusedException
            || e instanceof LockUnavailableException
            || e instanceof UnsupportedFsOperationException,
        what + ": a directory is none of these, got " + e);
    assertTrue(
        String.valueOf(e.getMessage()).contains(dir.toString()),
        what + ": the message must name " + dir + ": " + e.getMessage());
  }

  /**
   * Publishes {@code temp} onto {@code target} and returns true, or, for a backend without
   * directory sync that refuses with {@link UnsupportedFsOperationException}, checks that the
   * target was not touched and returns false.
   */
  static boolean publishSupported(StoreFs fs, Path temp, Path target, SyncMode mode)
      throws IOException {
    if (fs.capabilities().directorySync()) {
      fs.publish(temp, target, mode);
      return true;
    }
    boolean existed = fs.exists(target);
    try {
      fs.publish(temp, target, mode);
      return true;
    } catch (UnsupportedFsOperationException e) {
      assertEquals(existed, fs.exists(target), "a refused publish must not touch the target");
      return false;
    }
  }
}
