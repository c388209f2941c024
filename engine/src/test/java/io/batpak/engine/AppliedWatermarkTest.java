package io.batpak.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppliedHandle;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.Cursor;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StoreTimeoutException;
import io.batpak.ValidationException;
import io.batpak.Watermark;
import io.batpak.Watermarks;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The applied watermark: equal to visible with no consumer, the minimum of the registered consumers
 * otherwise (durable cursors at their checkpoint, handles at what they reported), never above
 * visible; and {@code waitFor(APPLIED)} under many threads, seeded.
 */
@ExtendWith(Seeded.class)
class AppliedWatermarkTest {
  @TempDir Path dir;

  private static void fill(Store s, int n) {
    for (int i = 0; i < n; i++) {
      s.append(Coordinate.of("e" + (i % 5), "s"), StoreFixtures.KIND, Bytes.utf8("p" + i));
    }
  }

  @Test
  void followsTheSlowestRegisteredConsumerAndNeverPassesVisible() {
    try (Store store = Store.open(StoreConfig.builder(dir).build())) {
      fill(store, 10);
      assertEquals(10, store.watermarks().applied(), "no consumer: applied equals visible");
      AppliedHandle h = store.consumer("projection");
      assertEquals(0, store.watermarks().applied(), "a new consumer has consumed nothing");
      h.advance(3);
      assertEquals(4, store.watermarks().applied());
      assertEquals(4, store.watermarks().get(Watermark.APPLIED));
      Cursor c = store.cursor(Region.all(), "cur");
      assertEquals(0, store.watermarks().applied(), "a durable cursor registers at its checkpoint");
      c.pollBatch(6);
      c.checkpoint();
      assertEquals(4, store.watermarks().applied(), "the slowest: the handle");
      h.advance(1_000);
      assertEquals(6, store.watermarks().applied(), "now the cursor");
      c.close();
      assertEquals(10, store.watermarks().applied(), "capped at visible");
      assertThrows(ValidationException.class, () -> h.advance(5), "never back");
      h.close();
      try (Cursor plain = store.cursor(Region.all())) {
        plain.pollBatch(1);
        assertEquals(10, store.watermarks().applied(), "a cursor without id is not registered");
      }
      Watermarks w = store.watermarks();
      assertTrue(w.applied() <= w.visible());
      assertEquals(new Watermarks(1, 2, 3, 4), new Watermarks(1, 2, 3, 4, 4));
      AppliedHandle late = store.consumer("late");
      assertThrows(
          StoreTimeoutException.class,
          () -> store.waitFor(Watermark.APPLIED, 0, Duration.ofMillis(1)));
      late.advance(0);
      store.waitFor(Watermark.APPLIED, 0, Duration.ZERO);
      late.close();
      assertThrows(ValidationException.class, () -> store.consumer(""));
    }
  }

  @Test
  void waitersReturnOnlyOnceEveryConsumerHasPassedTheirSequence(Random random) throws Exception {
    try (Store store = Store.open(StoreConfig.builder(dir).build())) {
      int events = 400;
      fill(store, events);
      int consumers = 4;
      List<AppliedHandle> handles = new ArrayList<>();
      for (int i = 0; i < consumers; i++) {
        handles.add(store.consumer("c" + i));
      }
      long seed = random.nextLong();
      ExecutorService pool = Executors.newFixedThreadPool(consumers + 6);
      ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
      try {
        List<Future<?>> futures = new ArrayList<>();
        for (int w = 0; w < 6; w++) {
          long waiterSeed = seed + w;
          futures.add(
              pool.submit(
                  () -> {
                    Random r = new Random(waiterSeed);
                    for (int k = 0; k < 20; k++) {
                      long target = r.nextInt(events);
                      store.waitFor(Watermark.APPLIED, target, Duration.ofMinutes(1));
                      for (AppliedHandle h : handles) {
                        if (h.position() < target) {
                          violations.add(
                              "waitFor(APPLIED, "
                                  + target
                                  + ") returned with "
                                  + h.name()
                                  + " at "
                                  + h.position());
                        }
                      }
                    }
                    return null;
                  }));
        }
        for (int i = 0; i < consumers; i++) {
          AppliedHandle h = handles.get(i);
          long consumerSeed = seed * 31 + i;
          futures.add(
              pool.submit(
                  () -> {
                    Random r = new Random(consumerSeed);
                    long at = -1;
                    while (at < events - 1) {
                      at = Math.min(events - 1, at + 1 + r.nextInt(9));
                      h.advance(at);
                      if (r.nextInt(4) == 0) {
                        Thread.yield();
                      }
                    }
                    return null;
                  }));
        }
        for (Future<?> f : futures) {
          f.get();
        }
      } finally {
        pool.shutdownNow();
      }
      assertEquals(List.of(), List.copyOf(violations), "seed " + seed);
      assertEquals(events, store.watermarks().applied());
    }
  }
}
