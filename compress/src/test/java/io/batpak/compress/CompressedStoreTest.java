package io.batpak.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.CompactionConfig;
import io.batpak.Coordinate;
import io.batpak.Cursor;
import io.batpak.EventKind;
import io.batpak.IdempotencyKey;
import io.batpak.Projection;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StoreVerification;
import io.batpak.StoredEvent;
import io.batpak.engine.FrameLocation;
import io.batpak.fs.sim.SimEntropy;
import io.batpak.fs.sim.SimStoreClock;
import io.batpak.fs.sim.SimStoreFs;
import io.batpak.port.FileHandle;
import io.batpak.test.BatpakTest;
import io.batpak.test.SimStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Stores written with each compressor, on the simulated file system: every read path returns the
 * payloads appended (get, cursors, projections' windowed replay, verifyAll, verifyReceipt, after a
 * reopen, a compaction and a snapshot); receipts and hashes equal an uncompressed store's for the
 * same appends; a frame below the threshold is byte for byte an uncompressed store's; a store
 * reopened with another setting reads both kinds of segment, each naming its compressor. Seeded;
 * the seed is in every message.
 */
@BatpakTest
class CompressedStoreTest {
  private static final Path DIR = Path.of("/sim/store");
  private static final EventKind KIND = EventKind.custom(1, 1);

  private static StoreConfig.Builder config(SimStoreFs fs, Path dir, String compression) {
    return StoreConfig.builder(dir)
        .fs(fs)
        .clock(new SimStoreClock())
        .entropy(new SimEntropy(7))
        .deterministic(true)
        .segmentMaxBytes(256 << 10)
        .maxPayloadBytes(2 << 20)
        .maxBatchBytes(4 << 20)
        .compression(compression)
        .compressionThreshold(Payloads.THRESHOLD);
  }

  /** Appends {@code payloads} (singles and batches of two), with idempotency keys. */
  private static List<AppendReceipt> appendAll(Store s, List<byte[]> payloads) {
    List<AppendReceipt> out = new ArrayList<>();
    int i = 0;
    while (i < payloads.size()) {
      Coordinate c = Coordinate.of("order:" + (i % 3), "shop");
      if (i % 5 == 4 && i + 1 < payloads.size()) {
        out.addAll(
            s.appendBatch(
                List.of(
                    BatchItem.of(c, KIND, Bytes.of(payloads.get(i))).withOptions(options(i)),
                    BatchItem.of(c, KIND, Bytes.of(payloads.get(i + 1)))
                        .withOptions(options(i + 1)))));
        i += 2;
      } else {
        out.add(s.append(c, KIND, Bytes.of(payloads.get(i)), options(i)));
        i++;
      }
    }
    return out;
  }

  private static AppendOptions options(int i) {
    return AppendOptions.defaults().withIdempotencyKey(IdempotencyKey.of(42, i));
  }

  @ParameterizedTest
  @ValueSource(strings = {"lz4", "zstd"})
  void everyReadPathReturnsThePayloadsAppended(String compressor, SimStore kit) throws IOException {
    long seed = kit.seed();
    String where = compressor + ", seed " + seed;
    List<byte[]> payloads = Payloads.all(new Random(seed));
    SimStoreFs fs = SimStoreFs.builder().seed(seed).build();
    List<AppendReceipt> receipts;
    try (Store s = Store.open(config(fs, DIR, compressor).build())) {
      receipts = appendAll(s, payloads);
      assertReads(s, receipts, payloads, where);
    }
    try (Store s = Store.open(config(fs, DIR, compressor).build())) {
      assertReads(s, receipts, payloads, where + ", reopened");
      assertEquals(0, s.compact(CompactionConfig.merge().minSegments(2)).eventsDropped(), where);
      assertReads(s, receipts, payloads, where + ", compacted");
      s.snapshot(Path.of("/sim/copy"));
    }
    try (Store s = Store.open(config(fs, Path.of("/sim/copy"), compressor).build())) {
      assertReads(s, receipts, payloads, where + ", snapshot");
    }
    SimStoreFs plain = SimStoreFs.builder().seed(seed).build();
    try (Store s = Store.open(config(plain, DIR, "none").build())) {
      assertEquals(receipts, appendAll(s, payloads), where + ": receipts without compression");
      assertTrue(
          segmentBytes(fs, DIR) < segmentBytes(plain, DIR) / 4,
          where + ": " + segmentBytes(fs, DIR) + " bytes compressed, " + segmentBytes(plain, DIR));
    }
  }

