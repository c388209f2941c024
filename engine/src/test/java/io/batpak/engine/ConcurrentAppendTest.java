package io.batpak.engine;

import static io.batpak.engine.StoreFixtures.KIND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.EventHeader;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.port.SyncMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Many threads appending durably to many streams, on the real disk. */
@ExtendWith(Seeded.class)
class ConcurrentAppendTest {
  static final int THREADS = 16;
  static final int PER_THREAD = 10_000;
  static final int ENTITIES = 100;

  @TempDir Path dir;

  @Test
  void sixteenThreadsTenThousandAppendsEachStayDenseChainedAndVerifiable(Random random)
      throws Exception {
    long seed = random.nextLong();
    StoreConfig config = StoreConfig.builder(dir).syncMode(SyncMode.DATA).build();
    List<List<AppendReceipt>> perThread = new ArrayList<>();
    long started = System.nanoTime();
    try (Store store = Store.open(config)) {
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<List<AppendReceipt>>> futures = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        futures.add(
            pool.submit(
                () -> {
                  Random r = new Random(seed + thread);
                  List<AppendReceipt> mine = new ArrayList<>(PER_THREAD);
                  go.await();
                  for (int i = 0; i < PER_THREAD; i++) {
                    String entity = "entity-" + r.nextInt(ENTITIES);
                    mine.add(
                        store.append(
                            Coordinate.of(entity, "scope-" + (thread % 3)),
                            KIND,
                            Bytes.utf8(thread + ":" + i)));
                  }
                  return mine;
                }));
      }
      go.countDown();
      for (Future<List<AppendReceipt>> f : futures) {
        perThread.add(f.get());
      }
      pool.shutdown();
      long appended = System.nanoTime();
      System.out.printf(
          "%d appends by %d threads took %d ms%n",
          THREADS * PER_THREAD, THREADS, (appended - started) / 1_000_000);
      for (int t = 0; t < THREADS; t++) {
        List<AppendReceipt> mine = perThread.get(t);
        for (int i = 0; i < mine.size(); i++) {
          if (i > 0) {
            assertTrue(
                mine.get(i).globalSequence() > mine.get(i - 1).globalSequence(),
                "one thread's appends are ordered");
          }
        }
      }
      check(store, perThread);
      System.out.printf("checks took %d ms%n", (System.nanoTime() - appended) / 1_000_000);
    }
    try (Store store = Store.open(config)) {
      assertEquals(THREADS * PER_THREAD, store.openReport().eventsRecovered());
      assertTrue(store.openReport().tornTail().isEmpty());
      check(store, perThread);
    }
  }

  private static void check(Store store, List<List<AppendReceipt>> perThread) {
    int total = THREADS * PER_THREAD;
    assertEquals(total, store.stats().eventCount());
    boolean[] seen = new boolean[total];
    List<AppendReceipt> all = new ArrayList<>(total);
    perThread.forEach(all::addAll);
    for (AppendReceipt r : all) {
      int g = (int) r.globalSequence();
      assertTrue(g >= 0 && g < total && !seen[g], "global sequence " + g + " once, below " + total);
      seen[g] = true;
    }
    List<EventHeader> headers = StoreFixtures.assertIntact(store, all);
    assertTrue(store.stats().streamCount() <= ENTITIES);
    for (int t = 0; t < THREADS; t++) {
      List<AppendReceipt> mine = perThread.get(t);
      for (int i = 0; i < mine.size(); i++) {
        assertEquals(t + ":" + i, store.get(mine.get(i).eventId()).payload().toUtf8(), "payload");
      }
    }
    assertEquals(total, headers.size());
  }
}
