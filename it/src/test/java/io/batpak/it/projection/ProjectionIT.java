package io.batpak.it.projection;

import static io.batpak.it.projection.Folds.A;
import static io.batpak.it.projection.Folds.B;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.CodecException;
import io.batpak.CompactionConfig;
import io.batpak.CompactionResult;
import io.batpak.Coordinate;
import io.batpak.EventHeader;
import io.batpak.EventId;
import io.batpak.EventKind;
import io.batpak.Freshness;
import io.batpak.Projection;
import io.batpak.ProjectionCacheStats;
import io.batpak.ProjectionResult;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.ValidationException;
import io.batpak.VisibilityFence;
import io.batpak.engine.internal.projection.ProjectionCache;
import io.batpak.fs.sim.SimEntropy;
import io.batpak.fs.sim.SimStoreClock;
import io.batpak.fs.sim.SimStoreFs;
import io.batpak.it.projection.Folds.Acc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Projections (ADR 0021, docs/projections.md): a projection is the left fold over the stream (a
 * plain loop over {@code stream(entity)} and {@code get}), with and without the cache, on seeded
 * workloads with reopens; region projections at one watermark under concurrent appends; cancelled
 * fences, RETAIN and TOMBSTONE compactions; damaged cache entries are counted misses; {@code
 * projectIfChanged}, {@code maxStale}, read-only stores and codec-less stores.
 */
class ProjectionIT {
  private static final int STREAMS = 5;

  @TempDir Path tmp;

  private static long seed() {
    Long fixed = Long.getLong("batpak.test.seed");
    long seed = fixed != null ? fixed : new Random().nextLong();
    System.out.println(
        "ProjectionIT seed " + seed + " (rerun with -Dbatpak.test.seed=" + seed + ")");
    return seed;
  }

  private StoreConfig.Builder config(Path dir) {
    return StoreConfig.builder(dir).segmentMaxBytes(4096).projectionCache(true);
  }

  /** Asserts every stream's projections against the loop; returns the results by stream. */
  private static List<ProjectionResult<Acc>> checkAll(Store s, Projection<Acc> p, String why) {
    List<ProjectionResult<Acc>> out = new ArrayList<>();
    for (int i = 0; i < STREAMS; i++) {
      String entity = Folds.entity(i);
      ProjectionResult<Acc> r = s.project(entity, p);
      assertEquals(Folds.loop(s, entity, p), r.state(), why + ": " + p + " of " + entity);
      // The stream version counts events compaction dropped (they keep their sequence).
      List<EventHeader> headers = s.stream(entity);
      long atLeast = headers.isEmpty() ? 0 : headers.get(headers.size() - 1).streamSequence() + 1;
      assertTrue(r.streamVersion() >= atLeast, why + ": version of " + entity);
      out.add(r);
    }
    return out;
  }

  @Test
  void aProjectionIsTheLeftFoldWithOrWithoutTheCacheAcrossReopens() throws IOException {
    long seed = seed();
    Random rnd = new Random(seed);
    Path dir = tmp.resolve("store");
    String why = "seed " + seed;
    for (int round = 0; round < 8; round++) {
      int every = new int[] {1, 7, 1000}[rnd.nextInt(3)];
      boolean readOnly = round > 0 && rnd.nextInt(4) == 0;
      try (Store s =
          Store.open(config(dir).projectionCacheEvery(every).readOnly(readOnly).build())) {
        if (!readOnly) {
          Folds.append(s, rnd, 20 + rnd.nextInt(120), STREAMS);
        }
        List<String> before = files(dir);
        for (Projection<Acc> p : List.of(Folds.all(1), Folds.onlyA())) {
          List<ProjectionResult<Acc>> first = checkAll(s, p, why + " round " + round);
          // Again with nothing appended: from the cache (when it was written), the same state.
          List<ProjectionResult<Acc>> second = checkAll(s, p, why + " again");
          for (int i = 0; i < STREAMS; i++) {
            assertEquals(first.get(i).state(), second.get(i).state(), why);
            assertEquals(first.get(i).watermark(), second.get(i).watermark(), why);
            if (!readOnly && every == 1 && first.get(i).streamVersion() > 0) {
              assertTrue(second.get(i).fromCache(), why + ": the first call wrote an entry");
              assertEquals(0, second.get(i).replayed(), why + ": nothing newer to fold");
            }
          }
        }
        // The same folds with the cache off (a fold over everything) agree.
        ProjectionCacheStats stats = s.projectionCacheStats();
        if (readOnly) {
          assertEquals(0, stats.writes(), why + ": a read-only store never writes the cache");
          assertEquals(before, files(dir), why + ": nor any file");
        }
        assertEquals(0, stats.damaged() + stats.keyMismatches() + stats.stale(), why + stats);
      }
    }
    try (Store s = Store.open(config(dir).projectionCache(false).readOnly(true).build())) {
      List<ProjectionResult<Acc>> cold = checkAll(s, Folds.all(1), why + " cache off");
      for (ProjectionResult<Acc> r : cold) {
        assertFalse(r.fromCache());
      }
      assertEquals(new ProjectionCacheStats(0, 0, 0, 0, 0, 0, 0, 0), s.projectionCacheStats());
    }
  }

