package io.batpak.engine;

import static io.batpak.engine.StoreFixtures.KIND;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.CompactionConfig;
import io.batpak.CompactionResult;
import io.batpak.Coordinate;
import io.batpak.EventHeader;
import io.batpak.EventKind;
import io.batpak.EventNotFoundException;
import io.batpak.IdempotencyKey;
import io.batpak.OpenReport.IndexSource;
import io.batpak.ReceiptVerification;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StoreVerification;
import io.batpak.StoredEvent;
import io.batpak.VerificationProgress;
import io.batpak.engine.internal.recovery.CompactionIntent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code Store.compact}: merging small sealed segments, dropping and tombstoning events. Survivors
 * read back byte for byte, receipts keep verifying (dropped and tombstoned ones as compacted away),
 * chains verify across what was removed, idempotent retries of dropped events still answer, and
 * every one of these holds again after reopening, mutable and read-only.
 */
@ExtendWith(Seeded.class)
class CompactionTest {
  @TempDir Path dir;

  private StoreConfig config() {
    return StoreConfig.builder(dir).build();
  }

  /** What a test appended: receipts in order, and the payload of each. */
  private final Map<AppendReceipt, byte[]> appended = new LinkedHashMap<>();

  private final Map<AppendReceipt, IdempotencyKey> keys = new LinkedHashMap<>();

  /** Appends {@code perCycle} events per open, {@code cycles} times: one small segment each. */
  private void fill(Random random, int cycles, int perCycle) {
    for (int c = 0; c < cycles; c++) {
      try (Store store = Store.open(config())) {
        for (int i = 0; i < perCycle; i++) {
          String entity = (random.nextInt(3) == 0 ? "temp-" : "order-") + random.nextInt(5);
          byte[] payload = new byte[1 + random.nextInt(300)];
          random.nextBytes(payload);
          IdempotencyKey key = IdempotencyKey.of(random.nextLong(), random.nextLong());
          AppendReceipt r =
              store.append(
                  Coordinate.of(entity, "s"),
                  KIND,
                  Bytes.of(payload),
                  AppendOptions.defaults().withIdempotencyKey(key));
          appended.put(r, payload);
          keys.put(r, key);
          entities.put(r, entity);
        }
      }
    }
  }

