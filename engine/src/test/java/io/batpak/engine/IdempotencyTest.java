package io.batpak.engine;

import static io.batpak.engine.StoreFixtures.KIND;
import static io.batpak.engine.StoreFixtures.OTHER_KIND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.ConcurrencyConflictException;
import io.batpak.Coordinate;
import io.batpak.EventId;
import io.batpak.ExpectedVersion;
import io.batpak.IdempotencyConflictException;
import io.batpak.IdempotencyKey;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.ValidationException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Idempotency keys (docs/architecture.md, decision 5): retries return the original receipt. */
@ExtendWith(Seeded.class)
class IdempotencyTest {
  static final Coordinate ORDER = Coordinate.of("order-7", "shop");

  @TempDir Path dir;

  static AppendOptions key(IdempotencyKey k) {
    return AppendOptions.defaults().withIdempotencyKey(k);
  }

  static IdempotencyKey randomKey(Random random) {
    return IdempotencyKey.of(random.nextLong(), random.nextLong());
  }

  @Test
  void retryReturnsTheOriginalReceiptBeforeAndAfterReopen(Random random) {
    IdempotencyKey k = randomKey(random);
    AppendReceipt first;
    try (Store store = StoreFixtures.open(dir)) {
      first = store.append(ORDER, KIND, Bytes.utf8("placed"), key(k));
      assertEquals(EventId.of(k), first.eventId(), "the key is the event id");
      AppendReceipt again = store.append(ORDER, KIND, Bytes.utf8("placed"), key(k));
      assertEquals(first, again);
      store.append(ORDER, KIND, Bytes.utf8("something else"));
      assertEquals(first, store.append(ORDER, KIND, Bytes.utf8("placed"), key(k)));
      assertEquals(2, store.stats().eventCount(), "one event for the key");
    }
    try (Store store = StoreFixtures.open(dir)) {
      assertEquals(first, store.append(ORDER, KIND, Bytes.utf8("placed"), key(k)));
      assertEquals(2, store.stats().eventCount());
      StoreFixtures.assertIntact(store, List.of(first));
    }
  }

  @Test
  void retryOfASuccessfulConditionalAppendReturnsTheOriginalReceipt(Random random) {
    IdempotencyKey k = randomKey(random);
    AppendOptions cas = key(k).withExpectedVersion(ExpectedVersion.exactly(0));
    AppendReceipt original;
    try (Store store = StoreFixtures.open(dir)) {
      store.append(ORDER, KIND, Bytes.utf8("created"));
      original = store.append(ORDER, KIND, Bytes.utf8("paid"), cas);
      assertEquals(1, original.streamSequence());
      // The expectation is stale now, but the key is checked first.
      assertEquals(original, store.append(ORDER, KIND, Bytes.utf8("paid"), cas));
      // Without the key the same expectation conflicts.
      assertThrows(
          ConcurrencyConflictException.class,
          () ->
              store.append(
                  ORDER,
                  KIND,
                  Bytes.utf8("paid"),
                  AppendOptions.defaults().withExpectedVersion(ExpectedVersion.exactly(0))));
      assertEquals(2, store.stats().eventCount());
    }
    try (Store store = StoreFixtures.open(dir)) {
      assertEquals(original, store.append(ORDER, KIND, Bytes.utf8("paid"), cas));
      assertEquals(2, store.stats().eventCount());
    }
  }

  @Test
  void theKeyIsCheckedBeforeTheExpectedVersion(Random random) {
    IdempotencyKey k = randomKey(random);
    try (Store store = StoreFixtures.open(dir)) {
      store.append(ORDER, KIND, Bytes.utf8("placed"), key(k));
      store.append(ORDER, KIND, Bytes.utf8("more"));
      // Stale expectation and different content: the key decides, not the version.
      assertThrows(
          IdempotencyConflictException.class,
          () ->
              store.append(
                  ORDER,
                  KIND,
                  Bytes.utf8("changed"),
                  key(k).withExpectedVersion(ExpectedVersion.noStream())));
      assertEquals(2, store.stats().eventCount());
    }
  }

