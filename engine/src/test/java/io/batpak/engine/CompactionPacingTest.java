package io.batpak.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.CompactionConfig;
import io.batpak.CompactionResult;
import io.batpak.Coordinate;
import io.batpak.EventKind;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.port.StoreClock;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link CompactionConfig#maxBytesPerSecond(long)}: a paced compaction waits, on the store's clock,
 * for as long as its output is ahead of the rate; an unpaced one never waits; a closing store stops
 * a paced compaction, which then leaves the store as it was.
 */
@ExtendWith(Seeded.class)
class CompactionPacingTest {
  private static final EventKind KIND = EventKind.custom(0x1, 0x1);

  @TempDir Path dir;

  /**
   * The system clock, except that the compacting thread's sleeps return at once and move this
   * clock's monotonic time forward by what they asked for (other threads sleep for real).
   */
  static final class SkippingSleepsClock implements StoreClock {
    private final StoreClock system = StoreClock.system();
    private final AtomicLong skipped = new AtomicLong();
    private volatile Thread skipping;

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
      return system.monoNanos() + skipped.get();
    }

    @Override
    public long awaitNanos(Condition condition, long nanos) throws InterruptedException {
      return system.awaitNanos(condition, nanos);
    }

    @Override
    public void sleepNanos(long nanos) throws InterruptedException {
      if (Thread.currentThread() == skipping) {
        skipped.addAndGet(Math.max(0, nanos));
      } else {
        system.sleepNanos(nanos);
      }
    }
  }

  private StoreConfig config(StoreClock clock) {
    return StoreConfig.builder(dir).segmentMaxBytes(64 << 10).clock(clock).build();
  }

  /** Appends about {@code bytes} of payloads in events of up to 2 KiB; returns the receipts. */
  private static List<AppendReceipt> fill(Store store, Random random, long bytes) {
    List<AppendReceipt> receipts = new ArrayList<>();
    for (long written = 0; written < bytes; ) {
      byte[] payload = new byte[1 + random.nextInt(2048)];
      random.nextBytes(payload);
      receipts.add(
          store.append(Coordinate.of("order-" + random.nextInt(20), "s"), KIND, Bytes.of(payload)));
      written += payload.length;
    }
    return receipts;
  }

  /** A compaction that rewrites every sealed segment: it drops the events of {@code order-0}. */
  private static CompactionConfig dropOrderZero() {
    return CompactionConfig.retain(e -> !e.header().entity().equals("order-0"));
  }

  @Test
  void aPacedCompactionWaitsForAsLongAsItsOutputIsAheadOfTheRate(Random random) {
    SkippingSleepsClock clock = new SkippingSleepsClock();
    long rate = 256 << 10; // 1 MiB of output takes at least 4 s of the store's time
    try (Store store = Store.open(config(clock))) {
      List<AppendReceipt> receipts = fill(store, random, 1 << 20);
      clock.skipping = Thread.currentThread();
      long before = System.nanoTime();
      CompactionResult result = store.compact(dropOrderZero().maxBytesPerSecond(rate));
      long realNanos = System.nanoTime() - before;
      clock.skipping = null;

      assertEquals(CompactionResult.Outcome.PERFORMED, result.outcome(), result.reason());
      long due = (long) (result.bytesAfter() * (1e9 / rate));
      long slept = clock.skipped.get();
      // The waits and the time the work itself took make up the rate's time, never more.
      String what = "slept " + slept + " ns, worked " + realNanos + " ns, due " + due + " ns";
      assertTrue(slept > 0 && slept <= due, what);
      assertTrue(slept + realNanos >= due, what);
      for (AppendReceipt r : receipts) {
        assertTrue(store.verifyReceipt(r).isValid(), r.toString()); // dropped: compacted away
      }
    }
  }

  @Test
  void anUnpacedCompactionNeverWaits(Random random) {
    SkippingSleepsClock clock = new SkippingSleepsClock();
    try (Store store = Store.open(config(clock))) {
      fill(store, random, 512 << 10);
      clock.skipping = Thread.currentThread();
      CompactionResult result = store.compact(dropOrderZero());
      clock.skipping = null;
      assertEquals(CompactionResult.Outcome.PERFORMED, result.outcome(), result.reason());
      assertEquals(0, clock.skipped.get());
    }
  }

  @Test
  void closingTheStoreStopsAPacedCompactionAndLeavesTheStoreAsItWas(Random random)
      throws Exception {
    List<AppendReceipt> receipts;
    CompletableFuture<CompactionResult> compaction;
    try (Store store = Store.open(config(StoreClock.system()))) {
      receipts = fill(store, random, 1 << 20);
      // At the lowest rate this compaction would take about 16 s; the close stops it.
      compaction =
          CompletableFuture.supplyAsync(
              () ->
                  store.compact(
                      dropOrderZero().maxBytesPerSecond(CompactionConfig.MIN_BYTES_PER_SECOND)));
      while (!compaction.isDone() && !compacting()) {
        Thread.onSpinWait();
      }
    }
    CompactionResult result = compaction.get();
    assertEquals(CompactionResult.Outcome.FAILED, result.outcome(), result.reason());
    assertTrue(result.reason().contains("the store is closing"), result.reason());
    assertTrue(result.reason().contains("the store is unchanged"), result.reason());
    try (Store store = Store.open(config(StoreClock.system()))) {
      for (AppendReceipt r : receipts) {
        assertTrue(store.verifyReceipt(r).isValid(), r.toString());
      }
    }
  }

  /** Whether a compaction's output is being written (its temporary file exists). */
  private boolean compacting() {
    try (var files = java.nio.file.Files.list(dir)) {
      return files.anyMatch(p -> p.getFileName().toString().endsWith(".compacting"));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void aRateBelowTheLowestOrNegativeIsRefusedWithTheValue() {
    String negative =
        assertThrows(
                IllegalArgumentException.class,
                () -> CompactionConfig.merge().maxBytesPerSecond(-1))
            .getMessage();
    assertTrue(negative.contains("got -1"), negative);
    String low =
        assertThrows(
                IllegalArgumentException.class,
                () -> CompactionConfig.merge().maxBytesPerSecond(1000))
            .getMessage();
    assertTrue(low.contains("at least 65536") && low.contains("got 1000"), low);
    assertEquals(0, CompactionConfig.merge().maxBytesPerSecond(0).maxBytesPerSecond());
    assertEquals(
        65536, CompactionConfig.retain(e -> true).maxBytesPerSecond(65536).maxBytesPerSecond());
  }
}
