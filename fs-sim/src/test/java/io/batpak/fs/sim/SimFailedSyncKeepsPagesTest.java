package io.batpak.fs.sim;

import static io.batpak.fs.sim.Sim.DIR;
import static io.batpak.fs.sim.Sim.bytes;
import static io.batpak.fs.sim.Sim.p;
import static io.batpak.fs.sim.Sim.read;
import static io.batpak.fs.sim.Sim.readString;
import static io.batpak.fs.sim.Sim.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.port.FileHandle;
import io.batpak.port.SyncMode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link FaultAction.FailedSyncKeepsPages}: a failed file sync that leaves the bytes readable but
 * never writes them (the kernel marked the pages clean), at byte ranges.
 */
class SimFailedSyncKeepsPagesTest {

  /** {@code "good"} synced, {@code "-bad"} written after it, and the second sync failed. */
  private static SimStoreFs failedAfterGood(long seed) throws IOException {
    SimStoreFs fs = Sim.withDir(seed);
    fs.addFault(FaultRule.on(FsOp.SYNC, FaultTrigger.nth(2), FaultAction.failedSyncKeepsPages()));
    try (FileHandle h = fs.create(p("f"))) {
      write(h, bytes("good"), 0);
      h.sync(SyncMode.DATA);
      write(h, bytes("-bad"), 4);
      IOException e = assertThrows(IOException.class, () -> h.sync(SyncMode.DATA));
      assertTrue(e.getMessage().contains("marked clean"), e.getMessage());
    }
    fs.syncDirectory(DIR);
    return fs;
  }

  private static byte[] concat(String a, int zeros, String b) {
    byte[] x = bytes(a);
    byte[] y = bytes(b);
    byte[] out = new byte[x.length + zeros + y.length];
    System.arraycopy(x, 0, out, 0, x.length);
    System.arraycopy(y, 0, out, x.length + zeros, y.length);
    return out;
  }

  @Test
  void theBytesStayReadableThroughEveryHandle() throws IOException {
    SimStoreFs fs = failedAfterGood(1);
    assertEquals("good-bad", readString(fs, p("f")));
    try (FileHandle h = fs.openRead(p("f"))) {
      assertEquals(8, h.size());
    }
    assertEquals("good", new String(fs.durableContentOf(p("f")), StandardCharsets.UTF_8));
    OpRecord rec =
        fs.opLog().stream().filter(r -> r.op().equals("SYNC")).reduce((a, b) -> b).orElseThrow();
    assertTrue(rec.injected());
  }

  @ParameterizedTest
  @EnumSource(CrashProfile.class)
  void aLaterSyncSucceedsButThePowerLossStillTakesThem(CrashProfile profile) throws IOException {
    SimStoreFs fs = failedAfterGood(2);
    try (FileHandle h = fs.openWrite(p("f"))) {
      h.sync(SyncMode.ALL); // succeeds: the error was reported once
    }
    assertEquals("good-bad", readString(fs, p("f")), "still readable after the sync");
    // The size was committed, the lost bytes were not: the device holds a zero-filled hole.
    assertArrayEquals(concat("good", 4, ""), fs.durableContentOf(p("f")));
    fs.crash(profile);
    assertArrayEquals(concat("good", 4, ""), read(fs, p("f")));
  }

  @ParameterizedTest
  @EnumSource(CrashProfile.class)
  void withoutALaterSyncTheCrashKeepsOnlyTheDurableBytes(CrashProfile profile) throws IOException {
    for (long seed = 0; seed < 50; seed++) {
      SimStoreFs fs = failedAfterGood(seed);
      fs.crash(profile);
      byte[] got = read(fs, p("f"));
      String shown = new String(got, StandardCharsets.UTF_8);
      assertTrue(shown.startsWith("good"), "seed " + seed + ": " + shown);
      // Past the durable bytes a sector tear may leave zeros or garbage, never the lost bytes.
      assertFalse(shown.contains("bad"), "seed " + seed + ": a lost byte came back: " + shown);
    }
  }

