package io.batpak.engine;

import static io.batpak.engine.StoreFixtures.KIND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.CodecException;
import io.batpak.ConcurrencyConflictException;
import io.batpak.Coordinate;
import io.batpak.EventHeader;
import io.batpak.EventKind;
import io.batpak.ExpectedVersion;
import io.batpak.IdempotencyKey;
import io.batpak.Outbox;
import io.batpak.ReadOnlyStoreException;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.ValidationException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The outbox (ADR 0023): nothing staged is published without {@code flush} (closed, or dropped,
 * then the store reopened); {@code flush} is one atomic batch (a batch refused by an expected
 * version publishes none of its events); events are checked when staged, with the checks of {@code
 * appendBatch}; an outbox is reusable after a flush. The crash half of "all or nothing" is {@code
 * OutboxCrashIT} in {@code it}, over fs-sim.
 */
class OutboxTest {
  static final Coordinate A = Coordinate.of("a", "s");
  static final Coordinate B = Coordinate.of("b", "s");

  @TempDir Path dir;

  static Bytes payload(String s) {
    return Bytes.utf8(s);
  }

  @Test
  void stagedThenClosedOrDroppedPublishesNothingAcrossAReopen() {
    try (Store store = StoreFixtures.open(dir)) {
      store.append(A, KIND, payload("committed"));
      Outbox closed = store.outbox();
      closed.stage(A, KIND, payload("x1"), AppendOptions.defaults());
      closed.stage(B, KIND, payload("x2"), AppendOptions.defaults());
      assertEquals(2, closed.size());
      closed.close();
      closed.close(); // idempotent
      assertThrows(IllegalStateException.class, closed::flush);
      assertThrows(
          IllegalStateException.class,
          () -> closed.stage(A, KIND, payload("x3"), AppendOptions.defaults()));
      Outbox dropped = store.outbox();
      dropped.stage(A, KIND, payload("y1"), AppendOptions.defaults());
      dropped = null; // never flushed: it holds only memory
      System.gc();
      assertEquals(1, store.stats().eventCount());
    }
    try (Store store = StoreFixtures.open(dir)) {
      List<EventHeader> all = StoreFixtures.query(store, Region.all());
      assertEquals(1, all.size(), "only the committed event, after a reopen");
      assertEquals(0, store.stream("b").size());
    }
  }

  @Test
  void flushCommitsEverythingStagedAsOneBatchInStagingOrderAndEmptiesTheOutbox() {
    try (Store store = StoreFixtures.open(dir)) {
      Outbox outbox = store.outbox();
      assertEquals(List.of(), outbox.flush(), "nothing staged, nothing written");
      assertEquals(0, store.stats().eventCount());
      assertEquals(1, outbox.stage(A, KIND, payload("a0"), AppendOptions.defaults()));
      assertEquals(2, outbox.stage(B, KIND, payload("b0"), AppendOptions.defaults()));
      assertEquals(3, outbox.stage(BatchItem.of(A, KIND, payload("a1")).causedBy(1)));
      assertEquals(0, store.stats().eventCount(), "nothing before flush");
      List<AppendReceipt> rs = outbox.flush();
      assertEquals(3, rs.size());
      assertEquals(0, outbox.size());
      assertEquals(List.of(0L, 1L, 2L), rs.stream().map(AppendReceipt::globalSequence).toList());
      assertEquals("b0", store.get(rs.get(1).eventId()).payload().toUtf8());
      assertEquals(
          rs.get(1).eventId().high(),
          store.get(rs.get(2).eventId()).header().causation().orElseThrow().high(),
          "causedBy names an earlier staged event");
      outbox.stage(B, KIND, payload("b1"), AppendOptions.defaults());
      assertEquals(1, outbox.flush().size(), "reusable after a flush");
      assertEquals(4, store.stats().eventCount());
    }
  }

  @Test
  void aFlushRefusedByAnExpectedVersionPublishesNoneOfItsEvents() {
    try (Store store = StoreFixtures.open(dir)) {
      store.append(A, KIND, payload("a0"));
      Outbox outbox = store.outbox();
      outbox.stage(B, KIND, payload("b0"), AppendOptions.defaults());
      outbox.stage(A, KIND, payload("a1"), AppendOptions.defaults());
      outbox.stage(
          A,
          KIND,
          payload("a2"),
          AppendOptions.defaults().withExpectedVersion(ExpectedVersion.exactly(5)));
      assertThrows(ConcurrencyConflictException.class, outbox::flush);
      assertEquals(0, outbox.size(), "a flush empties the outbox, even when it throws");
      assertEquals(1, store.stats().eventCount(), "none of the batch is visible");
      assertEquals(0, store.stream("b").size());
    }
    try (Store store = StoreFixtures.open(dir)) {
      assertEquals(1, StoreFixtures.query(store, Region.all()).size(), "nor after a reopen");
    }
  }

