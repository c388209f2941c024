package io.batpak.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.CompactionConfig;
import io.batpak.CompactionResult;
import io.batpak.Coordinate;
import io.batpak.Cursor;
import io.batpak.EventKind;
import io.batpak.OpenReport;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StoreListener;
import io.batpak.fs.sim.SimEntropy;
import io.batpak.fs.sim.SimStoreClock;
import io.batpak.fs.sim.SimStoreFs;
import io.batpak.port.FileHandle;
import io.batpak.test.BatpakTest;
import io.batpak.test.SimStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The meters of {@link BatpakMetrics}, on stores over fs-sim, hold the values the store's work
 * implies: the events counter is the events appended, the group-size summary counts the groups, the
 * fsync timer counts one fsync per group in DURABLE mode, the bytes counter is the journal's
 * growth, the watermark gauges follow appends and syncs, a cursor's lag is what it has not
 * checkpointed, a compaction's gauges hold its last progress report. Random sizes come from the
 * test kit's seed, printed with a replay line on failure ({@code -Dbatpak.test.seed=<seed>}).
 */
@BatpakTest
class BatpakMetricsTest {
  private static final Path DIR = Path.of("/metrics");
  private static final Path FIRST_SEGMENT = DIR.resolve("0000000001.seg");
  private static final EventKind KIND = EventKind.custom(1, 1);

  /** The test's seed, from the test kit (printed, and in the replay line of a failure). */
  private long seed;

  @BeforeEach
  void takeTheKitsSeed(SimStore kit) {
    seed = kit.seed();
  }

  private StoreConfig.Builder sim(SimStoreFs fs, BatpakMetrics metrics) {
    return StoreConfig.builder(DIR)
        .fs(fs)
        .clock(new SimStoreClock())
        .entropy(new SimEntropy(seed))
        .deterministic(true)
        .listener(metrics);
  }

  private static long size(SimStoreFs fs, Path file) throws IOException {
    try (FileHandle h = fs.openRead(file)) {
      return h.size();
    }
  }

  private static double gauge(MeterRegistry r, String name, String... tags) {
    return r.get(name).tags(tags).gauge().value();
  }

  @Test
  void durableGroupsCountEventsBytesFsyncsAndQueueDepth() throws IOException {
    MeterRegistry registry = new SimpleMeterRegistry();
    BatpakMetrics metrics = BatpakMetrics.bind(registry, Tags.of("store", "orders"));
    Random random = new Random(seed);
    try (SimStoreFs fs = new SimStoreFs(seed);
        Store store = Store.open(sim(fs, metrics).build())) {
      long emptySegment = size(fs, FIRST_SEGMENT);
      int groups = 0;
      int events = 0;
      int largest = 0;
      for (int g = 0; g < 40; g++) {
        int n = 1 + random.nextInt(8);
        if (n == 1) {
          store.append(Coordinate.of("single", "shop"), KIND, Bytes.utf8("one " + g));
        } else {
          List<BatchItem> batch = new ArrayList<>();
          for (int i = 0; i < n; i++) {
            Coordinate c = Coordinate.of("order-" + random.nextInt(5), "shop");
            batch.add(BatchItem.of(c, KIND, Bytes.ofOwned(new byte[random.nextInt(300)])));
          }
          store.appendBatch(batch); // deterministic: one append, one group
        }
        groups++;
        events += n;
        largest = Math.max(largest, n);
      }
      String tag = "store";
      assertEquals(events, registry.get(BatpakMetrics.EVENTS).tag(tag, "orders").counter().count());
      assertEquals(
          size(fs, FIRST_SEGMENT) - emptySegment,
          (long) registry.get(BatpakMetrics.BYTES).counter().count(),
          "the bytes counter is the journal's growth");
      var groupSize = registry.get(BatpakMetrics.GROUP_SIZE).summary();
      assertEquals(groups, groupSize.count(), "one sample per group");
      assertEquals(events, (long) groupSize.totalAmount());
      assertEquals(largest, (long) groupSize.max());
      Timer fsync = registry.get(BatpakMetrics.FSYNC).timer();
      assertEquals(groups, fsync.count(), "DURABLE: one fsync per group");
      var depth = registry.get(BatpakMetrics.QUEUE_DEPTH).summary();
      assertEquals(groups, depth.count());
      assertEquals(1, depth.max(), "deterministic mode: each append finds the queue empty");
      for (String w : List.of("written", "durable", "visible")) {
        assertEquals(events, gauge(registry, BatpakMetrics.WATERMARK, "watermark", w), w);
      }
      assertEquals(0, gauge(registry, BatpakMetrics.WATERMARK_LAG));
    }
  }