  @Test
  void aRestartKeepsThemReadableAndTheReopenSyncDoesNotMakeThemDurable() throws IOException {
    SimStoreFs fs = failedAfterGood(3);
    fs.restart(); // the process dies; the page cache stays
    try (FileHandle h = fs.openWrite(p("f"))) {
      assertEquals(8, h.size(), "the next process sees the bytes");
      h.sync(SyncMode.ALL);
    }
    assertEquals("good-bad", readString(fs, p("f")));
    fs.crash(CrashProfile.STRICT);
    assertArrayEquals(concat("good", 4, ""), read(fs, p("f")));
  }

  @Test
  void bytesWrittenAfterTheFailureAndSyncedAreDurable() throws IOException {
    SimStoreFs fs = failedAfterGood(4);
    try (FileHandle h = fs.openWrite(p("f"))) {
      write(h, bytes("+new"), 8); // past the lost range, in the same page
      h.sync(SyncMode.DATA);
    }
    fs.crash(CrashProfile.STRICT);
    // Byte ranges, not pages: the lost bytes in the same page stay lost.
    assertArrayEquals(concat("good", 4, "+new"), read(fs, p("f")));
  }

  @Test
  void rewritingALostRangeMakesItDurableAgain() throws IOException {
    SimStoreFs fs = failedAfterGood(5);
    try (FileHandle h = fs.openWrite(p("f"))) {
      write(h, bytes("XY"), 6); // covers half of the lost range [4, 8)
      h.sync(SyncMode.DATA);
    }
    assertEquals("good-bXY", readString(fs, p("f")));
    fs.crash(CrashProfile.STRICT);
    assertArrayEquals(concat("good", 2, "XY"), read(fs, p("f")));

    SimStoreFs whole = failedAfterGood(6);
    try (FileHandle h = whole.openWrite(p("f"))) {
      write(h, bytes("-BAD"), 4);
      h.sync(SyncMode.DATA);
    }
    whole.crash(CrashProfile.STRICT);
    assertEquals("good-BAD", readString(whole, p("f")));
  }

  @Test
  void overwrittenDurableBytesKeepTheirOldValue() throws IOException {
    SimStoreFs fs = Sim.withDir(7);
    fs.addFault(FaultRule.on(FsOp.SYNC, FaultTrigger.nth(2), FaultAction.failedSyncKeepsPages()));
    try (FileHandle h = fs.create(p("f"))) {
      write(h, bytes("0123456789"), 0);
      h.sync(SyncMode.DATA);
      write(h, bytes("ab"), 3); // overwrites durable bytes
      assertThrows(IOException.class, () -> h.sync(SyncMode.DATA));
      write(h, bytes("Z"), 9);
      h.sync(SyncMode.DATA);
    }
    fs.syncDirectory(DIR);
    assertEquals("012ab5678Z", readString(fs, p("f")));
    fs.crash(CrashProfile.SECTOR);
    assertEquals("012345678Z", readString(fs, p("f")), "the device kept its old bytes there");
  }

  @Test
  void truncatingDropsTheLostBytesPastTheNewEnd() throws IOException {
    SimStoreFs fs = failedAfterGood(8);
    try (FileHandle h = fs.openWrite(p("f"))) {
      h.truncate(4); // cut back to the last synced size
      write(h, bytes("-new"), 4);
      h.sync(SyncMode.DATA);
    }
    fs.crash(CrashProfile.STRICT);
    assertEquals("good-new", readString(fs, p("f")));
  }

