package io.batpak;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import org.apiguardian.api.API;

/**
 * A caller-defined gate refused the append before commit. Nothing was written.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public class GateDeniedException extends StoreException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what went wrong, which value, and what to do
   */
  public GateDeniedException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what went wrong, which value, and what to do
   * @param cause the underlying failure
   */
  public GateDeniedException(String message, Throwable cause) {
    super(message, cause);
  }
}
