package io.batpak.engine;

import static io.batpak.engine.StoreFixtures.KIND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.Store;
import io.batpak.StoreClosedException;
import io.batpak.StoreConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * close() called from a thread whose interrupt status is set (a task cancelled by {@code
 * ExecutorService.shutdownNow()} that closes its store in a {@code finally}) while appends are in
 * flight. The committer is healthy and drains in milliseconds, so close must end as a clean close:
 * no failure, the lock released on return, every append it answered either acknowledged or refused
 * as closed, and the caller's interrupt status kept.
 *
 * <p>It used to take the interrupt as "the committer is stuck in an I/O call for longer than
 * closeTimeout (PT10S)": close threw OutcomeUnknownException saying so at once, failed the group in
 * flight as outcome-unknown and kept the directory lock until the committer thread ended.
 */
class InterruptedCloseTest {
  static final Coordinate C = Coordinate.of("e", "s");

  @TempDir Path dir;

  @Test
  void aCloseFromAnInterruptedThreadWithAppendsInFlightIsAnOrdinaryClose() throws Exception {
    for (int round = 0; round < 20; round++) {
      Path d = dir.resolve("r" + round);
      Store store = Store.open(StoreConfig.builder(d).build());
      store.append(C, KIND, Bytes.utf8("first"));
      ExecutorService pool = Executors.newFixedThreadPool(4);
      List<AppendReceipt> acked = Collections.synchronizedList(new ArrayList<>());
      List<Throwable> other = Collections.synchronizedList(new ArrayList<>());
      CountDownLatch running = new CountDownLatch(4);
      for (int t = 0; t < 4; t++) {
        pool.submit(
            () -> {
              running.countDown();
              while (true) {
                try {
                  acked.add(store.append(C, KIND, Bytes.utf8("v")));
                } catch (StoreClosedException e) {
                  return; // refused: the store closed first
                } catch (Throwable e) {
                  other.add(e);
                  return;
                }
              }
            });
      }
      running.await();
      Thread.sleep(20);
      Thread.currentThread().interrupt();
      try {
        store.close();
      } catch (RuntimeException e) {
        Thread.interrupted();
        pool.shutdown();
        pool.awaitTermination(20, TimeUnit.SECONDS);
        fail("round " + round + ": close from an interrupted thread failed: " + e, e);
      }
      assertTrue(Thread.interrupted(), "close keeps the caller's interrupt status");
      pool.shutdown();
      assertTrue(pool.awaitTermination(20, TimeUnit.SECONDS));
      assertEquals(
          List.of(), other, "round " + round + ": appends answered otherwise than ok/closed");
      try (Store again = Store.open(StoreConfig.builder(d).build())) { // the lock is free
        for (AppendReceipt r : acked) {
          assertTrue(again.verifyReceipt(r).isValid(), "acknowledged " + r);
        }
      }
    }
  }
}