  @Test
  void sameKeyForDifferentContentIsAConflict(Random random) {
    IdempotencyKey k = randomKey(random);
    try (Store store = StoreFixtures.open(dir)) {
      AppendReceipt original = store.append(ORDER, KIND, Bytes.utf8("placed"), key(k));
      assertThrows(
          IdempotencyConflictException.class,
          () -> store.append(ORDER, KIND, Bytes.utf8("different"), key(k)));
      assertThrows(
          IdempotencyConflictException.class,
          () -> store.append(Coordinate.of("order-8", "shop"), KIND, Bytes.utf8("placed"), key(k)));
      assertThrows(
          IdempotencyConflictException.class,
          () -> store.append(ORDER, OTHER_KIND, Bytes.utf8("placed"), key(k)));
      assertThrows(
          IdempotencyConflictException.class,
          () ->
              store.append(Coordinate.of("order-7", "other"), KIND, Bytes.utf8("placed"), key(k)));
      assertEquals(1, store.stats().eventCount());
      assertEquals("placed", store.get(original.eventId()).payload().toUtf8());
    }
    try (Store store = StoreFixtures.open(dir)) {
      assertThrows(
          IdempotencyConflictException.class,
          () -> store.append(ORDER, KIND, Bytes.utf8("different"), key(k)));
      assertEquals(1, store.stats().eventCount());
    }
  }

  @Test
  void sameKeySubmittedTwiceBackToBackYieldsOneEvent(Random random) throws Exception {
    try (Store store = StoreFixtures.open(dir)) {
      for (int i = 0; i < 50; i++) {
        IdempotencyKey k = randomKey(random);
        CompletableFuture<AppendReceipt> a = store.submit(ORDER, KIND, Bytes.utf8("p" + i), key(k));
        CompletableFuture<AppendReceipt> b = store.submit(ORDER, KIND, Bytes.utf8("p" + i), key(k));
        AppendReceipt ra = a.get(30, TimeUnit.SECONDS);
        AppendReceipt rb = b.get(30, TimeUnit.SECONDS);
        assertEquals(ra, rb);
      }
      assertEquals(50, store.stats().eventCount());
      StoreFixtures.assertIntact(store, List.of());
    }
  }

  @Test
  void sameKeyTwiceInOneGroupCommitYieldsOneEvent(Random random) throws Exception {
    IdempotencyKey k = randomKey(random);
    IdempotencyKey k2 = randomKey(random);
    try (FaultyFs fs = new FaultyFs();
        Store store = Store.open(StoreConfig.builder(dir).fs(fs).build())) {
      // Hold the committer in the fsync of a first append, so the next submits queue together
      // and are taken as one group.
      FaultyFs.Gate gate = fs.holdNextSync();
      CompletableFuture<AppendReceipt> blocker =
          store.submit(
              Coordinate.of("other", "s"), KIND, Bytes.utf8("first"), AppendOptions.defaults());
      gate.awaitEntered();
      CompletableFuture<AppendReceipt> a = store.submit(ORDER, KIND, Bytes.utf8("x"), key(k));
      CompletableFuture<AppendReceipt> b = store.submit(ORDER, KIND, Bytes.utf8("x"), key(k));
      CompletableFuture<AppendReceipt> conflict =
          store.submit(ORDER, KIND, Bytes.utf8("not x"), key(k));
      CompletableFuture<AppendReceipt> c = store.submit(ORDER, KIND, Bytes.utf8("y"), key(k2));
      gate.open();
      blocker.get(30, TimeUnit.SECONDS);
      AppendReceipt ra = a.get(30, TimeUnit.SECONDS);
      assertEquals(ra, b.get(30, TimeUnit.SECONDS));
      Throwable t = assertThrows(Exception.class, () -> conflict.get(30, TimeUnit.SECONDS));
      assertInstanceOf(IdempotencyConflictException.class, t.getCause());
      AppendReceipt rc = c.get(30, TimeUnit.SECONDS);
      assertEquals(3, store.stats().eventCount());
      assertEquals(
          List.of(ra.eventId(), rc.eventId()),
          store.stream("order-7").stream().map(h -> h.eventId()).toList());
      StoreFixtures.assertIntact(store, List.of(ra, rc));
    }
  }

