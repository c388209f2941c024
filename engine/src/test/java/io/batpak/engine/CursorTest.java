package io.batpak.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.CompactionConfig;
import io.batpak.CompactionResult;
import io.batpak.Coordinate;
import io.batpak.Cursor;
import io.batpak.CursorCheckpointCorruptException;
import io.batpak.CursorRegionMismatchException;
import io.batpak.EventKind;
import io.batpak.ReadOnlyStoreException;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreClosedException;
import io.batpak.StoreConfig;
import io.batpak.StoredEvent;
import io.batpak.UnsupportedFormatException;
import io.batpak.ValidationException;
import io.batpak.VisibilityFence;
import io.batpak.Watermark;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cursors: order, regions, checkpoints and resume, every refused checkpoint (region mismatch,
 * damage, a newer format, bad ids), the VISIBLE-mode bound, read-only stores, fences and
 * compaction.
 */
@ExtendWith(Seeded.class)
class CursorTest {
  static final EventKind KIND = StoreFixtures.KIND;
  static final EventKind OTHER = StoreFixtures.OTHER_KIND;

  @TempDir Path dir;

  private Store open() {
    return Store.open(StoreConfig.builder(dir).build());
  }

  private static AppendReceipt put(Store s, String entity, EventKind kind, String text) {
    return s.append(Coordinate.of(entity, "s"), kind, Bytes.utf8(text));
  }

  private static List<Long> seqs(List<StoredEvent> events) {
    return events.stream().map(e -> e.header().globalSequence()).toList();
  }

  /** Everything the cursor delivers now, a batch of {@code batch} at a time. */
  private static List<StoredEvent> drain(Cursor c, int batch) {
    List<StoredEvent> all = new ArrayList<>();
    while (true) {
      List<StoredEvent> b = c.pollBatch(batch);
      if (b.isEmpty()) {
        return all;
      }
      all.addAll(b);
    }
  }

  @Test
  void deliversTheRegionInGlobalOrderAndMatchesQueryAfter(Random random) {
    try (Store store = open()) {
      for (int i = 0; i < 300; i++) {
        put(store, "e-" + random.nextInt(7), random.nextBoolean() ? KIND : OTHER, "p" + i);
      }
      for (Region r : List.of(Region.all(), Region.entity("e-3"), Region.all().withKind(OTHER))) {
        try (Cursor c = store.cursor(r)) {
          assertEquals(-1, c.position());
          List<StoredEvent> got = drain(c, 1 + random.nextInt(40));
          List<Long> expected =
              StoreFixtures.query(store, r).stream().map(h -> h.globalSequence()).toList();
          assertEquals(expected, seqs(got), r.toString());
          for (StoredEvent e : got) {
            assertEquals(e, store.get(e.header().eventId()), "the same event as get");
          }
          assertEquals(expected.get(expected.size() - 1), c.position());
          assertEquals(Optional.empty(), c.poll());
          AppendReceipt more = put(store, "e-3", OTHER, "late");
          boolean inRegion = r.matches(Coordinate.of("e-3", "s"), OTHER, more.streamSequence());
          assertEquals(inRegion, c.poll().isPresent(), "an event appended later is delivered");
        }
      }
      assertThrows(ValidationException.class, () -> store.cursor(Region.all()).pollBatch(0));
      Cursor plain = store.cursor(Region.all());
      assertThrows(IllegalStateException.class, plain::checkpoint);
      plain.close();
      assertThrows(StoreClosedException.class, plain::poll);
    }
  }

  @Test
  void resumesAfterTheLastCheckpointAndRedeliversTheSameEvents(Random random) throws Exception {
    List<StoredEvent> firstRun = new ArrayList<>();
    long saved;
    try (Store store = open()) {
      for (int i = 0; i < 50; i++) {
        put(store, "a-" + random.nextInt(3), KIND, "x" + i);
      }
      try (Cursor c = store.cursor(Region.all(), "orders")) {
        firstRun.addAll(c.pollBatch(20));
        c.checkpoint();
        saved = c.position();
        assertEquals(19, saved);
        firstRun.addAll(c.pollBatch(10)); // delivered, not checkpointed
      }
    }
    assertTrue(Files.isRegularFile(dir.resolve("cursors").resolve("orders.ckpt")));
    try (Store store = open()) {
      try (Cursor c = store.cursor(Region.all(), "orders")) {
        assertEquals(saved, c.position(), "resumes at its checkpoint");
        List<StoredEvent> again = c.pollBatch(10);
        assertEquals(20, again.get(0).header().globalSequence(), "never before the checkpoint");
        for (int i = 0; i < 10; i++) {
          StoredEvent a = firstRun.get(20 + i);
          StoredEvent b = again.get(i);
          assertEquals(a.header(), b.header(), "a redelivered event is the same event");
          assertArrayEquals(a.payload().toByteArray(), b.payload().toByteArray());
        }
        assertEquals(20, drain(c, 7).size());
      }
    }
  }

