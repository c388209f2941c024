package io.batpak;

import static org.apiguardian.api.API.Status.STABLE;

import org.apiguardian.api.API;

/**
 * An I/O operation failed; the cause is the port's {@link java.io.IOException}.
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public class StoreIoException extends StoreException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what went wrong, which value, and what to do
   */
  public StoreIoException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what went wrong, which value, and what to do
   * @param cause the underlying failure
   */
  public StoreIoException(String message, Throwable cause) {
    super(message, cause);
  }
}
