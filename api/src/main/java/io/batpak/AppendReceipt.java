package io.batpak;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.Objects;
import java.util.Optional;
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
 * @param signature the signature of a store that signs ({@link SigningPolicy}), covering this
 *     receipt and the event's coordinate, kind and extensions; empty when unsigned
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
    Optional<ReceiptSignature> signature) {

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

  /** An unsigned receipt. */
  public AppendReceipt(
      EventId eventId,
      long globalSequence,
      long streamSequence,
      Bytes contentHash,
      Bytes eventHash,
      Bytes prevHash) {
    this(
        eventId,
        globalSequence,
        streamSequence,
        contentHash,
        eventHash,
        prevHash,
        Optional.empty());
  }

  /** Whether the receipt carries a signature. */
  public boolean isSigned() {
    return signature.isPresent();
  }

  /** This receipt with {@code signature} (replacing any it had). */
  public AppendReceipt withSignature(ReceiptSignature signature) {
    Objects.requireNonNull(signature, "signature");
    return new AppendReceipt(
        eventId,
        globalSequence,
        streamSequence,
        contentHash,
        eventHash,
        prevHash,
        Optional.of(signature));
  }

  /** This receipt without a signature. */
  public AppendReceipt unsigned() {
    return new AppendReceipt(
        eventId, globalSequence, streamSequence, contentHash, eventHash, prevHash);
  }
}
