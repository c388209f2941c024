package io.batpak.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
import io.batpak.port.SyncMode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A compaction pauses appends only for its rename and the index relocation (ADR 0028): an append
 * made from inside the fsync and rename of the checkpoint a compaction writes, and from inside the
 * directory fsync that makes its switch durable, completes before that call returns. Before ADR
 * 0028 both ran with the commit lock held, and such an append waited for them (here: forever).
 */
@ExtendWith(Seeded.class)
class CompactionCommitPathTest {
  private static final EventKind KIND = EventKind.custom(0x1, 0x2);

  /** Long enough for any machine; only a held lock makes an append wait this long. */
  private static final long LIVENESS_SECONDS = 60;

  @TempDir Path dir;

  /** The posix backend; at the armed call, appends once from another thread and waits for it. */
  private static final class AppendingFs extends ForwardingStoreFs {
    volatile Store store;
    volatile boolean armCheckpointPublish;
    volatile boolean armSyncAfterSwitch;
    volatile boolean switched;
    final AtomicReference<AppendReceipt> appendedInside = new AtomicReference<>();

    AppendingFs() {
      super(StoreFixtures.posix());
    }

    @Override
    public void publish(Path temp, Path target, SyncMode mode) throws IOException {
      if (armCheckpointPublish && target.getFileName().toString().equals("index.ckpt")) {
        armCheckpointPublish = false;
        appendMeanwhile();
      }
      super.publish(temp, target, mode);
    }

    @Override
    public void rename(Path from, Path to, RenameMode mode) throws IOException {
      super.rename(from, to, mode);
      switched = from.getFileName().toString().endsWith(".compacting");
    }

    @Override
    public void syncDirectory(Path d) throws IOException {
      if (armSyncAfterSwitch && switched) {
        armSyncAfterSwitch = false;
        appendMeanwhile();
      }
      super.syncDirectory(d);
    }

    private void appendMeanwhile() throws IOException {
      try {
        appendedInside.set(
            CompletableFuture.supplyAsync(
                    () -> store.append(Coordinate.of("inside", "s"), KIND, Bytes.utf8("x")))
                .get(LIVENESS_SECONDS, TimeUnit.SECONDS));
      } catch (Exception e) {
        throw new IOException("the append made meanwhile did not complete: " + e, e);
      }
    }
  }

  private List<AppendReceipt> fillAndOpen(AppendingFs fs, Random random) {
    List<AppendReceipt> receipts = new ArrayList<>();
    fs.store = Store.open(StoreConfig.builder(dir).fs(fs).segmentMaxBytes(16 << 10).build());
    for (int i = 0; i < 200; i++) {
      byte[] payload = new byte[1 + random.nextInt(400)];
      random.nextBytes(payload);
      receipts.add(
          fs.store.append(
              Coordinate.of("order-" + random.nextInt(8), "s"), KIND, Bytes.of(payload)));
    }
    return receipts;
  }

  private static CompactionConfig dropOrderZero() {
    return CompactionConfig.retain(e -> !e.header().entity().equals("order-0"));
  }

  @Test
  void appendsGoOnWhileTheCompactionsCheckpointIsSyncedAndRenamed(Random random) {
    AppendingFs fs = new AppendingFs();
    List<AppendReceipt> receipts = fillAndOpen(fs, random);
    try (Store store = fs.store) {
      fs.armCheckpointPublish = true;
      CompactionResult result = store.compact(dropOrderZero());
      assertEquals(CompactionResult.Outcome.PERFORMED, result.outcome(), result.reason());
      assertTrue(!fs.armCheckpointPublish, "the compaction published a checkpoint");
      AppendReceipt inside = fs.appendedInside.get();
      assertNotNull(inside);
      assertTrue(store.verifyReceipt(inside).isValid());
      for (AppendReceipt r : receipts) {
        assertTrue(store.verifyReceipt(r).isValid(), r.toString());
      }
    }
  }

  @Test
  void appendsGoOnWhileTheSwitchIsMadeDurable(Random random) {
    AppendingFs fs = new AppendingFs();
    List<AppendReceipt> receipts = fillAndOpen(fs, random);
    try (Store store = fs.store) {
      fs.armSyncAfterSwitch = true;
      CompactionResult result = store.compact(dropOrderZero());
      assertEquals(CompactionResult.Outcome.PERFORMED, result.outcome(), result.reason());
      AppendReceipt inside = fs.appendedInside.get();
      assertNotNull(inside, "the switch synced the directory after its rename");
      assertTrue(store.verifyReceipt(inside).isValid());
      for (AppendReceipt r : receipts) {
        assertTrue(store.verifyReceipt(r).isValid(), r.toString());
      }
    }
    try (Store reopened = Store.open(StoreConfig.builder(dir).build())) {
      assertTrue(reopened.verifyReceipt(fs.appendedInside.get()).isValid());
    }
  }
}