  static void assertReads(
      Store s, List<AppendReceipt> receipts, List<byte[]> payloads, String where) {
    for (int i = 0; i < payloads.size(); i++) {
      StoredEvent e = s.get(receipts.get(i).eventId());
      assertArrayEquals(payloads.get(i), e.payload().toByteArray(), where + ", event " + i);
      assertEquals(receipts.get(i).contentHash(), e.header().contentHash(), where + ", " + i);
      assertTrue(s.verifyReceipt(receipts.get(i)).isValid(), where + ", receipt " + i);
    }
    try (Cursor c = s.cursor(Region.all())) {
      List<StoredEvent> all = c.pollBatch(payloads.size() + 1);
      assertEquals(payloads.size(), all.size(), where);
      for (int i = 0; i < payloads.size(); i++) {
        assertArrayEquals(payloads.get(i), all.get(i).payload().toByteArray(), where + ", " + i);
      }
    }
    String entity = s.get(receipts.get(0).eventId()).header().entity();
    long expected = 0;
    for (int i = 0; i < payloads.size(); i++) {
      boolean same = s.get(receipts.get(i).eventId()).header().entity().equals(entity);
      expected += same ? payloads.get(i).length : 0;
    }
    assertEquals(expected, s.project(entity, new PayloadBytes()).state(), where + ": projection");
    StoreVerification v = s.verifyAll(io.batpak.VerificationProgress.none());
    assertTrue(v.intact(), where + ": " + v.problems());
    assertEquals(payloads.size(), v.eventsChecked(), where);
  }

