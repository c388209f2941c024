package io.batpak.port;

import static org.apiguardian.api.API.Status.STABLE;

import org.apiguardian.api.API;

/**
 * The kind of lock {@link StoreFs#lock(java.nio.file.Path, LockMode)} takes on a lock file.
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public enum LockMode {
  /**
   * One holder at a time, excluding shared holders too; used by a store opened for writing. Creates
   * the lock file if it is missing.
   */
  EXCLUSIVE,
  /**
   * Any number of shared holders, excluding an exclusive one; used by read-only opens. Opens an
   * existing lock file read-only and never creates or writes it (a missing file is {@link
   * java.nio.file.NoSuchFileException}).
   */
  SHARED
}
