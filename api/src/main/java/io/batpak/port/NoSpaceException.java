package io.batpak.port;

import static org.apiguardian.api.API.Status.STABLE;

import java.nio.file.FileSystemException;
import org.apiguardian.api.API;

/**
 * The device or a quota is full ({@code ENOSPC}, {@code EDQUOT}).
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public final class NoSpaceException extends FileSystemException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param file the file being written
   * @param reason what the system said
   */
  public NoSpaceException(String file, String reason) {
    super(file, null, reason);
  }
}
