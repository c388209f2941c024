package io.batpak.replication;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import io.batpak.Bytes;
import io.batpak.ValidationException;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * A member's chain head after it applied a Raft index: how many events its journal holds and the
 * event hash of the newest one. Every member that applied the same index must report the same head
 * (ADR 0037); a member that finds another member's head differ from its own stops.
 *
 * <p>Immutable; safe to share between threads.
 *
 * @param appliedIndex the Raft log index applied last (0 before any)
 * @param nextGlobalSequence the global sequence the next event will get (the number of events)
 * @param lastEventHash the event hash of the newest event; empty when there is none
 * @since 0.2
 */
@API(status = EXPERIMENTAL, since = "0.2")
public record ReplicaHead(long appliedIndex, long nextGlobalSequence, Bytes lastEventHash) {

  /** The head of an empty member. */
  static final ReplicaHead EMPTY = new ReplicaHead(0, 0, Bytes.empty());

  /** Validates the fields. */
  public ReplicaHead {
    Objects.requireNonNull(lastEventHash, "lastEventHash");
    if (appliedIndex < 0 || nextGlobalSequence < 0) {
      throw new ValidationException(
          "a replica head's index and sequence are never negative, got index "
              + appliedIndex
              + " and next sequence "
              + nextGlobalSequence);
    }
  }

  /** Whether this head and {@code other} describe the same journal (index aside). */
  boolean sameChain(ReplicaHead other) {
    return nextGlobalSequence == other.nextGlobalSequence
        && lastEventHash.equals(other.lastEventHash);
  }
}
