package io.batpak;

import static org.apiguardian.api.API.Status.STABLE;

import org.apiguardian.api.API;

/**
 * The store cannot tell whether an append was committed: a write or fsync failed, the store was
 * closed or the caller was interrupted while the append was in flight. The event may or may not be
 * in the journal after a reopen. The remedy is an idempotency key: retry with the same key after
 * reopening, and the store returns the original receipt if the first attempt was committed.
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public class OutcomeUnknownException extends StoreException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what went wrong, which value, and what to do
   */
  public OutcomeUnknownException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what went wrong, which value, and what to do
   * @param cause the underlying failure
   */
  public OutcomeUnknownException(String message, Throwable cause) {
    super(message, cause);
  }
}
