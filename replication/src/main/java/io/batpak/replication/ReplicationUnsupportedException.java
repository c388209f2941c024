package io.batpak.replication;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import io.batpak.StoreException;
import org.apiguardian.api.API;

/**
 * A {@link ReplicatedStore} was asked for an operation it does not replicate (yet). Nothing was
 * done. The message names the operation, why it is refused, and what to do instead; the list is in
 * replication/README.md and ADR 0037.
 *
 * @since 0.2
 */
@API(status = EXPERIMENTAL, since = "0.2")
public class ReplicationUnsupportedException extends StoreException {
  private static final long serialVersionUID = 1L;

  private final String operation;

  /**
   * Creates the exception.
   *
   * @param operation the refused operation, as {@code Store} names it
   * @param reason why it is refused and what to do instead
   */
  public ReplicationUnsupportedException(String operation, String reason) {
    super("ReplicatedStore does not support " + operation + ": " + reason);
    this.operation = operation;
  }

  /** The refused operation. */
  public String operation() {
    return operation;
  }
}
