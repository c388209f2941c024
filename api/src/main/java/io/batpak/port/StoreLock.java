package io.batpak.port;

import static org.apiguardian.api.API.Status.STABLE;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import org.apiguardian.api.API;

/**
 * A held lock on a store's lock file. The lock is released by {@link #close()} and, by the
 * operating system, when the holding process dies.
 *
 * <p>Thread-safe.
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public interface StoreLock extends Closeable {

  /** The lock file. */
  Path path();

  /** The mode this lock was taken in. */
  LockMode mode();

  /** Whether the lock is still held (false after {@link #close()} or a simulated crash). */
  boolean isValid();

  /** Releases the lock. Idempotent. */
  @Override
  void close() throws IOException;
}
