package io.batpak;

import static org.apiguardian.api.API.Status.STABLE;

import org.apiguardian.api.API;

/**
 * A file was written in a format version this build cannot read (newer or too old).
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public class UnsupportedFormatException extends StoreException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what went wrong, which value, and what to do
   */
  public UnsupportedFormatException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what went wrong, which value, and what to do
   * @param cause the underlying failure
   */
  public UnsupportedFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
