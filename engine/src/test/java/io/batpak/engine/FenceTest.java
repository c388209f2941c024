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
import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.EventHeader;
import io.batpak.EventNotFoundException;
import io.batpak.ExpectedVersion;
import io.batpak.FenceActiveException;
import io.batpak.FenceCancelledException;
import io.batpak.IdempotencyKey;
import io.batpak.OpenReport.IndexSource;
import io.batpak.ReceiptVerification;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StoreTimeoutException;
import io.batpak.VisibilityFence;
import io.batpak.Watermark;
import io.batpak.Watermarks;
import io.batpak.engine.internal.EngineStore;
import io.batpak.engine.internal.fence.CancelledRanges;
import io.batpak.engine.internal.index.IndexCheckpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Visibility fences (ADR 0015, docs/fences.md): fenced events are written but invisible to every
 * read until the commit, which shows them all at once after its fsync; a cancel (explicit, by
 * close, or by a crash) makes them never visible and gives their streams back their state from
 * before the fence, in memory and after a reopen by each load path.
 */
@ExtendWith(Seeded.class)
class FenceTest {
  @TempDir Path dir;

  private static final Coordinate A = Coordinate.of("order-a", "shop");
  private static final Coordinate B = Coordinate.of("order-b", "shop");

  private StoreConfig config() {
    return StoreConfig.builder(dir).build();
  }

  private static Bytes payload(String s) {
    return Bytes.utf8(s);
  }

  /** Every read path shows exactly {@code visible} of {@code all}, and none of the others. */
  private static void assertShows(
      Store store, List<AppendReceipt> visible, List<AppendReceipt> hidden) {
    List<EventHeader> all = StoreFixtures.query(store, Region.all());
    assertEquals(visible.size(), all.size(), "queryAfter count");
    assertEquals(visible.size(), store.stats().eventCount(), "stats eventCount");
    assertEquals(visible.size(), store.verifyAll((done, total) -> {}).eventsChecked(), "verifyAll");
    assertTrue(store.verifyAll((done, total) -> {}).intact(), "verifyAll intact");
    for (AppendReceipt r : visible) {
      assertEquals(r.eventId(), store.get(r.eventId()).header().eventId(), "get");
      assertTrue(store.verifyReceipt(r).isValid(), "verifyReceipt of a visible event");
    }
    for (AppendReceipt r : hidden) {
      assertThrows(EventNotFoundException.class, () -> store.get(r.eventId()), "get of hidden");
      assertInstanceOf(
          ReceiptVerification.Invalid.class, store.verifyReceipt(r), "verifyReceipt of hidden");
      for (EventHeader h : all) {
        assertFalse(h.eventId().equals(r.eventId()), "queryAfter shows a hidden event");
      }
      for (String entity : List.of(A.entity(), B.entity())) {
        assertTrue(
            store.stream(entity).stream().noneMatch(h -> h.eventId().equals(r.eventId())),
            "stream shows a hidden event");
        assertTrue(
            store.stream(entity, 0, 100).stream().noneMatch(h -> h.eventId().equals(r.eventId())),
            "stream page shows a hidden event");
        store
            .latest(entity)
            .ifPresent(h -> assertFalse(h.eventId().equals(r.eventId()), "latest is hidden"));
      }
    }
  }

