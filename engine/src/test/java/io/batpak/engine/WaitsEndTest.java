package io.batpak.engine;

import static io.batpak.engine.StoreFixtures.KIND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.Cursor;
import io.batpak.CursorWorker;
import io.batpak.CursorWorkerConfig;
import io.batpak.Freshness;
import io.batpak.Projection;
import io.batpak.QueueFullPolicy;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreClosedException;
import io.batpak.StoreConfig;
import io.batpak.Subscription;
import io.batpak.ValidationException;
import io.batpak.Watermark;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every wait of the public API ends: when the store closes, also a read-only one (nothing ever
 * moves its watermarks, so only the close can end a wait there), and whatever {@link Duration} a
 * caller passes, up to "forever" ({@link ChronoUnit#FOREVER}, longer than a long of nanoseconds
 * holds), as a wait or a configuration value, never as an {@link ArithmeticException}.
 */
class WaitsEndTest {
  private static final Coordinate C = Coordinate.of("e1", "s");

  /** Longer than {@link Duration#toNanos} can express. */
  private static final List<Duration> FOREVER =
      List.of(ChronoUnit.FOREVER.getDuration(), Duration.ofSeconds(Long.MAX_VALUE / 1000));

  @TempDir Path dir;

  private void fill(int n) {
    try (Store s = StoreFixtures.open(dir)) {
      for (int i = 0; i < n; i++) {
        s.append(C, KIND, Bytes.utf8("e" + i));
      }
    }
  }

  @Test
  void closingAReadOnlyStoreEndsEveryWaitForAWatermark() throws Exception {
    fill(3);
    Store ro = Store.open(StoreConfig.builder(dir).readOnly(true).build());
    List<CompletableFuture<Throwable>> waits =
        List.of(
            waitingFor(() -> ro.waitFor(Watermark.VISIBLE, 100, Duration.ofMinutes(5))),
            waitingFor(() -> ro.waitFor(Watermark.APPLIED, 100, Duration.ofMinutes(5))),
            waitingFor(() -> ro.waitFor(Watermark.DURABLE, 100, FOREVER.get(0))));
    Thread.sleep(200); // the waiters are inside their waits (or reach them after the close)
    ro.close();
    for (CompletableFuture<Throwable> w : waits) {
      Throwable t = w.get(10, TimeUnit.SECONDS); // a wait the close does not end times out here
      assertInstanceOf(StoreClosedException.class, t, "a wait the close ended: " + t);
    }
  }

  /** Runs {@code wait} on a thread of its own; completes with what it threw (null if nothing). */
  private static CompletableFuture<Throwable> waitingFor(Runnable wait) {
    CompletableFuture<Throwable> outcome = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              try {
                wait.run();
                outcome.complete(null);
              } catch (Throwable e) {
                outcome.complete(e);
              }
            });
    t.setDaemon(true);
    t.start();
    return outcome;
  }

  @Test
  void aWaitOfForeverIsAWaitOnEveryCall() {
    fill(3);
    for (Duration forever : FOREVER) {
      try (Store s = StoreFixtures.open(dir)) {
        s.waitFor(Watermark.VISIBLE, 2, forever);
        s.waitFor(Watermark.DURABLE, 2, forever);
        try (Cursor c = s.cursor(Region.all())) {
          assertEquals(3, c.pollBatch(10, forever).size(), "cursor, " + forever);
        }
        try (Subscription sub =
            s.subscribeFrom(Region.all(), -1, io.batpak.SubscriptionOptions.defaults())) {
          assertTrue(sub.poll(forever).isPresent(), "subscription poll, " + forever);
          assertEquals(2, sub.pollBatch(10, forever).size(), "subscription batch, " + forever);
        }
        CursorWorker w =
            s.cursorWorker(Region.all(), "w", CursorWorkerConfig.defaults(), batch -> {});
        w.stop();
        assertTrue(w.join(forever), "worker join, " + forever);
        Projection<Long> count =
            Projection.of("count", 1, Set.of(), 0L, Long.class, (n, ev) -> n + 1);
        assertEquals(3L, s.project("e1", count, Freshness.maxStale(forever)).state());
      }
    }
  }

  /**
   * A configured duration of forever is either no limit or refused at build with the setting's name
   * (a gate's budget is at most an hour), never an {@link ArithmeticException} later.
   */
  @Test
  void aConfiguredDurationOfForeverIsNoLimitOrRefusedByName() {
    long opened = 0;
    for (Duration forever : FOREVER) {
      Map<String, Consumer<StoreConfig.Builder>> settings =
          Map.of(
              "closeTimeout", b -> b.closeTimeout(forever),
              "gateBudget", b -> b.gateBudget(forever),
              "queueFullTimeout", b -> b.whenQueueFull(QueueFullPolicy.BLOCK, forever),
              "visibleSyncInterval", b -> b.visible(1000, forever));
      for (Map.Entry<String, Consumer<StoreConfig.Builder>> setting : settings.entrySet()) {
        StoreConfig.Builder b = StoreConfig.builder(dir);
        setting.getValue().accept(b);
        StoreConfig config;
        try {
          config = b.build();
        } catch (ValidationException refused) {
          assertTrue(refused.getMessage().contains(setting.getKey()), refused.getMessage());
          continue;
        }
        try (Store s = Store.open(config)) {
          s.append(C, KIND, Bytes.utf8(setting.getKey()));
          s.sync();
        }
        opened++;
      }
    }
    assertTrue(opened > 0, "every setting refused forever");
    try (Store s = StoreFixtures.open(dir)) {
      assertEquals(opened, s.stats().eventCount());
    }
  }
}
