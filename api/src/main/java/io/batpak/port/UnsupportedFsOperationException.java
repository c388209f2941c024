package io.batpak.port;

import static org.apiguardian.api.API.Status.STABLE;

import java.io.IOException;
import org.apiguardian.api.API;

/**
 * The backend cannot perform the operation at all (its {@link FsCapabilities} say so).
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public final class UnsupportedFsOperationException extends IOException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message which operation, on which backend, and why
   */
  public UnsupportedFsOperationException(String message) {
    super(message);
  }
}
