package io.batpak.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.CompactionConfig;
import io.batpak.Coordinate;
import io.batpak.CorruptStoreException;
import io.batpak.EventKind;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StoreVerification;
import io.batpak.VerificationProgress;
import io.batpak.fs.sim.CrashProfile;
import io.batpak.fs.sim.FaultAction;
import io.batpak.fs.sim.FaultRule;
import io.batpak.fs.sim.FaultTrigger;
import io.batpak.fs.sim.SimEntropy;
import io.batpak.fs.sim.SimStoreClock;
import io.batpak.fs.sim.SimStoreFs;
import io.batpak.port.FileHandle;
import io.batpak.port.SyncMode;
import io.batpak.test.BatpakTest;
import io.batpak.test.SimStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Zstd dictionaries trained from the store's own payloads (issue 14, ADR 0026), on the simulated
 * file system: the dictionary is published before any frame names it, frames name it (method 3 and
 * its id), every read path reads them, after a reopen, a compaction, a snapshot and a fork; a
 * changed size trains dictionary 2 while dictionary 1's payloads still read; a missing or damaged
 * dictionary file is a corrupt-store error naming the file; a crash at every step of the
 * dictionary's publish never leaves a frame naming a dictionary that is not on disk. Seeded; the
 * seed is in every message.
 */
@BatpakTest
class CompressionDictionaryTest {
  private static final Path DIR = Path.of("/sim/store");
  private static final EventKind KIND = EventKind.custom(1, 1);
  private static final int DICTIONARY = StoreConfig.MIN_COMPRESSION_DICTIONARY_BYTES;

  /** Seeds each open's entropy apart, so sessions of one store never draw the same event ids. */
  private static final AtomicLong OPENS = new AtomicLong();

  private static StoreConfig.Builder config(SimStoreFs fs, Path dir, int dictionary) {
    return StoreConfig.builder(dir)
        .fs(fs)
        .clock(new SimStoreClock())
        .entropy(new SimEntropy(OPENS.incrementAndGet()))
        .deterministic(true)
        .segmentMaxBytes(16 << 10)
        .compression("zstd")
        .compressionThreshold(64)
        .compressionDictionaryBytes(dictionary);
  }

  /** Small JSON-like payloads, where a dictionary helps most: {@code bytes} in all. */
  private static List<byte[]> payloads(Random random, long bytes) {
    List<byte[]> out = new ArrayList<>();
    long n = 0;
    while (n < bytes) {
      byte[] p = Payloads.text(random, 100 + random.nextInt(400));
      out.add(p);
      n += p.length;
    }
    return out;
  }

  private static List<AppendReceipt> append(Store s, List<byte[]> payloads) {
    List<AppendReceipt> out = new ArrayList<>();
    for (int i = 0; i < payloads.size(); i++) {
      out.add(s.append(Coordinate.of("order:" + (i % 3), "shop"), KIND, Bytes.of(payloads.get(i))));
    }
    return out;
  }

  /** The method byte of {@code r}'s stored payload and, for method 3, its dictionary id. */
  private static int[] method(SimStoreFs fs, Store s, AppendReceipt r) throws IOException {
    byte[] frame = CompressedStoreTest.frame(fs, s, r);
    int field = CompressedStoreTest.payloadFieldAt(frame);
    if (frame[field] >= 0) {
      return new int[] {0, 0};
    }
    int method = frame[field + 4];
    return new int[] {method, method == 3 ? ByteBuffer.wrap(frame).getInt(field + 9) : 0};
  }

  private static TreeSet<String> dictionaryFiles(SimStoreFs fs, Path dir) throws IOException {
    TreeSet<String> out = new TreeSet<>();
    for (String name : fs.list(dir)) {
      if (name.startsWith("zstd-")) {
        out.add(name);
      }
    }
    return out;
  }