  @Test
  void aSecondFailureAddsToTheLostBytes() throws IOException {
    SimStoreFs fs = Sim.withDir(9);
    fs.addFault(FaultRule.on(FsOp.SYNC, FaultTrigger.always(), FaultAction.failedSyncKeepsPages()));
    try (FileHandle h = fs.create(p("f"))) {
      write(h, bytes("aaaa"), 0);
      assertThrows(IOException.class, () -> h.sync(SyncMode.DATA));
      write(h, bytes("bbbb"), 4);
      assertThrows(IOException.class, () -> h.sync(SyncMode.DATA));
      fs.clearFaults();
      h.sync(SyncMode.DATA);
    }
    fs.syncDirectory(DIR);
    assertEquals("aaaabbbb", readString(fs, p("f")));
    fs.crash(CrashProfile.PREFIX);
    assertArrayEquals(new byte[8], read(fs, p("f")));
  }

  @Test
  void aDroppingFailedSyncAfterwardsForgetsTheKeptBytes() throws IOException {
    SimStoreFs fs = failedAfterGood(10);
    fs.addFault(FaultRule.on(FsOp.SYNC, FaultTrigger.nth(1), FaultAction.failedSync()));
    try (FileHandle h = fs.openWrite(p("f"))) {
      assertThrows(IOException.class, () -> h.sync(SyncMode.DATA));
      assertEquals(4, h.size(), "the pages were evicted: the durable content shows again");
      write(h, bytes("-new"), 4);
      h.sync(SyncMode.DATA);
    }
    fs.crash(CrashProfile.STRICT);
    assertEquals("good-new", readString(fs, p("f")));
  }

  @Test
  void snapshotsCarryTheLostRanges() throws IOException {
    SimStoreFs fs = failedAfterGood(11);
    SimSnapshot snap = fs.snapshot();
    SimStoreFs copy = SimStoreFs.fromSnapshot(snap);
    try (FileHandle h = copy.openWrite(p("f"))) {
      h.sync(SyncMode.DATA);
    }
    copy.crash(CrashProfile.STRICT);
    assertArrayEquals(concat("good", 4, ""), read(copy, p("f")));
    fs.restore(snap);
    fs.syncAll(); // a clean shutdown's syncs do not write lost bytes either
    fs.crash(CrashProfile.STRICT);
    assertArrayEquals(concat("good", 4, ""), read(fs, p("f")));
  }

  @Test
  void aCopyReadsTheKeptBytesAndOwnsThem() throws IOException {
    SimStoreFs fs = failedAfterGood(12);
    fs.copy(p("f"), p("g"));
    try (FileHandle h = fs.openWrite(p("g"))) {
      h.sync(SyncMode.DATA);
    }
    fs.syncDirectory(DIR);
    fs.crash(CrashProfile.STRICT);
    assertEquals("good-bad", readString(fs, p("g")), "the copy's pages are its own, and dirty");
    assertArrayEquals(Arrays.copyOf(bytes("good"), 4), Arrays.copyOf(read(fs, p("f")), 4));
  }

  @Test
  void itAppliesToFileSyncsOnly() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                FaultRule.on(
                    FsOp.DIR_SYNC, FaultTrigger.nth(1), FaultAction.failedSyncKeepsPages()));
    assertTrue(e.getMessage().contains("SYNC"), e.getMessage());
  }

  @Test
  void lostRangesMergeAndSplit() {
    LostRanges r =
        LostRanges.NONE
            .union(LostRanges.diff(Content.EMPTY, Content.EMPTY.write(0, new byte[10], 0, 10)))
            .minus(3, 5);
    assertEquals("[0..3, 5..10]", r.toString());
    assertEquals("[0..10]", r.union(LostRanges.diff(Content.EMPTY, fill(5, 2))).toString());
    assertEquals("[0..2]", r.clip(2).toString());
    assertEquals("[0..3, 5..7]", r.clip(7).toString());
    assertTrue(r.minus(0, 100).isEmpty());
  }

  private static Content fill(int size, int value) {
    byte[] b = new byte[size];
    Arrays.fill(b, (byte) value);
    return Content.EMPTY.write(0, b, 0, size);
  }
}
