package io.batpak;

import static org.apiguardian.api.API.Status.STABLE;

import org.apiguardian.api.API;

/**
 * A payload could not be encoded or decoded, or the codec it needs is missing.
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public class CodecException extends StoreException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what went wrong, which value, and what to do
   */
  public CodecException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what went wrong, which value, and what to do
   * @param cause the underlying failure
   */
  public CodecException(String message, Throwable cause) {
    super(message, cause);
  }
}
