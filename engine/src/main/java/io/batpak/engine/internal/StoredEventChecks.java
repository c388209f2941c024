package io.batpak.engine.internal;

import io.batpak.AppendReceipt;
import io.batpak.ReceiptVerification.Reason;
import io.batpak.engine.internal.format.Blake3;
import io.batpak.engine.internal.format.EventRecord;
import io.batpak.engine.internal.format.FrameCodec;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The checks of one stored event that both {@code verifyReceipt} ({@link ReceiptChecks}) and {@code
 * verifyAll} ({@code verify.JournalVerification}, over the stored bytes) make, in this order: its
 * payload hashes to its content hash, its previous hash is its stream predecessor's event hash, and
 * its event hash recomputes. With a receipt, each stored value must also equal the receipt's.
 */
final class StoredEventChecks {
  private StoredEventChecks() {}

  /** The first check an event failed, and what was found. */
  record Failure(Reason reason, String detail) {}

  /**
   * Whether {@code r}'s payload hashes to its content hash (and the receipt's); null when it does.
   *
   * @param receipt a receipt whose content hash must match too, or null
   */
  static Failure contentFailure(Blake3 blake3, EventRecord r, AppendReceipt receipt) {
    return contentFailure(blake3, r, receipt, false);
  }

  /**
   * As {@link #contentFailure(Blake3, EventRecord, AppendReceipt)}; when {@code payloadRemoved}
   * (compaction kept the record without its payload), the content hash is compared with the
   * receipt's only, since there is no payload to hash.
   */
  static Failure contentFailure(
      Blake3 blake3, EventRecord r, AppendReceipt receipt, boolean payloadRemoved) {
    byte[] content =
        payloadRemoved ? r.contentHash() : blake3.hash(r.payload(), 0, r.payload().length);
    if (!Arrays.equals(content, r.contentHash())
        || (receipt != null && !Arrays.equals(content, receipt.contentHash().toByteArray()))) {
      return new Failure(
          Reason.CONTENT_HASH_MISMATCH,
          "payload hashes to "
              + hex(content)
              + ", frame says "
              + hex(r.contentHash())
              + receiptSays(receipt == null ? null : receipt.contentHash().toHex()));
    }
    return null;
  }

  /**
   * The first chain check {@code r} fails, or null when it passes both.
   *
   * @param expectedPrev the event hash of {@code r}'s stream predecessor (32 zero bytes for the
   *     first event of a stream)
   * @param receipt a receipt whose hashes must match too, or null
   */
  static Failure chainFailure(
      Blake3 blake3, EventRecord r, byte[] expectedPrev, AppendReceipt receipt) {
    if (!Arrays.equals(expectedPrev, r.prevHash())
        || (receipt != null && !Arrays.equals(expectedPrev, receipt.prevHash().toByteArray()))) {
      return new Failure(
          Reason.PREV_HASH_MISMATCH,
          "stream predecessor hash is "
              + hex(expectedPrev)
              + ", frame says "
              + hex(r.prevHash())
              + receiptSays(receipt == null ? null : receipt.prevHash().toHex()));
    }
    byte[] eventHash = FrameCodec.eventHash(blake3, r.prevHash(), r);
    if (!Arrays.equals(eventHash, r.eventHash())
        || (receipt != null && !Arrays.equals(eventHash, receipt.eventHash().toByteArray()))) {
      return new Failure(
          Reason.EVENT_HASH_MISMATCH,
          "recomputed "
              + hex(eventHash)
              + ", frame says "
              + hex(r.eventHash())
              + receiptSays(receipt == null ? null : receipt.eventHash().toHex()));
    }
    return null;
  }

  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  private static String receiptSays(String value) {
    return value == null ? "" : ", receipt says " + value;
  }
}
