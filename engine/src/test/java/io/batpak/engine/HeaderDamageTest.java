package io.batpak.engine;

import static io.batpak.engine.StoreFixtures.KIND;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.CorruptStoreException;
import io.batpak.Store;
import io.batpak.StoreConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damage to a segment header in front of frames is corruption, reported at the damaged field, and
 * never a torn creation to delete (issue 8 defects 1 and 11). Only a newest segment no longer than
 * a header that holds no CRC-valid frame may be removed as torn.
 */
class HeaderDamageTest {
  static final Coordinate C = Coordinate.of("order:1", "shop");

  @TempDir Path dir;

  private List<AppendReceipt> smallStore() {
    List<AppendReceipt> acked = new ArrayList<>();
    try (Store store = StoreFixtures.open(dir)) {
      for (int i = 0; i < 3; i++) {
        acked.add(store.append(C, KIND, Bytes.utf8("event " + i)));
      }
    }
    return acked;
  }

  /** The offset a damaged byte of the header must be reported at. */
  private static long expectedOffset(int at) {
    if (at < 8) {
      return at; // a magic byte, at itself
    }
    return at == 10 || at == 11 ? 10 : 0; // the length field; else the header, which the CRC covers
  }

  @Test
  void everyDamagedHeaderByteOfASmallNewestSegmentIsRefusedAtItsFieldAndNothingIsDeleted()
      throws Exception {
    List<AppendReceipt> acked = smallStore();
    Path seg = StoreFixtures.segment(dir, 1);
    byte[] original = Files.readAllBytes(seg);
    assertTrue(original.length <= 1024, "the store is small enough to look like a torn creation");
    int headerLength = ((original[10] & 0xFF) << 8) | (original[11] & 0xFF);
    for (int at = 0; at < headerLength; at++) {
      for (int mask : new int[] {0x01, 0x80, 0xFF}) {
        byte[] damaged = original.clone();
        damaged[at] ^= (byte) mask;
        Files.write(seg, damaged);
        for (boolean readOnly : new boolean[] {false, true}) {
          String what = "byte " + at + " ^ " + mask + (readOnly ? " read-only" : " mutable");
          CorruptStoreException e =
              assertThrows(
                  CorruptStoreException.class,
                  () -> Store.open(StoreConfig.builder(dir).readOnly(readOnly).build()).close(),
                  what);
          assertEquals(seg.toString(), e.file(), what);
          assertEquals(expectedOffset(at), e.offset(), what + ": " + e.getMessage());
          assertArrayEquals(damaged, Files.readAllBytes(seg), what + ": the segment was changed");
        }
      }
    }
    Files.write(seg, original);
    try (Store store = StoreFixtures.open(dir)) {
      StoreFixtures.assertIntact(store, acked);
    }
  }

  @Test
  void aZeroedHeaderInFrontOfFramesIsCorruptionNotATornCreation() throws Exception {
    smallStore();
    Path seg = StoreFixtures.segment(dir, 1);
    byte[] damaged = Files.readAllBytes(seg);
    java.util.Arrays.fill(damaged, 0, 12, (byte) 0);
    Files.write(seg, damaged);
    CorruptStoreException e =
        assertThrows(CorruptStoreException.class, () -> StoreFixtures.open(dir));
    assertEquals(0, e.offset());
    assertArrayEquals(damaged, Files.readAllBytes(seg));
  }

  @Test
  void aNewestSegmentHoldingOnlyAPartOfItsHeaderIsStillRemovedAsTorn() throws Exception {
    List<AppendReceipt> acked = smallStore();
    StoreFixtures.crashShape(dir); // segment 1 unsealed: appends resume in it
    byte[] header = Files.readAllBytes(StoreFixtures.segment(dir, 1));
    Path next = StoreFixtures.segment(dir, 2);
    Files.write(next, java.util.Arrays.copyOf(header, 20));
    try (Store store = StoreFixtures.open(dir)) {
      StoreFixtures.assertIntact(store, acked);
      assertTrue(store.openReport().tornTail().isPresent());
    }
    assertEquals(List.of(StoreFixtures.segment(dir, 1)), StoreFixtures.segments(dir));
  }

  @Test
  void aPartialHeaderAfterASealedSegmentIsRemovedAndTheNextSegmentStartsAfresh() throws Exception {
    List<AppendReceipt> acked = smallStore();
    byte[] first = Files.readAllBytes(StoreFixtures.segment(dir, 1));
    int headerLength = ((first[10] & 0xFF) << 8) | (first[11] & 0xFF);
    Path next = StoreFixtures.segment(dir, 2);
    byte[] torn = java.util.Arrays.copyOf(first, 20);
    Files.write(next, torn);
    try (Store store = StoreFixtures.open(dir)) {
      StoreFixtures.assertIntact(store, acked);
      assertTrue(store.openReport().tornTail().orElseThrow().truncated());
      assertEquals(
          List.of(StoreFixtures.segment(dir, 1).getFileName().toString()),
          store.openReport().segments());
    }
    // Segment 1 is sealed, so the open started segment 2 anew: a whole header, no frame.
    assertEquals(List.of(StoreFixtures.segment(dir, 1), next), StoreFixtures.segments(dir));
    assertEquals(headerLength, Files.size(next));
    assertArrayEquals(first, Files.readAllBytes(StoreFixtures.segment(dir, 1)), "untouched");
    try (Store store = StoreFixtures.open(dir)) {
      assertTrue(store.openReport().tornTail().isEmpty());
      StoreFixtures.assertIntact(store, acked);
    }
  }
}