  private static List<Path> segments(Path dir) throws Exception {
    try (var s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".seg")).sorted().toList();
    }
  }

  private static boolean temp(StoredEvent e) {
    return e.header().coordinate().entity().startsWith("temp-");
  }

  /**
   * Checks {@code store} against what was appended: kept events read back whole, removed ones as
   * {@code removed} says, every receipt verifies, verifyAll finds nothing.
   */
  private void assertCompacted(Store store, Predicate<AppendReceipt> removed, boolean tombstones) {
    List<Long> visibleOrder = new ArrayList<>();
    for (Map.Entry<AppendReceipt, byte[]> e : appended.entrySet()) {
      AppendReceipt r = e.getKey();
      ReceiptVerification v = store.verifyReceipt(r);
      if (removed.test(r)) {
        ReceiptVerification.CompactedAway away =
            assertInstanceOf(ReceiptVerification.CompactedAway.class, v, r.toString());
        assertEquals(tombstones, away.tombstone());
        assertEquals(r.eventHash(), away.evidence().eventHash());
        assertEquals(KIND, away.evidence().kind(), "the evidence keeps the kind appended");
        assertEquals(r.globalSequence(), away.evidence().globalSequence());
        if (tombstones) {
          StoredEvent t = store.get(r.eventId());
          assertEquals(EventKind.TOMBSTONE, t.header().kind());
          assertEquals(0, t.payload().size());
          assertEquals(r.globalSequence(), t.header().globalSequence());
          visibleOrder.add(r.globalSequence());
        } else {
          assertThrows(EventNotFoundException.class, () -> store.get(r.eventId()));
        }
      } else {
        assertInstanceOf(ReceiptVerification.Valid.class, v, r.toString());
        StoredEvent got = store.get(r.eventId());
        assertArrayEquals(e.getValue(), got.payload().toByteArray());
        assertEquals(r.eventHash(), got.header().eventHash());
        visibleOrder.add(r.globalSequence());
      }
    }
    List<Long> queried =
        StoreFixtures.query(store, Region.all()).stream().map(EventHeader::globalSequence).toList();
    assertEquals(visibleOrder, queried, "queryAfter returns exactly what was not dropped");
    StoreVerification all = store.verifyAll(VerificationProgress.none());
    assertEquals(0, all.problemCount(), all.problems().toString());
    assertEquals(appended.size(), all.eventsChecked());
    long removedCount = appended.keySet().stream().filter(removed).count();
    assertEquals(removedCount, all.eventsCompacted());
    assertEquals(tombstones ? removedCount : 0, all.eventsTombstoned());
    assertEquals(appended.size() - all.eventsDropped(), store.stats().eventCount());
  }

  private void reopenAndCheck(Predicate<AppendReceipt> removed, boolean tombstones) {
    try (Store store = Store.open(config())) {
      assertCompacted(store, removed, tombstones);
    }
    try (Store store = Store.open(config().toBuilder().readOnly(true).build())) {
      assertCompacted(store, removed, tombstones);
      assertEquals(IndexSource.CHECKPOINT, store.openReport().indexLoad().source());
    }
    try {
      Files.delete(dir.resolve(io.batpak.engine.internal.index.IndexCheckpoint.FILE));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    try (Store store = Store.open(config().toBuilder().readOnly(true).build())) {
      assertCompacted(store, removed, tombstones);
      // A compaction's output has no seal: its frames are read.
      assertTrue(store.openReport().indexLoad().fromScan() > 0);
    }
  }

  @Test
  void mergeJoinsSmallSealedSegmentsAndChangesNoEvent(Random random) throws Exception {
    fill(random, 8, 20);
    try (Store store = Store.open(config())) {
      int before = segments(dir).size(); // the open started a new active segment
      CompactionResult dry = store.compact(CompactionConfig.merge().dryRun(true));
      assertEquals(CompactionResult.Outcome.PERFORMED, dry.outcome());
      assertEquals(before, segments(dir).size(), "a dry run writes nothing");
      List<long[]> progress = new ArrayList<>();
      CompactionResult r =
          store.compact(
              CompactionConfig.merge()
                  .progress((done, total) -> progress.add(new long[] {done, total})));
      assertEquals(CompactionResult.Outcome.PERFORMED, r.outcome(), r.reason());
      long[] lastReport = progress.get(progress.size() - 1);
      assertTrue(lastReport[0] <= lastReport[1] && lastReport[0] > r.bytesBefore() / 2);
      assertEquals(before - 1, r.segmentsBefore(), "every sealed segment, not the active one");
      assertEquals(1, r.segmentsAfter());
      assertEquals(160, r.eventsKept());
      assertEquals(2, segments(dir).size());
      assertFalse(Files.exists(dir.resolve(CompactionIntent.FILE)));
      assertCompacted(store, x -> false, false);
      AppendReceipt after = store.append(Coordinate.of("order-1", "s"), KIND, Bytes.utf8("later"));
      appended.put(after, "later".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      assertCompacted(store, x -> false, false);
      assertEquals(
          CompactionResult.Outcome.SKIPPED, store.compact(CompactionConfig.merge()).outcome());
    }
    reopenAndCheck(x -> false, false);
  }

  @Test
  void retainDropsRejectedEventsAndKeepsTheirProof(Random random) throws Exception {
    fill(random, 6, 25);
    Map<AppendReceipt, Boolean> removed = new LinkedHashMap<>();
    java.util.Set<String> keptStreams = new java.util.TreeSet<>();
    try (Store store = Store.open(config())) {
      for (AppendReceipt r : appended.keySet()) {
        removed.put(r, temp(store.get(r.eventId())));
        if (!temp(store.get(r.eventId()))) {
          keptStreams.add(store.get(r.eventId()).header().entity());
        }
      }
      CompactionResult result = store.compact(CompactionConfig.retain(e -> !temp(e)));
      assertEquals(CompactionResult.Outcome.PERFORMED, result.outcome(), result.reason());
      // A stream whose every event was dropped has no visible event left (StoreStats).
      assertEquals(keptStreams.size(), store.stats().streamCount(), "streams " + keptStreams);
      long dropped = removed.values().stream().filter(b -> b).count();
      assertTrue(dropped > 0);
      assertEquals(dropped, result.eventsDropped());
      assertCompacted(store, removed::get, false);
      // An idempotent retry of a dropped event answers with its receipt.
      AppendReceipt gone =
          removed.entrySet().stream()
              .filter(Map.Entry::getValue)
              .findFirst()
              .orElseThrow()
              .getKey();
      byte[] payload = appended.get(gone);
      AppendReceipt retried =
          store.append(
              Coordinate.of(entityOf(gone), "s"),
              KIND,
              Bytes.of(payload),
              AppendOptions.defaults().withIdempotencyKey(keys.get(gone)));
      assertEquals(gone, retried);
      // Appending after a dropped stream head chains onto it.
      AppendReceipt next =
          store.append(Coordinate.of(entityOf(gone), "s"), KIND, Bytes.utf8("after"));
      appended.put(next, "after".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      removed.put(next, false);
      assertCompacted(store, removed::get, false);
    }
    reopenAndCheck(removed::get, false);
  }

  private final Map<AppendReceipt, String> entities = new LinkedHashMap<>();

  private String entityOf(AppendReceipt r) {
    return entities.get(r);
  }

  @Test
  void tombstoneKeepsRejectedEventsInPlaceWithoutPayload(Random random) throws Exception {
    fill(random, 5, 30);
    Map<AppendReceipt, Boolean> removed = new LinkedHashMap<>();
    try (Store store = Store.open(config())) {
      for (AppendReceipt r : appended.keySet()) {
        removed.put(r, temp(store.get(r.eventId())));
      }
      CompactionResult result = store.compact(CompactionConfig.tombstone(e -> !temp(e)));
      assertEquals(CompactionResult.Outcome.PERFORMED, result.outcome(), result.reason());
      assertEquals(removed.values().stream().filter(b -> b).count(), result.eventsTombstoned());
      assertCompacted(store, removed::get, true);
    }
    reopenAndCheck(removed::get, true);
  }

  @Test
  void readsDuringCompactionNeverFail(Random random) throws Exception {
    fill(random, 10, 40);
    List<AppendReceipt> receipts = new ArrayList<>(appended.keySet());
    try (Store store = Store.open(config())) {
      AtomicBoolean done = new AtomicBoolean();
      AtomicReference<Throwable> failed = new AtomicReference<>();
      List<Thread> readers = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        long seed = random.nextLong();
        Thread th =
            new Thread(
                () -> {
                  Random r = new Random(seed);
                  try {
                    while (!done.get()) {
                      AppendReceipt pick = receipts.get(r.nextInt(receipts.size()));
                      StoredEvent e = store.get(pick.eventId());
                      assertArrayEquals(appended.get(pick), e.payload().toByteArray());
                    }
                  } catch (Throwable x) {
                    failed.compareAndSet(null, x);
                  }
                });
        th.start();
        readers.add(th);
      }
      CompactionResult r = store.compact(CompactionConfig.merge());
      done.set(true);
      for (Thread th : readers) {
        th.join();
      }
      if (failed.get() != null) {
        throw new AssertionError("a read failed during compaction", failed.get());
      }
      assertEquals(CompactionResult.Outcome.PERFORMED, r.outcome(), r.reason());
      assertCompacted(store, x -> false, false);
    }
  }

  @Test
  void aGapOnlyAnOutputExplainsIsRefusedAndCompactedFramesOnlyLiveInOutputs(Random random)
      throws Exception {
    fill(random, 5, 10);
    try (Store store = Store.open(config())) {
      assertEquals(
          CompactionResult.Outcome.PERFORMED,
          store.compact(CompactionConfig.retain(e -> !temp(e))).outcome());
      store.append(Coordinate.of("order-1", "s"), KIND, Bytes.utf8("in the next segment"));
    }
    StoreFixtures.crashShape(dir); // no seal, no checkpoint: the open reads every frame
    List<Path> segs = segments(dir);
    Path output = segs.get(0);
    byte[] bytes = Files.readAllBytes(output);
    io.batpak.engine.internal.format.SegmentHeader h =
        io.batpak.engine.internal.format.SegmentHeader.decode(bytes, output.toString());
    assertEquals(io.batpak.engine.internal.format.SegmentHeader.COMPACTED_VERSION, h.version());
    assertEquals(1, h.firstSegmentId());
    // The output claims to replace segments from 2: segment 1 is then missing.
    byte[] claimed =
        io.batpak.engine.internal.format.SegmentHeader.compacted(
                h.segmentId(), 2, h.createdMicros(), h.baseGlobalSequence(), h.codec())
            .encode();
    byte[] damaged = bytes.clone();
    System.arraycopy(claimed, 0, damaged, 0, claimed.length);
    Path next = segs.get(1);
    byte[] nextBytes = Files.readAllBytes(next);
    Files.write(output, damaged);
    // The store's first segment must be (or replace from) segment 1: segment 1 is missing.
    io.batpak.CorruptStoreException gap =
        assertThrows(
            io.batpak.CorruptStoreException.class,
            () -> Store.open(config().toBuilder().readOnly(true).build()).close());
    Files.write(output, bytes);
    // A compacted frame in an ordinary segment: the first frame of the next segment turned into
    // one.
    int at = io.batpak.engine.internal.format.SegmentHeader.decode(nextBytes, "n").length();
    byte[] forged = nextBytes.clone();
    int bodyLength = java.nio.ByteBuffer.wrap(forged).getInt(at);
    forged[at + 8] = 6;
    forged[at + 9] = 1;
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(forged, at, 4);
    crc.update(forged, at + 8, bodyLength);
    java.nio.ByteBuffer.wrap(forged).putInt(at + 4, (int) crc.getValue());
    Files.write(next, forged);
    Files.deleteIfExists(dir.resolve(io.batpak.engine.internal.index.IndexCheckpoint.FILE));
    io.batpak.CorruptStoreException type =
        assertThrows(
            io.batpak.CorruptStoreException.class,
            () -> Store.open(config().toBuilder().readOnly(true).build()).close());
    assertTrue(type.getMessage().contains("compacted frames"), type.getMessage());
    assertTrue(gap.getMessage().contains("segment numbering"), gap.getMessage());
  }

  @Test
  void anOpenFinishesACompactionACrashInterruptedAfterItsSwitchOnlyWhenTheOutputIsWhole(
      Random random) throws Exception {
    fill(random, 4, 10);
    Map<Path, byte[]> replaced = new LinkedHashMap<>();
    try (Store store = Store.open(config())) {
      List<Path> segs = segments(dir);
      for (Path p : segs.subList(0, segs.size() - 2)) {
        replaced.put(p, Files.readAllBytes(p));
      }
      assertEquals(
          CompactionResult.Outcome.PERFORMED, store.compact(CompactionConfig.merge()).outcome());
    }
    Path output = segments(dir).get(0);
    byte[] whole = Files.readAllBytes(output);
    // The shape a crash leaves between the switch and the removals: the output in place, the
    // segments it replaced still there, the intent still published.
    for (Map.Entry<Path, byte[]> e : replaced.entrySet()) {
      Files.write(e.getKey(), e.getValue());
    }
    try (var fs = StoreFixtures.posix()) {
      new CompactionIntent(1, Long.parseLong(output.getFileName().toString().substring(0, 10)))
          .publish(fs, dir);
    }
    try (Store ro = Store.open(config().toBuilder().readOnly(true).build())) {
      assertCompacted(ro, x -> false, false); // the replaced segments are skipped
    }
    replaced.keySet().forEach(p -> assertTrue(Files.exists(p), "a read-only open removes nothing"));
    // A damaged output proves nothing: the open refuses, and keeps what it would have removed.
    byte[] damaged = whole.clone();
    damaged[damaged.length - 40] ^= 0x10;
    Files.write(output, damaged);
    io.batpak.CorruptStoreException e =
        assertThrows(io.batpak.CorruptStoreException.class, () -> Store.open(config()).close());
    assertTrue(e.getMessage().contains("are kept"), e.getMessage());
    replaced.keySet().forEach(p -> assertTrue(Files.exists(p), p + " kept"));
    Files.write(output, whole);
    try (Store store = Store.open(config())) {
      assertCompacted(store, x -> false, false);
    }
    replaced.keySet().forEach(p -> assertFalse(Files.exists(p), p + " removed"));
    assertFalse(Files.exists(dir.resolve(CompactionIntent.FILE)));
  }

  @Test
  void aSecondCompactionOfAnOutputKeepsWhatItReplacesAndCountsOnlyItsOwnWork(Random random)
      throws Exception {
    fill(random, 4, 15);
    Map<AppendReceipt, Boolean> removed = new LinkedHashMap<>();
    try (Store store = Store.open(config())) {
      for (AppendReceipt r : appended.keySet()) {
        removed.put(r, temp(store.get(r.eventId())));
      }
      long temps = removed.values().stream().filter(b -> b).count();
      assertEquals(
          CompactionResult.Outcome.PERFORMED, store.compact(CompactionConfig.merge()).outcome());
      CompactionResult dry = store.compact(CompactionConfig.retain(e -> !temp(e)).dryRun(true));
      CompactionResult first = store.compact(CompactionConfig.retain(e -> !temp(e)));
      assertEquals(dry.bytesAfter(), first.bytesAfter(), "a dry run plans the same bytes");
      assertEquals(dry.eventsDropped(), first.eventsDropped());
      assertEquals(temps, first.eventsDropped());
      assertEquals(appended.size() - temps, store.stats().eventCount(), "dropped are not counted");
      // Rewriting the output again (a tombstone pass that rejects nothing new) counts no drop
      // twice.
      CompactionResult second =
          store.compact(
              CompactionConfig.tombstone(e -> !e.header().coordinate().entity().equals("order-0")));
      long order0 =
          removed.entrySet().stream()
              .filter(e -> !e.getValue() && entityOf(e.getKey()).equals("order-0"))
              .count();
      assertEquals(order0, second.eventsTombstoned());
      assertEquals(appended.size() - temps - order0, second.eventsKept());
      assertEquals(0, second.eventsDropped());
    }
    // The store reopens: the twice-rewritten output still replaces from segment 1.
    try (Store store = Store.open(config().toBuilder().readOnly(true).build())) {
      assertEquals(appended.size(), store.verifyAll(VerificationProgress.none()).eventsChecked());
      CompactionResult dry = store.compact(CompactionConfig.merge().dryRun(true));
      assertFalse(dry.outcome() == CompactionResult.Outcome.FAILED, dry.reason());
      assertThrows(
          io.batpak.ReadOnlyStoreException.class, () -> store.compact(CompactionConfig.merge()));
    }
  }

  /**
   * A fence's frames in a segment that rotated away (so it is compacted) after dropped events:
   * moved earlier, they must not record a durable end past where they now start. Before the fix
   * they kept it, and the next open refused the store as corrupt at the fence frame (found by
   * CausalGraphTest's model, seed -8658872540584642334).
   */
  @Test
  void fenceFramesMovedEarlierByACompactionRecordWhereTheyNowStart() throws Exception {
    StoreConfig small = StoreConfig.builder(dir).segmentMaxBytes(4096).build();
    try (Store store = Store.open(small)) {
      for (int i = 0; i < 6; i++) {
        store.append(Coordinate.of("temp-" + i, "s"), KIND, Bytes.ofOwned(new byte[200]));
      }
      try (io.batpak.VisibilityFence fence = store.beginFence()) {
        fence.append(Coordinate.of("fenced", "s"), KIND, Bytes.utf8("never visible"));
        fence.cancel();
      }
      try (io.batpak.VisibilityFence fence = store.beginFence()) {
        fence.append(Coordinate.of("order-1", "s"), KIND, Bytes.utf8("visible"));
        fence.commit();
      }
      for (int i = 0; i < 60; i++) { // rotate the fence's segment away
        store.append(Coordinate.of("order-2", "s"), KIND, Bytes.ofOwned(new byte[200]));
      }
      CompactionResult r = store.compact(CompactionConfig.retain(e -> !temp(e)));
      assertEquals(CompactionResult.Outcome.PERFORMED, r.outcome(), r.reason());
      assertEquals(6, r.eventsDropped(), r.toString());
    }
    for (boolean readOnly : new boolean[] {true, false}) {
      StoreFixtures.crashShape(dir); // no checkpoint, no seals: every frame is read
      try (Store store = Store.open(small.toBuilder().readOnly(readOnly).build())) {
        assertEquals(1, store.stream("order-1").size());
        assertEquals(60, store.stream("order-2").size());
        assertTrue(store.stream("fenced").isEmpty());
        assertEquals(List.of(), store.verifyAll(VerificationProgress.none()).problems());
      }
    }
  }

  @Test
  void eventsOfACancelledFenceStayHiddenAndAreNeverShownToThePredicate(Random random)
      throws Exception {
    fill(random, 2, 10);
    try (Store store = Store.open(config())) {
      try (io.batpak.VisibilityFence fence = store.beginFence()) {
        for (int i = 0; i < 5; i++) {
          fence.append(Coordinate.of("fenced-" + i, "s"), KIND, Bytes.utf8("never visible"));
        }
        fence.cancel();
      }
    }
    fill(random, 2, 10);
    try (Store store = Store.open(config())) {
      CompactionResult r =
          store.compact(
              CompactionConfig.retain(
                  e -> {
                    if (e.header().coordinate().entity().startsWith("fenced-")) {
                      throw new AssertionError("the predicate saw a cancelled event");
                    }
                    return true;
                  }));
      assertEquals(CompactionResult.Outcome.SKIPPED, r.outcome(), "nothing to drop: " + r);
      CompactionResult t = store.compact(CompactionConfig.retain(e -> !temp(e)));
      assertEquals(CompactionResult.Outcome.PERFORMED, t.outcome(), t.reason());
      // A segment holding a cancelled event stays unsealed, so the events appended after it in
      // that segment are in the active one: only the temp- events before it can be dropped.
      long gone =
          appended.keySet().stream()
              .filter(a -> store.verifyReceipt(a) instanceof ReceiptVerification.CompactedAway)
              .count();
      assertTrue(gone > 0);
      assertEquals(gone, t.eventsDropped());
      assertTrue(t.eventsKept() + gone <= appended.size(), "cancelled events are not counted");
    }
    Map<AppendReceipt, Boolean> removed = new LinkedHashMap<>();
    try (Store store = Store.open(config())) {
      assertTrue(store.stream("fenced-0").isEmpty());
      for (AppendReceipt a : appended.keySet()) {
        boolean dropped = store.verifyReceipt(a) instanceof ReceiptVerification.CompactedAway;
        assertTrue(!dropped || entityOf(a).startsWith("temp-"), "only temp- events are dropped");
        removed.put(a, dropped);
      }
      assertCompacted(store, removed::get, false);
    }
    reopenAndCheck(removed::get, false);
  }

  @Test
  void refusesNullAndReadOnly(Random random) {
    fill(random, 2, 3);
    try (Store store = Store.open(config().toBuilder().readOnly(true).build())) {
      assertThrows(
          io.batpak.ReadOnlyStoreException.class, () -> store.compact(CompactionConfig.merge()));
      assertThrows(NullPointerException.class, () -> store.compact(null));
    }
    assertThrows(IllegalArgumentException.class, () -> CompactionConfig.merge().minSegments(1));
    assertThrows(
        IllegalArgumentException.class, () -> CompactionConfig.retain(e -> true).minSegments(3));
  }

  /**
   * A compaction whose group starts with an earlier compaction's output replaces, in the open's
   * eyes, everything that output replaced: its header names the earlier output's first segment, or
   * the gap before it is unexplained and the store does not open.
   */
  @Test
  void aCompactionOfAnEarlierOutputKeepsTheGapBeforeItExplained(Random random) throws Exception {
    StoreConfig small = StoreConfig.builder(dir).segmentMaxBytes(4096).build();
    for (int c = 0; c < 6; c++) {
      try (Store store = Store.open(small)) {
        for (int i = 0; i < 3; i++) {
          byte[] payload = new byte[64];
          random.nextBytes(payload);
          AppendReceipt r = store.append(Coordinate.of("order-" + c, "s"), KIND, Bytes.of(payload));
          appended.put(r, payload);
        }
      }
    }
    try (Store store = Store.open(small)) {
      CompactionResult merged = store.compact(CompactionConfig.merge());
      assertEquals(
          CompactionResult.Outcome.PERFORMED,
          merged.outcome(),
          merged + " " + store.stats() + " " + segments(dir));
      assertTrue(merged.segmentsAfter() >= 2, "two outputs, a gap before the second: " + merged);
    }
    try (Store store = Store.open(small)) {
      CompactionResult dropped = store.compact(CompactionConfig.retain(e -> false));
      assertEquals(CompactionResult.Outcome.PERFORMED, dropped.outcome(), dropped.toString());
    }
    reopenAndCheck(r -> true, false);
  }
}