  @Test
  void anIncrementalFoldFromTheCacheFoldsOnlyTheNewerEvents() {
    Path dir = tmp.resolve("inc");
    try (Store s = Store.open(config(dir).projectionCacheEvery(1).build())) {
      Coordinate c = Coordinate.of("acct-0", "bank");
      for (int i = 0; i < 10; i++) {
        s.append(c, A, Bytes.utf8("e" + i));
      }
      ProjectionResult<Acc> r1 = s.project("acct-0", Folds.all(1));
      assertEquals(10, r1.replayed());
      assertFalse(r1.fromCache());
      assertEquals(10, r1.streamVersion());
      s.append(c, B, Bytes.utf8("e10"));
      s.append(Coordinate.of("acct-1", "bank"), A, Bytes.utf8("other"));
      ProjectionResult<Acc> r2 = s.project("acct-0", Folds.all(1));
      assertTrue(r2.fromCache());
      assertEquals(1, r2.replayed(), "only the new event of the stream");
      assertEquals(11, r2.streamVersion());
      assertEquals(11, r2.watermark(), "every visible event: 12 in the store");
      assertEquals(Folds.loop(s, "acct-0", Folds.all(1)), r2.state());
      // A new schema version ignores the old entry (a counted miss) and replaces it.
      ProjectionResult<Acc> v2 = s.project("acct-0", Folds.all(2));
      assertFalse(v2.fromCache());
      assertEquals(11, v2.replayed());
      assertEquals(1, s.projectionCacheStats().schemaMismatches());
      assertTrue(s.project("acct-0", Folds.all(2)).fromCache());
    }
  }

  @Test
  void projectIfChangedTakesTheStreamVersionBack() {
    try (Store s = Store.open(config(tmp.resolve("changed")).build())) {
      Projection<Acc> p = Folds.all(1);
      assertEquals(Optional.empty(), s.projectIfChanged("acct-0", p, 0), "empty and never seen");
      Coordinate c = Coordinate.of("acct-0", "bank");
      s.append(c, A, Bytes.utf8("a"));
      ProjectionResult<Acc> r = s.projectIfChanged("acct-0", p, 0).orElseThrow();
      assertEquals(1, r.streamVersion());
      assertEquals(Optional.empty(), s.projectIfChanged("acct-0", p, r.streamVersion()));
      s.append(Coordinate.of("acct-1", "bank"), A, Bytes.utf8("elsewhere"));
      assertEquals(
          Optional.empty(),
          s.projectIfChanged("acct-0", p, r.streamVersion()),
          "another stream's event is no change of this one");
      s.append(c, B, Bytes.utf8("b"));
      ProjectionResult<Acc> r2 = s.projectIfChanged("acct-0", p, r.streamVersion()).orElseThrow();
      assertEquals(2, r2.streamVersion());
      assertEquals(Folds.loop(s, "acct-0", p), r2.state());
      assertTrue(
          s.projectIfChanged("acct-0", p, 5).isPresent(), "a version the stream does not have");
      ValidationException e =
          assertThrows(ValidationException.class, () -> s.projectIfChanged("acct-0", p, -1));
      assertTrue(e.getMessage().contains("-1"), e.getMessage());
    }
  }

