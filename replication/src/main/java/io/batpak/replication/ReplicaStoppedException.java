package io.batpak.replication;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import io.batpak.StoreException;
import org.apiguardian.api.API;

/**
 * This member stopped itself: its local store diverged from another member's (a chain head that
 * differs at the same Raft index), or applying a committed entry failed for a reason that is not a
 * deterministic rejection (an I/O error, a full disk). A stopped member applies nothing more and
 * leaves the Raft group; the others keep going while they have a quorum. The message names the
 * member, the Raft index and the cause. Remedy: inspect the member's directory, then rebuild it
 * from a healthy member.
 *
 * @since 0.2
 */
@API(status = EXPERIMENTAL, since = "0.2")
public class ReplicaStoppedException extends StoreException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened, naming the member and the Raft index
   */
  public ReplicaStoppedException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what happened, naming the member and the Raft index
   * @param cause the failure that stopped the member
   */
  public ReplicaStoppedException(String message, Throwable cause) {
    super(message, cause);
  }
}
