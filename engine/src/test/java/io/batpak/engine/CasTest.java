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
import io.batpak.ConcurrencyConflictException;
import io.batpak.Coordinate;
import io.batpak.EventHeader;
import io.batpak.ExpectedVersion;
import io.batpak.Region;
import io.batpak.Store;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Optimistic concurrency: expected versions under contention, and their exact semantics. */
@ExtendWith(Seeded.class)
class CasTest {
  static final int THREADS = 8;
  static final int ROUNDS = 40;

  @TempDir Path dir;

  /** What one thread got in one round: its receipt, or the conflict. */
  record Outcome(int round, int thread, AppendReceipt receipt, ConcurrencyConflictException e) {}

  @Test
  void racingExpectedVersionsHaveExactlyOneWinnerPerVersion(Random random) throws Exception {
    Coordinate c = Coordinate.of("account-1", "bank");
    List<Outcome> outcomes = new ArrayList<>();
    try (Store store = StoreFixtures.open(dir)) {
      store.append(Coordinate.of("unrelated", "bank"), KIND, Bytes.utf8("x"));
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      CyclicBarrier barrier = new CyclicBarrier(THREADS);
      List<Future<List<Outcome>>> futures = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        long jitterSeed = random.nextLong();
        futures.add(
            pool.submit(
                () -> {
                  Random jitter = new Random(jitterSeed);
                  List<Outcome> mine = new ArrayList<>();
                  // Round -1 races noStream(); round v races exactly(v).
                  for (int round = -1; round < ROUNDS; round++) {
                    barrier.await();
                    if (jitter.nextBoolean()) {
                      Thread.yield();
                    }
                    ExpectedVersion ev =
                        round < 0 ? ExpectedVersion.noStream() : ExpectedVersion.exactly(round);
                    try {
                      AppendReceipt r =
                          store.append(
                              c,
                              KIND,
                              Bytes.utf8(round + "/" + thread),
                              AppendOptions.defaults().withExpectedVersion(ev));
                      mine.add(new Outcome(round, thread, r, null));
                    } catch (ConcurrencyConflictException e) {
                      mine.add(new Outcome(round, thread, null, e));
                    }
                    barrier.await();
                  }
                  return mine;
                }));
      }
      for (Future<List<Outcome>> f : futures) {
        outcomes.addAll(f.get());
      }
      pool.shutdown();

      List<EventHeader> stream = store.stream("account-1");
      assertEquals(ROUNDS + 1, stream.size(), "one event per round, nothing from losers");
      for (int round = -1; round < ROUNDS; round++) {
        int r = round;
        List<Outcome> winners =
            outcomes.stream().filter(o -> o.round() == r && o.receipt() != null).toList();
        List<Outcome> losers =
            outcomes.stream().filter(o -> o.round() == r && o.receipt() == null).toList();
        assertEquals(1, winners.size(), "exactly one winner in round " + round);
        assertEquals(THREADS - 1, losers.size());
        Outcome w = winners.get(0);
        long seq = round + 1;
        assertEquals(seq, w.receipt().streamSequence());
        assertEquals(w.receipt().eventId(), stream.get((int) seq).eventId());
        assertEquals(
            round + "/" + w.thread(),
            store.get(w.receipt().eventId()).payload().toUtf8(),
            "payload");
        for (Outcome l : losers) {
          assertEquals("account-1", l.e().entity());
          assertEquals(seq + 1, l.e().actualNextSequence(), "the loser saw the winner's event");
        }
      }
      // Nothing a loser sent is anywhere in the store.
      Set<String> payloads = new HashSet<>();
      for (EventHeader h : StoreFixtures.query(store, Region.all())) {
        payloads.add(store.get(h.eventId()).payload().toUtf8());
      }
      for (Outcome o : outcomes) {
        assertEquals(
            o.receipt() != null, payloads.contains(o.round() + "/" + o.thread()), o.toString());
      }
      assertEquals(ROUNDS + 2, store.stats().eventCount());
      StoreFixtures.assertIntact(
          store, outcomes.stream().filter(o -> o.receipt() != null).map(Outcome::receipt).toList());
    }
  }

  @Test
  void noStreamAndExactlySemantics() {
    Coordinate a = Coordinate.of("a", "s");
    AppendOptions noStream =
        AppendOptions.defaults().withExpectedVersion(ExpectedVersion.noStream());
    try (Store store = StoreFixtures.open(dir)) {
      ConcurrencyConflictException empty =
          assertThrows(
              ConcurrencyConflictException.class,
              () ->
                  store.append(
                      a,
                      KIND,
                      Bytes.utf8("x"),
                      AppendOptions.defaults().withExpectedVersion(ExpectedVersion.exactly(0))));
      assertEquals(0, empty.actualNextSequence());
      assertEquals(0, store.stats().eventCount(), "nothing written");

      assertEquals(0, store.append(a, KIND, Bytes.utf8("first"), noStream).streamSequence());
      ConcurrencyConflictException exists =
          assertThrows(
              ConcurrencyConflictException.class,
              () -> store.append(a, KIND, Bytes.utf8("again"), noStream));
      assertEquals(1, exists.actualNextSequence());
      assertEquals("a", exists.entity());
      // noStream is per stream: another entity is still empty, whatever the scope.
      assertEquals(
          0,
          store.append(Coordinate.of("b", "s"), KIND, Bytes.utf8("b"), noStream).streamSequence());
      assertThrows(
          ConcurrencyConflictException.class,
          () -> store.append(Coordinate.of("a", "other-scope"), KIND, Bytes.utf8("x"), noStream));
      assertEquals(
          1,
          store
              .append(
                  a,
                  KIND,
                  Bytes.utf8("second"),
                  AppendOptions.defaults().withExpectedVersion(ExpectedVersion.exactly(0)))
              .streamSequence());
      assertThrows(
          ConcurrencyConflictException.class,
          () ->
              store.append(
                  a,
                  KIND,
                  Bytes.utf8("stale"),
                  AppendOptions.defaults().withExpectedVersion(ExpectedVersion.exactly(0))));
      assertThrows(
          ConcurrencyConflictException.class,
          () ->
              store.append(
                  a,
                  KIND,
                  Bytes.utf8("ahead"),
                  AppendOptions.defaults().withExpectedVersion(ExpectedVersion.exactly(5))));
      assertEquals(2, store.append(a, KIND, Bytes.utf8("any")).streamSequence());
      assertEquals(4, store.stats().eventCount());

      // In a batch, expectations see the batch's own earlier items; one mismatch fails it whole.
      List<AppendReceipt> ok =
          store.appendBatch(
              List.of(
                  BatchItem.of(a, KIND, Bytes.utf8("b1"))
                      .withOptions(
                          AppendOptions.defaults().withExpectedVersion(ExpectedVersion.exactly(2))),
                  BatchItem.of(a, KIND, Bytes.utf8("b2"))
                      .withOptions(
                          AppendOptions.defaults()
                              .withExpectedVersion(ExpectedVersion.exactly(3)))));
      assertEquals(List.of(3L, 4L), ok.stream().map(AppendReceipt::streamSequence).toList());
      Throwable t =
          StoreFixtures.thrown(
              () ->
                  store.appendBatch(
                      List.of(
                          BatchItem.of(Coordinate.of("c", "s"), KIND, Bytes.utf8("c1")),
                          BatchItem.of(a, KIND, Bytes.utf8("b3"))
                              .withOptions(
                                  AppendOptions.defaults()
                                      .withExpectedVersion(ExpectedVersion.exactly(3))))));
      assertInstanceOf(ConcurrencyConflictException.class, t);
      assertEquals(6, store.stats().eventCount(), "the failed batch wrote nothing");
      assertTrue(store.stream("c").isEmpty());
    }
    try (Store store = StoreFixtures.open(dir)) {
      ConcurrencyConflictException afterReopen =
          assertThrows(
              ConcurrencyConflictException.class,
              () -> store.append(a, KIND, Bytes.utf8("again"), noStream));
      assertEquals(5, afterReopen.actualNextSequence());
      assertEquals(
          5,
          store
              .append(
                  a,
                  KIND,
                  Bytes.utf8("after reopen"),
                  AppendOptions.defaults().withExpectedVersion(ExpectedVersion.exactly(4)))
              .streamSequence());
      StoreFixtures.assertIntact(store, List.of());
    }
  }
}