  @Test
  void fencedEventsAreInvisibleUntilCommitThenAllAtOnce() throws Exception {
    try (Store store = Store.open(config())) {
      AppendReceipt before = store.append(A, KIND, payload("before"));
      List<AppendReceipt> fenced = new ArrayList<>();
      CompletableFuture<AppendReceipt> submitted;
      try (VisibilityFence fence = store.beginFence()) {
        fenced.add(fence.append(A, KIND, payload("f1")));
        fenced.addAll(
            fence.appendBatch(
                List.of(
                    BatchItem.of(A, KIND, payload("f2")), BatchItem.of(B, KIND, payload("f3")))));
        submitted = fence.submit(B, KIND, payload("f4"), AppendOptions.defaults());
        assertEquals(1, fenced.get(0).streamSequence(), "fenced events chain on their streams");
        assertEquals(2, fenced.get(1).streamSequence());
        assertShows(store, List.of(before), fenced);
        assertEquals(
            1, store.stats().streamCount(), "a stream only the fence wrote is not counted");
        Watermarks w = store.watermarks();
        assertEquals(1, w.visible(), "visible watermark holds");
        assertEquals(1, w.durable(), "durable watermark holds at the fence");
        assertEquals(1, w.written(), "written watermark holds at the fence");
        assertThrows(
            StoreTimeoutException.class,
            () -> store.waitFor(Watermark.DURABLE, 1, Duration.ofMillis(20)),
            "waitFor does not pass a fenced event");
        assertFalse(submitted.isDone(), "a fenced submit completes on commit");
        fence.commit();
      }
      AppendReceipt last = submitted.get(5, TimeUnit.SECONDS);
      fenced.add(last);
      List<AppendReceipt> visible = new ArrayList<>(List.of(before));
      visible.addAll(fenced);
      assertShows(store, visible, List.of());
      Watermarks w = store.watermarks();
      assertEquals(5, w.visible());
      assertEquals(5, w.durable());
      store.waitFor(Watermark.VISIBLE, 4, Duration.ofSeconds(1));
      StoreFixtures.assertIntact(store, visible);
    }
  }

  @Test
  void cancelHidesForeverAndGivesStreamsBackTheirHeads() throws Exception {
    List<AppendReceipt> kept = new ArrayList<>();
    List<AppendReceipt> cancelled = new ArrayList<>();
    CompletableFuture<AppendReceipt> submitted;
    try (Store store = Store.open(config())) {
      kept.add(store.append(A, KIND, payload("a0")));
      EventHeader headBefore = store.latest(A.entity()).orElseThrow();
      VisibilityFence fence = store.beginFence();
      cancelled.add(fence.append(A, KIND, payload("a1")));
      cancelled.add(fence.append(B, KIND, payload("b0")));
      submitted = fence.submit(A, KIND, payload("a2"), AppendOptions.defaults());
      fence.cancel();
      ExecutionException e =
          assertThrows(ExecutionException.class, () -> submitted.get(5, TimeUnit.SECONDS));
      assertInstanceOf(FenceCancelledException.class, e.getCause(), "a fenced submit fails");
      assertThrows(
          FenceCancelledException.class,
          () -> fence.append(A, KIND, payload("late")),
          "a cancelled fence takes no appends");
      assertThrows(FenceCancelledException.class, fence::commit, "nor a commit");
      fence.cancel(); // idempotent
      fence.close();
      assertShows(store, kept, cancelled);
      // The stream continues from before the fence: same next sequence, same chain head.
      AppendReceipt next =
          store.append(
              A,
              KIND,
              payload("a1'"),
              AppendOptions.defaults().withExpectedVersion(ExpectedVersion.exactly(0)));
      assertEquals(1, next.streamSequence());
      assertEquals(4, next.globalSequence(), "cancelled global sequences are not reused");
      assertArrayEquals(
          headBefore.eventHash().toByteArray(),
          store.get(next.eventId()).header().prevHash().toByteArray(),
          "chains to the head from before the fence");
      AppendReceipt b = store.append(B, KIND, payload("b0'"));
      assertEquals(0, b.streamSequence(), "a stream the fence created is empty again");
      kept.add(next);
      kept.add(b);
      assertShows(store, kept, cancelled);
      StoreFixtures.assertIntactAllowingGaps(store, kept);
      CancelledRanges ranges = ((EngineStore) store).cancelledRanges();
      assertEquals(List.of(new CancelledRanges.Range(1, 4)), ranges.ranges());
      assertTrue(ranges.contains(3) && !ranges.contains(4) && !ranges.contains(0));
    }
    // Every load path agrees, and keeps the streams' heads.
    for (String path : List.of("CHECKPOINT", "SEALS", "SCAN")) {
      prepare(path);
      try (Store store = Store.open(config().toBuilder().readOnly(true).build())) {
        // The one segment holds cancelled events, so it was left unsealed (ADR 0015): without
        // the checkpoint its frames are read.
        IndexSource expected =
            path.equals("CHECKPOINT") ? IndexSource.CHECKPOINT : IndexSource.SCAN;
        assertEquals(expected, store.openReport().indexLoad().source(), path + " source");
        assertShows(store, kept, cancelled);
        StoreFixtures.assertIntactAllowingGaps(store, kept);
        assertEquals(
            List.of(new CancelledRanges.Range(1, 4)),
            ((EngineStore) store).cancelledRanges().ranges(),
            path);
      }
    }
    try (Store store = Store.open(config())) {
      AppendReceipt again = store.append(A, KIND, payload("a2'"));
      assertEquals(2, again.streamSequence(), "the reopened stream continues where it was");
      assertEquals(6, again.globalSequence());
    }
  }

