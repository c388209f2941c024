package io.batpak.port;

/**
 * The kind of lock {@link StoreFs#lock(java.nio.file.Path, LockMode)} takes on a lock file.
 *
 * @since 0.1
 */
public enum LockMode {
  /** One holder at a time, excluding shared holders too; used by a store opened for writing. */
  EXCLUSIVE,
  /** Any number of shared holders, excluding an exclusive one; used by read-only opens. */
  SHARED
}
