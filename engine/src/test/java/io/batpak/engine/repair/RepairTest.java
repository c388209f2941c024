package io.batpak.engine.repair;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.CorruptStoreException;
import io.batpak.EventKind;
import io.batpak.OpenReport;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StoreLockedException;
import io.batpak.StoreVerification;
import io.batpak.VerificationProgress;
import io.batpak.engine.FrameLocation;
import io.batpak.engine.Repair;
import io.batpak.engine.StoreFixtures;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepairTest {
  @TempDir Path dir;

  private List<AppendReceipt> fill(int events) {
    List<AppendReceipt> receipts = new ArrayList<>();
    try (Store s = Store.open(StoreConfig.builder(dir).segmentMaxBytes(4096).build())) {
      for (int i = 0; i < events; i++) {
        receipts.add(
            s.append(
                Coordinate.of("acct:" + (i % 3), "bank"),
                EventKind.custom(2, 1),
                Bytes.utf8("{\"n\":" + i + ",\"pad\":\"" + "x".repeat(100) + "\"}")));
      }
    }
    return receipts;
  }

  /** Flips one bit of the byte at {@code offset} in {@code file}. */
  static void flip(Path file, long offset) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(offset);
      int b = f.read();
      f.seek(offset);
      f.write(b ^ 0x40);
    }
  }

  @Test
  void intactStoreNeedsNothing() {
    fill(5);
    Repair.Plan plan = Repair.plan(dir);
    assertTrue(plan.intact(), plan.toString());
    assertEquals(Optional.empty(), Repair.apply(plan, 1));
  }

  @Test
  void cutsAtTheFirstDamageAndKeepsACopy() throws IOException {
    List<AppendReceipt> receipts = fill(60);
    StoreFixtures.crashShape(dir); // so the open reads every frame and finds the damage itself
    FrameLocation victim;
    try (Store s = Store.open(StoreConfig.builder(dir).readOnly(true).build())) {
      victim = FrameLocation.of(s, receipts.get(10).eventId());
    }
    Path seg = dir.resolve(victim.segmentFileName());
    long segSize = Files.size(seg);
    flip(seg, victim.offset() + 40);
    CorruptStoreException e =
        assertThrows(
            CorruptStoreException.class, () -> Store.open(StoreConfig.builder(dir).build()));
    assertEquals(seg.toString(), e.file());
    assertEquals(victim.offset(), e.offset());

    Repair.Plan plan = Repair.plan(dir);
    assertEquals(Optional.of(seg), plan.cutFile());
    assertEquals(victim.offset(), plan.cutOffset());
    assertTrue(!plan.segmentsMovedAside().isEmpty(), "later segments are moved aside");
    Path aside = Repair.apply(plan, 77).orElseThrow();

    assertEquals(segSize, Files.size(aside.resolve(seg.getFileName() + ".before-repair")));
    try (Store s = Store.open(StoreConfig.builder(dir).build())) {
      assertEquals(receipts.get(10).globalSequence(), s.stats().eventCount());
      for (AppendReceipt r : receipts.subList(0, 10)) {
        assertTrue(s.verifyReceipt(r).isValid());
      }
    }
  }

  /**
   * A fork may share a sealed segment by hard link (docs/operations.md, "Forks"): the repair must
   * not truncate the file in place, which would cut the other store's segment too. It writes the
   * kept prefix to a new file published over the name; the other name keeps every byte.
   */
  @Test
  void aRepairNeverTruncatesASegmentInPlace(@TempDir Path other) throws IOException {
    List<AppendReceipt> receipts = fill(60);
    FrameLocation victim;
    try (Store s = Store.open(StoreConfig.builder(dir).readOnly(true).build())) {
      victim = FrameLocation.of(s, receipts.get(10).eventId());
    }
    Path seg = dir.resolve(victim.segmentFileName());
    Path shared = Files.createLink(other.resolve(seg.getFileName()), seg);
    Object inode = Files.getAttribute(seg, "unix:ino");
    flip(seg, victim.offset() + 40);
    byte[] sharedBytes = Files.readAllBytes(shared);

    Repair.Plan plan = Repair.plan(dir);
    assertEquals(Optional.of(seg), plan.cutFile());
    Repair.apply(plan, 81).orElseThrow();

    assertEquals(victim.offset(), Files.size(seg), "the store's segment is cut");
    assertTrue(!inode.equals(Files.getAttribute(seg, "unix:ino")), "a new file, not the old one");
    assertArrayEquals(sharedBytes, Files.readAllBytes(shared), "the other name keeps every byte");
    assertEquals(List.of(seg.getFileName().toString()), fileNamesIn(other));
    try (Store s = Store.open(StoreConfig.builder(dir).build())) {
      assertEquals(receipts.get(10).globalSequence(), s.stats().eventCount());
      assertTrue(s.verifyAll(VerificationProgress.none()).intact());
    }
    assertTrue(
        fileNamesIn(dir).stream().noneMatch(n -> n.endsWith(".tmp")), "no temporary file left");
  }

  private static List<String> fileNamesIn(Path d) throws IOException {
    try (var files = Files.list(d)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /**
   * The sealed shape: an open from the checkpoint does not read the damaged frame, so it succeeds
   * and the damage is found on read and by verifyAll; the repair plan reads every frame, finds it
   * at the same offset and cuts there, and the next open distrusts the checkpoint (it covers the
   * cut events) and rebuilds the index from what is left.
   */
  @Test
  void cutsAtDamageInASealedSegmentThatTheOpenDidNotRead() throws IOException {
    List<AppendReceipt> receipts = fill(60);
    FrameLocation victim;
    try (Store s = Store.open(StoreConfig.builder(dir).readOnly(true).build())) {
      victim = FrameLocation.of(s, receipts.get(10).eventId());
    }
    Path seg = dir.resolve(victim.segmentFileName());
    long segSize = Files.size(seg);
    flip(seg, victim.offset() + 40);
    try (Store s = Store.open(StoreConfig.builder(dir).readOnly(true).build())) {
      assertEquals(OpenReport.IndexSource.CHECKPOINT, s.openReport().indexLoad().source());
      assertEquals(receipts.size(), s.stats().eventCount());
      CorruptStoreException e =
          assertThrows(CorruptStoreException.class, () -> s.get(receipts.get(10).eventId()));
      assertEquals(seg.toString(), e.file());
      assertEquals(victim.offset(), e.offset());
      StoreVerification v = s.verifyAll(VerificationProgress.none());
      assertEquals(10, v.problems().get(0).globalSequence(), v.toString());
    }

    Repair.Plan plan = Repair.plan(dir);
    assertEquals(Optional.of(seg), plan.cutFile());
    assertEquals(victim.offset(), plan.cutOffset());
    Path aside = Repair.apply(plan, 79).orElseThrow();
    assertEquals(segSize, Files.size(aside.resolve(seg.getFileName() + ".before-repair")));
    try (Store s = Store.open(StoreConfig.builder(dir).build())) {
      assertEquals(receipts.get(10).globalSequence(), s.stats().eventCount());
      assertTrue(
          s.openReport().indexLoad().source() != OpenReport.IndexSource.CHECKPOINT,
          s.openReport().toString());
      assertTrue(s.verifyAll(VerificationProgress.none()).intact());
      for (AppendReceipt r : receipts.subList(0, 10)) {
        assertTrue(s.verifyReceipt(r).isValid());
      }
    }
  }

  @Test
  void aDamagedHeaderMovesItsSegmentAsideWholeAndListsTheChoices() throws IOException {
    List<AppendReceipt> receipts = fill(60);
    Path seg = dir.resolve(String.format("%010d.seg", 2));
    long segSize = Files.size(seg);
    flip(seg, 3); // a magic byte
    Repair.Plan plan = Repair.plan(dir);
    assertEquals(Optional.of(seg), plan.cutFile());
    assertEquals(0, plan.cutOffset(), "a segment behind a damaged header cannot be cut inside");
    assertEquals(segSize, plan.cutBytes());
    assertEquals(3, plan.choices().size(), plan.choices().toString());
    assertTrue(plan.choices().get(0).startsWith("restore "), plan.choices().toString());
    assertTrue(plan.choices().get(2).startsWith("let repair move "), plan.choices().toString());
    Path aside = Repair.apply(plan, 78).orElseThrow();
    assertEquals(segSize, Files.size(aside.resolve(seg.getFileName() + ".before-repair")));
    try (Store s = Store.open(StoreConfig.builder(dir).build())) {
      long kept = s.stats().eventCount();
      for (AppendReceipt r : receipts.subList(0, (int) kept)) {
        assertTrue(s.verifyReceipt(r).isValid());
      }
    }
  }

  @Test
  void refusesWhileTheStoreIsOpen() {
    fill(1);
    try (Store s = Store.open(StoreConfig.builder(dir).build())) {
      assertTrue(s.stats().eventCount() == 1);
      assertThrows(StoreLockedException.class, () -> Repair.plan(dir));
    }
  }
}
