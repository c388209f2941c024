package io.batpak;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import org.apiguardian.api.API;

/**
 * A consumer of the store's own making, registered in the {@link Watermark#APPLIED applied
 * watermark} ({@link Store#consumer(String)}): a projection or read model kept by the application
 * reports here how far it has applied the journal, so that {@code waitFor(APPLIED, ...)} waits for
 * it too. Registered from creation (at "nothing consumed", holding applied at 0) until {@link
 * #close()}.
 *
 * <p>Thread-safe. Nothing is written to disk: after a restart the application registers again.
 *
 * @since 0.13
 */
@API(status = EXPERIMENTAL, since = "0.13")
public interface AppliedHandle extends AutoCloseable {

  /** The name given at registration, for messages. */
  String name();

  /**
   * Reports that every event with global sequence up to and including {@code globalSequence} is
   * applied (whether or not it concerned this consumer).
   *
   * @throws ValidationException if {@code globalSequence} is below -1 or below what was reported
   *     before (the message names both)
   * @throws StoreClosedException if this handle or the store is closed
   */
  void advance(long globalSequence);

  /** The last global sequence reported, or -1. */
  long position();

  /** Unregisters. Idempotent; never throws. */
  @Override
  void close();
}