  @Test
  void maxStaleServesAYoungCacheEntryAndConsistentNever() {
    SimStoreFs fs = new SimStoreFs(7);
    SimStoreClock clock = new SimStoreClock();
    StoreConfig cfg =
        StoreConfig.builder(Path.of("/sim/store"))
            .fs(fs)
            .clock(clock)
            .entropy(new SimEntropy(7))
            .deterministic(true)
            .projectionCache(true)
            .projectionCacheEvery(1)
            .build();
    try (Store s = Store.open(cfg)) {
      Coordinate c = Coordinate.of("acct-0", "bank");
      s.append(c, A, Bytes.utf8("a"));
      ProjectionResult<Acc> made = s.project("acct-0", Folds.all(1));
      s.append(c, A, Bytes.utf8("b"));
      clock.advance(Duration.ofSeconds(5));
      ProjectionResult<Acc> stale =
          s.project("acct-0", Folds.all(1), Freshness.maxStale(Duration.ofSeconds(10)));
      assertEquals(made.state(), stale.state(), "the entry made 5 s ago is young enough");
      assertEquals(made.watermark(), stale.watermark(), "and says what it reflects");
      assertEquals(0, stale.replayed());
      assertTrue(stale.fromCache());
      ProjectionResult<Acc> consistent = s.project("acct-0", Folds.all(1), Freshness.CONSISTENT);
      assertEquals(2, consistent.streamVersion());
      assertEquals(Folds.loop(s, "acct-0", Folds.all(1)), consistent.state());
      s.append(c, A, Bytes.utf8("c"));
      clock.advance(Duration.ofSeconds(11));
      ProjectionResult<Acc> old =
          s.project("acct-0", Folds.all(1), Freshness.maxStale(Duration.ofSeconds(10)));
      assertEquals(3, old.streamVersion(), "an entry 11 s old is too old: folded to the end");
      assertThrows(ValidationException.class, () -> Freshness.maxStale(Duration.ofSeconds(-1)));
    }
  }

  // ---------------------------------------------------------------- damaged entries

  enum Damage {
    TRUNCATED,
    BIT_FLIP_IN_STATE,
    BIT_FLIP_IN_HEADER,
    EMPTY,
    WRONG_KEY,
    WRONG_SCHEMA
  }

