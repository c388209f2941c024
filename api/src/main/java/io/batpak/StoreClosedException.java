package io.batpak;

import static org.apiguardian.api.API.Status.STABLE;

import org.apiguardian.api.API;

/**
 * The store was closed; reopen it. A wait ({@link Store#waitFor}) also ends with it when the store
 * is poisoned by a write or fsync failure, since nothing more can become visible. Appends to a
 * poisoned store fail with {@link OutcomeUnknownException} instead.
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
