package io.batpak.engine;

import static io.batpak.engine.StoreFixtures.KIND;
import static io.batpak.engine.StoreFixtures.OTHER_KIND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.CausationId;
import io.batpak.Coordinate;
import io.batpak.CorrelationId;
import io.batpak.CorruptStoreException;
import io.batpak.EventHeader;
import io.batpak.ExtensionKey;
import io.batpak.OpenReport;
import io.batpak.ReadOnlyStoreException;
import io.batpak.ReceiptVerification;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StoreVerification;
import io.batpak.StoredEvent;
import io.batpak.VerificationProgress;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reopen, torn tails, corruption and read-only opens, on the real disk (docs/architecture.md,
 * decision 4).
 */
@ExtendWith(Seeded.class)
class RecoveryTest {
  @TempDir Path dir;

  /** Appends a varied history: streams, scopes, kinds, links, flags, extensions and batches. */
  static List<AppendReceipt> history(Store store, Random random, int count) {
    List<AppendReceipt> receipts = new ArrayList<>();
    while (receipts.size() < count) {
      String entity = "entity-" + random.nextInt(7);
      Coordinate c = Coordinate.of(entity, "scope-" + random.nextInt(3));
      byte[] payload = new byte[random.nextInt(300)];
      random.nextBytes(payload);
      AppendOptions o = AppendOptions.defaults().withFlags(random.nextInt(256));
      if (random.nextBoolean()) {
        o = o.withCorrelation(CorrelationId.of(random.nextLong(), random.nextLong()));
      }
      if (!receipts.isEmpty() && random.nextBoolean()) {
        o = o.withCausation(CausationId.of(receipts.get(receipts.size() - 1).eventId()));
      }
      if (random.nextInt(3) == 0) {
        o = o.withExtension(ExtensionKey.of("app.tenant"), Bytes.utf8("t" + random.nextInt(5)));
        o = o.withExtension(ExtensionKey.of("trace.id"), Bytes.of((byte) random.nextInt()));
      }
      if (random.nextInt(5) == 0) {
        List<BatchItem> items = new ArrayList<>();
        int n = 1 + random.nextInt(4);
        for (int i = 0; i < n; i++) {
          BatchItem item =
              BatchItem.of(
                  Coordinate.of("entity-" + random.nextInt(7), "batch"),
                  i % 2 == 0 ? KIND : OTHER_KIND,
                  Bytes.utf8("item " + i + " of " + receipts.size()));
          items.add(i > 0 && random.nextBoolean() ? item.causedBy(i - 1) : item);
        }
        receipts.addAll(store.appendBatch(items));
      } else {
        receipts.add(
            store.append(c, random.nextBoolean() ? KIND : OTHER_KIND, Bytes.ofOwned(payload), o));
      }
    }
    return receipts;
  }

  /** Everything a reader can see, for comparison. */
  record Snapshot(
      List<EventHeader> headers,
      List<StoredEvent> events,
      Map<String, List<EventHeader>> streams,
      Map<String, Optional<EventHeader>> latest,
      List<EventHeader> paged,
      long streamCount) {}

  static Snapshot snapshot(Store store) {
    List<EventHeader> headers = StoreFixtures.query(store, Region.all());
    List<StoredEvent> events = new ArrayList<>();
    TreeSet<String> entities = new TreeSet<>();
    for (EventHeader h : headers) {
      StoredEvent e = store.get(h.eventId());
      assertEquals(h, e.header());
      assertEquals(e.payload(), store.get(h.eventId()).payload());
      events.add(e);
      entities.add(h.entity());
    }
    Map<String, List<EventHeader>> streams = new LinkedHashMap<>();
    Map<String, Optional<EventHeader>> latest = new LinkedHashMap<>();
    for (String entity : entities) {
      streams.put(entity, store.stream(entity));
      latest.put(entity, store.latest(entity));
    }
    List<EventHeader> paged = new ArrayList<>();
    long after = -1;
    while (true) {
      List<EventHeader> page = store.queryAfter(Region.all(), after, 7);
      if (page.isEmpty()) {
        break;
      }
      paged.addAll(page);
      after = page.get(page.size() - 1).globalSequence();
    }
    assertEquals(headers, paged);
    return new Snapshot(headers, events, streams, latest, paged, store.stats().streamCount());
  }

