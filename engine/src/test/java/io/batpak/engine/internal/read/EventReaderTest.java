package io.batpak.engine.internal.read;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.CausationId;
import io.batpak.CompactionConfig;
import io.batpak.Coordinate;
import io.batpak.CorruptStoreException;
import io.batpak.EventKind;
import io.batpak.ExtensionKey;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.engine.internal.format.Decompressors;
import io.batpak.engine.internal.format.FrameCodec;
import io.batpak.engine.internal.index.Index;
import io.batpak.engine.internal.recovery.Recovery;
import io.batpak.engine.internal.segment.Journal;
import io.batpak.fs.sim.SimEntropy;
import io.batpak.fs.sim.SimStoreClock;
import io.batpak.fs.sim.SimStoreFs;
import io.batpak.port.FileHandle;
import io.batpak.port.SyncMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * Reads of events in batch frames by their record alone (ADR 0029) return what reads of the whole
 * checked frame return, for every row of seeded stores of single events and batches, before and
 * after compaction (dropped and tombstoned events, compacted frames), in random order and again; a
 * flipped bit in a batch frame is reported with file and offset on the first read, and on a read of
 * its record alone after the frame was checked (the record's hashes are checked). On the simulated
 * file system; the seed is in every message (rerun with {@code -Dbatpak.test.seed=<seed>}).
 */
class EventReaderTest {
  private static final Path DIR = Path.of("/sim/reads");
  private static final EventKind KIND = EventKind.custom(3, 9);

  private static long seed() {
    Long fixed = Long.getLong("batpak.test.seed");
    long seed = fixed != null ? fixed : new Random().nextLong();
    System.out.println("EventReaderTest: seed " + seed);
    return seed;
  }

  private static StoreConfig config(SimStoreFs fs) {
    return StoreConfig.builder(DIR)
        .fs(fs)
        .clock(new SimStoreClock())
        .entropy(new SimEntropy(11))
        .deterministic(true)
        .segmentMaxBytes(16 << 10)
        .checkpointEveryBytes(8 << 10)
        .build();
  }

  /** Appends single events and batches of 2 to 40 to four streams; some caused, some extended. */
  private static List<AppendReceipt> fill(Store store, Random random, int operations) {
    List<AppendReceipt> out = new ArrayList<>();
    for (int op = 0; op < operations; op++) {
      int n = random.nextInt(3) == 0 ? 1 : 2 + random.nextInt(39);
      List<BatchItem> items = new ArrayList<>();
      AppendReceipt single = null;
      for (int i = 0; i < n; i++) {
        byte[] payload = new byte[random.nextInt(200)];
        random.nextBytes(payload);
        AppendOptions o = AppendOptions.defaults();
        if (!out.isEmpty() && random.nextInt(4) == 0) {
          o = o.withCausation(CausationId.of(out.get(random.nextInt(out.size())).eventId()));
        }
        if (random.nextInt(8) == 0) {
          o = o.withExtension(ExtensionKey.of("test.trace"), Bytes.of(new byte[] {(byte) i, 7}));
        }
        Coordinate c = Coordinate.of("s" + random.nextInt(4), "x");
        if (n == 1) {
          single = store.append(c, KIND, Bytes.of(payload), o);
        } else {
          items.add(BatchItem.of(c, KIND, Bytes.of(payload)).withOptions(o));
        }
      }
      if (single != null) {
        out.add(single);
      } else {
        out.addAll(store.appendBatch(items));
      }
    }
    return out;
  }

  /** The index and journal of the closed store in {@link #DIR}, as a read-only open finds them. */
  private record Opened(Index index, Journal journal) implements AutoCloseable {
    static Opened of(SimStoreFs fs) throws IOException {
      return of(fs, true);
    }

    /** As {@link #of(SimStoreFs)}; {@code mappedReads} false reads every segment with pread. */
    static Opened of(SimStoreFs fs, boolean mappedReads) throws IOException {
      Index index = new Index();
      SimStoreClock clock = new SimStoreClock();
      Recovery.Result found = new Recovery(fs, DIR, false, index, clock).run();
      Journal journal =
          new Journal(
              fs,
              DIR,
              SyncMode.ALL,
              found.segmentEnds(),
              false,
              0,
              clock,
              "json",
              "none",
              Decompressors.NONE,
              mappedReads,
              64L << 20);
      return new Opened(index, journal);
    }

    @Override
    public void close() throws IOException {
      journal.close();
    }
  }

  /**
   * Reads every visible row three times in random order with a reader that reads records alone and
   * compares each with what a reader of whole frames returns.
   */
  private static void assertSameReads(Opened o, Random random, long seed) {
    EventReader records = new EventReader(o.index(), o.journal(), true);
    EventReader frames = new EventReader(o.index(), o.journal(), false);
    int size = o.index().view().size();
    for (int round = 0; round < 3; round++) {
      List<Integer> rows = new ArrayList<>();
      for (int row = 0; row < size; row++) {
        rows.add(row);
      }
      java.util.Collections.shuffle(rows, random);
      for (int row : rows) {
        boolean headerOnly = random.nextBoolean();
        EventReader.Located a = headerOnly ? records.locateHeader(row) : records.locate(row);
        EventReader.Located b = headerOnly ? frames.locateHeader(row) : frames.locate(row);
        String where = "seed " + seed + ", round " + round + ", row " + row;
        assertEquals(b.disposition(), a.disposition(), where);
        assertEquals(
            EventQueries.header(b.record(), b.disposition()),
            EventQueries.header(a.record(), a.disposition()),
            where);
        assertArrayEquals(b.record().payload(), a.record().payload(), where);
        assertEquals(row, a.record().globalSequence(), where);
      }
    }
    assertTrue(records.checkedFrames() > 0, "seed " + seed + ": no batch frame was remembered");
    assertEquals(0, frames.checkedFrames(), "seed " + seed);
  }

  @Test
  void recordReadsEqualFrameReadsForEveryRowBeforeAndAfterCompaction() throws IOException {
    long seed = seed();
    Random random = new Random(seed);
    SimStoreFs fs = new SimStoreFs(seed);
    List<AppendReceipt> receipts;
    try (Store store = Store.open(config(fs))) {
      receipts = fill(store, random, 120);
    }
    try (Opened o = Opened.of(fs)) {
      assertEquals(receipts.size(), o.index().view().size(), "seed " + seed);
      assertSameReads(o, random, seed);
    }
    // Drop runs of ten events and tombstone other runs: compacted frames hold several of them.
    try (Store store = Store.open(config(fs))) {
      store.compact(CompactionConfig.retain(e -> e.header().globalSequence() / 10 % 4 != 1));
      store.compact(CompactionConfig.tombstone(e -> e.header().globalSequence() / 10 % 4 != 2));
      fill(store, random, 20);
    }
    try (Opened o = Opened.of(fs)) {
      int tombstoned = 0;
      int dropped = 0;
      for (int row = 0; row < o.index().view().size(); row++) {
        int d = o.index().view().disposition(row);
        tombstoned += d == FrameCodec.TOMBSTONED ? 1 : 0;
        dropped += d == FrameCodec.DROPPED ? 1 : 0;
      }
      assertTrue(tombstoned > 0 && dropped > 0, "seed " + seed + ": compaction removed nothing");
      assertSameReads(o, random, seed);
    }
  }

  @Test
  void aFlippedBitInABatchFrameIsReportedWithFileAndOffsetOnTheFirstRead() throws IOException {
    long seed = seed();
    Random random = new Random(seed);
    SimStoreFs fs = new SimStoreFs(seed);
    List<AppendReceipt> batch =
        storeWithBatch(
            fs,
            random,
            i -> BatchItem.of(Coordinate.of("flip", "x"), KIND, Bytes.of(new byte[] {1, 2, 3})));
    try (Opened o = Opened.of(fs)) {
      Index.View v = o.index().view();
      int first = (int) batch.get(0).globalSequence();
      int victim = first + 1 + random.nextInt(batch.size() - 1);
      long segment = v.segment(victim);
      long frameOffset = v.frameOffset(victim);
      // A bit of the payload of a record other than the one read first.
      int other = victim == first + 1 ? first + 2 : first + 1;
      long at = frameOffset + FrameCodec.PREFIX + v.recordOffset(other) + 10;
      flip(fs, o.journal().path(segment), at, 1 << random.nextInt(8));
      EventReader reader = new EventReader(o.index(), o.journal(), true);
      CorruptStoreException e =
          assertThrows(CorruptStoreException.class, () -> reader.locate(victim), "seed " + seed);
      assertNamesFrame(e, o.journal().path(segment), frameOffset, seed);
      assertEquals(0, reader.checkedFrames(), "seed " + seed + ": a damaged frame was remembered");
      assertThrows(CorruptStoreException.class, () -> reader.locate(other), "seed " + seed);
    }
  }

  /**
   * Every bit of one record, in turn, flipped after its frame was checked: each read of that record
   * alone reports the damage with file and offset. The hashes do not cover every bit (the record's
   * length field, how the causation flag is spelled), so one random bit per run would miss those in
   * most runs; the records carry a causation so that flag is 1 and has bits to flip without
   * becoming 0.
   */
  @Test
  void everyBitFlippedAfterItsFrameWasCheckedIsReportedWhenItsRecordIsReadAlone()
      throws IOException {
    long seed = seed();
    Random random = new Random(seed);
    SimStoreFs fs = new SimStoreFs(seed);
    List<AppendReceipt> batch =
        storeWithBatch(
            fs,
            random,
            i -> {
              // Small enough that the frame stays below the size a thread keeps after a read
              // (Journal.CACHED_FRAME_MIN): the victim's record must be read from the file.
              byte[] payload = new byte[1 + random.nextInt(150)];
              random.nextBytes(payload);
              BatchItem item =
                  BatchItem.of(Coordinate.of("flip", "x" + i), KIND, Bytes.of(payload));
              return i == 0 ? item : item.causedBy(i - 1);
            });
    // Read with pread: the simulator's mapping is a copy taken when the segment is first read, and
    // would not show a byte changed after that (a real mapping shares the page cache and would).
    try (Opened o = Opened.of(fs, false)) {
      Index.View v = o.index().view();
      int first = (int) batch.get(0).globalSequence();
      int victim = first + 1 + random.nextInt(batch.size() - 2);
      long segment = v.segment(victim);
      long frameOffset = v.frameOffset(victim);
      Path file = o.journal().path(segment);
      long start = frameOffset + FrameCodec.PREFIX + v.recordOffset(victim);
      int length = v.recordOffset(victim + 1) - v.recordOffset(victim);
      for (int at = 0; at < length; at++) {
        for (int bit = 0; bit < 8; bit++) {
          EventReader reader = new EventReader(o.index(), o.journal(), true);
          reader.locate(first); // the frame is checked whole and remembered
          assertEquals(
              1, reader.checkedFrames(), "seed " + seed + ": the batch frame was not kept");
          assertNull(
              o.journal().keptFrame(segment, frameOffset, v.frameLength(victim)),
              "seed " + seed + ": the frame was kept in memory, so the record is not read alone");
          flip(fs, file, start + at, 1 << bit);
          String where = "seed " + seed + ": record byte " + at + ", bit " + bit + " flipped";
          CorruptStoreException e =
              assertThrows(CorruptStoreException.class, () -> reader.locate(victim), where);
          assertNamesFrame(e, file, frameOffset, seed);
          flip(fs, file, start + at, 1 << bit);
        }
      }
      EventReader reader = new EventReader(o.index(), o.journal(), true);
      reader.locate(first);
      assertEquals(
          batch.get(victim - first).eventId().high(),
          reader.read(victim).idHi(),
          "seed " + seed + ": the record reads again once every bit is back");
    }
  }

  /**
   * A closed store on {@code fs} of five seeded events, then a batch of 20 events {@code item(i)}.
   */
  private static List<AppendReceipt> storeWithBatch(
      SimStoreFs fs, Random random, IntFunction<BatchItem> item) throws IOException {
    try (Store store = Store.open(config(fs))) {
      fill(store, random, 5);
      List<BatchItem> items = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        items.add(item.apply(i));
      }
      return store.appendBatch(items);
    }
  }

  /** {@code e}'s message names the segment file and the frame's offset. */
  private static void assertNamesFrame(
      CorruptStoreException e, Path file, long frameOffset, long seed) {
    String message = e.getMessage();
    assertTrue(
        message.contains(file.toString()) && message.contains(Long.toString(frameOffset)),
        "seed " + seed + ": " + message);
  }

  private static void flip(SimStoreFs fs, Path file, long at, int mask) throws IOException {
    try (FileHandle h = fs.openWrite(file)) {
      ByteBuffer one = ByteBuffer.allocate(1);
      h.read(one, at);
      one.put(0, (byte) (one.get(0) ^ mask)).rewind();
      h.write(one, at);
      h.sync(SyncMode.ALL);
    }
  }
}