  /** Leaves the closed store's directory so the next open takes {@code path}. */
  private void prepare(String path) throws IOException {
    switch (path) {
      case "CHECKPOINT" -> assertTrue(Files.exists(dir.resolve(IndexCheckpoint.FILE)));
      case "SEALS" -> Files.delete(dir.resolve(IndexCheckpoint.FILE));
      default -> StoreFixtures.crashShape(dir);
    }
  }

  @Test
  void oneFenceAtATimeAndOrdinaryAppendsAreRefusedWhileOpen() throws Exception {
    try (Store store = Store.open(config())) {
      VisibilityFence fence = store.beginFence();
      FenceActiveException second = assertThrows(FenceActiveException.class, store::beginFence);
      assertTrue(second.getMessage().contains("first global sequence is 0"), second.getMessage());
      assertThrows(FenceActiveException.class, () -> store.append(A, KIND, payload("x")));
      assertThrows(
          FenceActiveException.class,
          () -> store.appendBatch(List.of(BatchItem.of(A, KIND, payload("x")))));
      ExecutionException e =
          assertThrows(
              ExecutionException.class,
              () ->
                  store
                      .submit(A, KIND, payload("x"), AppendOptions.defaults())
                      .get(5, TimeUnit.SECONDS));
      assertInstanceOf(FenceActiveException.class, e.getCause());
      AppendReceipt f = fence.append(A, KIND, payload("f"));
      assertEquals(0, f.globalSequence(), "refused appends took no sequence");
      fence.commit();
      fence.close(); // after a commit: nothing
      AppendReceipt after = store.append(A, KIND, payload("after"));
      assertEquals(1, after.globalSequence());
      assertEquals(1, after.streamSequence());
      try (VisibilityFence next = store.beginFence()) {
        next.append(B, KIND, payload("g"));
      } // closed without a commit: cancelled
      assertEquals(2, store.stats().eventCount());
      assertEquals(0, store.append(B, KIND, payload("b")).streamSequence());
    }
  }

  @Test
  void idempotencyKeysOfCancelledEventsAnswerNothing() {
    IdempotencyKey key = IdempotencyKey.of(7, 11);
    try (Store store = Store.open(config())) {
      try (VisibilityFence fence = store.beginFence()) {
        fence.append(A, KIND, payload("x"), AppendOptions.defaults().withIdempotencyKey(key));
      }
      AppendReceipt r =
          store.append(A, KIND, payload("x"), AppendOptions.defaults().withIdempotencyKey(key));
      assertEquals(1, r.globalSequence(), "the retry is a new event, not the cancelled one");
      assertEquals(0, r.streamSequence());
      assertEquals(
          r, store.append(A, KIND, payload("x"), AppendOptions.defaults().withIdempotencyKey(key)));
    }
  }

