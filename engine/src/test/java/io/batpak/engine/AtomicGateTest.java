package io.batpak.engine;

import static io.batpak.engine.StoreFixtures.KIND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.AtomicGate;
import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.Denial;
import io.batpak.EventHeader;
import io.batpak.EventId;
import io.batpak.GateDeniedException;
import io.batpak.GateVerdict;
import io.batpak.IdempotencyKey;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StoredEvent;
import io.batpak.StreamFold;
import io.batpak.fs.sim.SimEntropy;
import io.batpak.fs.sim.SimStoreClock;
import io.batpak.fs.sim.SimStoreFs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Atomic gates (ADR 0018): run by the writer at commit time, against the stream's state then. */
class AtomicGateTest {
  static final Coordinate ACCOUNT = Coordinate.of("account-1", "bank");

  @TempDir Path dir;

  /** The balance of an account stream: payloads are signed amounts in decimal ASCII. */
  static final StreamFold<Long> BALANCE =
      StreamFold.of(0L, (balance, e) -> balance + Long.parseLong(e.payload().toUtf8()));

  /** Denies a withdrawal that would take the balance below zero. */
  static final AtomicGate<Long> NO_OVERDRAFT =
      AtomicGate.of(
          "no-overdraft",
          BALANCE,
          ctx -> {
            long amount = Long.parseLong(ctx.payload().toUtf8());
            return ctx.state() + amount >= 0
                ? GateVerdict.permit()
                : GateVerdict.deny(
                    "INSUFFICIENT_FUNDS",
                    "the balance is " + ctx.state() + ", the withdrawal " + -amount,
                    Map.of("balance", Long.toString(ctx.state())));
          });

  static AppendOptions gated(AtomicGate<?>... gates) {
    AppendOptions o = AppendOptions.defaults();
    for (AtomicGate<?> g : gates) {
      o = o.withGate(g);
    }
    return o;
  }

  static Bytes amount(long a) {
    return Bytes.utf8(Long.toString(a));
  }

  private Store open(Duration budget) {
    return Store.open(StoreConfig.builder(dir).gateBudget(budget).build());
  }

  @Test
  void aPermittingGateSeesVersionLatestEventAndFold() {
    List<Object[]> seen = new ArrayList<>();
    AtomicGate<Long> observe =
        AtomicGate.of(
            "observe",
            BALANCE,
            ctx -> {
              seen.add(
                  new Object[] {
                    ctx.version(),
                    ctx.latest().map(e -> e.header().eventId()).orElse(null),
                    ctx.state(),
                    ctx.payload().toUtf8(),
                    ctx.coordinate()
                  });
              return GateVerdict.permit();
            });
    try (Store store = open(Duration.ofSeconds(5))) {
      AppendReceipt a = store.append(ACCOUNT, KIND, amount(100), gated(observe));
      AppendReceipt b = store.append(ACCOUNT, KIND, amount(-30), gated(observe));
      store.append(ACCOUNT, KIND, amount(5), gated(observe));
      assertEquals(3, seen.size());
      assertEquals(0L, seen.get(0)[0]);
      assertEquals(null, seen.get(0)[1]);
      assertEquals(0L, seen.get(0)[2]);
      assertEquals(1L, seen.get(1)[0]);
      assertEquals(a.eventId(), seen.get(1)[1]);
      assertEquals(100L, seen.get(1)[2]);
      assertEquals(2L, seen.get(2)[0]);
      assertEquals(b.eventId(), seen.get(2)[1]);
      assertEquals(70L, seen.get(2)[2]);
      assertEquals("5", seen.get(2)[3]);
      assertEquals(ACCOUNT, seen.get(2)[4]);
    }
  }

