package io.batpak;

import static org.apiguardian.api.API.Status.STABLE;

import org.apiguardian.api.API;

/**
 * No usable service provider (filesystem backend, codec or engine) could be chosen. The message
 * lists every candidate and why it was skipped.
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public class ProviderException extends StoreException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what went wrong, which value, and what to do
   */
  public ProviderException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what went wrong, which value, and what to do
   * @param cause the underlying failure
   */
  public ProviderException(String message, Throwable cause) {
    super(message, cause);
  }
}
