package io.batpak.engine;

import static io.batpak.engine.StoreFixtures.KIND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.ConcurrencyConflictException;
import io.batpak.Coordinate;
import io.batpak.EventId;
import io.batpak.ExpectedVersion;
import io.batpak.OutcomeUnknownException;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreClosedException;
import io.batpak.StoreConfig;
import io.batpak.StoreLockedException;
import io.batpak.StoreTimeoutException;
import io.batpak.Watermark;
import io.batpak.Watermarks;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Close, locking, VISIBLE mode and submit(). */
@ExtendWith(Seeded.class)
class LifecycleTest {
  static final Coordinate C = Coordinate.of("e", "s");

  @TempDir Path dir;

  /** A typed event. */
  @io.batpak.EventType(category = 3, typeId = 1)
  record Noted(String text) {}

  /** What one appender got: its receipts and the exception that stopped it. */
  record Run(List<AppendReceipt> receipts, Throwable end) {}

  @Test
  void closeWithEightAppendersInFlight(Random random) throws Exception {
    int threads = 8;
    long seed = random.nextLong();
    List<Run> runs = new ArrayList<>();
    Store store = StoreFixtures.open(dir);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch warm = new CountDownLatch(threads);
    List<Future<Run>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      futures.add(
          pool.submit(
              () -> {
                Random r = new Random(seed + thread);
                List<AppendReceipt> mine = new ArrayList<>();
                for (int i = 0; ; i++) {
                  if (i == 20) {
                    warm.countDown();
                  }
                  try {
                    Coordinate c = Coordinate.of("e-" + r.nextInt(10), "s");
                    if (r.nextInt(4) == 0) {
                      mine.addAll(
                          store.appendBatch(
                              List.of(
                                  BatchItem.of(c, KIND, Bytes.utf8(thread + "/" + i + "a")),
                                  BatchItem.of(c, KIND, Bytes.utf8(thread + "/" + i + "b")))));
                    } else {
                      mine.add(store.append(c, KIND, Bytes.utf8(thread + "/" + i)));
                    }
                  } catch (OutcomeUnknownException | StoreClosedException e) {
                    return new Run(mine, e);
                  }
                }
              }));
    }
    warm.await();
    store.close();
    for (Future<Run> f : futures) {
      runs.add(f.get(60, TimeUnit.SECONDS));
    }
    pool.shutdown();
    assertAllCallsThrowClosed(store);
    store.close(); // idempotent
    List<AppendReceipt> acked = new ArrayList<>();
    int unknown = 0;
    for (Run run : runs) {
      acked.addAll(run.receipts());
      unknown += run.end() instanceof OutcomeUnknownException ? 1 : 0;
    }
    try (Store reopened = StoreFixtures.open(dir)) {
      assertTrue(reopened.openReport().tornTail().isEmpty());
      StoreFixtures.assertIntact(reopened, acked);
      long n = reopened.stats().eventCount();
      assertTrue(
          n >= acked.size() && n <= acked.size() + 2L * unknown,
          n + " events, " + acked.size() + " acknowledged, " + unknown + " unknown");
    }
  }

  static void assertAllCallsThrowClosed(Store store) {
    EventId id = EventId.of(1, 2);
    AppendReceipt fake =
        new AppendReceipt(
            id, 0, 0, Bytes.of(new byte[32]), Bytes.of(new byte[32]), Bytes.of(new byte[32]));
    Map<String, Executable> calls = new java.util.LinkedHashMap<>();
    calls.put("append", () -> store.append(C, KIND, Bytes.utf8("x")));
    calls.put(
        "appendBatch", () -> store.appendBatch(List.of(BatchItem.of(C, KIND, Bytes.utf8("x")))));
    calls.put("submit", () -> store.submit(C, KIND, Bytes.utf8("x"), AppendOptions.defaults()));
    calls.put("appendTyped", () -> store.appendTyped(C, new Noted("x")));
    calls.put("get", () -> store.get(id));
    calls.put("getTyped", () -> store.get(id, String.class));
    calls.put("queryAfter", () -> store.queryAfter(Region.all(), -1, 10));
    calls.put("stream", () -> store.stream("e"));
    calls.put("latest", () -> store.latest("e"));
    calls.put("verifyReceipt", () -> store.verifyReceipt(fake));
    calls.put("verifyAll", () -> store.verifyAll(io.batpak.VerificationProgress.none()));
    calls.put("stats", store::stats);
    calls.put("watermarks", store::watermarks);
    calls.put("waitFor", () -> store.waitFor(Watermark.VISIBLE, 0, Duration.ofMillis(1)));
    calls.put("sync", store::sync);
    calls.put("openReport", store::openReport);
    calls.put("config", store::config);
    List<String> wrong = new ArrayList<>();
    calls.forEach(
        (name, call) -> {
          try {
            call.execute();
            wrong.add(name + " returned normally");
          } catch (StoreClosedException expected) {
            // right
          } catch (Throwable t) {
            wrong.add(name + " threw " + t);
          }
        });
    assertEquals(List.of(), wrong, "after close every call but close throws StoreClosedException");
  }

  @Test
  void closeFromACompletionCallbackDoesNotDeadlock() throws Exception {
    Store store = StoreFixtures.open(dir);
    AppendReceipt first = store.append(C, KIND, Bytes.utf8("first"));
    CompletableFuture<Void> closed =
        store.submit(C, KIND, Bytes.utf8("second"), AppendOptions.defaults()).thenRun(store::close);
    closed.get(60, TimeUnit.SECONDS);
    assertThrows(StoreClosedException.class, () -> store.append(C, KIND, Bytes.utf8("x")));
    store.close();
    try (Store reopened = StoreFixtures.open(dir)) {
      assertEquals(2, reopened.stats().eventCount());
      StoreFixtures.assertIntact(reopened, List.of(first));
    }
  }

  @Test
  void aSecondOpenInThisJvmIsLocked() {
    try (Store store = StoreFixtures.open(dir)) {
      store.append(C, KIND, Bytes.utf8("x"));
      assertThrows(StoreLockedException.class, () -> StoreFixtures.open(dir));
      assertThrows(
          StoreLockedException.class,
          () -> Store.open(StoreConfig.builder(dir).readOnly(true).build()));
      // The failed opens changed nothing for the owner.
      store.append(C, KIND, Bytes.utf8("y"));
      assertEquals(2, store.stats().eventCount());
    }
    try (Store store = StoreFixtures.open(dir)) {
      assertEquals(2, store.stats().eventCount());
      try (Store readOnly = Store.open(StoreConfig.builder(dir).readOnly(true).build())) {
        throw new AssertionError("a read-only open beside a mutable one: " + readOnly);
      } catch (StoreLockedException expected) {
        // right
      }
    }
    try (Store a = Store.open(StoreConfig.builder(dir).readOnly(true).build())) {
      assertThrows(StoreLockedException.class, () -> StoreFixtures.open(dir));
      assertEquals(2, a.stats().eventCount());
    }
  }

  private static String runProbe(Path dir, String mode) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cp = System.getProperty("batpak.test.classpath");
    String jvmArgs = System.getProperty("batpak.test.jvmArgs", "");
    assertTrue(cp != null && !cp.isBlank(), "the build sets batpak.test.classpath");
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    Arrays.stream(jvmArgs.trim().split("\\s+")).filter(s -> !s.isEmpty()).forEach(cmd::add);
    cmd.add("-cp");
    cmd.add(cp);
    cmd.add(LockProbe.class.getName());
    cmd.add(dir.toString());
    cmd.add(mode);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    List<String> lines = new ArrayList<>();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        lines.add(line);
      }
    }
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child exits");
    assertEquals(0, p.exitValue(), "child output: " + lines);
    return lines.stream()
        .filter(l -> l.startsWith("OPENED") || l.startsWith("LOCKED") || l.startsWith("FAILED"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no result line from the child: " + lines));
  }

  @Test
  void aSecondOpenFromAnotherProcessIsLocked() throws Exception {
    assertTrue(File.separatorChar == '/', "posix only");
    try (Store store = StoreFixtures.open(dir)) {
      store.append(C, KIND, Bytes.utf8("x"));
      String line = runProbe(dir, "rw");
      assertTrue(line.startsWith("LOCKED"), line);
      line = runProbe(dir, "ro");
      assertTrue(line.startsWith("LOCKED"), line);
      assertEquals(1, store.stats().eventCount());
      store.append(C, KIND, Bytes.utf8("y"));
    }
    // Once the owner closed, the same child opens the store: the probe itself works.
    assertEquals("OPENED 2", runProbe(dir, "rw"));
  }

  @Test
  void visibleModeReturnsBeforeFsyncAndSyncMovesTheDurableWatermark() {
    try (Store store =
        Store.open(StoreConfig.builder(dir).visible(100, Duration.ofMillis(50)).build())) {
      List<AppendReceipt> receipts = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        receipts.add(store.append(C, KIND, Bytes.utf8("v" + i)));
      }
      Watermarks w = store.watermarks();
      assertTrue(w.visible() >= 10 && w.written() >= 10 && w.accepted() >= 10, w.toString());
      assertEquals(10, StoreFixtures.query(store, Region.all()).size(), "visible on return");
      store.sync();
      assertTrue(store.watermarks().durable() >= 10);
      store.waitFor(Watermark.DURABLE, 9, Duration.ofSeconds(30));
      store.waitFor(Watermark.VISIBLE, 9, Duration.ofSeconds(30));
      // A sequence nobody appended is never reached.
      assertThrows(
          StoreTimeoutException.class,
          () -> store.waitFor(Watermark.DURABLE, 10, Duration.ofMillis(100)));
      // The cadence syncs without being asked (every 50 ms).
      AppendReceipt r = store.append(C, KIND, Bytes.utf8("cadence"));
      store.waitFor(Watermark.DURABLE, r.globalSequence(), Duration.ofSeconds(60));
      StoreFixtures.assertIntact(store, receipts);
    }
    try (Store store = StoreFixtures.open(dir)) {
      assertEquals(11, store.stats().eventCount());
    }
  }

  @Test
  void visibleModeWithoutASyncLeavesTheDurableWatermarkBehind() {
    StoreConfig config = StoreConfig.builder(dir).visible(1 << 30, Duration.ofHours(1)).build();
    try (Store store = Store.open(config)) {
      AppendReceipt r = null;
      for (int i = 0; i < 5; i++) {
        r = store.append(C, KIND, Bytes.utf8("v" + i));
      }
      long last = r.globalSequence();
      store.waitFor(Watermark.VISIBLE, last, Duration.ofSeconds(30));
      assertThrows(
          StoreTimeoutException.class,
          () -> store.waitFor(Watermark.DURABLE, last, Duration.ofMillis(200)));
      assertTrue(store.watermarks().durable() <= last);
      store.sync();
      store.waitFor(Watermark.DURABLE, last, Duration.ofSeconds(30));
      assertEquals(5, store.watermarks().durable());
    }
  }

  @Test
  void submittedFuturesCompleteOffTheCommitterThread(Random random) throws Exception {
    Map<Integer, String> threads = new ConcurrentHashMap<>();
    List<CompletableFuture<AppendReceipt>> futures = new ArrayList<>();
    List<CompletableFuture<Void>> callbacks = new ArrayList<>();
    try (Store store = StoreFixtures.open(dir)) {
      for (int i = 0; i < 300; i++) {
        int n = i;
        CompletableFuture<AppendReceipt> f =
            store.submit(
                Coordinate.of("e-" + random.nextInt(4), "s"),
                KIND,
                Bytes.utf8("s" + i),
                AppendOptions.defaults());
        futures.add(f);
        callbacks.add(f.thenAccept(r -> threads.put(n, Thread.currentThread().getName())));
      }
      List<AppendReceipt> receipts = new ArrayList<>();
      for (int i = 0; i < futures.size(); i++) {
        AppendReceipt r = futures.get(i).get(60, TimeUnit.SECONDS);
        callbacks.get(i).get(60, TimeUnit.SECONDS);
        assertEquals(i, r.globalSequence(), "submits from one thread commit in order");
        receipts.add(r);
      }
      assertEquals(300, threads.size());
      threads.forEach(
          (n, name) ->
              assertFalse(
                  name.startsWith("batpak-committer"), "callback " + n + " ran on " + name));
      // A failing submit completes its future exceptionally with the typed error.
      CompletableFuture<AppendReceipt> conflict =
          store.submit(
              C,
              KIND,
              Bytes.utf8("x"),
              AppendOptions.defaults().withExpectedVersion(ExpectedVersion.exactly(99)));
      ExecutionException e =
          assertThrows(ExecutionException.class, () -> conflict.get(60, TimeUnit.SECONDS));
      assertInstanceOf(ConcurrencyConflictException.class, e.getCause());
      StoreFixtures.assertIntact(store, receipts);
    }
  }

  @Test
  void aFullQueueFailsFastOrAfterItsTimeoutAndQueuesNothing() throws Exception {
    for (io.batpak.QueueFullPolicy policy : io.batpak.QueueFullPolicy.values()) {
      Path d = dir.resolve(policy.name());
      Duration wait =
          policy == io.batpak.QueueFullPolicy.BLOCK ? Duration.ofMillis(100) : Duration.ZERO;
      try (FaultyFs fs = new FaultyFs();
          Store store =
              Store.open(
                  StoreConfig.builder(d)
                      .fs(fs)
                      .queueCapacity(2)
                      .whenQueueFull(policy, wait)
                      .build())) {
        FaultyFs.Gate gate = fs.holdNextSync();
        CompletableFuture<AppendReceipt> blocker =
            store.submit(C, KIND, Bytes.utf8("blocker"), AppendOptions.defaults());
        gate.awaitEntered();
        CompletableFuture<AppendReceipt> q1 =
            store.submit(C, KIND, Bytes.utf8("q1"), AppendOptions.defaults());
        CompletableFuture<AppendReceipt> q2 =
            store.submit(C, KIND, Bytes.utf8("q2"), AppendOptions.defaults());
        assertThrows(
            StoreTimeoutException.class,
            () -> store.submit(C, KIND, Bytes.utf8("no room"), AppendOptions.defaults()));
        assertThrows(
            StoreTimeoutException.class, () -> store.append(C, KIND, Bytes.utf8("no room")));
        gate.open();
        List<AppendReceipt> receipts =
            List.of(
                blocker.get(30, TimeUnit.SECONDS),
                q1.get(30, TimeUnit.SECONDS),
                q2.get(30, TimeUnit.SECONDS));
        assertEquals(3, store.stats().eventCount(), policy + ": nothing else was queued");
        receipts = new ArrayList<>(receipts);
        receipts.add(store.append(C, KIND, Bytes.utf8("room again")));
        StoreFixtures.assertIntact(store, receipts);
      }
    }
  }

  @Test
  void aWaiterIsWokenByClose() throws Exception {
    Store store = StoreFixtures.open(dir);
    store.append(C, KIND, Bytes.utf8("x"));
    CompletableFuture<Throwable> waiter = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              try {
                store.waitFor(Watermark.VISIBLE, 1_000, Duration.ofMinutes(5));
                waiter.complete(null);
              } catch (Throwable e) {
                waiter.complete(e);
              }
            });
    t.start();
    while (t.getState() != Thread.State.TIMED_WAITING && t.isAlive()) {
      Thread.onSpinWait();
    }
    store.close();
    assertInstanceOf(StoreClosedException.class, waiter.get(60, TimeUnit.SECONDS));
    t.join();
  }

  @Test
  void deterministicModeCommitsOnTheCallersThread() throws Exception {
    StoreConfig config = StoreConfig.builder(dir).deterministic(true).build();
    List<AppendReceipt> receipts = new ArrayList<>();
    try (Store store = Store.open(config)) {
      receipts.add(store.append(C, KIND, Bytes.utf8("a")));
      receipts.addAll(
          store.appendBatch(
              List.of(
                  BatchItem.of(C, KIND, Bytes.utf8("b")),
                  BatchItem.of(Coordinate.of("f", "s"), KIND, Bytes.utf8("c")).causedBy(0))));
      CompletableFuture<AppendReceipt> f =
          store.submit(C, KIND, Bytes.utf8("d"), AppendOptions.defaults());
      assertTrue(f.isDone(), "committed before submit returned");
      receipts.add(f.get());
      assertTrue(
          Thread.getAllStackTraces().keySet().stream()
              .noneMatch(th -> th.getName().startsWith("batpak-committer " + dir.getFileName())),
          "no committer thread in deterministic mode");
      StoreFixtures.assertIntact(store, receipts);
    }
    try (Store store = Store.open(config)) {
      StoreFixtures.assertIntact(store, receipts);
      assertEquals(4, store.stats().eventCount());
    }
  }

  @Test
  void closeFailsWhatItCannotCommitWithinItsTimeout() throws Exception {
    FaultyFs fs = new FaultyFs();
    Store store =
        Store.open(StoreConfig.builder(dir).fs(fs).closeTimeout(Duration.ofMillis(200)).build());
    AppendReceipt first = store.append(C, KIND, Bytes.utf8("first"));
    FaultyFs.Gate gate = fs.holdNextSync();
    CompletableFuture<AppendReceipt> stuck =
        store.submit(C, KIND, Bytes.utf8("stuck in fsync"), AppendOptions.defaults());
    gate.awaitEntered();
    CompletableFuture<AppendReceipt> queued =
        store.submit(C, KIND, Bytes.utf8("queued"), AppendOptions.defaults());
    Thread closer = new Thread(store::close, "closer");
    try {
      closer.start();
      ExecutionException e =
          assertThrows(ExecutionException.class, () -> queued.get(60, TimeUnit.SECONDS));
      assertInstanceOf(OutcomeUnknownException.class, e.getCause());
    } finally {
      gate.open();
    }
    closer.join();
    // The append caught in the fsync completes one way or the other.
    Object stuckOutcome;
    try {
      stuckOutcome = stuck.get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      stuckOutcome = e.getCause();
    }
    // close() gave up on the stuck fsync and left the journal and the lock to the committer
    // thread, which releases them when that call returns: wait for it to end.
    for (Thread th : Thread.getAllStackTraces().keySet()) {
      if (th.getName().equals("batpak-committer " + dir.getFileName())) {
        th.join(60_000);
        assertFalse(th.isAlive(), "the committer thread ended once its fsync returned");
      }
    }
    fs.close();
    try (Store reopened = StoreFixtures.open(dir)) {
      List<String> payloads = new ArrayList<>();
      StoreFixtures.query(reopened, Region.all())
          .forEach(h -> payloads.add(reopened.get(h.eventId()).payload().toUtf8()));
      assertFalse(payloads.contains("queued"), "a failed queued append was not written");
      if (stuckOutcome instanceof AppendReceipt r) {
        assertTrue(reopened.verifyReceipt(r).isValid());
      } else {
        assertInstanceOf(OutcomeUnknownException.class, stuckOutcome);
      }
      StoreFixtures.assertIntact(reopened, List.of(first));
    }
  }
}