  @Test
  void visibleModeLagsUntilTheSync() {
    MeterRegistry registry = new SimpleMeterRegistry();
    try (SimStoreFs fs = new SimStoreFs(seed);
        Store store =
            Store.open(
                sim(fs, BatpakMetrics.bind(registry))
                    .visible(1000, java.time.Duration.ofSeconds(10))
                    .build())) {
      for (int i = 0; i < 7; i++) {
        store.append(Coordinate.of("e", "s"), KIND, Bytes.utf8("v" + i));
      }
      assertEquals(7, gauge(registry, BatpakMetrics.WATERMARK, "watermark", "visible"));
      assertEquals(0, gauge(registry, BatpakMetrics.WATERMARK, "watermark", "durable"));
      assertEquals(7, gauge(registry, BatpakMetrics.WATERMARK_LAG), "visible, not durable");
      assertEquals(0, registry.get(BatpakMetrics.FSYNC).timer().count());
      store.sync();
      assertEquals(7, gauge(registry, BatpakMetrics.WATERMARK, "watermark", "durable"));
      assertEquals(0, gauge(registry, BatpakMetrics.WATERMARK_LAG));
      assertEquals(1, registry.get(BatpakMetrics.FSYNC).timer().count());
      assertEquals(7, registry.get(BatpakMetrics.GROUP_SIZE).summary().count());
    }
  }

  @Test
  void anOpenRecordsItsTimeAndEachPhase() {
    SimStoreClock clock = new SimStoreClock();
    try (SimStoreFs fs = new SimStoreFs(seed)) {
      try (Store store =
          Store.open(sim(fs, BatpakMetrics.bind(new SimpleMeterRegistry())).build())) {
        for (int i = 0; i < 12; i++) {
          store.append(Coordinate.of("e", "s"), KIND, Bytes.utf8("e" + i));
        }
      }
      MeterRegistry registry = new SimpleMeterRegistry();
      try (Store store = Store.open(sim(fs, BatpakMetrics.bind(registry)).clock(clock).build())) {
        OpenReport report = store.openReport();
        Timer open = registry.get(BatpakMetrics.OPEN).timer();
        assertEquals(1, open.count());
        assertEquals(report.elapsedMicros(), (long) open.totalTime(TimeUnit.MICROSECONDS));
        assertTrue(!report.indexLoad().phases().isEmpty(), "the open reports its phases");
        for (OpenReport.Phase p : report.indexLoad().phases()) {
          Timer t = registry.get(BatpakMetrics.OPEN_PHASE).tag("phase", p.name()).timer();
          assertEquals(1, t.count(), p.name());
          assertEquals(p.micros(), (long) t.totalTime(TimeUnit.MICROSECONDS), p.name());
        }
        assertEquals(12, gauge(registry, BatpakMetrics.WATERMARK, "watermark", "visible"));
        assertEquals(12, gauge(registry, BatpakMetrics.WATERMARK, "watermark", "durable"));
      }
    }
  }

  @Test
  void aCursorsLagIsWhatItHasNotCheckpointed() {
    MeterRegistry registry = new SimpleMeterRegistry();
    try (SimStoreFs fs = new SimStoreFs(seed);
        Store store = Store.open(sim(fs, BatpakMetrics.bind(registry)).build())) {
      for (int i = 0; i < 10; i++) {
        store.append(Coordinate.of("order", "shop"), KIND, Bytes.utf8("o" + i));
      }
      try (Cursor c = store.cursor(Region.all(), "billing")) {
        assertEquals(4, c.pollBatch(4).size());
        c.checkpoint();
        assertEquals(6, gauge(registry, BatpakMetrics.CURSOR_LAG, "cursor", "billing"));
        for (int i = 0; i < 5; i++) {
          store.append(Coordinate.of("order", "shop"), KIND, Bytes.utf8("p" + i));
        }
        assertEquals(11, c.pollBatch(100).size());
        c.checkpoint();
        assertEquals(0, gauge(registry, BatpakMetrics.CURSOR_LAG, "cursor", "billing"));
      }
    }
  }

