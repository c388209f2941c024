package io.batpak;

import static org.apiguardian.api.API.Status.STABLE;

import org.apiguardian.api.API;

/**
 * An argument or configuration value is invalid. Nothing was written.
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public class ValidationException extends StoreException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what went wrong, which value, and what to do
   */
  public ValidationException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what went wrong, which value, and what to do
   * @param cause the underlying failure
   */
  public ValidationException(String message, Throwable cause) {
    super(message, cause);
  }
}
