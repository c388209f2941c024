package io.batpak.fs.posix.internal;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The name-only questions the backend answers with NIO ({@code lstat} and friends), with the port's
 * rule for missing paths: a path below something that is not a directory does not exist, exactly
 * like a path in a missing directory (see {@link io.batpak.port.StoreFs}, "Missing paths").
 *
 * <p>Stateless and thread-safe.
 */
final class PathChecks {
  private PathChecks() {}

  /**
   * The attributes of {@code path}, not following a symbolic link at its last component, or null
   * when the path is missing (its last component, a parent directory, or a parent that is not a
   * directory).
   *
   * @throws IOException when the answer cannot be determined (for example, permission denied)
   */
  static BasicFileAttributes lstat(Path path) throws IOException {
    try {
      return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return null;
    } catch (FileSystemException e) {
      if (e.getClass() == FileSystemException.class && parentIsNotDirectory(path)) {
        return null; // ENOTDIR from a parent component
      }
      throw e;
    }
  }

  /**
   * Whether the nearest existing ancestor of {@code path} (links followed) is something other than
   * a directory, so that {@code path} cannot exist: the cause of an {@code ENOTDIR} that is not
   * about {@code path}'s own last component. Looks only at names; reads nothing.
   */
  static boolean parentIsNotDirectory(Path path) {
    for (Path p = path.toAbsolutePath().getParent(); p != null; p = p.getParent()) {
      try {
        return !Files.readAttributes(p, BasicFileAttributes.class).isDirectory();
      } catch (IOException e) {
        // Missing, or itself below a non-directory: the answer is further up.
      }
    }
    return false;
  }
}
