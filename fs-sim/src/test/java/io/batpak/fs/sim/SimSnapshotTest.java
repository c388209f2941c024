package io.batpak.fs.sim;

import static io.batpak.fs.sim.Sim.DIR;
import static io.batpak.fs.sim.Sim.bytes;
import static io.batpak.fs.sim.Sim.createFile;
import static io.batpak.fs.sim.Sim.p;
import static io.batpak.fs.sim.Sim.read;
import static io.batpak.fs.sim.Sim.readString;
import static io.batpak.fs.sim.Sim.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.port.FileHandle;
import io.batpak.port.RenameMode;
import io.batpak.port.SyncMode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Copy-on-write snapshots: restore gives the identical state and digest, and they are cheap. */
class SimSnapshotTest {

  @Test
  void restoreGivesIdenticalStateAndDigest() throws IOException {
    SimStoreFs fs = Sim.withDir(1);
    createFile(fs, p("a"), bytes("alpha"), true);
    fs.syncDirectory(DIR);
    FileHandle h = fs.openWrite(p("a"));
    write(h, bytes("-unsynced"), 5);
    SimSnapshot snap = fs.snapshot();
    long digest = fs.digest();
    List<OpRecord> log = fs.opLog();

    write(h, bytes("XXXXXXXXXXXXXXXXXXXX"), 0);
    h.sync(SyncMode.DATA);
    fs.deleteIfExists(p("a"));
    createFile(fs, p("b"), bytes("beta"), true);
    fs.crash(CrashProfile.SECTOR);
    assertFalse(digest == fs.digest());

    fs.restore(snap);
    assertEquals(digest, fs.digest());
    assertEquals(log, fs.opLog());
    assertEquals(snap.operationCount(), fs.operationCount());
    assertEquals(snap.stateChangingOperationCount(), fs.stateChangingOperationCount());
    assertEquals(List.of("a"), fs.list(DIR));
    assertEquals("alpha-unsynced", readString(fs, p("a")));
    assertArrayEquals(bytes("alpha"), fs.durableContentOf(p("a")));
    assertThrows(IOException.class, h::size, "handles of the old timeline are invalid");
    h.close();
    fs.crash(CrashProfile.STRICT);
    assertEquals("alpha", readString(fs, p("a")));
  }

  @Test
  void sameSnapshotRestoredTwiceReplaysTheSameCrash() throws IOException {
    SimStoreFs fs = Sim.withDir(2);
    try (FileHandle h = fs.create(p("log"))) {
      write(h, bytes(100, 1), 0);
      h.sync(SyncMode.DATA);
      write(h, bytes(30_000, 2), 100);
    }
    fs.syncDirectory(DIR);
    SimSnapshot snap = fs.snapshot();
    fs.crash(CrashProfile.SECTOR);
    byte[] first = read(fs, p("log"));
    long firstDigest = fs.digest();
    fs.restore(snap);
    fs.crash(CrashProfile.SECTOR);
    assertArrayEquals(first, read(fs, p("log")), "the generator's position is restored too");
    assertEquals(firstDigest, fs.digest());
  }

  @Test
  void fromSnapshotIsAnIndependentInstance() throws IOException {
    SimStoreFs fs = SimStoreFs.builder().seed(3).windowsMode(true).build();
    fs.createDirectories(DIR);
    createFile(fs, p("a"), bytes("a"), false);
    SimSnapshot snap = fs.snapshot();
    SimStoreFs copy = SimStoreFs.fromSnapshot(snap);
    assertEquals(fs.digest(), copy.digest());
    assertTrue(copy.windowsMode());
    assertEquals(3, copy.seed());
    copy.deleteIfExists(p("a"));
    assertEquals(List.of("a"), fs.list(DIR));
    assertEquals(List.of(), copy.list(DIR));
    fs.crash(CrashProfile.STRICT); // the original is untouched by the copy
    assertFalse(fs.exists(DIR));
  }

