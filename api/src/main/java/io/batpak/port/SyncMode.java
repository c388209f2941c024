package io.batpak.port;

/**
 * How a {@link FileHandle#sync(SyncMode)} makes a file's content durable.
 *
 * @since 0.1
 */
public enum SyncMode {
  /**
   * The file's data and the metadata needed to read it back (its size) reach stable storage; {@code
   * fdatasync(2)} on POSIX.
   */
  DATA,
  /** The file's data and all of its metadata reach stable storage; {@code fsync(2)} on POSIX. */
  ALL
}
