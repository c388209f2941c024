package io.batpak.engine;

import static io.batpak.engine.StoreFixtures.KIND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendReceipt;
import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.CorruptStoreException;
import io.batpak.OpenReport.IndexSource;
import io.batpak.ReceiptVerification.Reason;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StoreVerification;
import io.batpak.VerificationProgress;
import io.batpak.engine.internal.format.FrameCodec;
import io.batpak.engine.internal.format.SegmentSeal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tampering on disk, found by {@code verifyAll} at the exact event (issue 12): a closed store of
 * several sealed segments is changed, opened read-only from each load path (index checkpoint,
 * seals, full scan), and {@code verifyAll} must name the changed event with the reason only the
 * check that can see the change gives, and the segment file and the frame's offset. An open that
 * reads the changed frame (the scan checks CRCs, sequences and links) may refuse instead, with a
 * {@link CorruptStoreException}; the checkpoint and seal opens read no frame of an older segment,
 * so they always open and leave the finding to {@code verifyAll}.
 */
@ExtendWith(Seeded.class)
class VerifyAllTamperingTest {
  private static final List<String> PATHS = List.of("CHECKPOINT", "SEALS", "SCAN");

  @TempDir Path root;
  private Path pristine;
  private List<AppendReceipt> receipts;
  private Map<AppendReceipt, FrameLocation> frames;

  private static StoreConfig config(Path dir) {
    return StoreConfig.builder(dir).segmentMaxBytes(8192).build();
  }

  /**
   * Three streams of single appends with payloads of one size (so single-event frames of streams
   * with names of one length have one length too), with a few atomic batches between them.
   */
  @BeforeEach
  void write() {
    pristine = root.resolve("pristine");
    receipts = new ArrayList<>();
    try (Store store = Store.open(config(pristine))) {
      for (int i = 0; i < 150; i++) {
        Coordinate c = Coordinate.of("acct:" + (i % 3), "bank");
        if (i % 25 == 24) {
          receipts.addAll(
              store.appendBatch(
                  List.of(
                      BatchItem.of(c, KIND, Bytes.utf8(String.format("batch %04d a", i))),
                      BatchItem.of(
                          Coordinate.of("audit", "bank"),
                          KIND,
                          Bytes.utf8(String.format("batch %04d b", i))))));
        } else {
          receipts.add(store.append(c, KIND, Bytes.utf8(String.format("payload %04d", i))));
        }
      }
      frames = new HashMap<>();
      for (AppendReceipt r : receipts) {
        frames.put(r, StoreFixtures.frame(store, r));
      }
    }
    assertTrue(StoreFixtures.segments(pristine).size() >= 4, "several segments");
  }

  /** A single-event frame of the first segment (sealed; never the checkpoint's last event). */
  private AppendReceipt victimIn(Random random, long segment) {
    List<AppendReceipt> candidates =
        receipts.stream()
            .filter(r -> frames.get(r).segmentId() == segment)
            .filter(
                r ->
                    receipts.stream().filter(o -> frames.get(o).equals(frames.get(r))).count() == 1)
            .toList();
    return candidates.get(1 + random.nextInt(candidates.size() - 2));
  }

  /**
   * A copy of the pristine store, changed by {@code tamper}, left for the open to take {@code
   * path}.
   */
  private Path tampered(String path, Tamper tamper) throws IOException {
    Path d = root.resolve("copy-" + path + "-" + System.nanoTime());
    Files.createDirectories(d);
    try (Stream<Path> files = Files.list(pristine)) {
      for (Path f : files.toList()) {
        Files.copy(f, d.resolve(f.getFileName()));
      }
    }
    tamper.apply(d);
    switch (path) {
      case "CHECKPOINT" -> {}
      case "SEALS" -> Files.delete(d.resolve("index.ckpt"));
      default -> StoreFixtures.crashShape(d);
    }
    return d;
  }

  @FunctionalInterface
  interface Tamper {
    void apply(Path dir) throws IOException;
  }

  /** Changes the bytes of {@code loc}'s frame in {@code dir} with {@code change}. */
  private static void change(Path dir, FrameLocation loc, boolean reseal, ChangeFrame change)
      throws IOException {
    Path seg = StoreFixtures.segment(dir, loc.segmentId());
    byte[] file = Files.readAllBytes(seg);
    int at = (int) loc.offset();
    byte[] frame = Arrays.copyOfRange(file, at, at + loc.length());
    change.apply(frame);
    if (reseal) {
      CraftedFrameTest.reseal(frame);
    }
    System.arraycopy(frame, 0, file, at, frame.length);
    Files.write(seg, file);
  }

  @FunctionalInterface
  interface ChangeFrame {
    void apply(byte[] frame);
  }

