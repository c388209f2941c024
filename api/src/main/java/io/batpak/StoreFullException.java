package io.batpak;

import static org.apiguardian.api.API.Status.STABLE;

import org.apiguardian.api.API;

/**
 * The device is full. The journal was cut back to its last whole frame, so nothing half-written
 * remains; the append was not committed. Free space and reopen the store.
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public class StoreFullException extends StoreException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what went wrong, which value, and what to do
   */
  public StoreFullException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what went wrong, which value, and what to do
   * @param cause the underlying failure
   */
  public StoreFullException(String message, Throwable cause) {
    super(message, cause);
  }
}
