package io.batpak.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.CausationId;
import io.batpak.Coordinate;
import io.batpak.Cursor;
import io.batpak.CursorWorker;
import io.batpak.CursorWorkerConfig;
import io.batpak.CursorWorkerFailedException;
import io.batpak.EventHeader;
import io.batpak.EventKind;
import io.batpak.IdempotencyConflictException;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StoreIoException;
import io.batpak.StoredEvent;
import io.batpak.fs.sim.ErrorKind;
import io.batpak.fs.sim.FaultAction;
import io.batpak.fs.sim.FaultRule;
import io.batpak.fs.sim.FaultTrigger;
import io.batpak.fs.sim.FsOp;
import io.batpak.fs.sim.SimStoreClock;
import io.batpak.fs.sim.SimStoreFs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Cursor workers and reactors on the simulator: checkpoint after the handler, restarts from the
 * saved checkpoint with back-off through the store's clock, the restart budget, a checkpoint that
 * cannot be saved, stop and close (from a handler too), metrics, and reactor idempotency under
 * redelivery.
 */
@ExtendWith(Seeded.class)
class CursorWorkerTest {
  static final Path DIR = Path.of("/store");
  static final EventKind KIND = StoreFixtures.KIND;
  static final EventKind FOLLOW = StoreFixtures.OTHER_KIND;

  private static StoreConfig config(SimStoreFs fs, SimStoreClock clock) {
    return StoreConfig.builder(DIR).fs(fs).clock(clock).build();
  }

  private static SimStoreFs fs(Random random) {
    return SimStoreFs.builder().seed(random.nextLong()).build();
  }

