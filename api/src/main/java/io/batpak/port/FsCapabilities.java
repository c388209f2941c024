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
 * @param hardLinks {@link StoreFs#link} makes a second name for a file (since 0.2; false through
 *     the six-argument constructor)
 * @param reflinks {@link StoreFs#reflink} is implemented: the backend asks the file system to share
 *     the source's blocks copy-on-write. A file system without block sharing (ext4, tmpfs) still
 *     refuses it, per call, with {@link UnsupportedFsOperationException} and changes nothing, so a
 *     caller falls back to a hard link or a copy (since 0.2; false through the six-argument
 *     constructor)
 * @param mappedReads {@link FileHandle#map} is implemented: a read-only region of a file can be
 *     mapped into memory and read without a system call per read (since 0.2; false through the six-
 *     and eight-argument constructors). A backend without it refuses {@link FileHandle#map} with
 *     {@link UnsupportedFsOperationException}, and the engine reads with {@link FileHandle#read}
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public record FsCapabilities(
    boolean directorySync,
    boolean noReplaceRename,
    boolean symlinkRefusal,
    boolean crossProcessLock,
    boolean sharedLock,
    String lockFamily,
    boolean hardLinks,
    boolean reflinks,
    boolean mappedReads) {

  /** Validates that {@code lockFamily} is present. */
  public FsCapabilities {
    if (lockFamily == null || lockFamily.isBlank()) {
      throw new IllegalArgumentException("lockFamily must be a non-blank description");
    }
  }

  /**
   * The capabilities of a backend without {@link FileHandle#map} ({@link #mappedReads()} is false).
   *
   * @param directorySync see {@link #directorySync()}
   * @param noReplaceRename see {@link #noReplaceRename()}
   * @param symlinkRefusal see {@link #symlinkRefusal()}
   * @param crossProcessLock see {@link #crossProcessLock()}
   * @param sharedLock see {@link #sharedLock()}
   * @param lockFamily see {@link #lockFamily()}
   * @param hardLinks see {@link #hardLinks()}
   * @param reflinks see {@link #reflinks()}
   * @since 0.2
   */
  public FsCapabilities(
      boolean directorySync,
      boolean noReplaceRename,
      boolean symlinkRefusal,
      boolean crossProcessLock,
      boolean sharedLock,
      String lockFamily,
      boolean hardLinks,
      boolean reflinks) {
    this(
        directorySync,
        noReplaceRename,
        symlinkRefusal,
        crossProcessLock,
        sharedLock,
        lockFamily,
        hardLinks,
        reflinks,
        false);
  }

  /**
   * The capabilities of a backend from before 0.2, which offers neither {@link StoreFs#link} nor
   * {@link StoreFs#reflink} ({@link #hardLinks()} and {@link #reflinks()} are false).
   *
   * @param directorySync see {@link #directorySync()}
   * @param noReplaceRename see {@link #noReplaceRename()}
   * @param symlinkRefusal see {@link #symlinkRefusal()}
   * @param crossProcessLock see {@link #crossProcessLock()}
   * @param sharedLock see {@link #sharedLock()}
   * @param lockFamily see {@link #lockFamily()}
   */
  public FsCapabilities(
      boolean directorySync,
      boolean noReplaceRename,
      boolean symlinkRefusal,
      boolean crossProcessLock,
      boolean sharedLock,
      String lockFamily) {
    this(
        directorySync,
        noReplaceRename,
        symlinkRefusal,
        crossProcessLock,
        sharedLock,
        lockFamily,
        false,
        false,
        false);
  }
}