  @Test
  void aSecondCursorOnAnIdInUseIsRefused() {
    try (Store store = open()) {
      Cursor c = store.cursor(Region.all(), "one");
      ValidationException e =
          assertThrows(ValidationException.class, () -> store.cursor(Region.all(), "one"));
      assertTrue(e.getMessage().contains("'one' is in use"), e.getMessage());
      c.close();
      store.cursor(Region.all(), "one").close();
    }
  }

  @Test
  void aCheckpointForAnotherRegionIsRefusedNamingBoth() {
    try (Store store = open()) {
      put(store, "a", KIND, "1");
      try (Cursor c = store.cursor(Region.entity("a"), "r")) {
        c.poll();
        c.checkpoint();
      }
      CursorRegionMismatchException e =
          assertThrows(
              CursorRegionMismatchException.class, () -> store.cursor(Region.entity("b"), "r"));
      assertTrue(e.savedRegion().contains("entity=1:a"), e.savedRegion());
      assertTrue(e.requestedRegion().contains("entity=1:b"), e.requestedRegion());
      assertTrue(e.file().endsWith("r.ckpt"), e.file());
      // The id was freed by the refusal: the right region opens.
      store.cursor(Region.entity("a"), "r").close();
      // The example of docs/format.md "Cursor checkpoint", verbatim.
      assertEquals(
          "v1|entity=5:order|scope=*|kind=0x1001|streamSequence=*",
          io.batpak.engine.internal.delivery.CheckpointFile.identity(
              Region.entity("order").withKind(EventKind.fromRaw(0x1001))));
      // Regions that differ in any part have different identities.
      List<Region> regions =
          List.of(
              Region.all(),
              Region.entity("a"),
              Region.scope("a"),
              Region.all().withKind(KIND),
              Region.all().withCategory(KIND.category()),
              Region.all().withStreamSequenceRange(0, 3),
              Region.all().withStreamSequenceRange(0, 4),
              Region.entity("a:b"));
      for (Region x : regions) {
        for (Region y : regions) {
          assertEquals(
              x.equals(y),
              io.batpak.engine.internal.delivery.CheckpointFile.identity(x)
                  .equals(io.batpak.engine.internal.delivery.CheckpointFile.identity(y)),
              x + " vs " + y);
        }
      }
    }
  }

  private Path checkpointWithOneSave() {
    try (Store store = open()) {
      put(store, "a", KIND, "1");
      put(store, "a", KIND, "2");
      try (Cursor c = store.cursor(Region.all(), "c")) {
        c.poll();
        c.checkpoint();
      }
    }
    return dir.resolve("cursors").resolve("c.ckpt");
  }

  @Test
  void aDamagedCheckpointIsATypedErrorNamingTheFileNeverARestart(Random random) throws Exception {
    Path file = checkpointWithOneSave();
    byte[] good = Files.readAllBytes(file);
    List<byte[]> damaged = new ArrayList<>();
    damaged.add(new byte[0]); // empty
    damaged.add(java.util.Arrays.copyOf(good, 20)); // shorter than the header
    damaged.add(java.util.Arrays.copyOf(good, good.length - 3)); // truncated body
    for (int i = 0; i < 8; i++) { // one bit flipped anywhere
      byte[] b = good.clone();
      int at = random.nextInt(b.length);
      b[at] ^= (byte) (1 << random.nextInt(8));
      damaged.add(b);
    }
    for (byte[] b : damaged) {
      Files.write(file, b);
      try (Store store = open()) {
        CursorCheckpointCorruptException e =
            assertThrows(
                CursorCheckpointCorruptException.class, () -> store.cursor(Region.all(), "c"));
        assertEquals(file.toString(), e.file());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
      }
    }
    // A newer body version with an intact header: refused as a newer format, naming both versions.
    byte[] future = good.clone();
    ByteBuffer.wrap(future).putShort(8, (short) 2);
    CRC32C crc = new CRC32C();
    crc.update(future, 0, 24);
    ByteBuffer.wrap(future).putInt(24, (int) crc.getValue());
    Files.write(file, future);
    try (Store store = open()) {
      UnsupportedFormatException e =
          assertThrows(UnsupportedFormatException.class, () -> store.cursor(Region.all(), "c"));
      assertTrue(e.getMessage().contains("version 2"), e.getMessage());
    }
    // Deleting the file is the documented way to start over.
    Files.write(file, good);
    try (Store store = open();
        Cursor c = store.cursor(Region.all(), "c")) {
      assertEquals(0, c.position());
    }
  }