  @Test
  void aDenialFailsOnlyThatAppendWritesNothingAndTheStoreGoesOn() {
    try (Store store = open(Duration.ofSeconds(5))) {
      store.append(ACCOUNT, KIND, amount(50), gated(NO_OVERDRAFT));
      long written = store.watermarks().written();
      GateDeniedException e =
          assertThrows(
              GateDeniedException.class,
              () -> store.append(ACCOUNT, KIND, amount(-80), gated(NO_OVERDRAFT)));
      assertEquals("no-overdraft", e.denial().gate());
      assertEquals("INSUFFICIENT_FUNDS", e.denial().code());
      assertEquals(Map.of("balance", "50"), e.denial().context());
      assertEquals(KIND, e.proposedKind());
      assertEquals(32, e.proposedContentHash().size());
      assertTrue(e.getMessage().contains("no-overdraft"), e.getMessage());
      assertEquals(written, store.watermarks().written(), "no I/O for a denied append");
      assertEquals(1, store.stream(ACCOUNT.entity()).size());
      AppendReceipt ok = store.append(ACCOUNT, KIND, amount(-50), gated(NO_OVERDRAFT));
      assertEquals(1, ok.streamSequence());
      assertEquals(written, ok.globalSequence(), "the denied append took no sequence number");
      StoreFixtures.assertIntact(store, List.of(ok));
    }
  }

  @Test
  void aGateThatThrowsOrReturnsNullIsADefectDenial() {
    AtomicGate<Void> throwing =
        AtomicGate.of(
            "throws",
            ctx -> {
              throw new IllegalStateException("boom");
            });
    AtomicGate<Void> nulls = AtomicGate.of("nulls", ctx -> null);
    try (Store store = open(Duration.ofSeconds(5))) {
      GateDeniedException e =
          assertThrows(
              GateDeniedException.class,
              () -> store.append(ACCOUNT, KIND, amount(1), gated(throwing)));
      assertEquals(Denial.GATE_DEFECT, e.denial().code());
      assertTrue(e.denial().message().contains("IllegalStateException: boom"), e.getMessage());
      assertEquals("java.lang.IllegalStateException", e.denial().context().get("exception"));
      GateDeniedException n =
          assertThrows(
              GateDeniedException.class,
              () -> store.append(ACCOUNT, KIND, amount(1), gated(nulls)));
      assertEquals(Denial.GATE_DEFECT, n.denial().code());
      assertEquals(0, store.append(ACCOUNT, KIND, amount(1)).streamSequence());
    }
  }