  @ParameterizedTest
  @ValueSource(strings = {"lz4", "zstd"})
  void aFrameBelowTheThresholdIsByteForByteAnUncompressedStoresFrame(
      String compressor, SimStore kit) throws IOException {
    long seed = kit.seed();
    Random random = new Random(seed);
    List<byte[]> small = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      small.add(Payloads.text(random, random.nextInt(Payloads.THRESHOLD)));
    }
    SimStoreFs packed = SimStoreFs.builder().seed(seed).build();
    SimStoreFs plain = SimStoreFs.builder().seed(seed).build();
    try (Store a = Store.open(config(packed, DIR, compressor).build());
        Store b = Store.open(config(plain, DIR, "none").build())) {
      List<AppendReceipt> ra = appendAll(a, small);
      List<AppendReceipt> rb = appendAll(b, small);
      assertEquals(rb, ra, "seed " + seed);
      for (AppendReceipt r : ra) {
        // Equal but for the durable end (body bytes 16-23, an offset in the segment, whose header
        // holds the compression's name) and the CRC that covers it.
        byte[] x = frame(plain, b, r);
        byte[] y = frame(packed, a, r);
        String what = "seed " + seed + ", " + r.eventId();
        assertEquals(x.length, y.length, what);
        assertArrayEquals(Arrays.copyOfRange(x, 0, 4), Arrays.copyOfRange(y, 0, 4), what);
        assertArrayEquals(Arrays.copyOfRange(x, 8, 24), Arrays.copyOfRange(y, 8, 24), what);
        assertArrayEquals(
            Arrays.copyOfRange(x, 32, x.length), Arrays.copyOfRange(y, 32, y.length), what);
      }
    }
    assertEquals(compressor, compressionName(packed, DIR, 1));
    assertEquals("none", compressionName(plain, DIR, 1));
  }

  @ParameterizedTest
  @ValueSource(strings = {"lz4", "zstd"})
  void aFrameOverTheThresholdIsStoredCompressedWithTheSameHashes(String compressor)
      throws IOException {
    byte[] payload = Payloads.text(new Random(1), 10_000);
    SimStoreFs packed = SimStoreFs.builder().seed(1).build();
    SimStoreFs plain = SimStoreFs.builder().seed(1).build();
    try (Store a = Store.open(config(packed, DIR, compressor).build());
        Store b = Store.open(config(plain, DIR, "none").build())) {
      AppendReceipt ra = appendAll(a, List.of(payload)).get(0);
      AppendReceipt rb = appendAll(b, List.of(payload)).get(0);
      assertEquals(rb, ra);
      byte[] small = frame(packed, a, ra);
      byte[] big = frame(plain, b, rb);
      assertTrue(small.length < big.length / 4, small.length + " vs " + big.length);
      // The stored payload field: length with the top bit set, then the method byte and the
      // uncompressed length.
      int at = payloadFieldAt(small);
      int field = ByteBuffer.wrap(small).getInt(at);
      assertEquals(0x80000000, field & 0x80000000);
      assertEquals(small.length - at - 4, field & 0x7FFFFFFF);
      assertEquals(compressor.equals("lz4") ? 1 : 2, small[at + 4]);
      assertEquals(payload.length, ByteBuffer.wrap(small).getInt(at + 5));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"lz4", "zstd"})
  void aStoreReopenedWithAnotherSettingReadsBothKindsOfSegment(String compressor, SimStore kit)
      throws IOException {
    long seed = kit.seed();
    String where = compressor + ", seed " + seed;
    Random random = new Random(seed);
    SimStoreFs fs = SimStoreFs.builder().seed(seed).build();
    List<byte[]> payloads = new ArrayList<>();
    List<AppendReceipt> receipts = new ArrayList<>();
    String other = compressor.equals("lz4") ? "zstd" : "lz4";
    List<String> settings = List.of("none", compressor, other, "none", compressor);
    for (String setting : settings) {
      List<byte[]> more = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        more.add(Payloads.text(random, 100 + random.nextInt(3000)));
      }
      try (Store s = Store.open(config(fs, DIR, setting).build())) {
        for (int i = 0; i < more.size(); i++) {
          receipts.add(
              s.append(
                  Coordinate.of("mix", "s"),
                  KIND,
                  Bytes.of(more.get(i)),
                  options(payloads.size() + i)));
        }
        payloads.addAll(more);
        assertReads(s, receipts, payloads, where + ", with " + setting);
      }
    }
    List<String> names = new ArrayList<>();
    for (long id = 1; id <= settings.size(); id++) {
      names.add(compressionName(fs, DIR, id));
    }
    assertEquals(
        settings, names, where + ": each segment names the compression it was written with");
    try (Store s = Store.open(config(fs, DIR, "none").build())) {
      s.compact(CompactionConfig.merge().minSegments(2));
      assertReads(s, receipts, payloads, where + ", merged");
    }
    assertEquals(
        compressor + "+" + other,
        compressionName(fs, DIR, settings.size()),
        where + ": the merged output names every compressor its frames use");
  }

  @ParameterizedTest
  @ValueSource(strings = {"lz4", "zstd"})
  void retainAndTombstoneCompactionKeepTheSurvivorsCompressed(String compressor, SimStore kit) {
    long seed = kit.seed();
    String where = compressor + ", seed " + seed;
    Random random = new Random(seed);
    SimStoreFs fs = SimStoreFs.builder().seed(seed).build();
    List<byte[]> payloads = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      payloads.add(Payloads.text(random, 200 + random.nextInt(4000)));
    }
    List<AppendReceipt> receipts;
    try (Store s = Store.open(config(fs, DIR, compressor).segmentMaxBytes(8192).build())) {
      receipts = appendAll(s, payloads);
      s.compact(CompactionConfig.tombstone(e -> !e.header().entity().equals("order:1")));
      for (int i = 0; i < payloads.size(); i++) {
        StoredEvent e = s.get(receipts.get(i).eventId());
        if (e.header().kind().equals(EventKind.TOMBSTONE)) {
          assertEquals("order:1", e.header().entity(), where + ", " + i);
          assertEquals(0, e.payload().size(), where + ", " + i);
        } else {
          assertArrayEquals(payloads.get(i), e.payload().toByteArray(), where + ", " + i);
        }
        assertTrue(s.verifyReceipt(receipts.get(i)).isValid(), where + ", receipt " + i);
      }
      StoreVerification v = s.verifyAll(io.batpak.VerificationProgress.none());
      assertTrue(v.intact(), where + ": " + v.problems());
      assertNotEquals(0, v.eventsTombstoned(), where);
    }
  }

  @org.junit.jupiter.api.Test
  void aCompressorTheFormatDoesNotKnowIsRefusedAtOpen() {
    SimStoreFs fs = SimStoreFs.builder().seed(1).build();
    io.batpak.ValidationException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            io.batpak.ValidationException.class,
            () -> Store.open(config(fs, DIR, "brotli").build()));
    assertEquals(
        "compression 'brotli' is not a compressor the journal format knows (lz4, zstd); name one"
            + " of those or 'none'. See docs/codecs.md#compression",
        e.getMessage());
  }

  /** The bytes of the frame holding {@code r}'s event. */
  static byte[] frame(SimStoreFs fs, Store s, AppendReceipt r) throws IOException {
    FrameLocation at = FrameLocation.of(s, r.eventId());
    Path file = s.config().directory().resolve(String.format("%010d.seg", at.segmentId()));
    byte[] out = new byte[at.length()];
    try (FileHandle h = fs.openRead(file)) {
      h.read(ByteBuffer.wrap(out), at.offset());
    }
    return out;
  }

  /** The offset of the payload length field of a frame's first record (docs/format.md). */
  static int payloadFieldAt(byte[] frame) {
    ByteBuffer b = ByteBuffer.wrap(frame);
    int p = 8 + 24 + 4 + 16 + 16 + 1 + 16;
    p += 2 + (b.getShort(p) & 0xFFFF);
    p += 2 + (b.getShort(p) & 0xFFFF);
    p += 2 + 8 + 8 + 2 + 1;
    int extensions = b.getShort(p) & 0xFFFF;
    p += 2;
    for (int i = 0; i < extensions; i++) {
      p += 2 + (b.getShort(p) & 0xFFFF);
      p += 4 + b.getInt(p);
    }
    return p + 96;
  }

  /** The compression name in the header of segment {@code id} (docs/format.md). */
  static String compressionName(SimStoreFs fs, Path dir, long id) throws IOException {
    byte[] head = new byte[1024];
    Path file = dir.resolve(String.format("%010d.seg", id));
    try (FileHandle h = fs.openRead(file)) {
      int n = (int) Math.min(h.size(), head.length);
      h.read(ByteBuffer.wrap(head, 0, n), 0);
    }
    int version = ((head[8] & 0xFF) << 8) | (head[9] & 0xFF);
    int p = version == 3 ? 44 : 36;
    p += 1 + (head[p] & 0xFF);
    return new String(head, p + 1, head[p] & 0xFF, StandardCharsets.US_ASCII);
  }

  static long segmentBytes(SimStoreFs fs, Path dir) throws IOException {
    long n = 0;
    for (String name : fs.list(dir)) {
      if (name.endsWith(".seg")) {
        try (FileHandle h = fs.openRead(dir.resolve(name))) {
          n += h.size();
        }
      }
    }
    return n;
  }

  /** The total payload bytes of a stream, read through the projection's windowed replay. */
  static final class PayloadBytes implements Projection<Long> {
    @Override
    public String id() {
      return "payload-bytes";
    }

    @Override
    public int schemaVersion() {
      return 1;
    }

    @Override
    public Set<EventKind> kinds() {
      return Set.of(KIND);
    }

    @Override
    public Long initial() {
      return 0L;
    }

    @Override
    public Long apply(Long state, StoredEvent event) {
      return state + event.payload().size();
    }

    @Override
    public Class<Long> stateType() {
      return Long.class;
    }
  }
}
