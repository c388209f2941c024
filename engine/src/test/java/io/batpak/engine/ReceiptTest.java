package io.batpak.engine;

import static io.batpak.engine.StoreFixtures.KIND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.CorruptStoreException;
import io.batpak.EventId;
import io.batpak.ReceiptVerification;
import io.batpak.ReceiptVerification.Reason;
import io.batpak.Store;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A receipt verifies only when every field matches the stored frame. */
class ReceiptTest {
  static final Coordinate C = Coordinate.of("e", "s");

  @TempDir Path dir;

  static AppendReceipt copy(
      AppendReceipt r,
      EventId id,
      long global,
      long stream,
      Bytes content,
      Bytes event,
      Bytes prev) {
    return new AppendReceipt(id, global, stream, content, event, prev, r.signature());
  }

  static Bytes flip(Bytes b) {
    byte[] x = b.toByteArray();
    x[5] ^= 1;
    return Bytes.ofOwned(x);
  }

  @Test
  void everyTamperedFieldIsNamed() {
    try (Store store = StoreFixtures.open(dir)) {
      List<AppendReceipt> receipts = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        receipts.add(store.append(C, KIND, Bytes.utf8("event " + i)));
      }
      AppendReceipt r = receipts.get(2);
      assertInstanceOf(ReceiptVerification.Valid.class, store.verifyReceipt(r));
      List<UnaryOperator<AppendReceipt>> tampers =
          List.of(
              x ->
                  copy(
                      x,
                      EventId.of(7, 7),
                      x.globalSequence(),
                      x.streamSequence(),
                      x.contentHash(),
                      x.eventHash(),
                      x.prevHash()),
              x ->
                  copy(
                      x,
                      x.eventId(),
                      x.globalSequence() + 1,
                      x.streamSequence(),
                      x.contentHash(),
                      x.eventHash(),
                      x.prevHash()),
              x ->
                  copy(
                      x,
                      x.eventId(),
                      x.globalSequence(),
                      x.streamSequence() + 1,
                      x.contentHash(),
                      x.eventHash(),
                      x.prevHash()),
              x ->
                  copy(
                      x,
                      x.eventId(),
                      x.globalSequence(),
                      x.streamSequence(),
                      flip(x.contentHash()),
                      x.eventHash(),
                      x.prevHash()),
              x ->
                  copy(
                      x,
                      x.eventId(),
                      x.globalSequence(),
                      x.streamSequence(),
                      x.contentHash(),
                      flip(x.eventHash()),
                      x.prevHash()),
              x ->
                  copy(
                      x,
                      x.eventId(),
                      x.globalSequence(),
                      x.streamSequence(),
                      x.contentHash(),
                      x.eventHash(),
                      flip(x.prevHash())));
      List<Reason> reasons =
          List.of(
              Reason.MISSING_EVENT,
              Reason.GLOBAL_SEQUENCE_MISMATCH,
              Reason.STREAM_SEQUENCE_MISMATCH,
              Reason.CONTENT_HASH_MISMATCH,
              Reason.EVENT_HASH_MISMATCH,
              Reason.PREV_HASH_MISMATCH);
      for (int i = 0; i < tampers.size(); i++) {
        ReceiptVerification v = store.verifyReceipt(tampers.get(i).apply(r));
        ReceiptVerification.Invalid invalid =
            assertInstanceOf(ReceiptVerification.Invalid.class, v, "tamper " + i);
        assertEquals(reasons.get(i), invalid.reason(), invalid.detail());
        assertTrue(!invalid.detail().isEmpty());
      }
      StoreFixtures.assertIntact(store, receipts);
    }
  }

  @Test
  void aFrameDamagedUnderAnOpenStoreIsReportedNotReturned() throws Exception {
    try (Store store = StoreFixtures.open(dir)) {
      List<AppendReceipt> receipts = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        receipts.add(store.append(C, KIND, Bytes.utf8("event " + i)));
      }
      AppendReceipt r = receipts.get(1);
      Path seg = StoreFixtures.segment(dir, 1);
      FrameLocation frame = StoreFixtures.frame(store, r);
      try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
        ch.write(ByteBuffer.wrap(new byte[] {0x7f}), frame.offset() + frame.length() - 2);
      }
      ReceiptVerification v = store.verifyReceipt(r);
      assertEquals(
          Reason.FRAME_CORRUPT, assertInstanceOf(ReceiptVerification.Invalid.class, v).reason());
      CorruptStoreException e =
          assertThrows(CorruptStoreException.class, () -> store.get(r.eventId()));
      assertEquals(seg.toString(), e.file());
      assertEquals(frame.offset(), e.offset());
      assertThrows(CorruptStoreException.class, () -> store.get(r.eventId()).payload());
      // The next event's chain check needs the damaged frame: reported, not thrown.
      ReceiptVerification next = store.verifyReceipt(receipts.get(2));
      assertEquals(
          Reason.FRAME_CORRUPT,
          assertInstanceOf(ReceiptVerification.Invalid.class, next).reason(),
          next.toString());
      // The others still read and verify.
      for (AppendReceipt ok : List.of(receipts.get(0), receipts.get(3))) {
        assertTrue(store.verifyReceipt(ok).isValid());
        assertEquals(ok.eventId(), store.get(ok.eventId()).header().eventId());
      }
    }
  }
}