  @Test
  void aTrainedDictionaryIsPublishedThenNamedByEveryLaterPayloadAndReadEverywhere(SimStore kit)
      throws IOException {
    long seed = kit.seed();
    String where = "seed " + seed;
    Random random = new Random(seed);
    // Twice what the training needs: the first half trains, the second is written with it.
    List<byte[]> payloads = payloads(random, 2L * 100 * DICTIONARY);
    SimStoreFs fs = SimStoreFs.builder().seed(seed).build();
    List<AppendReceipt> receipts;
    try (Store s = Store.open(config(fs, DIR, DICTIONARY).build())) {
      receipts = append(s, payloads);
      assertEquals(new TreeSet<>(List.of("zstd-0000000001.dict")), dictionaryFiles(fs, DIR), where);
      assertEquals(2, method(fs, s, receipts.get(0))[0], where + ": before training, plain zstd");
      int[] last = method(fs, s, receipts.get(receipts.size() - 1));
      assertArrayEquals(new int[] {3, 1}, last, where + ": after training, dictionary 1");
      CompressedStoreTest.assertReads(s, receipts, payloads, where);
    }
    try (Store s = Store.open(config(fs, DIR, DICTIONARY).build())) {
      CompressedStoreTest.assertReads(s, receipts, payloads, where + ", reopened");
      List<byte[]> more = payloads(random, 4096);
      List<AppendReceipt> added = append(s, more);
      assertArrayEquals(
          new int[] {3, 1}, method(fs, s, added.get(0)), where + ": the reopen uses dictionary 1");
      payloads.addAll(more);
      receipts.addAll(added);
      assertEquals(1, dictionaryFiles(fs, DIR).size(), where + ": no second dictionary");
      s.compact(CompactionConfig.merge().minSegments(2));
      CompressedStoreTest.assertReads(s, receipts, payloads, where + ", compacted");
      s.snapshot(Path.of("/sim/snapshot"));
      s.fork(Path.of("/sim/fork"));
    }
    for (String copy : new String[] {"/sim/snapshot", "/sim/fork"}) {
      assertEquals(
          dictionaryFiles(fs, DIR), dictionaryFiles(fs, Path.of(copy)), where + ", " + copy);
      try (Store s = Store.open(config(fs, Path.of(copy), DICTIONARY).build())) {
        CompressedStoreTest.assertReads(s, receipts, payloads, where + ", " + copy);
      }
    }
    // The dictionary is why it is smaller: the same appends with plain zstd take more bytes.
    SimStoreFs plain = SimStoreFs.builder().seed(seed).build();
    try (Store s = Store.open(config(plain, DIR, 0).build())) {
      append(s, payloads);
    }
    SimStoreFs fresh = SimStoreFs.builder().seed(seed).build();
    try (Store s = Store.open(config(fresh, DIR, DICTIONARY).build())) {
      append(s, payloads);
    }
    long with = CompressedStoreTest.segmentBytes(fresh, DIR);
    long without = CompressedStoreTest.segmentBytes(plain, DIR);
    assertTrue(with < without, where + ": " + with + " bytes with a dictionary, " + without);
  }

  @Test
  void payloadsOfDictionaryOneAndTwoBothReadWhateverTheSetting(SimStore kit) throws IOException {
    long seed = kit.seed();
    String where = "seed " + seed;
    Random random = new Random(seed);
    SimStoreFs fs = SimStoreFs.builder().seed(seed).build();
    List<byte[]> payloads = payloads(random, 150L * DICTIONARY);
    List<AppendReceipt> receipts;
    try (Store s = Store.open(config(fs, DIR, DICTIONARY).build())) {
      receipts = append(s, payloads);
    }
    List<byte[]> second = payloads(random, 150L * 2 * DICTIONARY);
    try (Store s = Store.open(config(fs, DIR, 2 * DICTIONARY).build())) {
      receipts.addAll(append(s, second));
      payloads.addAll(second);
      assertArrayEquals(
          new int[] {3, 2},
          method(fs, s, receipts.get(receipts.size() - 1)),
          where + ": a new size trains dictionary 2");
      CompressedStoreTest.assertReads(s, receipts, payloads, where);
    }
    assertEquals(
        new TreeSet<>(List.of("zstd-0000000001.dict", "zstd-0000000002.dict")),
        dictionaryFiles(fs, DIR),
        where);
    TreeSet<Integer> named = new TreeSet<>();
    for (int dictionary : new int[] {0, DICTIONARY, 2 * DICTIONARY}) {
      StoreConfig c =
          dictionary == 0
              ? config(fs, DIR, 0).compression("none").build()
              : config(fs, DIR, dictionary).build();
      try (Store s = Store.open(c)) {
        CompressedStoreTest.assertReads(s, receipts, payloads, where + ", " + dictionary);
        for (AppendReceipt r : receipts) {
          named.add(method(fs, s, r)[1]);
        }
      }
    }
    assertEquals(new TreeSet<>(List.of(0, 1, 2)), named, where + ": frames name both");
    assertEquals(2, dictionaryFiles(fs, DIR).size(), where + ": the first size did not retrain");
  }