  @Test
  void sameKeyFromManyThreadsAtOnceYieldsOneEvent(Random random) throws Exception {
    int threads = 8;
    try (Store store = StoreFixtures.open(dir)) {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      for (int round = 0; round < 20; round++) {
        IdempotencyKey k = randomKey(random);
        CyclicBarrier barrier = new CyclicBarrier(threads);
        List<Future<AppendReceipt>> fs = new ArrayList<>();
        String payload = "round " + round;
        for (int t = 0; t < threads; t++) {
          fs.add(
              pool.submit(
                  () -> {
                    barrier.await();
                    return store.append(ORDER, KIND, Bytes.utf8(payload), key(k));
                  }));
        }
        AppendReceipt first = fs.get(0).get();
        for (Future<AppendReceipt> f : fs) {
          assertEquals(first, f.get());
        }
        assertEquals(round + 1, store.stats().eventCount());
      }
      pool.shutdown();
      StoreFixtures.assertIntact(store, List.of());
    }
  }

  @Test
  void batchRetryReturnsEveryOriginalReceiptAndPartialKeysConflict(Random random) {
    IdempotencyKey k1 = randomKey(random);
    IdempotencyKey k2 = randomKey(random);
    IdempotencyKey k3 = randomKey(random);
    List<BatchItem> batch =
        List.of(
            BatchItem.of(ORDER, KIND, Bytes.utf8("line 1")).withOptions(key(k1)),
            BatchItem.of(Coordinate.of("stock-1", "shop"), KIND, Bytes.utf8("reserve"))
                .withOptions(key(k2)));
    List<AppendReceipt> original;
    try (Store store = StoreFixtures.open(dir)) {
      original = store.appendBatch(batch);
      assertEquals(2, original.size());
      assertEquals(original, store.appendBatch(batch));
      assertEquals(2, store.stats().eventCount());
      // One known key, one new: the batch is not a retry of anything.
      List<BatchItem> partial =
          List.of(
              BatchItem.of(ORDER, KIND, Bytes.utf8("line 1")).withOptions(key(k1)),
              BatchItem.of(ORDER, KIND, Bytes.utf8("line 3")).withOptions(key(k3)));
      assertThrows(IdempotencyConflictException.class, () -> store.appendBatch(partial));
      // A single append whose key was used inside a batch returns that item's receipt.
      assertEquals(
          original.get(1),
          store.append(Coordinate.of("stock-1", "shop"), KIND, Bytes.utf8("reserve"), key(k2)));
      // Same keys, different content of one item.
      List<BatchItem> changed =
          List.of(
              BatchItem.of(ORDER, KIND, Bytes.utf8("line 1")).withOptions(key(k1)),
              BatchItem.of(Coordinate.of("stock-1", "shop"), KIND, Bytes.utf8("RESERVE"))
                  .withOptions(key(k2)));
      assertThrows(IdempotencyConflictException.class, () -> store.appendBatch(changed));
      assertEquals(2, store.stats().eventCount());
    }
    try (Store store = StoreFixtures.open(dir)) {
      assertEquals(original, store.appendBatch(batch));
      assertEquals(2, store.stats().eventCount());
      StoreFixtures.assertIntact(store, original);
    }
  }

  @Test
  void aBatchThatRepeatsAKeyNeverStoresTwoEventsWithOneId(Random random) {
    IdempotencyKey k = randomKey(random);
    try (Store store = StoreFixtures.open(dir)) {
      List<BatchItem> twice =
          List.of(
              BatchItem.of(ORDER, KIND, Bytes.utf8("same")).withOptions(key(k)),
              BatchItem.of(ORDER, KIND, Bytes.utf8("same")).withOptions(key(k)));
      // Either refused whole (nothing written), or one event answering both items.
      List<AppendReceipt> receipts;
      try {
        receipts = store.appendBatch(twice);
      } catch (ValidationException | IdempotencyConflictException e) {
        receipts = null;
      }
      if (receipts == null) {
        assertEquals(0, store.stats().eventCount(), "a refused batch writes nothing");
      } else {
        assertEquals(receipts.get(0), receipts.get(1));
        assertEquals(1, store.stats().eventCount(), "one event per key");
      }
      StoreFixtures.assertIntact(store, receipts == null ? List.of() : receipts);
    }
  }

  @Test
  void differentKeysAreDifferentEvents(Random random) {
    try (Store store = StoreFixtures.open(dir)) {
      AppendReceipt a = store.append(ORDER, KIND, Bytes.utf8("same"), key(randomKey(random)));
      AppendReceipt b = store.append(ORDER, KIND, Bytes.utf8("same"), key(randomKey(random)));
      assertNotEquals(a.eventId(), b.eventId());
      assertEquals(2, store.stats().eventCount());
      assertEquals(Map.of(), store.get(a.eventId()).header().extensions());
    }
  }
}