  @Test
  void eventsAreCheckedWhenStagedAndARefusedOneLeavesTheRestStaged() {
    StoreConfig cfg = StoreConfig.builder(dir).maxBatchEvents(3).maxPayloadBytes(64).build();
    try (Store store = Store.open(cfg)) {
      Outbox outbox = store.outbox();
      outbox.stage(A, KIND, payload("ok"), AppendOptions.defaults());
      ValidationException reserved =
          assertThrows(
              ValidationException.class,
              () ->
                  outbox.stage(A, EventKind.SYSTEM_DENIAL, payload("x"), AppendOptions.defaults()));
      assertTrue(reserved.getMessage().contains("reserved"), reserved.getMessage());
      ValidationException big =
          assertThrows(
              ValidationException.class,
              () -> outbox.stage(A, KIND, payload("x".repeat(65)), AppendOptions.defaults()));
      assertTrue(big.getMessage().contains("maxPayloadBytes"), big.getMessage());
      ValidationException keyed =
          assertThrows(
              ValidationException.class,
              () ->
                  outbox.stage(
                      A,
                      KIND,
                      payload("k"),
                      AppendOptions.defaults().withIdempotencyKey(IdempotencyKey.of(1, 2))));
      assertTrue(
          keyed.getMessage().contains("every item of a batch or on none"), keyed.getMessage());
      ValidationException cause =
          assertThrows(
              ValidationException.class,
              () -> outbox.stage(BatchItem.of(A, KIND, payload("c")).causedBy(1)));
      assertTrue(cause.getMessage().contains("earlier item"), cause.getMessage());
      ValidationException codec =
          assertThrows(
              ValidationException.class,
              () -> outbox.stageEncoded(A, KIND, new Object(), AppendOptions.defaults()));
      assertInstanceOf(CodecException.class, codec.getCause(), "a bytes store has no codec");
      assertEquals(1, outbox.size(), "the refused events were not staged");
      outbox.stage(A, KIND, payload("two"), AppendOptions.defaults());
      outbox.stage(B, KIND, payload("three"), AppendOptions.defaults());
      ValidationException many =
          assertThrows(
              ValidationException.class,
              () -> outbox.stage(B, KIND, payload("four"), AppendOptions.defaults()));
      assertTrue(many.getMessage().contains("maxBatchEvents (3)"), many.getMessage());
      assertEquals(3, outbox.flush().size(), "what was staged still commits");
    }
  }

  @Test
  void keyedStagingRefusesAKeyTwiceAndAMixAndARetryReturnsTheOriginalReceipts() {
    try (Store store = StoreFixtures.open(dir)) {
      AppendOptions k1 = AppendOptions.defaults().withIdempotencyKey(IdempotencyKey.of(7, 1));
      AppendOptions k2 = AppendOptions.defaults().withIdempotencyKey(IdempotencyKey.of(7, 2));
      Outbox outbox = store.outbox();
      outbox.stage(A, KIND, payload("one"), k1);
      assertThrows(ValidationException.class, () -> outbox.stage(B, KIND, payload("dup"), k1));
      ValidationException unkeyed =
          assertThrows(
              ValidationException.class,
              () -> outbox.stage(B, KIND, payload("none"), AppendOptions.defaults()));
      assertTrue(unkeyed.getMessage().contains("carries no idempotency key"), unkeyed.getMessage());
      outbox.stage(B, KIND, payload("two"), k2);
      List<AppendReceipt> first = outbox.flush();
      outbox.stage(A, KIND, payload("one"), k1);
      outbox.stage(B, KIND, payload("two"), k2);
      assertEquals(first, outbox.flush(), "a retried outbox gets the original receipts");
      assertEquals(2, store.stats().eventCount());
    }
  }

  @Test
  void aReadOnlyStoreHandsOutNoOutbox() {
    try (Store store = StoreFixtures.open(dir)) {
      store.append(A, KIND, payload("x"));
    }
    try (Store ro = Store.open(StoreConfig.builder(dir).readOnly(true).build())) {
      assertThrows(ReadOnlyStoreException.class, ro::outbox);
    }
  }
}
