package io.batpak.engine.repair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.Cursor;
import io.batpak.CursorCheckpointCorruptException;
import io.batpak.CursorWorker;
import io.batpak.CursorWorkerConfig;
import io.batpak.EventKind;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StoredEvent;
import io.batpak.engine.FrameLocation;
import io.batpak.engine.Repair;
import io.batpak.engine.StoreFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A repair cuts events out of the journal (docs/operations.md, "Repair"), and the appends after it
 * reuse their global sequences. A cursor checkpoint saved before the repair covers sequences the
 * journal no longer holds: believed, the cursor would resume past the end and silently skip the new
 * events appended in their place. It is refused, naming the file, never a silent skip.
 */
class CursorAfterRepairTest {
  static final EventKind KIND = EventKind.custom(2, 1);
  @TempDir Path dir;

  private StoreConfig config() {
    return StoreConfig.builder(dir).segmentMaxBytes(4096).build();
  }

  private static AppendReceipt put(Store s, int n) {
    return s.append(
        Coordinate.of("acct:" + (n % 3), "bank"),
        KIND,
        Bytes.utf8("{\"n\":" + n + ",\"pad\":\"" + "x".repeat(100) + "\"}"));
  }

  /** 60 events, all handled and checkpointed by "billing"; then event 10 is damaged and cut. */
  private void handledThenRepaired() throws IOException {
    List<AppendReceipt> receipts = new ArrayList<>();
    try (Store s = Store.open(config())) {
      for (int i = 0; i < 60; i++) {
        receipts.add(put(s, i));
      }
      try (Cursor c = s.cursor(Region.all(), "billing")) {
        assertEquals(60, c.pollBatch(100).size());
        c.checkpoint();
      }
    }
    StoreFixtures.crashShape(dir);
    FrameLocation victim;
    try (Store s = Store.open(StoreConfig.builder(dir).readOnly(true).build())) {
      victim = FrameLocation.of(s, receipts.get(10).eventId());
    }
    RepairTest.flip(dir.resolve(victim.segmentFileName()), victim.offset() + 40);
    Repair.apply(Repair.plan(dir), 77).orElseThrow();
  }

  @Test
  void aCheckpointPastTheRepairedJournalIsRefusedNotASilentSkip() throws IOException {
    handledThenRepaired();
    Path file = dir.resolve("cursors").resolve("billing.ckpt");
    try (Store s = Store.open(config())) {
      assertEquals(10, s.stats().eventCount(), "the repair kept events 0 to 9");
      for (int i = 0; i < 5; i++) {
        assertEquals(10 + i, put(s, 100 + i).globalSequence(), "new events reuse the numbers");
      }
      CursorCheckpointCorruptException e =
          assertThrows(
              CursorCheckpointCorruptException.class,
              () -> s.cursor(Region.all(), "billing"),
              "a cursor resuming at 60 would never deliver the new events 10 to 14");
      assertEquals(file.toString(), e.file());
      assertTrue(e.detail().contains("59"), e.detail());
      assertThrows(
          CursorCheckpointCorruptException.class,
          () -> s.cursorWorker(Region.all(), "billing", CursorWorkerConfig.defaults(), batch -> {}),
          "a worker is refused the same way");
    }
    Files.delete(file); // the documented way to start over on purpose
    try (Store s = Store.open(config());
        Cursor c = s.cursor(Region.all(), "billing")) {
      List<StoredEvent> all = c.pollBatch(100);
      assertEquals(15, all.size(), "everything the journal holds, the new events included");
      assertEquals(14, all.get(14).header().globalSequence());
    }
  }

  @Test
  void aWorkerOnARepairedStoreIsRefusedBeforeItSkipsAnything() throws IOException {
    handledThenRepaired();
    try (Store s = Store.open(config())) {
      CursorCheckpointCorruptException e =
          assertThrows(
              CursorCheckpointCorruptException.class,
              () -> {
                CursorWorker w =
                    s.cursorWorker(
                        Region.all(), "billing", CursorWorkerConfig.defaults(), batch -> {});
                w.stop();
                w.join();
              });
      assertTrue(e.detail().contains("up to 9"), "names where the journal ends: " + e.detail());
    }
  }
}