  /** Each failure kind in each position of a set of three gates. */
  @Test
  void matrixOfFailuresInEveryPositionOfThreeGates() throws Exception {
    CountDownLatch never = new CountDownLatch(1);
    try (Store store = open(Duration.ofMillis(200))) {
      int appended = 0;
      for (String failure : List.of("permit", "deny", "throw", "timeout")) {
        for (int position = 0; position < 3; position++) {
          AtomicInteger[] calls = {new AtomicInteger(), new AtomicInteger(), new AtomicInteger()};
          List<AtomicGate<?>> gates = new ArrayList<>();
          for (int g = 0; g < 3; g++) {
            int me = g;
            boolean fails = g == position;
            gates.add(
                AtomicGate.of(
                    "g" + g,
                    ctx -> {
                      calls[me].incrementAndGet();
                      if (!fails) {
                        return GateVerdict.permit();
                      }
                      switch (failure) {
                        case "deny":
                          return GateVerdict.deny("NO", "position " + me);
                        case "throw":
                          throw new IllegalArgumentException("position " + me);
                        case "timeout":
                          try {
                            never.await(); // interrupted when abandoned
                          } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                          }
                          return GateVerdict.permit();
                        default:
                          return GateVerdict.permit();
                      }
                    }));
          }
          AppendOptions options = gated(gates.toArray(new AtomicGate<?>[0]));
          String label = failure + " at " + position;
          if (failure.equals("permit")) {
            store.append(ACCOUNT, KIND, amount(1), options);
            appended++;
            for (AtomicInteger c : calls) {
              assertEquals(1, c.get(), label);
            }
            continue;
          }
          GateDeniedException e =
              assertThrows(
                  GateDeniedException.class,
                  () -> store.append(ACCOUNT, KIND, amount(1), options),
                  label);
          assertEquals("g" + position, e.denial().gate(), label);
          String code =
              switch (failure) {
                case "deny" -> "NO";
                case "throw" -> Denial.GATE_DEFECT;
                default -> Denial.GATE_TIMEOUT;
              };
          assertEquals(code, e.denial().code(), label);
          for (int g = 0; g < 3; g++) {
            assertEquals(g <= position ? 1 : 0, calls[g].get(), label + ": calls of g" + g);
          }
          assertEquals(appended, store.stream(ACCOUNT.entity()).size(), label);
        }
      }
      assertEquals(3, store.stream(ACCOUNT.entity()).size());
    } finally {
      never.countDown();
    }
  }

  @Test
  void aGateThatNeverReturnsIsDeniedAtItsBudgetWhileOtherAppendsCommit() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AtomicReference<Thread> gateThread = new AtomicReference<>();
    AtomicGate<Void> hangs =
        AtomicGate.of(
            "hangs",
            ctx -> {
              gateThread.set(Thread.currentThread());
              while (release.getCount() > 0) {
                try {
                  release.await(); // ignores interrupts: truly never returns until released
                } catch (InterruptedException ignored) {
                  // keep hanging
                }
              }
              return GateVerdict.permit();
            });
    try (Store store = open(Duration.ofMillis(100))) {
      CompletableFuture<AppendReceipt> stuck = store.submit(ACCOUNT, KIND, amount(1), gated(hangs));
      List<AppendReceipt> others = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        others.add(store.append(Coordinate.of("other-" + (i % 3), "s"), KIND, amount(i)));
        others.add(store.append(ACCOUNT, KIND, amount(1), gated(NO_OVERDRAFT)));
      }
      ExecutionException e =
          assertThrows(ExecutionException.class, () -> stuck.get(30, TimeUnit.SECONDS));
      GateDeniedException d = assertInstanceOf(GateDeniedException.class, e.getCause());
      assertEquals(Denial.GATE_TIMEOUT, d.denial().code());
      assertEquals(gateThread.get().getName(), d.denial().context().get("thread"));
      assertTrue(gateThread.get().isAlive(), "the runaway gate's thread runs on");
      assertTrue(gateThread.get().isDaemon());
      StoreFixtures.assertIntact(store, others);
      assertEquals(20, store.stream(ACCOUNT.entity()).size());
    } finally {
      release.countDown();
    }
    gateThread.get().join(10_000);
    assertFalse(gateThread.get().isAlive(), "released, the abandoned gate thread ends");
  }

  @Test
  void runawayGateThreadsAreBoundedAndLaterGatesAreRefusedWithoutRunning() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger started = new AtomicInteger();
    AtomicGate<Void> hangs =
        AtomicGate.of(
            "hangs",
            ctx -> {
              started.incrementAndGet();
              while (release.getCount() > 0) {
                try {
                  release.await();
                } catch (InterruptedException ignored) {
                  // keep hanging
                }
              }
              return GateVerdict.permit();
            });
    try (Store store = open(Duration.ofMillis(50))) {
      for (int i = 0; i < 4; i++) {
        GateDeniedException e =
            assertThrows(
                GateDeniedException.class,
                () -> store.append(ACCOUNT, KIND, amount(1), gated(hangs)));
        assertEquals(Denial.GATE_TIMEOUT, e.denial().code());
      }
      GateDeniedException refused =
          assertThrows(
              GateDeniedException.class,
              () -> store.append(ACCOUNT, KIND, amount(1), gated(NO_OVERDRAFT)));
      assertEquals(Denial.GATE_TIMEOUT, refused.denial().code());
      assertEquals("4", refused.denial().context().get("runaways"));
      assertEquals(4, started.get());
      assertEquals(0, store.append(ACCOUNT, KIND, amount(1)).streamSequence(), "ungated goes on");
      release.countDown();
      long deadline = System.currentTimeMillis() + 20_000;
      while (true) {
        try {
          store.append(ACCOUNT, KIND, amount(1), gated(NO_OVERDRAFT));
          break;
        } catch (GateDeniedException e) {
          assertTrue(System.currentTimeMillis() < deadline, "gates never came back: " + e);
          Thread.sleep(10);
        }
      }
    } finally {
      release.countDown();
    }
  }

  @Test
  void aDenialInTheMiddleOfABatchFailsTheWholeBatch() {
    try (Store store = open(Duration.ofSeconds(5))) {
      store.append(ACCOUNT, KIND, amount(10));
      long written = store.watermarks().written();
      AppendOptions o = gated(NO_OVERDRAFT);
      List<BatchItem> items =
          List.of(
              new BatchItem(ACCOUNT, KIND, io.batpak.Payload.raw(amount(-6)), o, -1),
              new BatchItem(ACCOUNT, KIND, io.batpak.Payload.raw(amount(-6)), o, -1),
              BatchItem.of(Coordinate.of("other", "s"), KIND, amount(1)));
      GateDeniedException e =
          assertThrows(GateDeniedException.class, () -> store.appendBatch(items));
      assertTrue(e.getMessage().contains("batch item 1"), e.getMessage());
      assertEquals(Map.of("balance", "4"), e.denial().context(), "item 1 saw item 0");
      assertEquals(written, store.watermarks().written());
      assertEquals(1, store.stream(ACCOUNT.entity()).size());
      assertEquals(0, store.stream("other").size());
      List<AppendReceipt> ok =
          store.appendBatch(
              List.of(
                  new BatchItem(ACCOUNT, KIND, io.batpak.Payload.raw(amount(-6)), o, -1),
                  new BatchItem(ACCOUNT, KIND, io.batpak.Payload.raw(amount(-4)), o, -1)));
      assertEquals(2, ok.size());
    }
  }

  /**
   * Appends queued behind a busy committer form one group: each gate sees the events placed before
   * it in that group (not yet visible), and a denial in the middle fails that append alone.
   */
  @Test
  void gatesSeeEarlierEventsOfTheSameGroupAndADenialInTheMiddleFailsOnlyItself() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch blocking = new CountDownLatch(1);
    AtomicGate<Void> blocker =
        AtomicGate.of(
            "blocker",
            ctx -> {
              blocking.countDown();
              try {
                release.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return GateVerdict.permit();
            });
    List<long[]> seen = new ArrayList<>(); // version, balance, visible watermark
    AtomicReference<Store> storeRef = new AtomicReference<>();
    AtomicGate<Long> watching =
        AtomicGate.of(
            "watching",
            BALANCE,
            ctx -> {
              synchronized (seen) {
                seen.add(
                    new long[] {ctx.version(), ctx.state(), storeRef.get().watermarks().visible()});
              }
              return NO_OVERDRAFT.evaluate(ctx);
            });
    try (Store store = open(Duration.ofSeconds(30))) {
      storeRef.set(store);
      store.append(ACCOUNT, KIND, amount(10));
      CompletableFuture<AppendReceipt> first =
          store.submit(Coordinate.of("elsewhere", "s"), KIND, amount(0), gated(blocker));
      assertTrue(blocking.await(30, TimeUnit.SECONDS));
      // The committer is inside the blocker's gate: these queue up as the next group.
      List<CompletableFuture<AppendReceipt>> group = new ArrayList<>();
      long[] amounts = {-4, -4, -4, 3, -5};
      for (long a : amounts) {
        group.add(store.submit(ACCOUNT, KIND, amount(a), gated(watching)));
      }
      release.countDown();
      first.get(30, TimeUnit.SECONDS);
      List<AppendReceipt> ok = new ArrayList<>();
      for (int i = 0; i < group.size(); i++) {
        if (i == 2) {
          ExecutionException e =
              assertThrows(ExecutionException.class, () -> group.get(2).get(30, TimeUnit.SECONDS));
          GateDeniedException d = assertInstanceOf(GateDeniedException.class, e.getCause());
          assertEquals(Map.of("balance", "2"), d.denial().context());
        } else {
          ok.add(group.get(i).get(30, TimeUnit.SECONDS));
        }
      }
      // balance 10 -4 -4 (=2) [-4 denied] +3 (=5) -5 (=0)
      long[][] expected = {{1, 10}, {2, 6}, {3, 2}, {3, 2}, {4, 5}};
      long visibleAtStart = seen.get(0)[2];
      for (int i = 0; i < expected.length; i++) {
        assertEquals(expected[i][0], seen.get(i)[0], "version seen by append " + i);
        assertEquals(expected[i][1], seen.get(i)[1], "balance seen by append " + i);
        assertEquals(visibleAtStart, seen.get(i)[2], "one group: nothing became visible between");
      }
      for (int i = 1; i < ok.size(); i++) {
        assertEquals(ok.get(i - 1).globalSequence() + 1, ok.get(i).globalSequence());
      }
      assertEquals(5, store.stream(ACCOUNT.entity()).size());
      StoreFixtures.assertIntact(store, ok);
    } finally {
      release.countDown();
    }
  }

  @Test
  void aRetryOfACommittedKeyedAppendGetsItsReceiptWithoutRunningTheGateAgain() {
    AtomicInteger calls = new AtomicInteger();
    AtomicGate<Long> counting =
        AtomicGate.of(
            "counting",
            BALANCE,
            ctx -> {
              calls.incrementAndGet();
              return NO_OVERDRAFT.evaluate(ctx);
            });
    try (Store store = open(Duration.ofSeconds(5))) {
      store.append(ACCOUNT, KIND, amount(5));
      AppendOptions o = gated(counting).withIdempotencyKey(IdempotencyKey.of(0x5L, 0x0ACEL));
      AppendReceipt first = store.append(ACCOUNT, KIND, amount(-5), o);
      AppendReceipt again = store.append(ACCOUNT, KIND, amount(-5), o);
      assertEquals(first, again);
      assertEquals(1, calls.get());
    }
  }

  /** Reusing one fold instance folds each event once, not the stream per append. */
  @Test
  void foldStatesAreCachedPerFoldInstanceSoEachEventIsFoldedOnce() {
    AtomicInteger applied = new AtomicInteger();
    StreamFold<Long> counted =
        StreamFold.of(
            0L,
            (s, e) -> {
              applied.incrementAndGet();
              return s + Long.parseLong(e.payload().toUtf8());
            });
    AtomicGate<Long> gate = AtomicGate.of("counted", counted, ctx -> GateVerdict.permit());
    int n = 300;
    try (Store store = open(Duration.ofSeconds(5))) {
      for (int i = 0; i < n; i++) {
        store.append(ACCOUNT, KIND, amount(1), gated(gate));
      }
      assertTrue(applied.get() <= n, "applied " + applied.get() + " times for " + n + " events");
      // A new fold instance starts from the beginning once, then is cached too.
      AtomicGate<Long> fresh =
          AtomicGate.of(
              "fresh",
              StreamFold.of(0L, (s, e) -> s + 1),
              ctx -> {
                assertEquals(ctx.version(), (long) ctx.state());
                return GateVerdict.permit();
              });
      store.append(ACCOUNT, KIND, amount(1), gated(fresh));
      store.append(ACCOUNT, KIND, amount(1), gated(fresh));
    }
  }

  /** The fold and version survive a reopen (the cache is rebuilt from the journal). */
  @Test
  void afterAReopenTheFoldIsRebuiltFromTheJournal() {
    try (Store store = open(Duration.ofSeconds(5))) {
      store.append(ACCOUNT, KIND, amount(7), gated(NO_OVERDRAFT));
      store.append(ACCOUNT, KIND, amount(-2), gated(NO_OVERDRAFT));
    }
    try (Store store = open(Duration.ofSeconds(5))) {
      GateDeniedException e =
          assertThrows(
              GateDeniedException.class,
              () -> store.append(ACCOUNT, KIND, amount(-6), gated(NO_OVERDRAFT)));
      assertEquals("5", e.denial().context().get("balance"));
      store.append(ACCOUNT, KIND, amount(-5), gated(NO_OVERDRAFT));
    }
  }

  /**
   * Deterministic mode: gates run on the committing (calling) thread and their budget is measured
   * on the store's clock, so a run replays exactly: the same seed gives the same outcomes.
   */
  @Test
  void deterministicModeRunsGatesOnTheCallersThreadAndMeasuresTheBudgetOnTheClock() {
    List<String> first = deterministicRun(42);
    List<String> second = deterministicRun(42);
    assertEquals(first, second);
    assertTrue(first.contains("GATE_TIMEOUT"), first.toString());
    assertTrue(first.contains("INSUFFICIENT_FUNDS"), first.toString());
  }

  private static List<String> deterministicRun(long seed) {
    SimStoreClock clock = new SimStoreClock();
    List<String> outcomes = new ArrayList<>();
    Thread caller = Thread.currentThread();
    AtomicGate<Long> slowSometimes =
        AtomicGate.of(
            "slow-sometimes",
            BALANCE,
            ctx -> {
              assertEquals(caller, Thread.currentThread(), "inline on the caller's thread");
              if (ctx.version() % 5 == 4) {
                clock.advance(Duration.ofMillis(150)); // "takes" 150 ms of the store's time
              }
              return NO_OVERDRAFT.evaluate(ctx);
            });
    try (SimStoreFs fs = new SimStoreFs(seed)) {
      StoreConfig config =
          StoreConfig.builder(Path.of("/det"))
              .fs(fs)
              .clock(clock)
              .entropy(new SimEntropy(seed))
              .deterministic(true)
              .gateBudget(Duration.ofMillis(100))
              .build();
      try (Store store = Store.open(config)) {
        java.util.Random random = new java.util.Random(seed);
        for (int i = 0; i < 60; i++) {
          long a = random.nextInt(21) - 10;
          try {
            AppendReceipt r = store.append(ACCOUNT, KIND, amount(a), gated(slowSometimes));
            outcomes.add("ok " + r.streamSequence() + " " + r.eventId());
          } catch (GateDeniedException e) {
            outcomes.add(e.denial().code());
          }
        }
        long balance = 0;
        for (EventHeader h : store.stream(ACCOUNT.entity())) {
          balance += Long.parseLong(store.get(h.eventId()).payload().toUtf8());
          assertTrue(balance >= 0);
        }
      }
    }
    return outcomes;
  }

  @Test
  void latestIsTheNewestEventAndItsPayload() {
    AtomicReference<StoredEvent> latest = new AtomicReference<>();
    AtomicGate<Void> g =
        AtomicGate.of(
            "latest",
            ctx -> {
              latest.set(ctx.latest().orElse(null));
              return GateVerdict.permit();
            });
    try (Store store = open(Duration.ofSeconds(5))) {
      AppendReceipt a = store.append(ACCOUNT, KIND, amount(3));
      store.append(ACCOUNT, KIND, amount(4), gated(g));
      assertEquals(a.eventId(), latest.get().header().eventId());
      assertEquals("3", latest.get().payload().toUtf8());
      assertNotEquals(null, latest.get().header().eventHash());
      EventId unused = a.eventId();
      assertEquals(unused, store.get(a.eventId()).header().eventId());
    }
  }

  @Test
  void foldOfAStreamWithManyEventsIsCorrect() {
    AtomicLong expected = new AtomicLong();
    try (Store store = open(Duration.ofSeconds(5))) {
      java.util.Random r = new java.util.Random(7);
      for (int i = 0; i < 200; i++) {
        long a = r.nextInt(100) - 40;
        try {
          store.append(ACCOUNT, KIND, amount(a), gated(NO_OVERDRAFT));
          expected.addAndGet(a);
        } catch (GateDeniedException e) {
          assertEquals(Long.toString(expected.get()), e.denial().context().get("balance"));
          assertTrue(expected.get() + a < 0);
        }
      }
    }
  }

  @Test
  void closingTheStoreEndsItsGateThread() throws Exception {
    AtomicReference<Thread> gateThread = new AtomicReference<>();
    AtomicGate<Void> g =
        AtomicGate.of(
            "where",
            ctx -> {
              gateThread.set(Thread.currentThread());
              return GateVerdict.permit();
            });
    try (Store store = open(Duration.ofSeconds(5))) {
      store.append(ACCOUNT, KIND, amount(1), gated(g));
      assertTrue(gateThread.get().getName().startsWith("batpak-gate"), gateThread.get().getName());
      assertTrue(gateThread.get().isDaemon());
    }
    gateThread.get().join(10_000);
    assertFalse(gateThread.get().isAlive(), "the idle gate thread ended with the store");
  }

  @Test
  void aGatedAppendThroughAFenceSeesTheFencesEarlierEvents() {
    try (Store store = open(Duration.ofSeconds(5))) {
      store.append(ACCOUNT, KIND, amount(10));
      try (io.batpak.VisibilityFence fence = store.beginFence()) {
        fence.append(ACCOUNT, KIND, amount(-6), gated(NO_OVERDRAFT));
        GateDeniedException e =
            assertThrows(
                GateDeniedException.class,
                () -> fence.append(ACCOUNT, KIND, amount(-6), gated(NO_OVERDRAFT)));
        assertEquals("4", e.denial().context().get("balance"), "the fence's own event counted");
        fence.cancel();
      }
      // The cancelled event never happened: the balance is 10 again.
      store.append(ACCOUNT, KIND, amount(-10), gated(NO_OVERDRAFT));
      assertThrows(
          GateDeniedException.class,
          () -> store.append(ACCOUNT, KIND, amount(-1), gated(NO_OVERDRAFT)));
    }
  }

  /**
   * A fold that needs an event a compaction dropped is denied as GATE_STATE_UNAVAILABLE, never
   * folded without it; a fold state cached before the compaction stays exact.
   */
  @Test
  void aFoldOverEventsACompactionDroppedIsStateUnavailable() {
    StoreConfig config =
        StoreConfig.builder(dir).segmentMaxBytes(4096).gateBudget(Duration.ofSeconds(5)).build();
    Coordinate temp = Coordinate.of("temp-stream", "bank");
    try (Store store = Store.open(config)) {
      for (int i = 0; i < 200; i++) {
        store.append(i % 2 == 0 ? ACCOUNT : temp, KIND, amount(1));
      }
      store.append(ACCOUNT, KIND, amount(-1), gated(NO_OVERDRAFT)); // caches ACCOUNT's fold
      io.batpak.CompactionResult r =
          store.compact(
              io.batpak.CompactionConfig.retain(e -> !e.header().entity().equals(temp.entity())));
      assertEquals(io.batpak.CompactionResult.Outcome.PERFORMED, r.outcome(), r.reason());
      assertTrue(r.eventsDropped() > 0);
      // The cached fold of ACCOUNT needs no dropped event: 100 - 1 = 99.
      GateDeniedException big =
          assertThrows(
              GateDeniedException.class,
              () -> store.append(ACCOUNT, KIND, amount(-100), gated(NO_OVERDRAFT)));
      assertEquals("99", big.denial().context().get("balance"));
      // temp's fold would need dropped events.
      GateDeniedException e =
          assertThrows(
              GateDeniedException.class,
              () -> store.append(temp, KIND, amount(-1), gated(NO_OVERDRAFT)));
      assertEquals(Denial.GATE_STATE_UNAVAILABLE, e.denial().code());
      assertTrue(e.denial().message().contains("compaction"), e.denial().message());
    }
  }
}