  @Test
  void reopenYieldsIdenticalReads(Random random) {
    StoreConfig config = StoreConfig.builder(dir).segmentMaxBytes(16 << 10).build();
    List<AppendReceipt> receipts;
    Snapshot before;
    try (Store store = Store.open(config)) {
      receipts = history(store, random, 400);
      before = snapshot(store);
      StoreFixtures.assertIntact(store, receipts);
    }
    assertTrue(StoreFixtures.segments(dir).size() > 1, "several segments");
    try (Store store = Store.open(config)) {
      OpenReport report = store.openReport();
      assertTrue(report.tornTail().isEmpty());
      assertEquals(before.headers().size(), report.eventsRecovered());
      assertEquals("posix", report.backend(), "posix is auto-selected");
      assertFalse(report.backendReason().isEmpty());
      assertFalse(report.readOnly());
      assertTrue(report.elapsedMicros() >= 0);
      Snapshot after = snapshot(store);
      assertEquals(before, after);
      StoreFixtures.assertIntact(store, receipts);
      // Appending after a reopen continues every sequence and chain.
      receipts = new ArrayList<>(receipts);
      receipts.addAll(history(store, random, 50));
      StoreFixtures.assertIntact(store, receipts);
    }
    try (Store store = Store.open(StoreConfig.builder(dir).readOnly(true).build())) {
      StoreFixtures.assertIntact(store, receipts);
    }
  }

  private List<AppendReceipt> appendSome(int n) {
    List<AppendReceipt> receipts = new ArrayList<>();
    try (Store store = StoreFixtures.open(dir)) {
      for (int i = 0; i < n; i++) {
        receipts.add(
            store.append(Coordinate.of("e" + (i % 3), "s"), KIND, Bytes.utf8("event " + i)));
      }
    }
    return receipts;
  }

  private static void appendBytes(Path file, byte[] bytes) throws IOException {
    Files.write(file, bytes, StandardOpenOption.APPEND);
  }