  /**
   * Opens {@code d} read-only and verifies it; null when the open refused with a typed corruption
   * naming a segment (allowed only where {@code mayRefuse}).
   */
  private static StoreVerification verify(Path d, String path, boolean mayRefuse) {
    try (Store store = Store.open(StoreConfig.builder(d).readOnly(true).build())) {
      IndexSource expected =
          switch (path) {
            case "CHECKPOINT" -> IndexSource.CHECKPOINT;
            case "SEALS" -> IndexSource.SEALS;
            default -> IndexSource.SCAN;
          };
      assertEquals(expected, store.openReport().indexLoad().source(), path);
      return store.verifyAll(VerificationProgress.none());
    } catch (CorruptStoreException e) {
      if (!mayRefuse) {
        throw new AssertionError(path + ": the open refused: " + e.getMessage(), e);
      }
      assertTrue(e.file() != null && e.file().endsWith(".seg"), e.getMessage());
      return null;
    }
  }

  /**
   * The one problem at {@code victim}: its reason, the victim's identity from the index, and the
   * segment file and the frame's offset in the detail.
   */
  private void assertProblemAt(
      StoreVerification.Problem p, AppendReceipt victim, Reason reason, String what) {
    FrameLocation loc = frames.get(victim);
    assertEquals(reason, p.reason(), what + ": " + p);
    assertEquals(victim.eventId(), p.eventId(), what + ": " + p);
    assertEquals(victim.globalSequence(), p.globalSequence(), what + ": " + p);
    assertEquals(victim.streamSequence(), p.streamSequence(), what + ": " + p);
    assertTrue(
        p.detail().contains(String.format("%010d.seg at offset %d", loc.segmentId(), loc.offset())),
        what + ": names the file and the frame's offset: " + p.detail());
  }

  /**
   * Whether {@code p} is the next event of a damaged event's stream, whose link cannot be checked.
   */
  private static boolean successor(StoreVerification.Problem p) {
    return p.reason() == Reason.FRAME_CORRUPT && p.detail().contains("stream predecessor");
  }

  @Test
  void aHeaderByteChangedIsTheEventsFrameCorruptAtItsOffset(Random random) throws IOException {
    AppendReceipt victim = victimIn(random, 1);
    for (String path : PATHS) {
      Path d =
          tampered(
              path,
              dir ->
                  change(dir, frames.get(victim), false, f -> f[8 + 24 + 4 + 15] ^= (byte) 0x40));
      StoreVerification v = verify(d, path, path.equals("SCAN"));
      if (v == null) {
        continue; // the scan read the frame and refused, naming the segment
      }
      assertFalse(v.intact(), path);
      assertProblemAt(v.problems().get(0), victim, Reason.FRAME_CORRUPT, path);
      assertTrue(v.problems().get(0).detail().contains("CRC32C"), v.problems().get(0).detail());
      for (StoreVerification.Problem p : v.problems().subList(1, v.problems().size())) {
        assertTrue(successor(p), path + ": only the damaged event's successor besides: " + p);
      }
      assertTrue(v.problemCount() <= 2, path + ": " + v);
    }
  }

  @Test
  void aPayloadByteUnderARecomputedCrcIsAContentHashMismatchFromEveryPath(Random random)
      throws IOException {
    AppendReceipt victim = victimIn(random, 1);
    for (String path : PATHS) {
      Path d =
          tampered(path, dir -> change(dir, frames.get(victim), true, f -> f[f.length - 1] ^= 1));
      StoreVerification v = verify(d, path, false); // no open hashes a payload
      assertEquals(1, v.problemCount(), path + ": " + v);
      assertProblemAt(v.problems().get(0), victim, Reason.CONTENT_HASH_MISMATCH, path);
      assertEquals(receipts.size(), v.eventsChecked(), path);
    }
  }

  @Test
  void aPreviousHashByteUnderARecomputedCrcIsAPrevHashMismatch(Random random) throws IOException {
    AppendReceipt victim = victimIn(random, 2);
    for (String path : PATHS) {
      Path d =
          tampered(
              path,
              dir ->
                  change(
                      dir,
                      frames.get(victim),
                      true,
                      f ->
                          f[prevHashAt(f) + random.nextInt(32)] ^=
                              (byte) (1 + random.nextInt(255))));
      StoreVerification v = verify(d, path, path.equals("SCAN")); // the scan checks the link
      if (v == null) {
        continue;
      }
      assertEquals(1, v.problemCount(), path + ": " + v);
      assertProblemAt(v.problems().get(0), victim, Reason.PREV_HASH_MISMATCH, path);
    }
  }

