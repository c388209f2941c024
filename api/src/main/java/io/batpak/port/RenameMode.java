package io.batpak.port;

import static org.apiguardian.api.API.Status.STABLE;

import org.apiguardian.api.API;

/**
 * What a rename does when its target already exists.
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public enum RenameMode {
  /** An existing target is replaced atomically: readers see the old file or the new one. */
  REPLACE,
  /**
   * An existing target is left alone and the rename fails with {@link
   * java.nio.file.FileAlreadyExistsException}. Requires {@link FsCapabilities#noReplaceRename()}.
   */
  NO_REPLACE
}