  /** A store whose newest payload names dictionary 1, and that payload's receipt. */
  private record Trained(SimStoreFs fs, AppendReceipt named, AppendReceipt plain, long seed) {}

  private static Trained trained(long seed) throws IOException {
    SimStoreFs fs = SimStoreFs.builder().seed(seed).build();
    List<AppendReceipt> r;
    try (Store s = Store.open(config(fs, DIR, DICTIONARY).build())) {
      r = append(s, payloads(new Random(seed), 101L * DICTIONARY));
      r.add(s.append(Coordinate.of("order:9", "shop"), KIND, Bytes.of(new byte[10])));
      assertEquals(3, method(fs, s, r.get(r.size() - 2))[0], "seed " + seed);
    }
    return new Trained(fs, r.get(r.size() - 2), r.get(r.size() - 1), seed);
  }

  private static void assertNamed(Trained t, long offset, String where) {
    try (Store s = Store.open(config(t.fs(), DIR, DICTIONARY).build())) {
      CorruptStoreException e =
          assertThrows(CorruptStoreException.class, () -> s.get(t.named().eventId()), where);
      assertEquals(DIR.resolve("zstd-0000000001.dict").toString(), e.file(), where);
      assertEquals(offset, e.offset(), where + ": " + e.getMessage());
      assertTrue(e.getMessage().contains("zstd dictionary 1"), where + ": " + e.getMessage());
      assertEquals(10, s.get(t.plain().eventId()).payload().size(), where + ": others read");
      assertFalse(s.verifyReceipt(t.named()).isValid(), where);
      StoreVerification v = s.verifyAll(VerificationProgress.none());
      assertFalse(v.intact(), where);
      assertTrue(
          v.problems().get(0).detail().contains("zstd-0000000001.dict"),
          where + ": " + v.problems());
    }
  }

  @Test
  void aMissingDictionaryIsCorruptionNamingItsFile(SimStore kit) throws IOException {
    Trained t = trained(kit.seed());
    assertTrue(t.fs().deleteIfExists(DIR.resolve("zstd-0000000001.dict")));
    assertNamed(t, 0, "seed " + t.seed());
  }

  @ParameterizedTest
  @ValueSource(ints = {3, 40, 200})
  void aDamagedDictionaryIsCorruptionNamingItsFileAndOffset(int at, SimStore kit)
      throws IOException {
    Trained t = trained(kit.seed());
    Path file = DIR.resolve("zstd-0000000001.dict");
    try (FileHandle h = t.fs().openWrite(file)) {
      byte[] one = new byte[1];
      h.read(ByteBuffer.wrap(one), at);
      one[0] ^= 0x10;
      h.write(ByteBuffer.wrap(one), at);
      h.sync(SyncMode.ALL);
    }
    // Damage in the 28-byte header is reported at 0; damage in the body at the body's start.
    assertNamed(t, at < 28 ? 0 : 28, "seed " + t.seed() + ", byte " + at);
  }

