package io.batpak.engine;

import static io.batpak.engine.StoreFixtures.KIND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.CompactionConfig;
import io.batpak.CompactionResult;
import io.batpak.Coordinate;
import io.batpak.ReceiptVerification;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.VisibilityFence;
import io.batpak.fs.sim.SimEntropy;
import io.batpak.fs.sim.SimStoreClock;
import io.batpak.fs.sim.SimStoreFs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * A compaction whose store's journal ends in a cancelled fence. The compaction removes the index
 * checkpoint of the segments it replaces and asks for a new one; a checkpoint ends at an event that
 * is not cancelled (its hash anchors it), as the cadence and a clean close know, but the
 * compaction's request staged one anyway and failed inside the index with an
 * ArrayIndexOutOfBoundsException (the cancelled row's stream is -1), logged as a failed checkpoint.
 * Found by LifetimeExplorerIT (it), seed 19784526594055: a fence closed without a commit, then a
 * retain.
 */
class CompactionAfterACancelledFenceTest {
  private static final Path DIR = Path.of("/sim/store");

  private static StoreConfig config(SimStoreFs fs, int open) {
    return StoreConfig.builder(DIR)
        .fs(fs)
        .clock(new SimStoreClock())
        .entropy(new SimEntropy(31 + 1_000_003L * open))
        .deterministic(true)
        .segmentMaxBytes(4096)
        .build();
  }

  @Test
  void aCompactionAfterACancelledFenceStagesNoCheckpointItCannotAnchor() {
    Logger batpak = Logger.getLogger("io.batpak");
    List<LogRecord> records = new ArrayList<>();
    Handler recorder =
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            synchronized (records) {
              records.add(r);
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    batpak.addHandler(recorder);
    SimStoreFs fs = SimStoreFs.builder().seed(5).build();
    List<AppendReceipt> kept = new ArrayList<>();
    try {
      try (Store s = Store.open(config(fs, 0))) {
        for (int i = 0; i < 60; i++) { // rolls several 4 KiB segments, each sealed
          String entity = i % 3 == 0 ? "temp-" + i : "order-" + (i % 4);
          AppendReceipt r = s.append(Coordinate.of(entity, "s"), KIND, Bytes.of(new byte[100 + i]));
          if (!entity.startsWith("temp-")) {
            kept.add(r);
          }
        }
        try (VisibilityFence f = s.beginFence()) {
          f.append(Coordinate.of("order-0", "s"), KIND, Bytes.of(new byte[10]));
          f.cancel(); // the journal, and the index, now end in the cancelled event
        }
        CompactionResult r =
            s.compact(CompactionConfig.retain(e -> !e.header().entity().startsWith("temp-")));
        assertEquals(CompactionResult.Outcome.PERFORMED, r.outcome(), r.toString());
        for (AppendReceipt k : kept) {
          assertTrue(s.verifyReceipt(k).isValid(), () -> k + " after the compaction");
        }
      }
      List<LogRecord> failures;
      synchronized (records) {
        failures = records.stream().filter(r -> r.getThrown() != null).toList();
      }
      assertEquals(
          List.of(),
          failures.stream().map(r -> r.getMessage() + ": " + r.getThrown()).toList(),
          "nothing failed");
      try (Store s = Store.open(config(fs, 1))) {
        for (AppendReceipt k : kept) {
          assertTrue(
              s.verifyReceipt(k) instanceof ReceiptVerification.Valid,
              () -> k + " after the reopen");
        }
      }
    } finally {
      batpak.removeHandler(recorder);
    }
  }
}
