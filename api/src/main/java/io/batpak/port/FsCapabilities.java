package io.batpak.port;

import static org.apiguardian.api.API.Status.STABLE;

import org.apiguardian.api.API;

/**
 * What a {@link StoreFs} backend can promise. The engine reads these before it relies on a feature,
 * and the conformance suite checks that a backend which declares a capability absent refuses the
 * operation with {@link UnsupportedFsOperationException} instead of pretending.
 *
 * @param directorySync {@link StoreFs#syncDirectory} makes directory entries durable
 * @param noReplaceRename {@link RenameMode#NO_REPLACE} is supported atomically
 * @param symlinkRefusal create, lock and publish refuse a symbolic link at the final path component
 *     without a check-then-act race
 * @param crossProcessLock {@link StoreFs#lock} excludes holders in other processes, not only in
 *     this JVM
 * @param sharedLock {@link LockMode#SHARED} is supported
 * @param lockFamily a short description of the OS lock family the backend uses, for reports (for
 *     example {@code "flock+ofd"} or {@code "fcntl"})
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public record FsCapabilities(
    boolean directorySync,
    boolean noReplaceRename,
    boolean symlinkRefusal,
    boolean crossProcessLock,
    boolean sharedLock,
    String lockFamily) {

  /** Validates that {@code lockFamily} is present. */
  public FsCapabilities {
    if (lockFamily == null || lockFamily.isBlank()) {
      throw new IllegalArgumentException("lockFamily must be a non-blank description");
    }
  }
}