  @Test
  void snapshotCarriesFaultCountersAndFrozenFlag() throws IOException {
    SimStoreFs fs = Sim.withDir(4);
    fs.addFault(FaultRule.on(FsOp.EXISTS, FaultTrigger.nth(2), FaultAction.crashBefore()));
    fs.exists(p("x"));
    SimSnapshot beforeSecond = fs.snapshot();
    assertThrows(SimulatedCrashException.class, () -> fs.exists(p("x")));
    SimSnapshot frozen = fs.snapshot();
    assertTrue(frozen.frozen());
    fs.restore(beforeSecond);
    assertFalse(fs.isFrozen());
    assertThrows(SimulatedCrashException.class, () -> fs.exists(p("x")), "counter was restored");
    fs.restore(frozen);
    assertTrue(fs.isFrozen());
    fs.crash(CrashProfile.STRICT);
    assertTrue(fs.exists(DIR));
  }

  @Test
  void snapshotsShareUnchangedContent() throws IOException {
    SimStoreFs fs = Sim.withDir(5);
    createFile(fs, p("big"), bytes(4 * Content.PAGE, 1), true);
    createFile(fs, p("other"), bytes(Content.PAGE, 2), true);
    SimSnapshot snap = fs.snapshot();
    Content bigBefore = fs.contentRef(p("big"));
    try (FileHandle h = fs.openWrite(p("big"))) {
      write(h, bytes("x"), 10); // touches page 0 only
    }
    SimStoreFs old = SimStoreFs.fromSnapshot(snap);
    assertSame(bigBefore, old.contentRef(p("big")));
    assertSame(old.contentRef(p("other")), fs.contentRef(p("other")), "unchanged file shared");
    Content bigAfter = fs.contentRef(p("big"));
    assertNotSame(bigBefore.page(0), bigAfter.page(0), "the written page was copied");
    for (int i = 1; i < 4; i++) {
      assertSame(bigBefore.page(i), bigAfter.page(i), "untouched page " + i + " shared");
    }
    assertEquals(bytes(4 * Content.PAGE, 1)[10], old.contentRef(p("big")).page(0)[10]);
  }

  @Test
  void recordedSnapshotsFollowEveryStateChange() throws IOException {
    SimStoreFs fs = SimStoreFs.builder().seed(6).recordSnapshots(true).build();
    fs.createDirectories(DIR); // 1
    fs.syncDirectory(Path.of("/")); // 2
    fs.syncDirectory(Path.of("/sim")); // 3
    fs.exists(DIR); // not state-changing
    createFile(fs, p("a"), bytes("a"), true); // create, write, sync (close is not): 6
    fs.syncDirectory(DIR); // 7
    List<SimSnapshot> snaps = fs.recordedSnapshots();
    assertEquals(7, snaps.size());
    assertEquals(fs.stateChangingOperationCount(), snaps.size());
    // crash as of each state-changing operation
    List<Boolean> exists = new ArrayList<>();
    for (SimSnapshot s : snaps) {
      SimStoreFs at = SimStoreFs.fromSnapshot(s);
      at.crash(CrashProfile.STRICT);
      exists.add(at.exists(p("a")));
    }
    assertEquals(List.of(false, false, false, false, false, false, true), exists);
    fs.clearRecordedSnapshots();
    assertEquals(List.of(), fs.recordedSnapshots());
  }