  @Test
  void badCheckpointIdsAreRefusedNamingTheValueAndTheRule() {
    try (Store store = open()) {
      for (String id :
          List.of("../x", "a/b", "", "a\u0000b", "x".repeat(2048), ".", "..", ".hidden", "a\\b")) {
        ValidationException e =
            assertThrows(ValidationException.class, () -> store.cursor(Region.all(), id), id);
        assertTrue(e.getMessage().contains("checkpoint id"), e.getMessage());
        assertTrue(e.getMessage().contains("A-Z a-z 0-9 . _ -"), e.getMessage());
      }
      store.cursor(Region.all(), "Orders_v2.1-x").close();
      store.cursor(Region.all(), "x".repeat(128)).close();
    }
    assertFalse(Files.exists(dir.getParent().resolve("x.ckpt")));
  }

  @Test
  void inVisibleModeACheckpointNeverPassesTheDurableWatermark() {
    StoreConfig config = StoreConfig.builder(dir).visible(1_000_000, Duration.ofHours(1)).build();
    try (Store store = Store.open(config)) {
      for (int i = 0; i < 10; i++) {
        put(store, "a", KIND, "v" + i);
      }
      store.sync();
      for (int i = 0; i < 10; i++) {
        put(store, "a", KIND, "w" + i);
      }
      long durable = store.watermarks().durable();
      assertEquals(10, durable);
      assertEquals(20, store.watermarks().visible());
      try (Cursor c = store.cursor(Region.all(), "v")) {
        assertEquals(20, drain(c, 100).size(), "a cursor delivers what is visible");
        c.checkpoint();
        store.waitFor(Watermark.APPLIED, durable - 1, Duration.ZERO);
        assertEquals(10, store.watermarks().applied(), "the checkpoint stops at durable");
      }
      try (Cursor c = store.cursor(Region.all(), "v")) {
        assertEquals(9, c.position());
        assertEquals(10, c.poll().orElseThrow().header().globalSequence());
        store.sync();
        drain(c, 100);
        c.checkpoint();
      }
      try (Cursor c = store.cursor(Region.all(), "v")) {
        assertEquals(19, c.position(), "after a sync the whole delivery is saved");
      }
    }
  }

  @Test
  void aReadOnlyStoreResumesButRefusesToSave() {
    checkpointWithOneSave();
    try (Store store = Store.open(StoreConfig.builder(dir).readOnly(true).build())) {
      try (Cursor c = store.cursor(Region.all(), "c")) {
        assertEquals(0, c.position());
        assertEquals(1, c.poll().orElseThrow().header().globalSequence());
        assertThrows(ReadOnlyStoreException.class, c::checkpoint);
      }
      assertThrows(
          ReadOnlyStoreException.class,
          () ->
              store.cursorWorker(
                  Region.all(), "w", io.batpak.CursorWorkerConfig.defaults(), b -> {}));
      // A cursor never written on a read-only store reads from the start and writes nothing.
      try (Cursor c = store.cursor(Region.all(), "fresh")) {
        assertEquals(2, drain(c, 5).size());
      }
    }
    assertFalse(Files.exists(dir.resolve("cursors").resolve("fresh.ckpt")));
  }

  @Test
  void aCancelledFenceIsNeverDeliveredAndACommittedOneIsDeliveredWhenItCommits() {
    try (Store store = open()) {
      put(store, "a", KIND, "before");
      try (Cursor c = store.cursor(Region.all(), "f")) {
        VisibilityFence fence = store.beginFence();
        fence.append(Coordinate.of("a", "s"), KIND, Bytes.utf8("cancelled"));
        fence.append(Coordinate.of("a", "s"), KIND, Bytes.utf8("cancelled too"));
        assertEquals(1, drain(c, 10).size(), "an open fence's events are not delivered");
        fence.cancel();
        put(store, "a", KIND, "after");
        List<StoredEvent> got = drain(c, 10);
        assertEquals(1, got.size());
        assertEquals("after", got.get(0).payload().toUtf8());
        assertEquals(3, got.get(0).header().globalSequence(), "the cancelled numbers are skipped");
        VisibilityFence second = store.beginFence();
        second.append(Coordinate.of("a", "s"), KIND, Bytes.utf8("fenced"));
        assertEquals(List.of(), c.pollBatch(10));
        second.commit();
        assertEquals("fenced", c.poll().orElseThrow().payload().toUtf8());
        c.checkpoint();
      }
    }
    try (Store store = open();
        Cursor c = store.cursor(Region.all())) {
      assertEquals(
          List.of("before", "after", "fenced"),
          drain(c, 2).stream().map(e -> e.payload().toUtf8()).toList(),
          "after a reopen too");
    }
  }

