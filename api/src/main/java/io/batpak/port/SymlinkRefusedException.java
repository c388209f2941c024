package io.batpak.port;

import static org.apiguardian.api.API.Status.STABLE;

import java.nio.file.FileSystemException;
import org.apiguardian.api.API;

/**
 * The final component of a path is a symbolic link, which the store refuses for every file it owns:
 * {@link StoreFs#openRead}, {@link StoreFs#openWrite}, {@link StoreFs#create}, {@link
 * StoreFs#lock}, both ends of {@link StoreFs#publish}, {@link StoreFs#rename} and {@link
 * StoreFs#copy} (see {@link StoreFs}, "Symbolic links"). {@link #getFile()} is the link.
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
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
