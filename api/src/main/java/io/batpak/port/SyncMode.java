package io.batpak.port;

import static org.apiguardian.api.API.Status.STABLE;

import org.apiguardian.api.API;

/**
 * How a {@link FileHandle#sync(SyncMode)} makes a file's content durable.
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public enum SyncMode {
  /**
   * The file's data and the metadata needed to read it back (its size) reach stable storage; {@code
   * fdatasync(2)} on POSIX.
   */
  DATA,
  /** The file's data and all of its metadata reach stable storage; {@code fsync(2)} on POSIX. */
  ALL
}