  /** Waits (real time, up to a minute) for {@code done}. */
  static void eventually(BooleanSupplier done, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for: " + what);
      }
      Thread.sleep(1);
    }
  }

  private static List<AppendReceipt> fill(Store store, int n, String entity) {
    List<AppendReceipt> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(store.append(Coordinate.of(entity, "s"), KIND, Bytes.utf8(entity + i)));
    }
    return out;
  }

  private static long savedPosition(Store store, String id) {
    try (Cursor c = store.cursor(Region.all(), id)) {
      return c.position();
    }
  }

  @Test
  void handlesEveryEventOnceSavingAfterTheHandlerAndResumes(Random random) throws Exception {
    SimStoreFs fs = fs(random);
    List<Long> seen = Collections.synchronizedList(new ArrayList<>());
    try (Store store = Store.open(config(fs, new SimStoreClock()))) {
      fill(store, 100, "a");
      CursorWorker w =
          store.cursorWorker(
              Region.all(),
              "w",
              CursorWorkerConfig.defaults().withBatchSize(7),
              batch -> batch.forEach(e -> seen.add(e.header().globalSequence())));
      assertTrue(w.isRunning());
      eventually(() -> w.position() == 99 && w.metrics().checkpoints() == 15, "all handled");
      fill(store, 5, "b"); // woken by the visible watermark
      eventually(() -> w.position() == 104, "the late events handled");
      eventually(() -> w.metrics().lagEvents() == 0, "no lag");
      assertEquals(0, w.metrics().lagMicros());
      w.stop();
      w.join();
      assertFalse(w.isRunning());
      assertEquals(105, seen.size());
      for (int i = 0; i < 105; i++) {
        assertEquals(i, seen.get(i), "global order, once each");
      }
      assertEquals(105, w.metrics().delivered());
      assertEquals(104, savedPosition(store, "w"));
    }
  }

  @Test
  void aFailingHandlerRestartsFromTheSavedCheckpointWithBackoffThroughTheClock(Random random)
      throws Exception {
    SimStoreFs fs = fs(random);
    SimStoreClock clock = new SimStoreClock();
    List<Long> seen = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger failures = new AtomicInteger();
    try (Store store = Store.open(config(fs, clock))) {
      fill(store, 30, "a");
      Duration before = clock.elapsed();
      CursorWorker w =
          store.cursorWorker(
              Region.all(),
              "r",
              CursorWorkerConfig.defaults()
                  .withBatchSize(10)
                  .withMaxRestarts(2)
                  .withBackoff(Duration.ofHours(1), Duration.ofHours(1)),
              batch -> {
                batch.forEach(e -> seen.add(e.header().globalSequence()));
                if (batch.get(0).header().globalSequence() == 10 && failures.get() < 2) {
                  failures.incrementAndGet();
                  throw new IllegalStateException("flaky " + failures.get());
                }
              });
      eventually(() -> w.position() == 29 && w.metrics().checkpoints() == 3, "all handled");
      w.stop();
      w.join();
      assertEquals(2, w.metrics().restarts());
      assertTrue(
          clock.elapsed().minus(before).compareTo(Duration.ofHours(2)) >= 0,
          "two back-offs of an hour, slept through the store's clock: " + clock.elapsed());
      List<Long> expected = new ArrayList<>();
      for (long g = 0; g < 10; g++) {
        expected.add(g);
      }
      for (int round = 0; round < 3; round++) { // the failing batch, delivered three times
        for (long g = 10; g < 20; g++) {
          expected.add(g);
        }
      }
      for (long g = 20; g < 30; g++) {
        expected.add(g);
      }
      assertEquals(expected, seen);
    }
  }

  @Test
  void anExhaustedBudgetStopsTheWorkerWithTheFailure(Random random) throws Exception {
    SimStoreFs fs = fs(random);
    try (Store store = Store.open(config(fs, new SimStoreClock()))) {
      fill(store, 12, "a");
      CursorWorker w =
          store.cursorWorker(
              Region.all(),
              "x",
              CursorWorkerConfig.defaults().withBatchSize(5).withMaxRestarts(3),
              batch -> {
                if (batch.get(batch.size() - 1).header().globalSequence() >= 9) {
                  throw new IllegalArgumentException("poison event");
                }
              });
      CursorWorkerFailedException e = assertThrows(CursorWorkerFailedException.class, w::join);
      assertEquals(CursorWorkerFailedException.Reason.RESTARTS_EXHAUSTED, e.reason());
      assertEquals(4, savedPosition(store, "x") + 0 * 1 + 0); // the first batch was saved
      assertInstanceOf(IllegalArgumentException.class, rootCause(e));
      assertEquals(3, w.metrics().restarts());
      assertEquals("x", e.checkpointId());
      assertEquals(4, e.savedPosition());
      assertFalse(w.isRunning());
      assertThrows(CursorWorkerFailedException.class, () -> w.join(Duration.ZERO));
      // The id is free again once the worker ended.
      store.cursor(Region.all(), "x").close();
    }
  }

  private static Throwable rootCause(Throwable t) {
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  @Test
  void aCheckpointThatCannotBeSavedStopsTheWorkerAndTheOldOneStays(Random random) throws Exception {
    SimStoreFs fs = fs(random);
    try (Store store = Store.open(config(fs, new SimStoreClock()))) {
      fill(store, 20, "a");
      CountDownLatch firstSaved = new CountDownLatch(1);
      CountDownLatch armed = new CountDownLatch(1);
      CursorWorker w =
          store.cursorWorker(
              Region.all(),
              "c",
              CursorWorkerConfig.defaults().withBatchSize(5),
              batch -> {
                if (batch.get(0).header().globalSequence() == 5) {
                  firstSaved.countDown();
                  armed.await();
                }
              });
      firstSaved.await();
      fs.addFault(
          FaultRule.on(
              FsOp.PUBLISH,
              "/store/cursors/**",
              FaultTrigger.always(),
              FaultAction.fail(ErrorKind.IO)));
      armed.countDown();
      CursorWorkerFailedException e = assertThrows(CursorWorkerFailedException.class, w::join);
      fs.clearFaults();
      assertEquals(CursorWorkerFailedException.Reason.CHECKPOINT_FAILED, e.reason());
      assertInstanceOf(StoreIoException.class, e.getCause().getCause());
      assertEquals(4, e.savedPosition());
      assertEquals(4, savedPosition(store, "c"), "the previous checkpoint stays");
    }
  }

  @Test
  void aHandlerMayCloseTheStoreAndCloseStopsEveryWorker(Random random) throws Exception {
    SimStoreFs fs = fs(random);
    Store store = Store.open(config(fs, new SimStoreClock()));
    fill(store, 10, "a");
    CursorWorker idle =
        store.cursorWorker(Region.entity("none"), "idle", CursorWorkerConfig.defaults(), b -> {});
    CursorWorker closer =
        store.cursorWorker(
            Region.all(),
            "closer",
            CursorWorkerConfig.defaults().withBatchSize(3),
            b -> store.close());
    closer.join(); // returns: close from the handler neither deadlocks nor fails the worker
    idle.join(); // close stopped the idle worker too
    assertFalse(idle.isRunning());
    assertThrows(io.batpak.StoreClosedException.class, () -> store.cursor(Region.all()));
    try (Store again = Store.open(config(fs, new SimStoreClock()))) {
      assertEquals(-1, savedPosition(again, "closer"), "the batch that closed is delivered again");
    }
  }

  @Test
  void metricsShowLagInEventsAndTime(Random random) throws Exception {
    SimStoreFs fs = fs(random);
    SimStoreClock clock = new SimStoreClock();
    try (Store store = Store.open(config(fs, clock))) {
      fill(store, 10, "a");
      CountDownLatch go = new CountDownLatch(1);
      CursorWorker w =
          store.cursorWorker(
              Region.all(), "m", CursorWorkerConfig.defaults().withBatchSize(4), b -> go.await());
      eventually(() -> w.metrics().delivered() == 4, "the first batch handed over");
      clock.advance(Duration.ofSeconds(5));
      CursorWorker.Metrics m = w.metrics();
      assertEquals(10, m.lagEvents());
      assertTrue(m.lagMicros() >= 5_000_000, m.toString());
      go.countDown();
      eventually(() -> w.metrics().lagEvents() == 0, "caught up");
      w.stop();
      w.join();
    }
  }

  private static final class Echo implements io.batpak.Reactor {
    final Map<Long, Integer> calls = new ConcurrentHashMap<>();

    @Override
    public void react(StoredEvent source, io.batpak.Reactions r) {
      calls.merge(source.header().globalSequence(), 1, Integer::sum);
      String text = source.payload().toUtf8();
      r.append(
          Coordinate.of("out-" + source.header().coordinate().entity(), "s"),
          FOLLOW,
          Bytes.utf8(text + "/1"));
      r.append(Coordinate.of("audit", "s"), FOLLOW, Bytes.utf8(text + "/2"));
    }
  }

  @Test
  void aReactorAppendsFollowUpsOnceEvenWhenItsSourcesAreRedelivered(Random random)
      throws Exception {
    SimStoreFs fs = fs(random);
    Region sources = Region.all().withKind(KIND);
    List<AppendReceipt> in;
    Echo echo = new Echo();
    try (Store store = Store.open(config(fs, new SimStoreClock()))) {
      in = fill(store, 6, "a");
      // Every checkpoint publish fails: the reactions of the first batch are committed, then the
      // reactor stops before saving (a crash between the reaction commit and the checkpoint).
      fs.addFault(
          FaultRule.on(
              FsOp.PUBLISH,
              "/store/cursors/**",
              FaultTrigger.always(),
              FaultAction.fail(ErrorKind.IO)));
      CursorWorker r1 =
          store.reactor(sources, "echo", CursorWorkerConfig.defaults().withBatchSize(4), echo);
      CursorWorkerFailedException e = assertThrows(CursorWorkerFailedException.class, r1::join);
      assertEquals(CursorWorkerFailedException.Reason.CHECKPOINT_FAILED, e.reason());
      fs.clearFaults();
      assertEquals(8, StoreFixtures.query(store, Region.all().withKind(FOLLOW)).size());
      // Restarted: the first four sources are delivered again, the rest for the first time.
      CursorWorker r2 =
          store.reactor(sources, "echo", CursorWorkerConfig.defaults().withBatchSize(4), echo);
      eventually(() -> r2.position() == in.get(5).globalSequence(), "all sources handled");
      r2.stop();
      r2.join();
      List<EventHeader> follow = StoreFixtures.query(store, Region.all().withKind(FOLLOW));
      assertEquals(12, follow.size(), "two follow-ups per source, each once");
      for (AppendReceipt src : in) {
        StoredEvent s = store.get(src.eventId());
        List<EventHeader> mine =
            follow.stream()
                .filter(
                    h -> h.causation().equals(java.util.Optional.of(CausationId.of(src.eventId()))))
                .toList();
        assertEquals(2, mine.size());
        for (EventHeader h : mine) {
          assertEquals(s.header().correlationId(), h.correlationId());
        }
        assertEquals(mine.get(0).globalSequence() + 1, mine.get(1).globalSequence(), "one batch");
      }
      assertEquals(2, echo.calls.get(in.get(0).globalSequence()), "the first source came twice");
      assertEquals(1, echo.calls.get(in.get(5).globalSequence()));
    }
    // After a power loss and a reopen, a third run on the same id appends nothing more.
    fs.crash(io.batpak.fs.sim.CrashProfile.STRICT);
    try (Store store = Store.open(config(fs, new SimStoreClock()))) {
      CursorWorker r3 = store.reactor(sources, "echo", CursorWorkerConfig.defaults(), echo);
      store.append(Coordinate.of("z", "s"), KIND, Bytes.utf8("z"));
      eventually(() -> r3.metrics().lagEvents() == 0 && r3.position() >= 18, "caught up");
      r3.stop();
      r3.join();
      assertEquals(14, StoreFixtures.query(store, Region.all().withKind(FOLLOW)).size());
    }
  }

  @Test
  void aPowerLossBetweenTheReactionCommitAndTheCheckpointAppendsNothingTwice(Random random)
      throws Exception {
    SimStoreFs fs = fs(random);
    Region sources = Region.all().withKind(KIND);
    List<AppendReceipt> in;
    Store store = Store.open(config(fs, new SimStoreClock()));
    in = fill(store, 5, "a");
    // The power fails just before the first checkpoint publish: the first batch's reactions are
    // committed (and fsynced: DURABLE), its checkpoint is not.
    fs.addFault(
        FaultRule.on(
            FsOp.PUBLISH, "/store/cursors/**", FaultTrigger.nth(1), FaultAction.crashBefore()));
    CursorWorker r1 =
        store.reactor(sources, "echo", CursorWorkerConfig.defaults().withBatchSize(3), new Echo());
    assertThrows(CursorWorkerFailedException.class, r1::join);
    try {
      store.close();
    } catch (RuntimeException expected) {
      // the simulated power loss
    }
    fs.clearFaults();
    assertTrue(fs.isFrozen(), "the crash fired");
    io.batpak.fs.sim.SimSnapshot frozen = fs.snapshot();
    for (io.batpak.fs.sim.CrashProfile profile : io.batpak.fs.sim.CrashProfile.values()) {
      fs.restore(frozen);
      fs.crash(profile);
      Echo echo = new Echo();
      try (Store again = Store.open(config(fs, new SimStoreClock()))) {
        assertEquals(
            6,
            StoreFixtures.query(again, Region.all().withKind(FOLLOW)).size(),
            profile + ": the first batch's reactions survived the power loss");
        CursorWorker r2 =
            again.reactor(sources, "echo", CursorWorkerConfig.defaults().withBatchSize(3), echo);
        eventually(() -> r2.position() == in.get(4).globalSequence(), "all sources handled");
        r2.stop();
        r2.join();
        List<EventHeader> follow = StoreFixtures.query(again, Region.all().withKind(FOLLOW));
        assertEquals(10, follow.size(), profile + ": two follow-ups per source, each once");
        for (AppendReceipt src : in) {
          long mine =
              follow.stream()
                  .filter(
                      h ->
                          h.causation()
                              .equals(java.util.Optional.of(CausationId.of(src.eventId()))))
                  .count();
          assertEquals(2, mine, profile + ": source " + src.globalSequence());
        }
        assertEquals(1, echo.calls.get(in.get(0).globalSequence()), "redelivered after the crash");
      }
    }
  }

  @Test
  void aNonDeterministicReactorIsRefusedByIdempotencyAndStops(Random random) throws Exception {
    SimStoreFs fs = fs(random);
    AtomicInteger run = new AtomicInteger();
    io.batpak.Reactor changing =
        (source, r) -> r.append(Coordinate.of("out", "s"), FOLLOW, Bytes.utf8("run " + run.get()));
    try (Store store = Store.open(config(fs, new SimStoreClock()))) {
      fill(store, 1, "a");
      fs.addFault(
          FaultRule.on(
              FsOp.PUBLISH,
              "/store/cursors/**",
              FaultTrigger.always(),
              FaultAction.fail(ErrorKind.IO)));
      CursorWorker r1 =
          store.reactor(Region.all().withKind(KIND), "nd", CursorWorkerConfig.defaults(), changing);
      assertThrows(CursorWorkerFailedException.class, r1::join);
      fs.clearFaults();
      run.incrementAndGet();
      CursorWorker r2 =
          store.reactor(
              Region.all().withKind(KIND),
              "nd",
              CursorWorkerConfig.defaults().withMaxRestarts(1),
              changing);
      CursorWorkerFailedException e = assertThrows(CursorWorkerFailedException.class, r2::join);
      assertEquals(CursorWorkerFailedException.Reason.RESTARTS_EXHAUSTED, e.reason());
      assertInstanceOf(IdempotencyConflictException.class, e.getCause().getCause());
      assertEquals(
          1, StoreFixtures.query(store, Region.all().withKind(FOLLOW)).size(), "the first stands");
    }
  }

  @Test
  void reactionsRefuseOptionsTheReactorSets(Random random) throws Exception {
    SimStoreFs fs = fs(random);
    List<Throwable> thrown = Collections.synchronizedList(new ArrayList<>());
    try (Store store = Store.open(config(fs, new SimStoreClock()))) {
      fill(store, 1, "a");
      CursorWorker w =
          store.reactor(
              Region.all(),
              "opts",
              CursorWorkerConfig.defaults().withMaxRestarts(0),
              (source, r) -> {
                try {
                  r.append(
                      Coordinate.of("o", "s"),
                      FOLLOW,
                      Bytes.utf8("x"),
                      io.batpak.AppendOptions.defaults()
                          .withIdempotencyKey(io.batpak.IdempotencyKey.of(1, 2)));
                } catch (RuntimeException ex) {
                  thrown.add(ex);
                }
              });
      eventually(() -> w.position() == 0, "handled");
      w.stop();
      w.join();
      assertEquals(1, thrown.size());
      assertInstanceOf(io.batpak.ValidationException.class, thrown.get(0));
    }
  }
}
