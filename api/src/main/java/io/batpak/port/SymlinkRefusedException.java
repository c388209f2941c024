package io.batpak.port;

import java.nio.file.FileSystemException;

/**
 * The final component of a path is a symbolic link where the store refuses to follow one (the
 * target of a create, a lock or a publish).
 *
 * @since 0.1
 */
public final class SymlinkRefusedException extends FileSystemException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param file the path whose last component is a symbolic link
   * @param operation what was refused
   */
  public SymlinkRefusedException(String file, String operation) {
    super(file, null, operation + " refused: the path is a symbolic link");
  }
}
