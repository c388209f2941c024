package io.batpak.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.Cursor;
import io.batpak.CursorWorker;
import io.batpak.CursorWorkerConfig;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.fs.sim.SimStoreFs;
import io.batpak.port.StoreClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.Condition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A worker whose handler failed sleeps its back-off (up to an hour, CursorWorkerConfig) before it
 * restarts. {@code stop()} and {@code store.close()} during that back-off end the worker at once:
 * the back-off is a wait a stop wakes, not a sleep that holds {@code join()} for the rest of the
 * hour. The store runs on the system clock (a simulated clock would let the hour pass at once and
 * hide the wait); the bound on {@code join} is only there so a regression fails instead of hanging.
 */
@ExtendWith(Seeded.class)
class CursorWorkerStopDuringBackoffTest {
  static final Path DIR = Path.of("/store");
  static final Duration HOUR = Duration.ofHours(1);

  /**
   * The system clock, telling when a wait of an hour or more (the back-off) begins, so the test
   * stops the worker in its back-off and not before it.
   */
  static final class BackoffWatchingClock implements StoreClock {
    final CountDownLatch backingOff = new CountDownLatch(1);
    private final StoreClock system = StoreClock.system();

    private void watch(long nanos) {
      if (nanos >= HOUR.toNanos()) {
        backingOff.countDown();
      }
    }

    @Override
    public long wallMicros() {
      return system.wallMicros();
    }

    @Override
    public long wallNanos() {
      return system.wallNanos();
    }

    @Override
    public long monoNanos() {
      return system.monoNanos();
    }

    @Override
    public long awaitNanos(Condition condition, long nanos) throws InterruptedException {
      watch(nanos);
      return system.awaitNanos(condition, nanos);
    }

    @Override
    public void sleepNanos(long nanos) throws InterruptedException {
      watch(nanos);
      system.sleepNanos(nanos);
    }
  }

  private static Store open(SimStoreFs fs, StoreClock clock) {
    return Store.open(StoreConfig.builder(DIR).fs(fs).clock(clock).build());
  }

  private static CursorWorker failing(Store store) {
    return store.cursorWorker(
        Region.all(),
        "backoff",
        CursorWorkerConfig.defaults().withBatchSize(4).withBackoff(HOUR, HOUR),
        batch -> {
          throw new IllegalStateException("the downstream is down");
        });
  }

  @Test
  void stopDuringABackoffEndsTheWorkerAndTheBatchComesAgain(Random random) throws Exception {
    SimStoreFs fs = SimStoreFs.builder().seed(random.nextLong()).build();
    BackoffWatchingClock clock = new BackoffWatchingClock();
    try (Store store = open(fs, clock)) {
      for (int i = 0; i < 6; i++) {
        store.append(Coordinate.of("a", "s"), StoreFixtures.KIND, Bytes.utf8("e" + i));
      }
      CursorWorker w = failing(store);
      clock.backingOff.await();
      w.stop();
      assertTrue(
          w.join(Duration.ofSeconds(20)),
          "stop() during a back-off of an hour must end the worker, not wait out the hour");
      assertFalse(w.isRunning());
      assertEquals(0, w.metrics().restarts(), "stopped in the back-off, before a restart");
      try (Cursor c = store.cursor(Region.all(), "backoff")) {
        assertEquals(-1, c.position(), "nothing was saved: the failed batch comes again");
        assertEquals(4, c.pollBatch(4).size());
      }
    }
  }

  @Test
  void closeDuringABackoffEndsTheWorker(Random random) throws Exception {
    SimStoreFs fs = SimStoreFs.builder().seed(random.nextLong()).build();
    BackoffWatchingClock clock = new BackoffWatchingClock();
    Store store = open(fs, clock);
    store.append(Coordinate.of("a", "s"), StoreFixtures.KIND, Bytes.utf8("e"));
    CursorWorker w = failing(store);
    clock.backingOff.await();
    store.close();
    assertTrue(
        w.join(Duration.ofSeconds(20)),
        "store.close() during a back-off of an hour must end the worker");
    assertFalse(w.isRunning());
  }
}
