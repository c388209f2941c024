package io.batpak.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.CompactionConfig;
import io.batpak.CompactionResult;
import io.batpak.Coordinate;
import io.batpak.EventKind;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.fs.spi.ForwardingStoreFs;
import io.batpak.port.RenameMode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A read made while a compaction renames its output over the group's last segment, by a reader that
 * has not opened that segment yet, returns the event as appended: it waits for the index to follow
 * the rename instead of reading the new file at the old offsets and calling it corrupt.
 */
@ExtendWith(Seeded.class)
class CompactionRenameReadTest {
  private static final EventKind KIND = EventKind.custom(0x1, 0x3);

  @TempDir Path dir;

  /** The posix backend; right after the switch's rename, reads every kept event from a thread. */
  private static final class ReadingFs extends ForwardingStoreFs {
    volatile Store store;
    volatile List<AppendReceipt> kept;
    volatile CompletableFuture<List<byte[]>> readsInside;

    ReadingFs() {
      super(StoreFixtures.posix());
    }

    @Override
    public void rename(Path from, Path to, RenameMode mode) throws IOException {
      super.rename(from, to, mode);
      if (from.getFileName().toString().endsWith(".compacting")) {
        readsInside =
            CompletableFuture.supplyAsync(
                () -> {
                  List<byte[]> out = new ArrayList<>();
                  for (AppendReceipt r : kept) {
                    out.add(store.get(r.eventId()).payload().toByteArray());
                  }
                  return out;
                });
        try {
          // Gives the reads time to run inside the switch; with the index moving they wait for it.
          readsInside.get(500, TimeUnit.MILLISECONDS);
        } catch (TimeoutException expected) {
          // waiting for the relocation, as they should
        } catch (Exception e) {
          return; // failed: checked after the compaction
        }
      }
    }
  }

  @Test
  void aReadRacingTheRenameReadsTheEventWhereTheIndexPutsIt(Random random) throws Exception {
    List<AppendReceipt> kept = new ArrayList<>();
    List<byte[]> payloads = new ArrayList<>();
    StoreConfig.Builder config = StoreConfig.builder(dir).segmentMaxBytes(16 << 10);
    try (Store store = Store.open(config.build())) {
      for (int i = 0; i < 300; i++) {
        byte[] payload = new byte[1 + random.nextInt(400)];
        random.nextBytes(payload);
        int entity = random.nextInt(8);
        AppendReceipt r =
            store.append(Coordinate.of("order-" + entity, "s"), KIND, Bytes.of(payload));
        if (entity != 0) {
          kept.add(r);
          payloads.add(payload);
        }
      }
    }
    ReadingFs fs = new ReadingFs();
    fs.kept = kept;
    try (Store store = Store.open(config.fs(fs).build())) {
      fs.store = store;
      CompactionResult result =
          store.compact(CompactionConfig.retain(e -> !e.header().entity().equals("order-0")));
      assertEquals(CompactionResult.Outcome.PERFORMED, result.outcome(), result.reason());
      assertTrue(fs.readsInside != null, "the compaction renamed its output");
      List<byte[]> read = fs.readsInside.get(60, TimeUnit.SECONDS);
      for (int i = 0; i < kept.size(); i++) {
        assertArrayEquals(payloads.get(i), read.get(i), kept.get(i).toString());
      }
    }
  }
}
