package io.batpak;

import static org.apiguardian.api.API.Status.STABLE;

import org.apiguardian.api.API;

/**
 * An idempotency key was reused with different content. The original event stands; use a new key
 * for a different operation.
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public class IdempotencyConflictException extends StoreException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what went wrong, which value, and what to do
   */
  public IdempotencyConflictException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what went wrong, which value, and what to do
   * @param cause the underlying failure
   */
  public IdempotencyConflictException(String message, Throwable cause) {
    super(message, cause);
  }
}
