package io.batpak;

import static org.apiguardian.api.API.Status.STABLE;

import org.apiguardian.api.API;

/**
 * The result of {@link Store#verifyReceipt}: the receipt matches the stored event, or matches an
 * event a compaction removed the payload of ({@link CompactedAway}), or it does not and the reason
 * says which field differs.
 *
 * <p>Immutable; safe to share between threads.
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public sealed interface ReceiptVerification {

  /** Whether the receipt verified. */
  boolean isValid();

  /**
   * The receipt matches a visible stored event whose frame and hashes check out, and its signature
   * (when it carries one) is valid under a configured key; {@code receipt.signature()} says which.
   */
  record Valid(AppendReceipt receipt) implements ReceiptVerification {
    @Override
    public boolean isValid() {
      return true;
    }
  }

  /**
   * The receipt names an event that existed exactly as the receipt says, and whose payload a
   * compaction removed since: a dropped event ({@code tombstone == false}) is no longer returned by
   * any read; a tombstone is read back without its payload. The proof is the compaction's record of
   * the event, which keeps every field and hash: its event hash was recomputed from them and
   * matched the receipt, and it links into its stream's chain.
   *
   * @param receipt the receipt that verified
   * @param tombstone whether the event remains as a tombstone
   * @param evidence the header the compaction kept of the event, as it was appended (its own kind,
   *     sequences, ids, extensions and hashes; payload length 0)
   * @since 0.2
   */
  record CompactedAway(AppendReceipt receipt, boolean tombstone, EventHeader evidence)
      implements ReceiptVerification {
    @Override
    public boolean isValid() {
      return true;
    }
  }

  /**
   * The receipt does not match.
   *
   * @param reason which check failed
   * @param detail expected and actual values
   */
  record Invalid(Reason reason, String detail) implements ReceiptVerification {
    @Override
    public boolean isValid() {
      return false;
    }
  }

  /** Why a receipt did not verify. */
  enum Reason {
    /** No visible event has the receipt's id. */
    MISSING_EVENT,
    /** The event's global sequence differs. */
    GLOBAL_SEQUENCE_MISMATCH,
    /** The event's stream sequence differs. */
    STREAM_SEQUENCE_MISMATCH,
    /** The stored payload hashes differently. */
    CONTENT_HASH_MISMATCH,
    /** The recomputed event hash differs from the receipt's. */
    EVENT_HASH_MISMATCH,
    /** The previous hash differs from the stream's chain. */
    PREV_HASH_MISMATCH,
    /** The stored frame failed its CRC or could not be decoded. */
    FRAME_CORRUPT,
    /** The store's policy is {@link SigningPolicy#REQUIRED} and the receipt is unsigned. */
    MISSING_SIGNATURE,
    /** The receipt was signed by a key the store is not configured with (signing or verifying). */
    UNKNOWN_KEY,
    /** The Ed25519 signature of the receipt's root does not verify under the named key. */
    BAD_SIGNATURE,
    /**
     * The inclusion proof does not lead from the receipt's cover to the signed root (a sibling, the
     * leaf index or count, or a covered field changed), or the receipt names a cover version this
     * build does not know.
     */
    BAD_PROOF
  }
}