  /**
   * Measures the cost of a snapshot after every operation of a 10 000-operation run (appends to a
   * few growing files, syncs, creates, renames, deletes), against the same run without snapshots.
   */
  @Test
  void snapshotAfterEveryOperationOfA10kRunIsCheap() throws IOException {
    long seed = SimSeed.resolve(7L);
    SimSeed.run(
        seed,
        Sim.replay(getClass(), "snapshotAfterEveryOperationOfA10kRunIsCheap", seed),
        s -> {
          // warm up both paths once
          workload(s, 2_000, false);
          workload(s, 2_000, true);
          long t0 = System.nanoTime();
          Result plain = workload(s, 10_000, false);
          long plainNanos = System.nanoTime() - t0;
          t0 = System.nanoTime();
          Result snapped = workload(s, 10_000, true);
          long snappedNanos = System.nanoTime() - t0;
          assertEquals(plain.digest, snapped.digest, "snapshots do not change the history");
          assertTrue(snapped.snapshots.size() >= 9_000, "one snapshot per step");
          // every snapshot restores to its own digest
          SimSnapshot mid = snapped.snapshots.get(5_000);
          assertEquals(mid.digest(), SimStoreFs.fromSnapshot(mid).digest());
          int count = snapped.snapshots.size();
          double perSnapshotMicros = snapped.snapshotNanos / 1_000.0 / count;
          long retained = retainedBytes(snapped);
          System.out.printf(
              "fs-sim snapshot cost: %d-op run %.1f ms without snapshots, %.1f ms with %d"
                  + " snapshots (one after every step); snapshot() itself %.2f us on average;"
                  + " final content %d bytes; about %d MiB retained by all snapshots%n",
              snapped.operations,
              plainNanos / 1e6,
              snappedNanos / 1e6,
              count,
              perSnapshotMicros,
              snapped.totalBytes,
              retained >> 20);
          assertTrue(
              perSnapshotMicros < 1_000, "snapshot() should be O(1): " + perSnapshotMicros + " us");
        });
  }

  /** A rough heap measurement of what the snapshots keep alive (printed, never asserted). */
  private static long retainedBytes(Result r) {
    Runtime rt = Runtime.getRuntime();
    System.gc();
    long with = rt.totalMemory() - rt.freeMemory();
    r.snapshots.clear(); // for good: the caller is done with them
    System.gc();
    long without = rt.totalMemory() - rt.freeMemory();
    return Math.max(0, with - without);
  }

  private static final class Result {
    long digest;
    long snapshotNanos;
    long totalBytes;
    long operations;
    final List<SimSnapshot> snapshots = new ArrayList<>();
  }

  private static Result workload(long seed, int ops, boolean snapshot) throws IOException {
    SplittableRandom rnd = new SplittableRandom(seed);
    SimStoreFs fs = new SimStoreFs(seed);
    Result r = new Result();
    fs.createDirectories(DIR);
    List<FileHandle> open = new ArrayList<>();
    List<Path> names = new ArrayList<>();
    long[] sizes = new long[64];
    while (fs.operationCount() < ops) {
      int pick = rnd.nextInt(100);
      if (open.isEmpty() || (pick < 3 && open.size() < 8)) {
        Path f = p("seg-" + names.size());
        names.add(f);
        open.add(fs.create(f));
      } else if (pick < 80) {
        int i = rnd.nextInt(open.size());
        byte[] data = new byte[1 + rnd.nextInt(300)];
        rnd.nextBytes(data);
        write(open.get(i), data, sizes[i]);
        sizes[i] += data.length;
      } else if (pick < 92) {
        open.get(rnd.nextInt(open.size())).sync(SyncMode.DATA);
      } else if (pick < 96) {
        fs.syncDirectory(DIR);
      } else if (pick < 98) {
        Path tmp = p("meta.tmp");
        createFile(fs, tmp, new byte[] {(byte) fs.operationCount()}, false);
        fs.rename(tmp, p("meta"), RenameMode.REPLACE);
      } else {
        fs.deleteIfExists(p("meta"));
      }
      if (snapshot) {
        long t = System.nanoTime();
        r.snapshots.add(fs.snapshot());
        r.snapshotNanos += System.nanoTime() - t;
      }
    }
    r.operations = fs.operationCount();
    for (FileHandle h : open) {
      r.totalBytes += h.size();
      h.close();
    }
    r.digest = fs.digest();
    return r;
  }
}