  @ParameterizedTest
  @EnumSource(Damage.class)
  void aDamagedEntryIsACountedMissNeverAnError(Damage damage) throws IOException {
    Path dir = tmp.resolve("damage");
    Projection<Acc> p = Folds.all(1);
    Acc expected;
    Path entry;
    try (Store s = Store.open(config(dir).projectionCacheEvery(1).build())) {
      Folds.append(s, new Random(damage.ordinal()), 60, 2);
      expected = s.project("acct-0", p).state();
      s.project("acct-1", p);
      entry = ProjectionCache.file(dir, p.id(), "acct-0");
      assertTrue(Files.exists(entry), entry.toString());
    }
    byte[] bytes = Files.readAllBytes(entry);
    switch (damage) {
      case TRUNCATED -> Files.write(entry, java.util.Arrays.copyOf(bytes, bytes.length - 5));
      case BIT_FLIP_IN_STATE -> {
        bytes[bytes.length - 3] ^= 0x10;
        Files.write(entry, bytes);
      }
      case BIT_FLIP_IN_HEADER -> {
        bytes[9] ^= 0x01; // the version: believed only once the header's CRC holds
        Files.write(entry, bytes);
      }
      case EMPTY -> Files.write(entry, new byte[0]);
      case WRONG_KEY -> {
        // The entry of another stream under this stream's name (a file-name hash collision).
        Path other = ProjectionCache.file(dir, p.id(), "acct-1");
        Files.copy(other, entry, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
      case WRONG_SCHEMA -> {
        // The entry of schema version 4 where version 1 is asked for.
        try (Store s = Store.open(config(dir).projectionCacheEvery(1).build())) {
          s.project("acct-0", Folds.all(4));
        }
      }
      default -> throw new AssertionError(damage);
    }
    try (Store s = Store.open(config(dir).projectionCacheEvery(1).build())) {
      ProjectionResult<Acc> r = s.project("acct-0", p);
      assertEquals(expected, r.state(), damage + ": folded from the start");
      assertFalse(r.fromCache(), damage.toString());
      ProjectionCacheStats st = s.projectionCacheStats();
      assertEquals(1, st.misses(), damage + ": " + st);
      long counted =
          switch (damage) {
            case WRONG_KEY -> st.keyMismatches();
            case WRONG_SCHEMA -> st.schemaMismatches();
            default -> st.damaged();
          };
      assertEquals(1, counted, damage + ": " + st);
      assertEquals(1, st.writes(), "the miss is repaired: " + st);
      ProjectionResult<Acc> again = s.project("acct-0", p);
      assertTrue(again.fromCache(), damage + ": the rewritten entry is a hit");
      assertEquals(expected, again.state());
    }
  }

  private static List<String> files(Path dir) throws IOException {
    Path projections = dir.resolve("projections");
    if (!Files.isDirectory(projections)) {
      return List.of();
    }
    try (Stream<Path> list = Files.list(projections)) {
      List<String> out = new ArrayList<>();
      for (Path f : list.sorted().toList()) {
        out.add(f.getFileName() + ":" + Files.size(f) + ":" + Files.getLastModifiedTime(f));
      }
      return out;
    }
  }

  @Test
  void aDamagedFrameIsReportedWithItsFileAndOffset() throws IOException {
    Path dir = tmp.resolve("damaged-frame");
    io.batpak.engine.FrameLocation where;
    try (Store s = Store.open(StoreConfig.builder(dir).build())) {
      Coordinate c = Coordinate.of("acct-0", "bank");
      AppendReceipt middle = null;
      for (int i = 0; i < 50; i++) {
        AppendReceipt r = s.append(c, A, Bytes.utf8("payload number " + i));
        if (i == 25) {
          middle = r;
        }
      }
      where = io.batpak.engine.FrameLocation.of(s, middle.eventId());
    }
    Path segment = dir.resolve(where.segmentFileName());
    byte[] bytes = Files.readAllBytes(segment);
    bytes[(int) where.offset() + where.length() - 3] ^= 0x40; // inside the payload
    Files.write(segment, bytes);
    try (Store s = Store.open(StoreConfig.builder(dir).readOnly(true).build())) {
      for (Projection<Acc> p : List.of(Folds.all(1), Folds.onlyA())) {
        io.batpak.CorruptStoreException e =
            assertThrows(io.batpak.CorruptStoreException.class, () -> s.project("acct-0", p));
        assertTrue(e.getMessage().contains(where.segmentFileName()), e.getMessage());
        assertTrue(e.getMessage().contains(Long.toString(where.offset())), e.getMessage());
      }
    }
  }

  // ---------------------------------------------------------------- fences and compaction

  @Test
  void eventsOfACancelledFenceNeverReachApply() {
    try (Store s = Store.open(config(tmp.resolve("fence")).projectionCacheEvery(1).build())) {
      Coordinate c = Coordinate.of("acct-0", "bank");
      s.append(c, A, Bytes.utf8("before"));
      Set<EventId> cancelled = new HashSet<>();
      try (VisibilityFence f = s.beginFence()) {
        cancelled.add(f.append(c, A, Bytes.utf8("fenced 1")).eventId());
        cancelled.add(f.append(Coordinate.of("acct-1", "bank"), B, Bytes.utf8("2")).eventId());
        f.cancel();
      }
      s.append(c, B, Bytes.utf8("after"));
      Set<EventId> seen = new HashSet<>();
      Projection<Acc> spy =
          Projection.of(
              "spy",
              1,
              Set.of(),
              Acc.INITIAL,
              Acc.class,
              (a, e) -> {
                seen.add(e.header().eventId());
                return a.step(e);
              });
      ProjectionResult<Acc> r = s.project("acct-0", spy);
      assertEquals(2, r.state().count());
      assertEquals(2, r.streamVersion());
      assertEquals(Folds.loop(s, "acct-0", spy), r.state());
      ProjectionResult<Acc> region = s.project(Region.all(), spy);
      assertEquals(2, region.state().count(), "the region holds two visible events");
      assertEquals(3, region.watermark(), "global sequences 0..3, 1 and 2 cancelled");
      for (EventId id : cancelled) {
        assertFalse(seen.contains(id), "a cancelled event reached apply: " + id);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = CompactionConfig.Strategy.class,
      names = {"RETAIN", "TOMBSTONE"})
  void aCompactionMakesTheCachedStateOfItsStreamsAMiss(CompactionConfig.Strategy strategy) {
    long seed = seed();
    Random rnd = new Random(seed);
    Path dir = tmp.resolve("compact-" + strategy);
    List<Projection<Acc>> projections = List.of(Folds.all(1), Folds.onlyA());
    List<Acc> beforeCompaction = new ArrayList<>();
    try (Store s = Store.open(config(dir).projectionCacheEvery(1).build())) {
      Folds.append(s, rnd, 200, STREAMS);
      try (VisibilityFence f = s.beginFence()) { // cancelled rows, which compaction drops too
        for (int i = 0; i < 20; i++) {
          f.append(Coordinate.of(Folds.entity(i % STREAMS), "bank"), A, Bytes.utf8("fenced"));
        }
        f.cancel();
      }
      Folds.append(s, rnd, 200, STREAMS); // dozens of 4 KiB segments, all but one sealed
      for (Projection<Acc> p : projections) {
        for (ProjectionResult<Acc> r : checkAll(s, p, "seed " + seed)) {
          beforeCompaction.add(r.state());
        }
      }
      CompactionConfig cfg =
          strategy == CompactionConfig.Strategy.RETAIN
              ? CompactionConfig.retain(e -> e.header().kind().equals(A))
              : CompactionConfig.tombstone(e -> e.header().kind().equals(A));
      CompactionResult done = s.compact(cfg);
      assertEquals(CompactionResult.Outcome.PERFORMED, done.outcome(), done.toString());
      List<Acc> after = new ArrayList<>();
      for (Projection<Acc> p : projections) {
        for (ProjectionResult<Acc> r : checkAll(s, p, "seed " + seed + " after " + strategy)) {
          after.add(r.state());
        }
      }
      assertNotEquals(beforeCompaction, after, "the compaction changed what the streams hold");
      ProjectionCacheStats st = s.projectionCacheStats();
      assertTrue(st.stale() > 0, "stale entries were misses: " + st);
    }
    try (Store s = Store.open(config(dir).readOnly(true).build())) {
      for (Projection<Acc> p : projections) {
        for (ProjectionResult<Acc> r : checkAll(s, p, "seed " + seed + " reopened")) {
          assertTrue(r.fromCache(), "the entries written after the compaction hold");
        }
      }
    }
  }

  @Test
  void foldsRunningWhileACompactionMovesTheirRowsNeitherFailNorSkip() throws Exception {
    long seed = seed();
    Path dir = tmp.resolve("compact-concurrent");
    // What a tombstone keeps: the event's place (its sequences), so this state is the same
    // before, during and after a TOMBSTONE compaction; a skipped or doubled row changes it.
    Projection<Long> shape =
        Projection.of(
                "shape",
                1,
                Set.of(),
                0L,
                Long.class,
                (h, e) -> h * 31 + e.header().streamSequence() * 7 + e.header().globalSequence())
            .headersOnly();
    // Without the cache, so every call folds the whole stream while the rows move.
    try (Store s = Store.open(config(dir).projectionCache(false).build())) {
      Folds.append(s, new Random(seed), 600, 2);
      long expected0 = s.project("acct-0", shape).state();
      long expected1 = s.project("acct-1", shape).state();
      AtomicBoolean stop = new AtomicBoolean();
      List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
      long[] folds = new long[1];
      Thread reader =
          new Thread(
              () -> {
                try {
                  while (!stop.get()) {
                    assertEquals(expected0, s.project("acct-0", shape).state());
                    assertEquals(expected1, s.project("acct-1", shape).state());
                    folds[0]++;
                  }
                } catch (Throwable t) {
                  failures.add(t);
                }
              });
      reader.start();
      CompactionResult done = s.compact(CompactionConfig.tombstone(e -> false));
      stop.set(true);
      reader.join();
      assertEquals(List.of(), failures, "seed " + seed);
      assertEquals(CompactionResult.Outcome.PERFORMED, done.outcome(), done.toString());
      assertTrue(folds[0] > 0);
      for (String entity : List.of("acct-0", "acct-1")) {
        ProjectionResult<Acc> r = s.project(entity, Folds.all(1));
        assertEquals(Folds.loop(s, entity, Folds.all(1)), r.state(), "seed " + seed);
      }
      assertEquals(expected0, s.project("acct-0", shape).state());
    }
  }

  // ---------------------------------------------------------------- regions

  @Test
  void aRegionProjectionFoldsAtOneWatermarkUnderConcurrentAppends() throws Exception {
    long seed = seed();
    Region region = Region.entity("r");
    Projection<Acc> p = Projection.of("region", 1, Set.of(), Acc.INITIAL, Acc.class, Acc::step);
    try (Store s = Store.open(StoreConfig.builder(tmp.resolve("region")).build())) {
      AtomicBoolean stop = new AtomicBoolean();
      CountDownLatch started = new CountDownLatch(4);
      List<Thread> appenders = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        Random rnd = new Random(seed + t);
        int id = t;
        Thread th =
            new Thread(
                () -> {
                  started.countDown();
                  while (!stop.get()) {
                    String e = (rnd.nextBoolean() ? "r:" : "q:") + id + "-" + rnd.nextInt(3);
                    s.append(Coordinate.of(e, "x"), rnd.nextBoolean() ? A : B, Bytes.utf8(e));
                  }
                });
        th.start();
        appenders.add(th);
      }
      started.await();
      List<ProjectionResult<Acc>> results = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        results.add(s.project(region, p));
      }
      stop.set(true);
      for (Thread th : appenders) {
        th.join();
      }
      long previous = -2;
      for (ProjectionResult<Acc> r : results) {
        assertTrue(r.watermark() >= previous, "watermarks never go back");
        previous = r.watermark();
        // The oracle: the region's events at or below the watermark, read after the fact.
        Acc expected = Acc.INITIAL;
        for (EventHeader h : all(s, region)) {
          if (h.globalSequence() <= r.watermark()) {
            expected = expected.step(s.get(h.eventId()));
          }
        }
        assertEquals(expected, r.state(), "seed " + seed + " at watermark " + r.watermark());
        assertEquals(-1, r.streamVersion());
      }
    }
  }

  private static List<EventHeader> all(Store s, Region region) {
    List<EventHeader> out = new ArrayList<>();
    long after = -1;
    while (true) {
      List<EventHeader> page = s.queryAfter(region, after, 1000);
      out.addAll(page);
      if (page.size() < 1000) {
        return out;
      }
      after = page.get(page.size() - 1).globalSequence();
    }
  }

  // ---------------------------------------------------------------- contract

  @Test
  void headersOnlyFoldsGetEmptyPayloadsAndFullHeaders() {
    try (Store s = Store.open(StoreConfig.builder(tmp.resolve("headers")).build())) {
      AppendReceipt r = s.append(Coordinate.of("h", "x"), A, Bytes.utf8("twelve bytes"));
      List<Integer> sizes = new ArrayList<>();
      Projection<Acc> p =
          Projection.of(
                  "h",
                  0,
                  Set.of(),
                  Acc.INITIAL,
                  Acc.class,
                  (a, e) -> {
                    sizes.add(e.payload().size());
                    sizes.add(e.header().payloadSize());
                    return a.step(e);
                  })
              .headersOnly();
      assertFalse(p.readsPayloads());
      ProjectionResult<Acc> res = s.project("h", p);
      assertEquals(List.of(0, 12), sizes);
      assertEquals(r.globalSequence(), res.state().last());
      assertEquals(Acc.INITIAL, s.project("nobody", p).state(), "an unknown stream");
    }
  }

  @Test
  void idsAreValidatedAndNamed() {
    for (String bad : List.of("", "has space", "slash/dot", "x".repeat(129), "ümlaut")) {
      ValidationException e =
          assertThrows(
              ValidationException.class,
              () -> Projection.of(bad, 1, Set.of(), 0L, Long.class, (a, ev) -> a));
      assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
    }
    Projection.checkId("x".repeat(128));
    Projection.checkId("orders.totals_v-2");
    Projection<Long> sneaky =
        new Projection<>() {
          @Override
          public String id() {
            return "../escape";
          }

          @Override
          public int schemaVersion() {
            return 1;
          }

          @Override
          public Set<EventKind> kinds() {
            return Set.of();
          }

          @Override
          public Long initial() {
            return 0L;
          }

          @Override
          public Long apply(Long state, io.batpak.StoredEvent event) {
            return state;
          }

          @Override
          public Class<Long> stateType() {
            return Long.class;
          }
        };
    try (Store s = Store.open(config(tmp.resolve("ids")).build())) {
      ValidationException e =
          assertThrows(ValidationException.class, () -> s.project("acct-0", sneaky));
      assertTrue(e.getMessage().contains("'../escape'"), e.getMessage());
      NullPointerException n =
          assertThrows(NullPointerException.class, () -> s.project((String) null, sneaky));
      assertEquals("entity must not be null", n.getMessage());
      assertThrows(
          ValidationException.class,
          () -> Projection.of("neg", -1, Set.of(), 0L, Long.class, (a, ev) -> a));
    }
  }

  @Test
  void aStoreWithoutACodecCannotCache() {
    Path dir = tmp.resolve("bytes");
    StoreConfig cfg = StoreConfig.builder(dir).codec("bytes").projectionCache(true).build();
    CodecException e = assertThrows(CodecException.class, () -> Store.open(cfg));
    assertTrue(e.getMessage().contains("projection cache"), e.getMessage());
    // The failed open released everything: the store opens without the cache.
    try (Store s = Store.open(cfg.toBuilder().projectionCache(false).build())) {
      s.append(Coordinate.of("b", "x"), A, Bytes.utf8("x"));
      assertEquals(1, s.project("b", Folds.all(1)).state().count());
    }
  }
}
