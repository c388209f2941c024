package io.batpak;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.Objects;
import org.apiguardian.api.API;

/**
 * Proof that an append was accepted: which event, its sequences, and the hashes that tie it to its
 * content and to its stream's chain. {@link Store#verifyReceipt} checks a receipt against the
 * stored event it names (found by its id). A receipt says nothing about where the event's bytes lie
 * in the journal, so it stays valid when they move (compaction).
 *
 * <p>Immutable; safe to share between threads.
 *
 * @param eventId the event's id
 * @param globalSequence its position in the store's commit order (dense, from 0)
 * @param streamSequence its position in its stream (dense, from 0)
 * @param contentHash BLAKE3 of the payload bytes
 * @param eventHash BLAKE3 over the hash version, the previous event hash, the canonical header and
 *     the content hash
 * @param prevHash the stream's previous event hash, 32 zero bytes for the first event
 * @param signature reserved for signed receipts; empty when unsigned
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record AppendReceipt(
    EventId eventId,
    long globalSequence,
    long streamSequence,
    Bytes contentHash,
    Bytes eventHash,
    Bytes prevHash,
    Bytes signature) {

  /** Validates the fields. */
  public AppendReceipt {
    Objects.requireNonNull(eventId, "eventId");
    Objects.requireNonNull(contentHash, "contentHash");
    Objects.requireNonNull(eventHash, "eventHash");
    Objects.requireNonNull(prevHash, "prevHash");
    Objects.requireNonNull(signature, "signature");
    if (globalSequence < 0 || streamSequence < 0) {
      throw new ValidationException("sequences are never negative");
    }
  }
}