  private static void flipByte(Path file, long offset) throws IOException {
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      ch.read(b, offset);
      b.put(0, (byte) (b.get(0) ^ 0x5A));
      b.rewind();
      ch.write(b, offset);
    }
  }

  private void assertTornTailCut(List<AppendReceipt> receipts, Path seg, long end, int garbage) {
    try (Store store = StoreFixtures.open(dir)) {
      OpenReport.TornTail torn = store.openReport().tornTail().orElseThrow();
      assertEquals(seg.toString(), torn.file());
      assertEquals(end, torn.offset());
      assertEquals(garbage, torn.bytes());
      assertTrue(torn.truncated());
      assertFalse(torn.reason().isEmpty());
      assertEquals(end, sizeOf(seg), "cut back to the last whole frame");
      StoreFixtures.assertIntact(store, receipts);
      assertEquals(receipts.size(), store.stats().eventCount());
      receipts = new ArrayList<>(receipts);
      receipts.add(store.append(Coordinate.of("after", "s"), KIND, Bytes.utf8("after")));
      assertEquals(end, StoreFixtures.frame(store, receipts.get(receipts.size() - 1)).offset());
    }
    try (Store store = StoreFixtures.open(dir)) {
      assertTrue(store.openReport().tornTail().isEmpty(), "the cut was durable");
      StoreFixtures.assertIntact(store, receipts);
    }
  }

  private static long sizeOf(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void aPartialFrameAtTheTailIsCutAndReported() throws IOException {
    List<AppendReceipt> receipts = appendSome(20);
    assertEquals(1, StoreFixtures.crashShape(dir));
    Path seg = StoreFixtures.segment(dir, 1);
    long end = Files.size(seg);
    byte[] file = Files.readAllBytes(seg);
    FrameLocation third = StoreFixtures.frame(dir, receipts.get(3));
    int frameAt = (int) third.offset();
    assertTrue(third.length() > 100);
    appendBytes(seg, Arrays.copyOfRange(file, frameAt, frameAt + 100));
    assertTornTailCut(receipts, seg, end, 100);
  }

  @Test
  void aZeroFilledTailIsCutAndReported() throws IOException {
    List<AppendReceipt> receipts = appendSome(20);
    assertEquals(1, StoreFixtures.crashShape(dir));
    Path seg = StoreFixtures.segment(dir, 1);
    long end = Files.size(seg);
    appendBytes(seg, new byte[4096]);
    assertTornTailCut(receipts, seg, end, 4096);
  }

  @Test
  void aBadFrameFollowedByAValidOneIsCorruption() throws IOException {
    List<AppendReceipt> receipts = appendSome(20);
    StoreFixtures.crashShape(dir);
    Path seg = StoreFixtures.segment(dir, 1);
    FrameLocation victim = StoreFixtures.frame(dir, receipts.get(7));
    flipByte(seg, victim.offset() + 8 + 40);
    Map<String, byte[]> before = StoreFixtures.contents(dir);
    CorruptStoreException e =
        assertThrows(CorruptStoreException.class, () -> StoreFixtures.open(dir));
    assertEquals(seg.toString(), e.file());
    assertEquals(victim.offset(), e.offset());
    assertThrows(
        CorruptStoreException.class,
        () -> Store.open(StoreConfig.builder(dir).readOnly(true).build()));
    StoreFixtures.assertSameContents(before, StoreFixtures.contents(dir));
  }

  @Test
  void aBadLengthFieldFollowedByAValidFrameIsCorruption() throws IOException {
    List<AppendReceipt> receipts = appendSome(20);
    StoreFixtures.crashShape(dir);
    Path seg = StoreFixtures.segment(dir, 1);
    FrameLocation victim = StoreFixtures.frame(dir, receipts.get(12));
    flipByte(seg, victim.offset() + 1);
    CorruptStoreException e =
        assertThrows(CorruptStoreException.class, () -> StoreFixtures.open(dir));
    assertEquals(seg.toString(), e.file());
    assertEquals(victim.offset(), e.offset());
  }

  @Test
  void aFlippedByteInAnOlderSegmentIsCorruptionAtItsOffset(Random random) throws IOException {
    StoreConfig config = StoreConfig.builder(dir).segmentMaxBytes(4096).build();
    List<AppendReceipt> receipts = new ArrayList<>();
    try (Store store = Store.open(config)) {
      for (int i = 0; i < 120; i++) {
        receipts.add(
            store.append(
                Coordinate.of("e" + (i % 5), "s"), KIND, Bytes.ofOwned(new byte[100 + i % 50])));
      }
    }
    List<Path> segments = StoreFixtures.segments(dir);
    assertTrue(segments.size() >= 4, "several segments: " + segments);
    // Without seals and checkpoint, the open reads every frame of every segment.
    assertEquals(segments.size(), StoreFixtures.crashShape(dir));
    // An inner frame and the last frame of an older segment: neither is a torn tail.
    long sealed = 1 + random.nextInt(segments.size() - 2);
    List<FrameLocation> inSealed =
        StoreFixtures.frames(dir, receipts).stream().filter(f -> f.segmentId() == sealed).toList();
    for (FrameLocation victim :
        List.of(inSealed.get(inSealed.size() / 2), inSealed.get(inSealed.size() - 1))) {
      Path seg = StoreFixtures.segment(dir, sealed);
      long at = victim.offset() + 8 + victim.length() / 2;
      flipByte(seg, at);
      CorruptStoreException e = assertThrows(CorruptStoreException.class, () -> Store.open(config));
      assertEquals(seg.toString(), e.file(), "segment " + sealed);
      assertEquals(victim.offset(), e.offset());
      flipByte(seg, at);
    }
    try (Store store = Store.open(config)) {
      StoreFixtures.assertIntact(store, receipts);
    }
  }

  /**
   * The sealed shape of {@link #aFlippedByteInAnOlderSegmentIsCorruptionAtItsOffset}: an open from
   * the checkpoint or the seals reads no frame of a sealed segment, so it succeeds; the damage is
   * found by reading the event and by {@code verifyAll}, at the same file and offset. The one frame
   * a checkpoint open does read is its last event's, to check the checkpoint against the journal:
   * damage there distrusts the checkpoint and the seals serve.
   */
  @Test
  void aFlippedByteInASealedSegmentIsFoundOnReadAndByVerifyAll(Random random) throws IOException {
    StoreConfig config = StoreConfig.builder(dir).segmentMaxBytes(4096).build();
    List<AppendReceipt> receipts = new ArrayList<>();
    try (Store store = Store.open(config)) {
      for (int i = 0; i < 120; i++) {
        receipts.add(
            store.append(
                Coordinate.of("e" + (i % 5), "s"), KIND, Bytes.ofOwned(new byte[100 + i % 50])));
      }
    }
    List<Path> segments = StoreFixtures.segments(dir);
    assertTrue(segments.size() >= 4, "several segments: " + segments);
    long sealed = 1 + random.nextInt(segments.size()); // every segment is sealed
    List<FrameLocation> where = StoreFixtures.frames(dir, receipts);
    List<Integer> inSealed = new ArrayList<>();
    for (int i = 0; i < receipts.size(); i++) {
      if (where.get(i).segmentId() == sealed) {
        inSealed.add(i);
      }
    }
    int victimIndex = inSealed.get(random.nextInt(inSealed.size()));
    AppendReceipt victim = receipts.get(victimIndex);
    FrameLocation frame = where.get(victimIndex);
    Path seg = StoreFixtures.segment(dir, sealed);
    flipByte(seg, frame.offset() + 8 + frame.length() / 2);
    StoreConfig readOnly = config.toBuilder().readOnly(true).build();
    for (OpenReport.IndexSource source :
        List.of(OpenReport.IndexSource.CHECKPOINT, OpenReport.IndexSource.SEALS)) {
      if (source == OpenReport.IndexSource.SEALS) {
        Files.delete(dir.resolve("index.ckpt"));
      }
      try (Store store = Store.open(readOnly)) {
        String what = source + ", segment " + sealed + ", event " + victimIndex;
        OpenReport.IndexLoad load = store.openReport().indexLoad();
        if (victimIndex == receipts.size() - 1) {
          // The checkpoint's last event is the one it is checked against before it is believed:
          // damage there distrusts it, with the reason, and the seals serve instead.
          assertEquals(OpenReport.IndexSource.SEALS, load.source(), what);
          assertEquals(source == OpenReport.IndexSource.CHECKPOINT, !load.distrusted().isEmpty());
          if (source == OpenReport.IndexSource.CHECKPOINT) {
            String note = load.distrusted().get(0);
            assertTrue(
                note.contains("holds its last event at offset " + frame.offset() + " of " + seg),
                note);
          }
        } else {
          assertEquals(source, load.source(), what);
        }
        assertEquals(receipts.size(), store.openReport().eventsRecovered(), what);
        CorruptStoreException e =
            assertThrows(CorruptStoreException.class, () -> store.get(victim.eventId()), what);
        assertEquals(seg.toString(), e.file(), what);
        assertEquals(frame.offset(), e.offset(), what);
        assertFalse(store.verifyReceipt(victim).isValid(), what);
        StoreVerification v = store.verifyAll(VerificationProgress.none());
        assertFalse(v.intact(), what);
        StoreVerification.Problem first = v.problems().get(0);
        assertEquals(victim.globalSequence(), first.globalSequence(), what);
        assertEquals(ReceiptVerification.Reason.FRAME_CORRUPT, first.reason(), what);
        assertTrue(
            first.detail().contains(seg.toString())
                && first.detail().contains("at offset " + frame.offset()),
            what + ": " + first.detail());
        for (int i = 0; i < receipts.size(); i++) {
          if (where.get(i).segmentId() != sealed) {
            assertEquals(
                receipts.get(i), store.get(receipts.get(i).eventId()).header().toReceipt());
          }
        }
      }
    }
    flipByte(seg, frame.offset() + 8 + frame.length() / 2);
    try (Store store = Store.open(config)) {
      assertTrue(store.verifyAll(VerificationProgress.none()).intact());
      StoreFixtures.assertIntact(store, receipts);
    }
  }

  @Test
  void readOnlyOpenOfATornStoreChangesNothing() throws IOException {
    List<AppendReceipt> receipts = appendSome(15);
    StoreFixtures.crashShape(dir);
    Path seg = StoreFixtures.segment(dir, 1);
    long end = Files.size(seg);
    byte[] file = Files.readAllBytes(seg);
    int frameAt = (int) StoreFixtures.frame(dir, receipts.get(0)).offset();
    appendBytes(seg, Arrays.copyOfRange(file, frameAt, frameAt + 100));
    Map<String, byte[]> before = StoreFixtures.contents(dir);
    StoreConfig readOnly = StoreConfig.builder(dir).readOnly(true).build();
    try (Store a = Store.open(readOnly);
        Store b = Store.open(readOnly)) {
      for (Store store : List.of(a, b)) {
        assertTrue(store.openReport().readOnly());
        OpenReport.TornTail torn = store.openReport().tornTail().orElseThrow();
        assertEquals(seg.toString(), torn.file());
        assertEquals(end, torn.offset());
        assertEquals(100, torn.bytes());
        assertFalse(torn.truncated());
        StoreFixtures.assertIntact(store, receipts);
        assertEquals(receipts.size(), store.stats().eventCount());
        ReadOnlyStoreException refused =
            assertThrows(
                ReadOnlyStoreException.class,
                () -> store.append(Coordinate.of("x", "s"), KIND, Bytes.utf8("no")));
        assertTrue(
            refused.getMessage().contains(dir.toString())
                && refused.getMessage().contains("opened read-only")
                && refused.getMessage().contains("without readOnly(true)"),
            refused.getMessage());
        assertThrows(
            ReadOnlyStoreException.class,
            () ->
                store.appendBatch(
                    List.of(BatchItem.of(Coordinate.of("x", "s"), KIND, Bytes.utf8("no")))));
        assertThrows(
            ReadOnlyStoreException.class,
            () ->
                store.submit(
                    Coordinate.of("x", "s"), KIND, Bytes.utf8("no"), AppendOptions.defaults()));
        assertThrows(ReadOnlyStoreException.class, store::sync);
        assertEquals(receipts.size(), store.stats().eventCount(), "still open for reads");
      }
    }
    StoreFixtures.assertSameContents(before, StoreFixtures.contents(dir));
    // A mutable open afterwards does the cut.
    try (Store store = StoreFixtures.open(dir)) {
      assertTrue(store.openReport().tornTail().orElseThrow().truncated());
      assertEquals(end, Files.size(seg));
    }
  }

  @Test
  void theLargestPayloadAndBatchRoundTripAndRecover(Random random) {
    StoreConfig config = StoreConfig.builder(dir).build();
    byte[] big = new byte[config.maxPayloadBytes()];
    random.nextBytes(big);
    List<AppendReceipt> receipts = new ArrayList<>();
    int each;
    try (Store store = Store.open(config)) {
      receipts.add(store.append(Coordinate.of("big", "s"), KIND, Bytes.ofOwned(big)));
      List<BatchItem> items = new ArrayList<>();
      // The largest batch of four: maxBatchBytes bounds the encoded frame (8 + 24 bytes of frame
      // and body header, then per item a record of 180 bytes plus its coordinate's text).
      each = (config.maxBatchBytes() - 8 - 24) / 4 - (180 + "big".length() + "s".length());
      for (int i = 0; i < 4; i++) {
        items.add(
            BatchItem.of(
                Coordinate.of("big", "s"),
                KIND,
                Bytes.ofOwned(Arrays.copyOfRange(big, i, i + each))));
      }
      receipts.addAll(store.appendBatch(items));
      receipts.add(store.append(Coordinate.of("small", "s"), KIND, Bytes.utf8("after")));
      StoreFixtures.assertIntact(store, receipts);
    }
    try (Store store = Store.open(config)) {
      StoreFixtures.assertIntact(store, receipts);
      assertEquals(Bytes.ofOwned(big), store.get(receipts.get(0).eventId()).payload());
      assertEquals(Bytes.of(big, 3, each), store.get(receipts.get(4).eventId()).payload());
    }
  }
}
