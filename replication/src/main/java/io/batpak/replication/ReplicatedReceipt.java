package io.batpak.replication;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import io.batpak.AppendReceipt;
import io.batpak.ValidationException;
import java.util.List;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * The receipts of one replicated append (one event, or every event of a batch) and the Raft entry
 * that committed them: a quorum of members had the entry in their durable Raft logs, and the leader
 * had applied it to its own store, before this was returned.
 *
 * <p>Immutable; safe to share between threads.
 *
 * @param receipts the events' receipts, in order; the same bytes on every member
 * @param term the Raft term of the committing entry
 * @param index the Raft log index of the committing entry
 * @since 0.2
 */
@API(status = EXPERIMENTAL, since = "0.2")
public record ReplicatedReceipt(List<AppendReceipt> receipts, long term, long index) {

  /** Validates and copies. */
  public ReplicatedReceipt {
    receipts = List.copyOf(Objects.requireNonNull(receipts, "receipts"));
    if (receipts.isEmpty() || term < 0 || index < 1) {
      throw new ValidationException(
          "a replicated receipt names at least one event and a Raft entry (term >= 0, index >= 1),"
              + " got "
              + receipts.size()
              + " receipts, term "
              + term
              + ", index "
              + index);
    }
  }

  /** The first (for a single append, the only) receipt. */
  public AppendReceipt receipt() {
    return receipts.get(0);
  }
}