  @Test
  void aDictionaryOfANewerFormatFailsTheOpenAndSaysNotToDeleteIt(SimStore kit) throws IOException {
    Trained t = trained(kit.seed());
    Path file = DIR.resolve("zstd-0000000001.dict");
    byte[] head = new byte[28];
    try (FileHandle h = t.fs().openWrite(file)) {
      h.read(ByteBuffer.wrap(head), 0);
      ByteBuffer.wrap(head).putShort(8, (short) 2);
      java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
      crc.update(head, 0, 24);
      ByteBuffer.wrap(head).putInt(24, (int) crc.getValue());
      h.write(ByteBuffer.wrap(head), 0);
      h.sync(SyncMode.ALL);
    }
    io.batpak.UnsupportedFormatException e =
        assertThrows(
            io.batpak.UnsupportedFormatException.class,
            () -> Store.open(config(t.fs(), DIR, DICTIONARY).build()),
            "seed " + t.seed());
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("Do not delete it: payloads name it."), e.getMessage());
  }

  /**
   * Crashes before and after each file-system operation on the dictionary's files (the temporary
   * file's removal, creation, writes and its publish), then a power loss: the store opens, every
   * acknowledged append reads back, {@code verifyAll} holds, and the next session trains the
   * dictionary again.
   */
  @Test
  void aCrashWhilePublishingNeverLeavesAFrameNamingAnUnpublishedDictionary(SimStore kit)
      throws IOException {
    long seed = kit.seed();
    List<byte[]> payloads = payloads(new Random(seed), 120L * DICTIONARY);
    int crashes = 0;
    for (long nth = 1; ; nth++) {
      boolean crashed = false;
      for (boolean before : new boolean[] {true, false}) {
        String where = "seed " + seed + ", killed " + (before ? "before" : "after") + " " + nth;
        SimStoreFs fs = SimStoreFs.builder().seed(seed).build();
        fs.addFault(
            new FaultRule(
                null,
                "/sim/store/zstd-*",
                FaultTrigger.nth(nth),
                before ? FaultAction.crashBefore() : FaultAction.crashAfter()));
        List<AppendReceipt> acked = session(fs, seed, payloads);
        if (!fs.isFrozen()) {
          continue;
        }
        crashed = true;
        crashes++;
        fs.clearFaults();
        fs.restart();
        SimStoreFs lost = SimStoreFs.fromSnapshot(fs.snapshot());
        lost.crash(CrashProfile.STRICT);
        assertIntact(fs, acked, payloads, where);
        assertIntact(lost, acked, payloads, where + ", then a power loss");
      }
      if (!crashed) {
        break;
      }
    }
    assertTrue(crashes >= 6, "seed " + seed + ": only " + crashes + " crash points");
  }

  private static void assertIntact(
      SimStoreFs fs, List<AppendReceipt> acked, List<byte[]> payloads, String where)
      throws IOException {
    try (Store s = Store.open(config(fs, DIR, DICTIONARY).build())) {
      for (int i = 0; i < acked.size(); i++) {
        assertArrayEquals(
            payloads.get(i), s.get(acked.get(i).eventId()).payload().toByteArray(), where);
      }
      StoreVerification v = s.verifyAll(VerificationProgress.none());
      assertTrue(v.intact(), where + ": " + v.problems());
      List<AppendReceipt> more = append(s, payloads);
      assertArrayEquals(
          new int[] {3, 1},
          method(fs, s, more.get(more.size() - 1)),
          where + ": the next session trains dictionary 1");
    }
  }

  /** Opens, appends, closes; stops at the simulated crash. Returns the acknowledged appends. */
  private static List<AppendReceipt> session(SimStoreFs fs, long seed, List<byte[]> payloads) {
    List<AppendReceipt> acked = new ArrayList<>();
    try (Store store = Store.open(config(fs, DIR, DICTIONARY).build())) {
      for (int i = 0; i < payloads.size(); i++) {
        acked.add(
            store.append(Coordinate.of("order:" + (i % 2), "s"), KIND, Bytes.of(payloads.get(i))));
      }
    } catch (RuntimeException e) {
      assertTrue(fs.isFrozen(), "seed " + seed + ": failed without a crash: " + e);
    }
    return acked;
  }
}
