package io.batpak.engine;

import static io.batpak.engine.StoreFixtures.KIND;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.CorruptStoreException;
import io.batpak.OpenReport;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.UnsupportedFormatException;
import io.batpak.engine.internal.index.IndexCheckpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damage to whole segment files: torn creation, gaps, bad headers, newer versions. */
class SegmentFilesTest {
  @TempDir Path dir;

  StoreConfig config() {
    return StoreConfig.builder(dir).segmentMaxBytes(4096).build();
  }

  List<AppendReceipt> fill() {
    List<AppendReceipt> receipts = new ArrayList<>();
    try (Store store = Store.open(config())) {
      for (int i = 0; i < 40; i++) {
        receipts.add(
            store.append(Coordinate.of("e" + i % 4, "s"), KIND, Bytes.ofOwned(new byte[300])));
      }
    }
    assertTrue(StoreFixtures.segments(dir).size() >= 3);
    return receipts;
  }

  /** A torn creation after a crash: the newest whole segment is not sealed. */
  void checkTornCreation(UnaryOperator<byte[]> fromFirstSegment) throws IOException {
    List<AppendReceipt> receipts = fill();
    StoreFixtures.crashShape(dir);
    byte[] newSegment = fromFirstSegment.apply(Files.readAllBytes(StoreFixtures.segment(dir, 1)));
    int n = StoreFixtures.segments(dir).size();
    Path torn = StoreFixtures.segment(dir, n + 1);
    Files.write(torn, newSegment);
    Map<String, byte[]> before = StoreFixtures.contents(dir);
    try (Store store = Store.open(config().toBuilder().readOnly(true).build())) {
      OpenReport.TornTail t = store.openReport().tornTail().orElseThrow();
      assertEquals(torn.toString(), t.file());
      assertEquals(0, t.offset());
      assertEquals(newSegment.length, t.bytes());
      assertFalse(t.truncated());
      StoreFixtures.assertIntact(store, receipts);
    }
    StoreFixtures.assertSameContents(before, StoreFixtures.contents(dir));
    try (Store store = Store.open(config())) {
      OpenReport.TornTail t = store.openReport().tornTail().orElseThrow();
      assertEquals(torn.toString(), t.file());
      assertTrue(t.truncated());
      assertFalse(Files.exists(torn), "the half-made segment is removed");
      assertEquals(n, store.openReport().segments().size());
      StoreFixtures.assertIntact(store, receipts);
      receipts = new ArrayList<>(receipts);
      for (int i = 0; i < 20; i++) {
        receipts.add(store.append(Coordinate.of("after", "s"), KIND, Bytes.ofOwned(new byte[300])));
      }
      assertTrue(Files.exists(torn), "rotation made the segment again");
    }
    try (Store store = Store.open(config())) {
      assertTrue(store.openReport().tornTail().isEmpty());
      StoreFixtures.assertIntact(store, receipts);
    }
  }

  @Test
  void aNewestSegmentWithAPartialHeaderIsATornTail() throws IOException {
    checkTornCreation(first -> Arrays.copyOf(first, 20));
  }

  @Test
  void anEmptyNewestSegmentIsATornTail() throws IOException {
    checkTornCreation(first -> new byte[0]);
  }

  /**
   * A torn creation after a sealed segment (a crash during rotation, after the seal): the torn file
   * is removed like any torn creation, and because the newest whole segment is sealed, the mutable
   * open starts the next segment afresh under the same name, with a whole header.
   */
  void checkTornCreationAfterASeal(UnaryOperator<byte[]> fromFirstSegment) throws IOException {
    List<AppendReceipt> receipts = fill();
    byte[] first = Files.readAllBytes(StoreFixtures.segment(dir, 1));
    int headerLength = ((first[10] & 0xFF) << 8) | (first[11] & 0xFF);
    byte[] newSegment = fromFirstSegment.apply(first);
    int n = StoreFixtures.segments(dir).size();
    Path torn = StoreFixtures.segment(dir, n + 1);
    Files.write(torn, newSegment);
    Map<String, byte[]> before = StoreFixtures.contents(dir);
    try (Store store = Store.open(config().toBuilder().readOnly(true).build())) {
      OpenReport.TornTail t = store.openReport().tornTail().orElseThrow();
      assertEquals(torn.toString(), t.file());
      assertEquals(0, t.offset());
      assertEquals(newSegment.length, t.bytes());
      assertFalse(t.truncated());
      assertEquals(OpenReport.IndexSource.CHECKPOINT, store.openReport().indexLoad().source());
      StoreFixtures.assertIntact(store, receipts);
    }
    StoreFixtures.assertSameContents(before, StoreFixtures.contents(dir));
    try (Store store = Store.open(config())) {
      OpenReport.TornTail t = store.openReport().tornTail().orElseThrow();
      assertEquals(torn.toString(), t.file());
      assertTrue(t.truncated());
      assertEquals(n, store.openReport().segments().size());
      byte[] fresh = Files.readAllBytes(torn);
      assertEquals(headerLength, fresh.length, "the next segment holds a whole header only");
      assertArrayEquals(Arrays.copyOf(first, 8), Arrays.copyOf(fresh, 8), "its magic");
      StoreFixtures.assertIntact(store, receipts);
      receipts = new ArrayList<>(receipts);
      receipts.add(store.append(Coordinate.of("after", "s"), KIND, Bytes.ofOwned(new byte[300])));
      FrameLocation at = StoreFixtures.frame(store, receipts.get(receipts.size() - 1));
      assertEquals(n + 1, at.segmentId());
      assertEquals(headerLength, at.offset());
    }
    try (Store store = Store.open(config())) {
      assertTrue(store.openReport().tornTail().isEmpty());
      assertEquals(n + 1, store.openReport().segments().size());
      StoreFixtures.assertIntact(store, receipts);
    }
  }