  @Test
  void closeWithAnOpenFenceCancelsIt() throws Exception {
    CompletableFuture<AppendReceipt> pending;
    AppendReceipt fenced;
    try (Store store = Store.open(config())) {
      store.append(A, KIND, payload("a0"));
      VisibilityFence fence = store.beginFence();
      fenced = fence.append(A, KIND, payload("a1"));
      pending = fence.submit(A, KIND, payload("a2"), AppendOptions.defaults());
    }
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> pending.get(5, TimeUnit.SECONDS));
    assertInstanceOf(FenceCancelledException.class, e.getCause());
    try (Store store = Store.open(config())) {
      assertEquals(1, store.stats().eventCount());
      assertThrows(EventNotFoundException.class, () -> store.get(fenced.eventId()));
      assertTrue(store.openReport().indexLoad().distrusted().isEmpty(), "a clean cancel");
      assertEquals(1, store.append(A, KIND, payload("a1'")).streamSequence());
    }
  }

  /**
   * A crash (here: the files as a killed process leaves them, copied while the store is open) with
   * a fence open cancels the fence on reopen, whichever load path; a crash after the commit
   * returned shows the fence.
   */
  @Test
  void aCrashWithAnOpenFenceCancelsItAndAfterCommitShowsIt(@TempDir Path copy, Random rnd)
      throws Exception {
    List<AppendReceipt> kept = new ArrayList<>();
    Path committedCopy = copy.resolve("committed");
    Path openCopy = copy.resolve("open");
    try (Store store = Store.open(config().toBuilder().segmentMaxBytes(4096).build())) {
      for (int i = 0; i < 20; i++) {
        kept.add(store.append(rnd.nextBoolean() ? A : B, KIND, payload("k" + i)));
      }
      try (VisibilityFence fence = store.beginFence()) {
        for (int i = 0; i < 10; i++) {
          kept.add(fence.append(rnd.nextBoolean() ? A : B, KIND, payload("c" + i)));
        }
        fence.commit();
      }
      copyDir(dir, committedCopy);
      VisibilityFence open = store.beginFence();
      for (int i = 0; i < 30; i++) {
        open.append(rnd.nextBoolean() ? A : B, KIND, payload("o" + i)); // rotates mid-fence
      }
      copyDir(dir, openCopy);
      open.cancel();
    }
    try (Store store = Store.open(StoreConfig.builder(committedCopy).build())) {
      StoreFixtures.assertIntact(store, kept);
    }
    for (String path : List.of("SEALS", "SCAN")) {
      Path d = copy.resolve("open-" + path);
      copyDir(openCopy, d);
      if (path.equals("SCAN")) {
        StoreFixtures.crashShape(d);
      }
      try (Store store = Store.open(StoreConfig.builder(d).readOnly(true).build())) {
        assertEquals(kept.size(), store.stats().eventCount(), path);
        StoreFixtures.assertIntact(store, kept);
        assertTrue(
            store.openReport().indexLoad().distrusted().stream()
                .anyMatch(n -> n.contains("fence was open")),
            "the open report says a fence was cancelled: " + store.openReport());
      }
      try (Store store = Store.open(StoreConfig.builder(d).build())) {
        StoreFixtures.assertIntactAllowingGaps(store, kept);
        kept.add(store.append(A, KIND, payload("after " + path)));
      }
      try (Store store = Store.open(StoreConfig.builder(d).build())) {
        assertTrue(store.openReport().indexLoad().distrusted().isEmpty(), "cancelled for good");
        StoreFixtures.assertIntactAllowingGaps(store, kept);
      }
      kept.remove(kept.size() - 1);
    }
  }

  private static void copyDir(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (var s = Files.list(from)) {
      for (Path p : s.toList()) {
        if (!p.getFileName().toString().startsWith(".batpak.lock")) {
          Files.copy(p, to.resolve(p.getFileName()));
        }
      }
    }
  }

  /** DURABLE mode: the commit frame's fsync happens before any fenced event is visible. */
  @Test
  void theCommitFsyncPrecedesVisibility() throws Exception {
    try (FaultyFs fs = new FaultyFs();
        Store store = Store.open(StoreConfig.builder(dir).fs(fs).build())) {
      VisibilityFence fence = store.beginFence();
      AppendReceipt r = fence.append(A, KIND, payload("x"));
      FaultyFs.Gate gate = fs.holdNextSync();
      AtomicReference<Throwable> failed = new AtomicReference<>();
      Thread committer =
          new Thread(
              () -> {
                try {
                  fence.commit();
                } catch (Throwable t) {
                  failed.set(t);
                }
              });
      committer.start();
      gate.awaitEntered();
      assertEquals(0, store.stats().eventCount(), "visible during the commit frame's fsync");
      assertThrows(EventNotFoundException.class, () -> store.get(r.eventId()));
      assertEquals(0, store.watermarks().visible());
      gate.open();
      committer.join();
      assertEquals(null, failed.get());
      assertEquals(1, store.stats().eventCount());
      assertTrue(store.verifyReceipt(r).isValid());
    }
  }

  /**
   * A seeded workload over small segments (so they rotate, inside fences too) of ordinary appends,
   * committed fences and cancelled fences, then every load path: each gives the model's reads, and
   * the seals of segments that no fence left a cancelled event in are used.
   */
  @Test
  void everyLoadPathAgreesWithTheModel(Random rnd) throws Exception {
    StoreConfig cfg = config().toBuilder().segmentMaxBytes(4096).build();
    List<AppendReceipt> kept = new ArrayList<>();
    List<AppendReceipt> cancelled = new ArrayList<>();
    List<Coordinate> coords = List.of(A, B, Coordinate.of("order-c", "shop"));
    try (Store store = Store.open(cfg)) {
      for (int round = 0; round < 12; round++) {
        int ordinary = rnd.nextInt(20);
        for (int i = 0; i < ordinary; i++) {
          kept.add(store.append(coords.get(rnd.nextInt(3)), KIND, payload("o" + round + "." + i)));
        }
        boolean commit = rnd.nextBoolean();
        List<AppendReceipt> fenced = new ArrayList<>();
        try (VisibilityFence fence = store.beginFence()) {
          int n = rnd.nextInt(25);
          for (int i = 0; i < n; i++) {
            fenced.add(fence.append(coords.get(rnd.nextInt(3)), KIND, payload("f" + round + i)));
          }
          if (commit) {
            fence.commit();
          }
        }
        (commit ? kept : cancelled).addAll(fenced);
        assertShows(store, kept, cancelled);
      }
      for (int i = 0; i < 40; i++) {
        kept.add(store.append(coords.get(rnd.nextInt(3)), KIND, payload("tail" + i)));
      }
      StoreFixtures.assertIntactAllowingGaps(store, kept);
    }
    List<EventHeader> expected;
    try (Store store = Store.open(cfg.toBuilder().readOnly(true).build())) {
      expected = StoreFixtures.query(store, Region.all());
    }
    boolean sealsUsed = false;
    for (String path : List.of("CHECKPOINT", "SEALS", "SCAN")) {
      prepare(path);
      try (Store store = Store.open(cfg.toBuilder().readOnly(true).build())) {
        assertEquals(expected, StoreFixtures.query(store, Region.all()), path);
        assertShows(store, kept, cancelled);
        StoreFixtures.assertIntactAllowingGaps(store, kept);
        assertTrue(
            store.openReport().indexLoad().distrusted().isEmpty(),
            path + ": " + store.openReport().indexLoad().distrusted());
        sealsUsed |= store.openReport().indexLoad().fromSeals() > 0;
      }
    }
    assertTrue(sealsUsed, "no segment was loaded from its seal");
  }
}