  /** The offset of the previous hash of the one record of {@code frame}. */
  private static int prevHashAt(byte[] frame) {
    int[] at = {-1};
    FrameCodec.scanBody(
        frame,
        FrameCodec.PREFIX,
        frame.length - FrameCodec.PREFIX,
        "test",
        0,
        h -> at[0] = h.prevHashAt);
    return at[0];
  }

  @Test
  void twoFramesSwappedAreAGlobalSequenceMismatchAtBoth(Random random) throws IOException {
    // Two adjacent single-event frames of one length, in the first segment.
    List<AppendReceipt[]> pairs = new ArrayList<>();
    for (int i = 0; i + 1 < receipts.size(); i++) {
      FrameLocation a = frames.get(receipts.get(i));
      FrameLocation b = frames.get(receipts.get(i + 1));
      if (a.segmentId() == 1
          && b.segmentId() == 1
          && a.length() == b.length()
          && a.offset() + a.length() == b.offset()
          && i > 0) {
        pairs.add(new AppendReceipt[] {receipts.get(i), receipts.get(i + 1)});
      }
    }
    AppendReceipt[] pair = pairs.get(random.nextInt(pairs.size()));
    FrameLocation a = frames.get(pair[0]);
    for (String path : PATHS) {
      Path d =
          tampered(
              path,
              dir -> {
                Path seg = StoreFixtures.segment(dir, 1);
                byte[] file = Files.readAllBytes(seg);
                int at = (int) a.offset();
                int n = a.length();
                byte[] first = Arrays.copyOfRange(file, at, at + n);
                System.arraycopy(file, at + n, file, at, n);
                System.arraycopy(first, 0, file, at + n, n);
                Files.write(seg, file);
              });
      StoreVerification v = verify(d, path, path.equals("SCAN")); // the scan checks sequences
      if (v == null) {
        continue;
      }
      assertTrue(v.problemCount() >= 2, path + ": " + v);
      assertProblemAt(v.problems().get(0), pair[0], Reason.GLOBAL_SEQUENCE_MISMATCH, path);
      assertProblemAt(v.problems().get(1), pair[1], Reason.GLOBAL_SEQUENCE_MISMATCH, path);
      for (StoreVerification.Problem p : v.problems().subList(2, v.problems().size())) {
        assertTrue(successor(p), path + ": only the swapped events' successors besides: " + p);
      }
      assertTrue(v.problemCount() <= 4, path + ": " + v);
    }
  }

  /**
   * One byte changed at a seeded position among the frames of a sealed segment, 60 times: every
   * open from the checkpoint and the seals succeeds, and {@code verifyAll} reports the frame's
   * first event first, as a damaged frame named by file and offset; every further problem is an
   * event of that frame or a stream successor of one. The scan either refuses with a typed
   * corruption or verifies the same way. No other exception escapes.
   */
  @Test
  void randomSingleByteDamageAmongTheFramesIsAlwaysFoundAtItsFrame(Random random)
      throws IOException {
    List<Long> sealed = new ArrayList<>();
    long newest = StoreFixtures.segments(pristine).size();
    for (long s = 1; s < newest; s++) {
      sealed.add(s);
    }
    for (int round = 0; round < 60; round++) {
      long segment = sealed.get(random.nextInt(sealed.size()));
      List<AppendReceipt> inSegment =
          receipts.stream().filter(r -> frames.get(r).segmentId() == segment).toList();
      long from = frames.get(inSegment.get(0)).offset();
      long to = framesEnd(StoreFixtures.segment(pristine, segment));
      long pos = from + (long) (random.nextDouble() * (to - from));
      int flip = 1 + random.nextInt(255);
      List<AppendReceipt> hit =
          inSegment.stream()
              .filter(r -> frames.get(r).offset() <= pos)
              .filter(r -> pos < frames.get(r).offset() + frames.get(r).length())
              .toList();
      assertFalse(hit.isEmpty(), "offset " + pos + " lies in a frame");
      Set<Long> hitRows = new HashSet<>();
      hit.forEach(r -> hitRows.add(r.globalSequence()));
      String path = PATHS.get(random.nextInt(PATHS.size()));
      String what = path + ", segment " + segment + ", offset " + pos + ", xor " + flip;
      Path d =
          tampered(
              path,
              dir -> {
                Path seg = StoreFixtures.segment(dir, segment);
                byte[] file = Files.readAllBytes(seg);
                file[(int) pos] ^= (byte) flip;
                Files.write(seg, file);
              });
      StoreVerification v;
      try {
        v = verify(d, path, path.equals("SCAN"));
      } catch (RuntimeException e) {
        throw new AssertionError(what + ": " + e, e);
      }
      if (v == null) {
        continue;
      }
      assertFalse(v.intact(), what);
      assertProblemAt(v.problems().get(0), hit.get(0), Reason.FRAME_CORRUPT, what);
      for (StoreVerification.Problem p : v.problems()) {
        assertTrue(
            hitRows.contains(p.globalSequence()) || successor(p),
            what + ": a problem outside the damaged frame: " + p);
      }
      deleteTree(d);
    }
  }

