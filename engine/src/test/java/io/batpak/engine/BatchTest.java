package io.batpak.engine;

import static io.batpak.engine.StoreFixtures.KIND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.CausationId;
import io.batpak.Coordinate;
import io.batpak.EventHeader;
import io.batpak.ExtensionKey;
import io.batpak.OpenReport;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.engine.internal.format.SegmentHeader;
import io.batpak.engine.internal.format.SegmentSeal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Atomic batches: all or nothing for readers and after reopen, one frame, never split. */
@ExtendWith(Seeded.class)
class BatchTest {
  static final ExtensionKey TAG = ExtensionKey.of("test.batch");

  @TempDir Path dir;

  /**
   * One batch of {@code size} items over two streams of a writer; every item carries the tag {@code
   * writer/batch/size/itemsInA}.
   */
  static List<BatchItem> batch(int writer, int number, Random random) {
    int size = 1 + random.nextInt(6);
    boolean[] inA = new boolean[size];
    int countA = 0;
    for (int i = 0; i < size; i++) {
      inA[i] = random.nextBoolean();
      countA += inA[i] ? 1 : 0;
    }
    String tag = writer + "/" + number + "/" + size + "/" + countA;
    List<BatchItem> items = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      String entity = (inA[i] ? "a-" : "b-") + writer;
      BatchItem item =
          BatchItem.of(Coordinate.of(entity, "s"), KIND, Bytes.utf8(tag + "#" + i))
              .withOptions(AppendOptions.defaults().withExtension(TAG, Bytes.utf8(tag)));
      items.add(i > 0 && random.nextInt(3) == 0 ? item.causedBy(random.nextInt(i)) : item);
    }
    return items;
  }

  /** Checks that every batch seen in {@code headers} is whole; returns the number of batches. */
  static int assertWholeBatches(List<EventHeader> headers, String streamOrNull) {
    Map<String, Integer> seen = new TreeMap<>();
    for (EventHeader h : headers) {
      seen.merge(h.extensions().get(TAG).toUtf8(), 1, Integer::sum);
    }
    for (Map.Entry<String, Integer> e : seen.entrySet()) {
      String[] parts = e.getKey().split("/");
      int size = Integer.parseInt(parts[2]);
      int countA = Integer.parseInt(parts[3]);
      int expected =
          streamOrNull == null ? size : streamOrNull.startsWith("a-") ? countA : size - countA;
      assertEquals(
          expected,
          e.getValue(),
          "batch "
              + e.getKey()
              + " seen partly"
              + (streamOrNull == null ? "" : " in " + streamOrNull));
    }
    return seen.size();
  }

  @Test
  void readersNeverSeePartOfABatch(Random random) throws Exception {
    int writers = 4;
    int batchesEach = 120;
    int readers = 3;
    long seed = random.nextLong();
    AtomicBoolean done = new AtomicBoolean();
    AtomicLong polls = new AtomicLong();
    Map<Integer, List<List<AppendReceipt>>> written = new HashMap<>();
    try (Store store = StoreFixtures.open(dir)) {
      ExecutorService pool = Executors.newFixedThreadPool(writers + readers);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<List<List<AppendReceipt>>>> ws = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int writer = w;
        ws.add(
            pool.submit(
                () -> {
                  Random r = new Random(seed + writer);
                  List<List<AppendReceipt>> mine = new ArrayList<>();
                  go.await();
                  for (int b = 0; b < batchesEach; b++) {
                    List<BatchItem> items = batch(writer, b, r);
                    List<AppendReceipt> receipts = store.appendBatch(items);
                    assertEquals(items.size(), receipts.size());
                    mine.add(receipts);
                  }
                  return mine;
                }));
      }
      List<Future<?>> rs = new ArrayList<>();
      for (int i = 0; i < readers; i++) {
        int reader = i;
        rs.add(
            pool.submit(
                () -> {
                  go.await();
                  boolean last = false;
                  while (!last) {
                    last = done.get();
                    if (reader == 0) {
                      assertWholeBatches(StoreFixtures.query(store, Region.all()), null);
                    } else {
                      String entity = (reader == 1 ? "a-" : "b-") + (polls.get() % writers);
                      assertWholeBatches(store.stream(entity), entity);
                      assertWholeBatches(StoreFixtures.query(store, Region.entity(entity)), entity);
                    }
                    polls.incrementAndGet();
                  }
                  return null;
                }));
      }
      go.countDown();
      for (int w = 0; w < writers; w++) {
        written.put(w, ws.get(w).get());
      }
      done.set(true);
      for (Future<?> f : rs) {
        f.get();
      }
      pool.shutdown();
      System.out.println("reader polls: " + polls.get());
      assertEquals(
          writers * batchesEach,
          assertWholeBatches(StoreFixtures.query(store, Region.all()), null));
      checkBatches(store, written);
    }
    try (Store store = StoreFixtures.open(dir)) {
      assertEquals(
          writers * batchesEach,
          assertWholeBatches(StoreFixtures.query(store, Region.all()), null));
      for (int w = 0; w < writers; w++) {
        assertWholeBatches(store.stream("a-" + w), "a-" + w);
        assertWholeBatches(store.stream("b-" + w), "b-" + w);
      }
      checkBatches(store, written);
    }
  }

  /** Each batch is one frame with consecutive global sequences; causes point inside it. */
  static void checkBatches(Store store, Map<Integer, List<List<AppendReceipt>>> written) {
    List<AppendReceipt> all = new ArrayList<>();
    for (List<List<AppendReceipt>> batches : written.values()) {
      for (List<AppendReceipt> b : batches) {
        FrameLocation p = StoreFixtures.frame(store, b.get(0));
        for (int i = 0; i < b.size(); i++) {
          assertEquals(p, StoreFixtures.frame(store, b.get(i)), "a batch is one frame");
          assertEquals(b.get(0).globalSequence() + i, b.get(i).globalSequence());
          EventHeader h = store.get(b.get(i).eventId()).header();
          if (h.causation().isPresent()) {
            CausationId cause = h.causation().get();
            assertTrue(
                b.subList(0, i).stream().anyMatch(r -> CausationId.of(r.eventId()).equals(cause)),
                "causedBy points to an earlier item of the same batch");
          }
        }
        all.addAll(b);
      }
    }
    StoreFixtures.assertIntact(store, all);
  }

  @Test
  void segmentsRotateBetweenBatchesNeverInside(Random random) throws Exception {
    long max = 4096;
    StoreConfig config = StoreConfig.builder(dir).segmentMaxBytes(max).build();
    Map<Integer, List<List<AppendReceipt>>> written = new HashMap<>();
    long seed = random.nextLong();
    int threads = 3;
    try (Store store = Store.open(config)) {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<List<List<AppendReceipt>>>> fs = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        fs.add(
            pool.submit(
                () -> {
                  Random r = new Random(seed + thread);
                  List<List<AppendReceipt>> mine = new ArrayList<>();
                  for (int b = 0; b < 60; b++) {
                    int n = 1 + r.nextInt(8);
                    // Now and then a batch larger than a whole segment.
                    int payload = r.nextInt(20) == 0 ? 1500 : 20 + r.nextInt(300);
                    List<BatchItem> items = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                      items.add(
                          BatchItem.of(
                              Coordinate.of("e-" + r.nextInt(5), "s"),
                              KIND,
                              Bytes.ofOwned(new byte[payload])));
                    }
                    mine.add(store.appendBatch(items));
                  }
                  return mine;
                }));
      }
      for (int t = 0; t < threads; t++) {
        written.put(t, fs.get(t).get());
      }
      pool.shutdown();
      checkBatches(store, written);
      assertEquals(StoreFixtures.segments(dir).size(), store.stats().segmentCount());
    }
    List<Path> segments = StoreFixtures.segments(dir);
    assertTrue(segments.size() >= 10, "many segments: " + segments.size());
    // Per segment: the frames it holds, from the receipts.
    Map<Long, Map<Long, Integer>> frames = new TreeMap<>();
    List<AppendReceipt> firsts = new ArrayList<>();
    for (List<List<AppendReceipt>> batches : written.values()) {
      for (List<AppendReceipt> b : batches) {
        firsts.add(b.get(0));
      }
    }
    for (FrameLocation p : StoreFixtures.frames(dir, firsts)) {
      frames.computeIfAbsent(p.segmentId(), k -> new TreeMap<>()).put(p.offset(), p.length());
    }
    assertEquals(segments.size(), frames.size(), "every segment holds frames");
    for (Map.Entry<Long, Map<Long, Integer>> e : frames.entrySet()) {
      long end = 0;
      for (Map.Entry<Long, Integer> f : e.getValue().entrySet()) {
        assertTrue(f.getKey() >= end, "frames do not overlap");
        end = f.getKey() + f.getValue();
      }
      // The segment ends with its last frame followed by its seal, which lists its events.
      Path file = StoreFixtures.segment(dir, e.getKey());
      byte[] bytes = Files.readAllBytes(file);
      assertEquals(
          end,
          SegmentSeal.footerOffset(
              Arrays.copyOfRange(bytes, bytes.length - SegmentSeal.TRAILER, bytes.length)),
          "segment " + e.getKey() + " ends with its last frame followed by its seal");
      SegmentSeal seal =
          SegmentSeal.decode(
              Arrays.copyOfRange(bytes, (int) end, bytes.length - SegmentSeal.TRAILER),
              end,
              SegmentHeader.decode(bytes, file.toString()).baseGlobalSequence());
      assertEquals(
          e.getValue().keySet(),
          new TreeSet<>(Arrays.stream(seal.frameOffset).boxed().toList()),
          "segment " + e.getKey() + ": the seal lists the frames");
      // The limit bounds the frames; the seal comes on top.
      assertTrue(
          end <= max || e.getValue().size() == 1,
          "segment " + e.getKey() + " is over the limit only when it holds one frame");
    }
    try (Store store = Store.open(config.toBuilder().readOnly(true).build())) {
      assertEquals(OpenReport.IndexSource.CHECKPOINT, store.openReport().indexLoad().source());
      assertEquals(0, store.openReport().framesScanned(), "loaded from the checkpoint");
      checkBatches(store, written);
    }
    assertEquals(segments.size(), StoreFixtures.crashShape(dir));
    try (Store store = Store.open(config)) {
      assertEquals(segments.size(), store.openReport().segments().size());
      assertEquals(
          segments.stream().map(x -> x.getFileName().toString()).toList(),
          store.openReport().segments());
      assertEquals(threads * 60, store.openReport().framesScanned(), "one frame per batch");
      assertTrue(store.openReport().tornTail().isEmpty());
      checkBatches(store, written);
    }
  }
}
