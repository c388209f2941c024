package io.batpak;

import static org.apiguardian.api.API.Status.STABLE;

import org.apiguardian.api.API;

/**
 * The root of every exception the store throws. Unchecked: the subtype says what happened and the
 * message says which value was wrong and what to do about it.
 *
 * <p>Subtypes: {@link StoreIoException}, {@link OutcomeUnknownException}, {@link
 * StoreFullException}, {@link CorruptStoreException}, {@link UnsupportedFormatException}, {@link
 * StoreClosedException}, {@link StoreLockedException}, {@link ProviderException}, {@link
 * ValidationException}, {@link ConcurrencyConflictException}, {@link IdempotencyConflictException},
 * {@link GateDeniedException}, {@link StoreTimeoutException}, {@link CodecException}, {@link
 * EventNotFoundException}.
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public class StoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what went wrong, which value, and what to do
   */
  public StoreException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what went wrong, which value, and what to do
   * @param cause the underlying failure
   */
  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