  @Test
  void aPartialHeaderAfterASealedSegmentIsReplacedByAFreshSegment() throws IOException {
    checkTornCreationAfterASeal(first -> Arrays.copyOf(first, 20));
  }

  @Test
  void anEmptySegmentAfterASealedSegmentIsReplacedByAFreshSegment() throws IOException {
    checkTornCreationAfterASeal(first -> new byte[0]);
  }

  @Test
  void aGapInTheSegmentNumbersIsCorruption() throws IOException {
    fill();
    Path second = StoreFixtures.segment(dir, 2);
    Files.delete(second);
    // The index checkpoint places events in segment 2: the open names the missing segment.
    CorruptStoreException e = assertThrows(CorruptStoreException.class, () -> Store.open(config()));
    assertTrue(e.file().endsWith("0000000002.seg"), e.file());
    assertTrue(e.getMessage().contains("no such segment"), e.getMessage());
    // Without the checkpoint, the numbering: segment 3 follows segment 1.
    Files.delete(dir.resolve(IndexCheckpoint.FILE));
    e = assertThrows(CorruptStoreException.class, () -> Store.open(config()));
    assertTrue(e.file().endsWith("0000000003.seg"), e.file());
    assertEquals("segment numbering", e.what(), e.getMessage());
  }

  @Test
  void aDamagedHeaderOfAnOlderSegmentIsCorruption() throws IOException {
    fill();
    Path first = StoreFixtures.segment(dir, 1);
    byte[] bytes = Files.readAllBytes(first);
    bytes[16] ^= 1; // inside the segment id field, covered by the header CRC
    Files.write(first, bytes);
    CorruptStoreException e = assertThrows(CorruptStoreException.class, () -> Store.open(config()));
    assertEquals(first.toString(), e.file());
    assertThrows(
        CorruptStoreException.class, () -> Store.open(config().toBuilder().readOnly(true).build()));
  }

  @Test
  void aSegmentOfANewerFormatVersionIsRefused() throws IOException {
    fill();
    Path first = StoreFixtures.segment(dir, 1);
    byte[] bytes = Files.readAllBytes(first);
    // A header written by a newer build: version 4 (3 is a compaction's output), with a CRC
    // that holds.
    assertEquals(2, bytes[9], "this build writes version 2");
    int length = ((bytes[10] & 0xFF) << 8) | (bytes[11] & 0xFF);
    bytes[9] = 4;
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(bytes, 0, length - 4);
    java.nio.ByteBuffer.wrap(bytes).putInt(length - 4, (int) crc.getValue());
    Files.write(first, bytes);
    Map<String, byte[]> before = StoreFixtures.contents(dir);
    UnsupportedFormatException e =
        assertThrows(UnsupportedFormatException.class, () -> Store.open(config()));
    assertTrue(e.getMessage().contains(first.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("format version 4"), e.getMessage());
    StoreFixtures.assertSameContents(before, StoreFixtures.contents(dir));
  }

  @Test
  void aTornVersionFieldIsDamageNotANewerFormat() throws IOException {
    fill();
    Path first = StoreFixtures.segment(dir, 1);
    byte[] bytes = Files.readAllBytes(first);
    bytes[8] = (byte) 0x88; // version 0x8801, CRC not updated: what a torn header write leaves
    Files.write(first, bytes);
    CorruptStoreException e = assertThrows(CorruptStoreException.class, () -> Store.open(config()));
    assertEquals(first.toString(), e.file());
  }
}
