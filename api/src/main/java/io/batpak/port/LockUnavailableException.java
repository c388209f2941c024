package io.batpak.port;

import static org.apiguardian.api.API.Status.STABLE;

import java.nio.file.FileSystemException;
import org.apiguardian.api.API;

/**
 * Another holder, in this process or another one, has a conflicting lock on the file.
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public final class LockUnavailableException extends FileSystemException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param file the lock file
   * @param reason who or what holds it, as far as the backend knows
   */
  public LockUnavailableException(String file, String reason) {
    super(file, null, reason);
  }
}
