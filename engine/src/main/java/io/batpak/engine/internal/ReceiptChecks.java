package io.batpak.engine.internal;

import io.batpak.AppendReceipt;
import io.batpak.CorruptStoreException;
import io.batpak.ReceiptVerification;
import io.batpak.engine.internal.format.Blake3;
import io.batpak.engine.internal.format.EventRecord;
import io.batpak.engine.internal.format.FrameCodec;
import io.batpak.engine.internal.index.Index;
import io.batpak.engine.internal.index.StreamState;
import io.batpak.engine.internal.read.EventQueries;
import io.batpak.engine.internal.read.EventReader;
import io.batpak.engine.internal.sign.SignatureChecks;
import java.util.function.IntFunction;

/**
 * Verifies a receipt against the store: the event the receipt names (by id) is visible at the
 * receipt's global sequence and stream sequence, its frame passes its CRC, its payload hashes to
 * the content hash, its previous hash is its stream predecessor's event hash, and its event hash
 * recomputes. Every mismatch is an {@link ReceiptVerification.Invalid} with its reason; a damaged
 * frame is {@code FRAME_CORRUPT}, never an exception. Last, the signature is checked under the
 * store's signing policy ({@link SignatureChecks}). Thread-safe: reads only published index state.
 */
final class ReceiptChecks {
  private static final ThreadLocal<Blake3> HASHERS = ThreadLocal.withInitial(Blake3::new);

  private final Index index;
  private final IntFunction<EventReader.Located> read;
  private final SignatureChecks signatures;

  /**
   * Checks receipts against {@code index}, reading events at a row with {@code read}, and their
   * signatures with {@code signatures}.
   */
  ReceiptChecks(Index index, IntFunction<EventReader.Located> read, SignatureChecks signatures) {
    this.index = index;
    this.read = read;
    this.signatures = signatures;
  }

  /** The verdict on {@code receipt}. */
  ReceiptVerification verify(AppendReceipt receipt) {
    int row = index.find(receipt.eventId().high(), receipt.eventId().low());
    if (row < 0) {
      return invalid(
          ReceiptVerification.Reason.MISSING_EVENT, "no visible event has id " + receipt.eventId());
    }
    if (row != receipt.globalSequence()) {
      return invalid(
          ReceiptVerification.Reason.GLOBAL_SEQUENCE_MISMATCH,
          "receipt says " + receipt.globalSequence() + ", the store has " + row);
    }
    EventRecord r;
    int disposition;
    try {
      // The disposition of the frame the record came from, not the index's (a compaction's switch
      // may fall between the two).
      EventReader.Located located = read.apply(row);
      r = located.record();
      disposition = located.disposition();
    } catch (CorruptStoreException e) {
      return invalid(ReceiptVerification.Reason.FRAME_CORRUPT, e.getMessage());
    }
    if (r.streamSequence() != receipt.streamSequence()) {
      return invalid(
          ReceiptVerification.Reason.STREAM_SEQUENCE_MISMATCH,
          "receipt says " + receipt.streamSequence() + ", the store has " + r.streamSequence());
    }
    Blake3 blake3 = HASHERS.get();
    StoredEventChecks.Failure failure =
        StoredEventChecks.contentFailure(blake3, r, receipt, disposition != 0);
    if (failure != null) {
      return invalid(failure.reason(), failure.detail());
    }
    byte[] expectedPrev = FrameCodec.ZERO_HASH;
    if (r.streamSequence() > 0) {
      StreamState s = index.stream(r.entity());
      int prevRow = s.rows()[(int) r.streamSequence() - 1];
      try {
        expectedPrev = read.apply(prevRow).record().eventHash();
      } catch (CorruptStoreException e) {
        return invalid(
            ReceiptVerification.Reason.FRAME_CORRUPT,
            "the frame of the stream predecessor (global sequence "
                + prevRow
                + ") is damaged, so the chain cannot be checked: "
                + e.getMessage());
      }
    }
    failure = StoredEventChecks.chainFailure(blake3, r, expectedPrev, receipt);
    if (failure != null) {
      return invalid(failure.reason(), failure.detail());
    }
    ReceiptVerification.Invalid unsigned = signatures.check(receipt, r);
    if (unsigned != null) {
      return unsigned;
    }
    return disposition == 0
        ? new ReceiptVerification.Valid(receipt)
        : new ReceiptVerification.CompactedAway(
            receipt, disposition == FrameCodec.TOMBSTONED, EventQueries.header(r, 0));
  }

  private static ReceiptVerification invalid(ReceiptVerification.Reason reason, String detail) {
    return new ReceiptVerification.Invalid(reason, detail);
  }
}
