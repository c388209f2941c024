package io.batpak.engine;

import static io.batpak.engine.StoreFixtures.KIND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendReceipt;
import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.ReceiptVerification.Reason;
import io.batpak.Store;
import io.batpak.StoreVerification;
import io.batpak.VerificationProgress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code Store.verifyAll} checks every visible event once, reports each damaged event once with the
 * reason a receipt would give, names it by id, stream and sequences, and tells its progress after
 * every event.
 */
@ExtendWith(Seeded.class)
class VerifyAllTest {
  @TempDir Path dir;

  private static List<AppendReceipt> fill(Store store, Random random, int n) {
    List<AppendReceipt> receipts = new ArrayList<>();
    while (receipts.size() < n) {
      Coordinate c = Coordinate.of("acct:" + random.nextInt(4), "bank");
      if (random.nextInt(4) == 0) {
        receipts.addAll(
            store.appendBatch(
                List.of(
                    BatchItem.of(c, KIND, Bytes.utf8("b" + receipts.size())),
                    BatchItem.of(
                        Coordinate.of("audit", "bank"), KIND, Bytes.utf8("a" + receipts.size())))));
      } else {
        receipts.add(store.append(c, KIND, Bytes.utf8("e" + receipts.size() + "-payload")));
      }
    }
    return receipts;
  }

  @Test
  void anIntactStoreChecksEveryEventAndEveryStreamAndTellsItsProgress(Random random) {
    try (Store store = StoreFixtures.open(dir)) {
      List<AppendReceipt> receipts = fill(store, random, 40 + random.nextInt(40));
      List<long[]> calls = new ArrayList<>();
      StoreVerification v =
          store.verifyAll((checked, total) -> calls.add(new long[] {checked, total}));
      assertTrue(v.intact(), v.toString());
      assertEquals(receipts.size(), v.eventsChecked());
      assertEquals(
          receipts.stream().map(r -> store.get(r.eventId()).header().entity()).distinct().count(),
          v.streamsChecked());
      assertEquals(List.of(), v.problems());
      assertEquals(receipts.size(), calls.size(), "told after every event");
      for (int i = 0; i < calls.size(); i++) {
        assertEquals(i + 1L, calls.get(i)[0]);
        assertEquals(receipts.size(), calls.get(i)[1]);
      }
    }
  }

  @Test
  void anEmptyStoreIsIntactAndNeverCallsTheProgress() {
    try (Store store = StoreFixtures.open(dir)) {
      StoreVerification v =
          store.verifyAll(
              (checked, total) -> {
                throw new AssertionError("called for an empty store");
              });
      assertEquals(new StoreVerification(0, 0, 0, List.of()), v);
    }
  }

  /**
   * A payload byte changed and the frame's CRC forged to match: the open and the read accept the
   * frame, only the recomputed content hash tells, and only that event is reported.
   */
  @Test
  void aChangedPayloadUnderAForgedCrcIsOneContentHashProblem(Random random) throws Exception {
    try (Store store = StoreFixtures.open(dir)) {
      List<AppendReceipt> receipts = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        receipts.add(
            store.append(Coordinate.of("acct:" + (i % 3), "bank"), KIND, Bytes.utf8("pay " + i)));
      }
      AppendReceipt victim = receipts.get(1 + random.nextInt(10));
      FrameLocation frame = StoreFixtures.frame(store, victim);
      Path seg = StoreFixtures.segment(dir, frame.segmentId());
      byte[] file = Files.readAllBytes(seg);
      int at = (int) frame.offset();
      byte[] bytes = Arrays.copyOfRange(file, at, at + frame.length());
      bytes[bytes.length - 1] ^= 0x01; // the last payload byte of a one-event frame
      CraftedFrameTest.reseal(bytes);
      System.arraycopy(bytes, 0, file, at, bytes.length);
      Files.write(seg, file);

      StoreVerification v = store.verifyAll(VerificationProgress.none());
      assertEquals(1, v.problemCount(), v.toString());
      StoreVerification.Problem p = v.problems().get(0);
      assertEquals(Reason.CONTENT_HASH_MISMATCH, p.reason(), p.detail());
      assertEquals(victim.eventId(), p.eventId());
      assertEquals(victim.globalSequence(), p.globalSequence());
      assertEquals(victim.streamSequence(), p.streamSequence());
      assertEquals(store.get(victim.eventId()).header().entity(), p.entity());
      assertEquals(receipts.size(), v.eventsChecked());
    }
  }

  /** A frame whose CRC fails under an open store: that event, and its stream successor's link. */
  @Test
  void aFrameDamagedUnderAnOpenStoreIsAProblemNotAnException() throws Exception {
    try (Store store = StoreFixtures.open(dir)) {
      List<AppendReceipt> receipts = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        receipts.add(store.append(Coordinate.of("one", "s"), KIND, Bytes.utf8("event " + i)));
      }
      AppendReceipt victim = receipts.get(2);
      FrameLocation frame = StoreFixtures.frame(store, victim);
      Path seg = StoreFixtures.segment(dir, frame.segmentId());
      byte[] file = Files.readAllBytes(seg);
      file[(int) (frame.offset() + frame.length() - 2)] ^= 0x7f;
      Files.write(seg, file);

      StoreVerification v = store.verifyAll(VerificationProgress.none());
      assertEquals(2, v.problemCount(), v.toString());
      assertEquals(Reason.FRAME_CORRUPT, v.problems().get(0).reason());
      assertEquals(victim.eventId(), v.problems().get(0).eventId());
      assertEquals(2, v.problems().get(0).streamSequence(), "from the index, though unreadable");
      assertEquals(Reason.FRAME_CORRUPT, v.problems().get(1).reason());
      assertEquals(receipts.get(3).eventId(), v.problems().get(1).eventId());
      assertTrue(v.problems().get(1).detail().contains("predecessor"), v.toString());
    }
  }

  @Test
  void anExceptionFromTheProgressEndsTheCheckAndReachesTheCaller() {
    try (Store store = StoreFixtures.open(dir)) {
      store.append(Coordinate.of("one", "s"), KIND, Bytes.utf8("x"));
      IllegalStateException stop = new IllegalStateException("stop");
      assertSame(
          stop,
          assertThrows(
              IllegalStateException.class,
              () ->
                  store.verifyAll(
                      (checked, total) -> {
                        throw stop;
                      })));
    }
  }
}
