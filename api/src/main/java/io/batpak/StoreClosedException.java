package io.batpak;

import static org.apiguardian.api.API.Status.STABLE;

import org.apiguardian.api.API;

/**
 * The store was closed, or poisoned by an earlier write or fsync failure; reopen it.
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public class StoreClosedException extends StoreException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what went wrong, which value, and what to do
   */
  public StoreClosedException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what went wrong, which value, and what to do
   * @param cause the underlying failure
   */
  public StoreClosedException(String message, Throwable cause) {
    super(message, cause);
  }
}
