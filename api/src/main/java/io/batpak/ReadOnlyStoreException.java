package io.batpak;

import static org.apiguardian.api.API.Status.STABLE;

import org.apiguardian.api.API;

/**
 * A write ({@code append}, {@code appendTyped}, {@code appendBatch}, {@code submit} or {@code
 * sync}) was called on a store opened with {@link StoreConfig#readOnly()}. Nothing was written, and
 * the store stays open for reads. To write, close it and open the directory again without {@code
 * readOnly(true)} (a writer needs the directory's exclusive lock, so every other instance,
 * read-only ones included, must close first).
 *
 * <p>Not a {@link StoreClosedException}: the store is open and healthy; retrying the same call on
 * it can never succeed.
 *
 * @since 0.2
 */
@API(status = STABLE, since = "0.1")
public class ReadOnlyStoreException extends StoreException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what was refused, which store, and how to open it for writing
   */
  public ReadOnlyStoreException(String message) {
    super(message);
  }
}