  /** Cycles of open, append, close: sealed segments a compaction can take. */
  private List<AppendReceipt> fillSealed(Random random) {
    List<AppendReceipt> all = new ArrayList<>();
    for (int c = 0; c < 4; c++) {
      try (Store store = open()) {
        for (int i = 0; i < 6; i++) {
          String entity = (random.nextInt(3) == 0 ? "temp-" : "order-") + random.nextInt(3);
          all.add(put(store, entity, KIND, entity + "/" + c + "/" + i));
        }
      }
    }
    return all;
  }

  @Test
  void afterARetainCompactionDroppedEventsAreSkipped(Random random) {
    List<AppendReceipt> all = fillSealed(random);
    try (Store store = open()) {
      Cursor before = store.cursor(Region.all(), "k");
      before.pollBatch(3);
      before.checkpoint();
      before.close();
      CompactionResult r =
          store.compact(
              CompactionConfig.retain(e -> !e.header().coordinate().entity().startsWith("temp-")));
      assertEquals(CompactionResult.Outcome.PERFORMED, r.outcome());
      List<Long> kept = new ArrayList<>();
      for (AppendReceipt a : all) {
        StoredEvent e;
        try {
          e = store.get(a.eventId());
        } catch (io.batpak.EventNotFoundException gone) {
          continue;
        }
        kept.add(e.header().globalSequence());
      }
      assertTrue(kept.size() < all.size(), "the seed dropped nothing; rerun");
      try (Cursor c = store.cursor(Region.all())) {
        assertEquals(kept, seqs(drain(c, 5)));
      }
      try (Cursor c = store.cursor(Region.all(), "k")) {
        assertEquals(kept.stream().filter(g -> g > 2).toList(), seqs(drain(c, 4)));
      }
    }
  }

  @Test
  void afterATombstoneCompactionTombstonesAreDeliveredAsEvents(Random random) {
    List<AppendReceipt> all = fillSealed(random);
    try (Store store = open()) {
      CompactionResult r =
          store.compact(
              CompactionConfig.tombstone(
                  e -> !e.header().coordinate().entity().startsWith("temp-")));
      assertEquals(CompactionResult.Outcome.PERFORMED, r.outcome());
      try (Cursor c = store.cursor(Region.all())) {
        List<StoredEvent> got = drain(c, 5);
        assertEquals(all.size(), got.size(), "every event or its tombstone");
        int tombstones = 0;
        for (int i = 0; i < got.size(); i++) {
          StoredEvent e = got.get(i);
          assertEquals(all.get(i).globalSequence(), e.header().globalSequence());
          if (e.header().kind().equals(EventKind.TOMBSTONE)) {
            tombstones++;
            assertEquals(0, e.payload().size());
            assertTrue(e.header().coordinate().entity().startsWith("temp-"));
          }
        }
        assertTrue(tombstones > 0, "the seed tombstoned nothing; rerun");
      }
      try (Cursor c = store.cursor(Region.all().withKind(EventKind.TOMBSTONE))) {
        assertTrue(
            drain(c, 5).stream().allMatch(e -> e.header().kind().equals(EventKind.TOMBSTONE)));
      }
    }
  }

  @Test
  void aBlockingPollWakesOnTheVisibleWatermark() throws Exception {
    try (Store store = open();
        Cursor c = store.cursor(Region.entity("late"))) {
      assertEquals(List.of(), c.pollBatch(5, Duration.ofMillis(5)), "nothing: times out empty");
      Thread t =
          new Thread(
              () -> {
                put(store, "other", KIND, "not in the region");
                put(store, "late", KIND, "here");
              });
      t.start();
      List<StoredEvent> got = c.pollBatch(5, Duration.ofMinutes(1));
      t.join();
      if (got.isEmpty()) {
        throw new AssertionError("woke with nothing although the wait was a minute");
      }
      assertEquals("here", got.get(0).payload().toUtf8());
    }
  }
}
