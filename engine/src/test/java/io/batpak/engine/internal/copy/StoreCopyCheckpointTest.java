package io.batpak.engine.internal.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.EventKind;
import io.batpak.OpenReport;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.engine.internal.index.IndexCheckpoint;
import io.batpak.engine.internal.segment.Journal;
import io.batpak.fs.sim.SimEntropy;
import io.batpak.fs.sim.SimStoreClock;
import io.batpak.fs.sim.SimStoreFs;
import io.batpak.port.FileHandle;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Which index checkpoint a copy carries (ADR 0045): the source's, when its watermark lies within
 * the cut; never one the committer published after the cut was taken, and never one whose header
 * cannot be read. Drives {@link StoreCopy} with cuts taken by hand, so the checkpoint can be made
 * to lie past the cut deterministically (through {@code Store.fork} that takes a race).
 */
class StoreCopyCheckpointTest {
  private static final Path DIR = Path.of("/sim/store");
  private static final EventKind KIND = EventKind.custom(1, 1);
  private static final long SEED = 45;

  private static StoreConfig config(SimStoreFs fs, Path dir) {
    return StoreConfig.builder(dir)
        .fs(fs)
        .clock(new SimStoreClock())
        .entropy(new SimEntropy(SEED))
        .deterministic(true)
        .segmentMaxBytes(4096)
        .checkpointEveryBytes(4096)
        .build();
  }

  private static void append(Store store, int from, int to) {
    for (int i = from; i < to; i++) {
      store.append(
          Coordinate.of("e" + (i % 3), "s"), KIND, Bytes.utf8("event " + i + " ".repeat(90)));
    }
  }

  /** The journal in {@link #DIR} as it is on disk now, as a cut of {@code events} events. */
  private static StoreCopy.Cut cutNow(SimStoreFs fs, long events) throws IOException {
    TreeMap<Long, Long> sizes = new TreeMap<>();
    for (String name : fs.list(DIR)) {
      long id = Journal.idOf(name);
      if (id >= 0) {
        try (FileHandle h = fs.openRead(DIR.resolve(name))) {
          sizes.put(id, h.size());
        }
      }
    }
    return new StoreCopy.Cut(events, sizes);
  }

  private static List<String> events(Store store) {
    return store.queryAfter(Region.all(), -1, 10_000).stream()
        .map(h -> h.globalSequence() + ":" + store.get(h.eventId()).payload())
        .toList();
  }

  /** Opens the store in {@code dir}: its events, after checking it distrusted nothing. */
  private static OpenReport.IndexLoad open(SimStoreFs fs, Path dir, List<String> events) {
    try (Store s = Store.open(config(fs, dir))) {
      OpenReport.IndexLoad load = s.openReport().indexLoad();
      assertEquals(List.of(), load.distrusted(), dir + " distrusted something");
      assertEquals(events, events(s), dir + " holds other events");
      return load;
    }
  }

  @Test
  void aCheckpointPublishedAfterTheCutIsLeftOutAndOneWithinItIsCarried() throws IOException {
    SimStoreFs fs = SimStoreFs.builder().seed(SEED).build();
    StoreCopy.Cut early;
    List<String> atEarly;
    List<String> all;
    try (Store store = Store.open(config(fs, DIR))) {
      append(store, 0, 40); // durable on return: the files end where the committer synced them
      early = cutNow(fs, 40);
      atEarly = events(store);
      append(store, 40, 80);
      all = events(store);
    } // the clean close publishes a checkpoint of all 80
    IndexCheckpoint.Watermark now = IndexCheckpoint.peekWatermark(fs, DIR.resolve("index.ckpt"));
    assertNotNull(now);
    assertEquals(80, now.events());
    StoreCopy.Cut whole = cutNow(fs, 80);

    for (StoreCopy.Mode mode : StoreCopy.Mode.values()) {
      Path past = Path.of("/sim/" + mode + "-early");
      new StoreCopy(fs, DIR, new SimEntropy(SEED), mode).copy(early, past);
      assertFalse(fs.exists(past.resolve(IndexCheckpoint.FILE)), mode + ": not carried");
      OpenReport.IndexLoad load = open(fs, past, atEarly);
      assertEquals(0, load.fromCheckpoint(), mode + ": " + load);

      Path within = Path.of("/sim/" + mode + "-whole");
      new StoreCopy(fs, DIR, new SimEntropy(SEED), mode).copy(whole, within);
      assertTrue(fs.exists(within.resolve(IndexCheckpoint.FILE)), mode + ": carried");
      load = open(fs, within, all);
      assertEquals(OpenReport.IndexSource.CHECKPOINT, load.source(), mode + ": " + load);
      assertEquals(80, load.fromCheckpoint(), mode + ": " + load);
    }
    open(fs, DIR, all); // the source's own checkpoint is untouched by the copies' opens and closes
  }

  @Test
  void aCheckpointWhoseHeaderCannotBeReadIsLeftOut() throws IOException {
    SimStoreFs fs = SimStoreFs.builder().seed(SEED).build();
    List<String> all;
    try (Store store = Store.open(config(fs, DIR))) {
      append(store, 0, 30);
      all = events(store);
    }
    try (FileHandle h = fs.openWrite(DIR.resolve(IndexCheckpoint.FILE))) {
      h.write(ByteBuffer.wrap(new byte[] {0, 0, 0, 0}), 0); // the magic: an unreadable header
      h.sync(io.batpak.port.SyncMode.ALL);
    }
    assertEquals(null, IndexCheckpoint.peekWatermark(fs, DIR.resolve(IndexCheckpoint.FILE)));
    for (StoreCopy.Mode mode : StoreCopy.Mode.values()) {
      Path dest = Path.of("/sim/" + mode);
      new StoreCopy(fs, DIR, new SimEntropy(SEED), mode).copy(cutNow(fs, 30), dest);
      assertFalse(fs.exists(dest.resolve(IndexCheckpoint.FILE)), mode + ": not carried");
      assertEquals(0, open(fs, dest, all).fromCheckpoint(), mode.toString());
    }
  }
}
