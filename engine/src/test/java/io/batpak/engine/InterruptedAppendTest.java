package io.batpak.engine;

import static io.batpak.engine.StoreFixtures.KIND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StoreInterruptedException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A blocking append called by a thread whose interrupt status is already set (a task after {@code
 * shutdownNow()}): the store refuses it before queueing it, so the caller knows nothing was
 * written, and keeps the status. It used to queue the append, commit it, and tell the caller
 * "interrupted while the append was queued or being committed; it may or may not be in the
 * journal": a pool of 8 cancelled appenders wrote over a thousand events, each reported
 * outcome-unknown.
 */
class InterruptedAppendTest {
  static final Coordinate C = Coordinate.of("e", "s");

  @TempDir Path dir;

  @Test
  void anAppendFromAnInterruptedThreadIsRefusedBeforeItIsQueued() throws Exception {
    List<Consumer<Store>> calls =
        List.of(
            s -> s.append(C, KIND, Bytes.utf8("single")),
            s -> s.appendBatch(List.of(BatchItem.of(C, KIND, Bytes.utf8("batch")))));
    try (Store store = Store.open(StoreConfig.builder(dir).build())) {
      for (Consumer<Store> call : calls) {
        List<Object> seen = new ArrayList<>();
        Thread t =
            new Thread(
                () -> {
                  Thread.currentThread().interrupt();
                  try {
                    call.accept(store);
                    seen.add("returned");
                  } catch (RuntimeException e) {
                    seen.add(e);
                  }
                  seen.add(Thread.currentThread().isInterrupted());
                });
        t.start();
        t.join();
        StoreInterruptedException e =
            assertInstanceOf(StoreInterruptedException.class, seen.get(0));
        assertTrue(e.getMessage().contains("nothing was written"), e.getMessage());
        assertEquals(true, seen.get(1), "the interrupt status is kept");
      }
      assertEquals(0, store.stream("e").size(), "the refused appends wrote nothing");
    }
    try (Store again = Store.open(StoreConfig.builder(dir).build())) {
      assertEquals(0, again.stream("e").size());
    }
  }
}