  /**
   * Thousands of events in batch frames fill a window, so the pass hashes them on several threads
   * (on a machine with more than one core): one payload byte changed under a recomputed CRC, in a
   * seeded event of a seeded batch, is still exactly one problem at that event.
   */
  @Test
  void oneChangedEventAmongThousandsInBatchesIsFoundAtItsPlace(Random random) throws IOException {
    Path d = root.resolve("batches");
    List<AppendReceipt> all = new ArrayList<>();
    try (Store store = Store.open(StoreConfig.builder(d).build())) {
      for (int b = 0; b < 16; b++) {
        List<BatchItem> batch = new ArrayList<>();
        for (int i = 0; i < 256; i++) {
          batch.add(
              BatchItem.of(
                  Coordinate.of("s" + random.nextInt(50), "bank"),
                  KIND,
                  Bytes.utf8(
                      "batched event " + b + "/" + i + " " + "x".repeat(random.nextInt(300)))));
        }
        all.addAll(store.appendBatch(batch));
      }
      AppendReceipt victim = all.get(random.nextInt(all.size()));
      FrameLocation loc = StoreFixtures.frame(store, victim);
      Path seg = StoreFixtures.segment(d, loc.segmentId());
      byte[] file = Files.readAllBytes(seg);
      int at = (int) loc.offset();
      byte[] frame = Arrays.copyOfRange(file, at, at + loc.length());
      int[] recordStart = {-1};
      FrameCodec.scanBody(
          frame,
          FrameCodec.PREFIX,
          frame.length - FrameCodec.PREFIX,
          seg.toString(),
          at,
          h -> {
            if (h.idHi == victim.eventId().high() && h.idLo == victim.eventId().low()) {
              recordStart[0] = FrameCodec.PREFIX + h.recordOffset;
            }
          });
      assertTrue(recordStart[0] > 0, "the victim is in its frame");
      int recordEnd = recordStart[0] + 4 + FrameCodec.readInt(frame, recordStart[0]);
      frame[recordEnd - 1] ^= 0x20; // the last byte of its payload
      CraftedFrameTest.reseal(frame);
      System.arraycopy(frame, 0, file, at, frame.length);
      Files.write(seg, file);

      StoreVerification v = store.verifyAll(VerificationProgress.none());
      assertEquals(all.size(), v.eventsChecked());
      assertEquals(1, v.problemCount(), v.toString());
      frames = new HashMap<>(frames);
      frames.put(victim, loc);
      assertProblemAt(v.problems().get(0), victim, Reason.CONTENT_HASH_MISMATCH, "batched");
    }
  }

  /** Where the frames of a sealed segment end: its footer's offset, from the trailer. */
  private static long framesEnd(Path seg) throws IOException {
    byte[] file = Files.readAllBytes(seg);
    long footer =
        SegmentSeal.footerOffset(
            Arrays.copyOfRange(file, file.length - SegmentSeal.TRAILER, file.length));
    assertTrue(footer > 0, seg + " is sealed");
    return footer;
  }

  /**
   * Events appended while the pass runs are not checked: the pass covers what was visible when it
   * started, and stops at its end even though the active segment grows under it.
   */
  @Test
  void eventsAppendedDuringThePassAreNotChecked() {
    Path d = root.resolve("live");
    try (Store store = Store.open(config(d))) {
      for (int i = 0; i < 40; i++) {
        store.append(Coordinate.of("live", "s"), KIND, Bytes.utf8("before " + i));
      }
      long[] totals = {-1, -1};
      StoreVerification v =
          store.verifyAll(
              (checked, total) -> {
                totals[0] = total;
                if (checked == 1) {
                  for (int i = 0; i < 30; i++) {
                    store.append(Coordinate.of("live", "s"), KIND, Bytes.utf8("during " + i));
                  }
                }
                totals[1] = checked;
              });
      assertTrue(v.intact(), v.toString());
      assertEquals(40, v.eventsChecked());
      assertEquals(40, totals[0]);
      assertEquals(40, totals[1]);
      assertTrue(store.verifyAll(VerificationProgress.none()).intact());
      assertEquals(70, store.verifyAll(VerificationProgress.none()).eventsChecked());
    }
  }

  private static void deleteTree(Path d) {
    try (Stream<Path> files = Files.walk(d)) {
      for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
