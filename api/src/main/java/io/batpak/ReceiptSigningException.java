package io.batpak;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import org.apiguardian.api.API;

/**
 * The events of an append were committed (durable as the store's durability says, and visible), but
 * their receipts could not be signed, and a store that signs hands out signed receipts only. The
 * store is not poisoned: signing touches no file, and the next group is signed afresh. The message
 * names the events' global sequences; read them back ({@link Store#get}) to confirm, and do not
 * retry the append without its idempotency key (it would append the events again).
 *
 * @since 0.2
 */
@API(status = EXPERIMENTAL, since = "0.2")
public class ReceiptSigningException extends StoreException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what was committed and why it was not signed
   * @param cause the signing failure
   */
  public ReceiptSigningException(String message, Throwable cause) {
    super(message, cause);
  }
}