  @Test
  void aCompactionsGaugesHoldItsLastProgressReport() {
    MeterRegistry registry = new SimpleMeterRegistry();
    try (SimStoreFs fs = new SimStoreFs(seed);
        Store store =
            Store.open(sim(fs, BatpakMetrics.bind(registry)).segmentMaxBytes(4096).build())) {
      for (int i = 0; i < 60; i++) {
        store.append(Coordinate.of("e-" + (i % 3), "s"), KIND, Bytes.ofOwned(new byte[200]));
      }
      AtomicLong lastDone = new AtomicLong(-1);
      AtomicLong lastTotal = new AtomicLong(-1);
      CompactionResult r =
          store.compact(
              CompactionConfig.retain(e -> e.header().coordinate().entity().equals("e-0"))
                  .progress(
                      (done, total) -> {
                        lastDone.set(done);
                        lastTotal.set(total);
                      }));
      assertEquals(CompactionResult.Outcome.PERFORMED, r.outcome(), r.reason());
      assertTrue(lastTotal.get() > 0, "the caller's progress still gets every report");
      assertTrue(
          lastDone.get() > 0 && lastDone.get() <= lastTotal.get(), lastDone + "/" + lastTotal);
      assertEquals(lastDone.get(), (long) gauge(registry, BatpakMetrics.COMPACTION_READ));
      assertEquals(
          (double) lastDone.get() / lastTotal.get(),
          gauge(registry, BatpakMetrics.COMPACTION_PROGRESS),
          "the gauges hold the last report the caller got");
    }
  }

  @Test
  void concurrentAppendersAddUp() throws Exception {
    MeterRegistry registry = new SimpleMeterRegistry();
    try (SimStoreFs fs = new SimStoreFs(seed)) {
      // A committer thread and the system clock: groups form as the four writers race.
      StoreConfig config =
          StoreConfig.builder(DIR).fs(fs).listener(BatpakMetrics.bind(registry)).build();
      try (Store store = Store.open(config)) {
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
          String entity = "writer-" + t;
          threads.add(
              new Thread(
                  () -> {
                    for (int i = 0; i < 250; i++) {
                      store.append(Coordinate.of(entity, "s"), KIND, Bytes.utf8("x" + i));
                    }
                  }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
          t.join();
        }
        var groupSize = registry.get(BatpakMetrics.GROUP_SIZE).summary();
        assertEquals(1000, registry.get(BatpakMetrics.EVENTS).counter().count());
        assertEquals(1000, (long) groupSize.totalAmount());
        assertEquals(groupSize.count(), registry.get(BatpakMetrics.FSYNC).timer().count());
        assertEquals(groupSize.count(), registry.get(BatpakMetrics.QUEUE_DEPTH).summary().count());
        assertTrue(registry.get(BatpakMetrics.QUEUE_DEPTH).summary().max() <= 4, "one per thread");
        assertEquals(1000, gauge(registry, BatpakMetrics.WATERMARK, "watermark", "visible"));
      }
    }
  }

  @Test
  void theSampleInDocsMetricsCountsWhatItAppends() {
    Path dir = Path.of("/orders");
    try (SimStoreFs fs = new SimStoreFs(seed)) {
      // sample:bind
      MeterRegistry registry = new SimpleMeterRegistry(); // yours: Prometheus, OTLP, JMX...
      StoreListener metrics = BatpakMetrics.bind(registry, Tags.of("store", "orders"));
      StoreConfig.Builder config = StoreConfig.builder(dir).listener(metrics);
      // end-sample:bind
      try (Store store = Store.open(config.fs(fs).clock(new SimStoreClock()).build())) {
        store.append(Coordinate.of("order:1", "shop"), KIND, Bytes.utf8("placed"));
        assertEquals(
            1, registry.get(BatpakMetrics.EVENTS).tag("store", "orders").counter().count());
      }
    }
  }

  @Test
  void nullsAreRefusedByName() {
    NullPointerException e =
        assertThrows(NullPointerException.class, () -> BatpakMetrics.bind(null));
    assertEquals("registry", e.getMessage());
    e =
        assertThrows(
            NullPointerException.class, () -> BatpakMetrics.bind(new SimpleMeterRegistry(), null));
    assertEquals("tags", e.getMessage());
  }
}
