package io.batpak;

import static org.apiguardian.api.API.Status.STABLE;

import org.apiguardian.api.API;

/**
 * A timed wait ran out: a full queue, a watermark that was not reached, or a close that could not
 * drain in time.
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public class StoreTimeoutException extends StoreException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what went wrong, which value, and what to do
   */
  public StoreTimeoutException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what went wrong, which value, and what to do
   * @param cause the underlying failure
   */
  public StoreTimeoutException(String message, Throwable cause) {
    super(message, cause);
  }
}
