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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.port.FileHandle;
import io.batpak.port.LockMode;
import io.batpak.port.RenameMode;
import io.batpak.port.StoreLock;
import io.batpak.port.SyncMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The power-loss model: what {@link SimStoreFs#crash(CrashProfile)} keeps, undoes and tears. */
class SimCrashModelTest {

  @ParameterizedTest
  @EnumSource(CrashProfile.class)
  void unsyncedCreateIsUndone(CrashProfile profile) throws IOException {
    SimStoreFs fs = Sim.withDir(1);
    createFile(fs, p("a"), bytes("hello"), true); // content synced, entry not
    fs.crash(profile);
    assertFalse(fs.exists(p("a")));
    assertEquals(List.of(), fs.list(DIR));
  }

  @ParameterizedTest
  @EnumSource(CrashProfile.class)
  void syncedContentAndEntrySurvive(CrashProfile profile) throws IOException {
    SimStoreFs fs = Sim.withDir(2);
    createFile(fs, p("a"), bytes("hello"), true);
    fs.syncDirectory(DIR);
    fs.crash(profile);
    assertEquals("hello", readString(fs, p("a")));
  }

  @Test
  void durableEntryWithUnsyncedContentIsEmptyAfterStrictCrash() throws IOException {
    SimStoreFs fs = Sim.withDir(3);
    createFile(fs, p("a"), bytes("never synced"), false);
    fs.syncDirectory(DIR);
    fs.crash(CrashProfile.STRICT);
    assertTrue(fs.exists(p("a")));
    assertEquals(0, read(fs, p("a")).length);
  }

  @ParameterizedTest
  @EnumSource(CrashProfile.class)
  void unsyncedHardLinkIsUndoneAndSyncedOneSurvives(CrashProfile profile) throws IOException {
    SimStoreFs fs = Sim.withDir(40);
    createFile(fs, p("a"), bytes("shared"), true);
    fs.syncDirectory(DIR);
    fs.createDirectories(DIR.resolve("fork"));
    fs.syncDirectory(DIR);
    fs.link(p("a"), DIR.resolve("fork/a"));
    fs.crash(profile); // the new entry was never synced
    assertFalse(fs.exists(DIR.resolve("fork/a")));
    assertEquals("shared", readString(fs, p("a")));

    fs.link(p("a"), DIR.resolve("fork/a"));
    fs.syncDirectory(DIR.resolve("fork"));
    fs.deleteIfExists(p("a"));
    fs.syncDirectory(DIR);
    fs.crash(profile);
    assertFalse(fs.exists(p("a")));
    assertEquals("shared", readString(fs, DIR.resolve("fork/a")), "one inode, two names");
  }

  @Test
  void hardLinkSharesContentAndItsDurability() throws IOException {
    SimStoreFs fs = Sim.withDir(41);
    createFile(fs, p("a"), bytes("v1"), true);
    fs.link(p("a"), p("b"));
    fs.syncDirectory(DIR);
    try (FileHandle h = fs.openWrite(p("b"))) {
      h.write(ByteBuffer.wrap(bytes("v2")), 0); // not synced
    }
    assertEquals("v2", readString(fs, p("a")), "a write through one name shows in the other");
    fs.crash(CrashProfile.STRICT);
    assertEquals("v1", readString(fs, p("a")));
    assertEquals("v1", readString(fs, p("b")));
  }

  @Test
  void unsyncedRmdirIsUndone() throws IOException {
    SimStoreFs fs = Sim.withDir(42);
    fs.createDirectories(DIR.resolve("gone"));
    fs.syncDirectory(DIR);
    fs.deleteDirectory(DIR.resolve("gone"));
    assertFalse(fs.exists(DIR.resolve("gone")));
    fs.crash(CrashProfile.STRICT);
    assertTrue(fs.exists(DIR.resolve("gone")), "the removal was not synced");
    fs.deleteDirectory(DIR.resolve("gone"));
    fs.syncDirectory(DIR);
    fs.crash(CrashProfile.STRICT);
    assertFalse(fs.exists(DIR.resolve("gone")));
  }

  @Test
  void renamedDirectoryIsDurableOnlyAfterTheParentSync() throws IOException {
    SimStoreFs fs = Sim.withDir(43);
    fs.createDirectories(DIR.resolve(".tmp"));
    createFile(fs, DIR.resolve(".tmp/f"), bytes("snap"), true);
    fs.syncDirectory(DIR.resolve(".tmp"));
    fs.syncDirectory(DIR);
    fs.rename(DIR.resolve(".tmp"), DIR.resolve("dest"), RenameMode.NO_REPLACE);
    fs.crash(CrashProfile.STRICT);
    assertFalse(fs.exists(DIR.resolve("dest")));
    assertEquals("snap", readString(fs, DIR.resolve(".tmp/f")));
    fs.rename(DIR.resolve(".tmp"), DIR.resolve("dest"), RenameMode.NO_REPLACE);
    fs.syncDirectory(DIR);
    fs.crash(CrashProfile.STRICT);
    assertFalse(fs.exists(DIR.resolve(".tmp")));
    assertEquals("snap", readString(fs, DIR.resolve("dest/f")));
  }

  @Test
  void newOperationsAreFaultable() throws IOException {
    SimStoreFs fs = Sim.withDir(44);
    createFile(fs, p("a"), bytes("x"), true);
    fs.createDirectories(DIR.resolve("d"));
    fs.addFault(FaultRule.on(FsOp.LINK, FaultTrigger.nth(1), FaultAction.fail(ErrorKind.NO_SPACE)));
    fs.addFault(FaultRule.on(FsOp.RMDIR, FaultTrigger.nth(1), FaultAction.fail(ErrorKind.IO)));
    assertThrows(io.batpak.port.NoSpaceException.class, () -> fs.link(p("a"), p("b")));
    assertFalse(fs.exists(p("b")));
    assertThrows(IOException.class, () -> fs.deleteDirectory(DIR.resolve("d")));
    assertTrue(fs.exists(DIR.resolve("d")));
    fs.link(p("a"), p("b"));
    fs.deleteDirectory(DIR.resolve("d"));
    assertThrows(
        io.batpak.port.UnsupportedFsOperationException.class, () -> fs.reflink(p("a"), p("c")));
  }

  @Test
  void unsyncedMkdirIsUndone() throws IOException {
    SimStoreFs fs = Sim.withDir(4);
    fs.createDirectories(DIR.resolve("x/y"));
    fs.syncDirectory(DIR.resolve("x")); // y's entry in x is durable, but x's entry in DIR is not
    fs.crash(CrashProfile.STRICT);
    assertFalse(fs.exists(DIR.resolve("x")));
  }

  @Test
  void renameIsUndoneAndOverwrittenTargetComesBack() throws IOException {
    SimStoreFs fs = Sim.withDir(5);
    createFile(fs, p("target"), bytes("old"), true);
    createFile(fs, p("temp"), bytes("new"), true);
    fs.syncDirectory(DIR);
    fs.rename(p("temp"), p("target"), RenameMode.REPLACE);
    assertEquals("new", readString(fs, p("target")));
    assertEquals(List.of("target"), fs.list(DIR));
    fs.crash(CrashProfile.STRICT);
    assertEquals(List.of("target", "temp"), fs.list(DIR));
    assertEquals("old", readString(fs, p("target")));
    assertEquals("new", readString(fs, p("temp")));
  }

  @Test
  void syncedRenameSurvives() throws IOException {
    SimStoreFs fs = Sim.withDir(6);
    createFile(fs, p("target"), bytes("old"), true);
    createFile(fs, p("temp"), bytes("new"), true);
    fs.syncDirectory(DIR);
    fs.rename(p("temp"), p("target"), RenameMode.REPLACE);
    fs.syncDirectory(DIR);
    fs.crash(CrashProfile.STRICT);
    assertEquals(List.of("target"), fs.list(DIR));
    assertEquals("new", readString(fs, p("target")));
  }

  @Test
  void deleteIsUndoneUntilDirectorySync() throws IOException {
    SimStoreFs fs = Sim.withDir(7);
    createFile(fs, p("a"), bytes("keep me"), true);
    createFile(fs, p("b"), bytes("drop me"), true);
    fs.syncDirectory(DIR);
    assertTrue(fs.deleteIfExists(p("a")));
    fs.crash(CrashProfile.STRICT);
    assertEquals("keep me", readString(fs, p("a")));
    assertTrue(fs.deleteIfExists(p("b")));
    fs.syncDirectory(DIR);
    fs.crash(CrashProfile.STRICT);
    assertEquals(List.of("a"), fs.list(DIR));
  }

  @Test
  void unsyncedOverwriteIsLostAndSyncedPrefixKept() throws IOException {
    SimStoreFs fs = Sim.withDir(8);
    Path f = p("seg");
    try (FileHandle h = fs.create(f)) {
      write(h, bytes("AAAA"), 0);
      h.sync(SyncMode.DATA);
      write(h, bytes("BB"), 1); // overwrite inside the durable part
      write(h, bytes("CCCC"), 4); // append
    }
    fs.syncDirectory(DIR);
    assertEquals("ABBACCCC", readString(fs, f));
    fs.crash(CrashProfile.STRICT);
    assertEquals("AAAA", readString(fs, f));
  }

  @Test
  void unsyncedTruncateIsUndone() throws IOException {
    SimStoreFs fs = Sim.withDir(9);
    createFile(fs, p("f"), bytes("0123456789"), true);
    fs.syncDirectory(DIR);
    try (FileHandle h = fs.openWrite(p("f"))) {
      h.truncate(3);
      assertEquals(3, h.size());
    }
    fs.crash(CrashProfile.STRICT);
    assertEquals("0123456789", readString(fs, p("f")));
  }

  @Test
  void prefixProfileKeepsAPrefixOfTheUnsyncedTail() throws IOException {
    byte[] durable = bytes(1000, 1);
    byte[] tail = bytes(9000, 2);
    Set<Integer> lengths = new java.util.TreeSet<>();
    for (long seed = 0; seed < 40; seed++) {
      SimStoreFs fs = Sim.withDir(seed);
      Path f = p("log");
      try (FileHandle h = fs.create(f)) {
        write(h, durable, 0);
        h.sync(SyncMode.DATA);
        write(h, tail, durable.length);
      }
      fs.syncDirectory(DIR);
      fs.crash(CrashProfile.PREFIX);
      byte[] after = read(fs, f);
      assertTrue(after.length >= durable.length && after.length <= durable.length + tail.length);
      assertArrayEquals(durable, Arrays.copyOf(after, durable.length), "seed " + seed);
      assertArrayEquals(
          Arrays.copyOf(tail, after.length - durable.length),
          Arrays.copyOfRange(after, durable.length, after.length),
          "seed " + seed);
      lengths.add(after.length);
      // after a crash the torn content is what is on disk: durable
      fs.crash(CrashProfile.STRICT);
      assertArrayEquals(after, read(fs, f));
    }
    assertTrue(lengths.size() > 10, "prefix lengths should vary with the seed: " + lengths);
  }

  @Test
  void sectorProfileTearsPerSector() throws IOException {
    int sector = CrashProfile.SECTOR_SIZE;
    byte[] durable = bytes(sector + 100, 3);
    byte[] tail = bytes(5 * sector, 4);
    int durableLen = durable.length;
    Set<String> fates = new java.util.TreeSet<>();
    Set<Integer> lengths = new java.util.TreeSet<>();
    for (long seed = 0; seed < 60; seed++) {
      SimStoreFs fs = Sim.withDir(seed);
      Path f = p("log");
      try (FileHandle h = fs.create(f)) {
        write(h, durable, 0);
        h.sync(SyncMode.DATA);
        write(h, tail, durableLen);
      }
      fs.syncDirectory(DIR);
      fs.crash(CrashProfile.SECTOR);
      byte[] after = read(fs, f);
      byte[] full = new byte[durableLen + tail.length];
      System.arraycopy(durable, 0, full, 0, durableLen);
      System.arraycopy(tail, 0, full, durableLen, tail.length);
      // the length is the durable length, the volatile length, or a sector boundary between
      int len = after.length;
      lengths.add(len);
      assertTrue(
          len == durableLen || len == full.length || (len % sector == 0 && len > durableLen),
          "seed " + seed + ": length " + len);
      // synced bytes are never damaged, not even those sharing a sector with the torn tail
      assertArrayEquals(durable, Arrays.copyOf(after, durableLen), "seed " + seed);
      for (int start = sector; start < len; start += sector) {
        int end = Math.min(len, start + sector);
        byte[] got = Arrays.copyOfRange(after, start, end);
        byte[] kept = Arrays.copyOfRange(full, start, end);
        byte[] old = new byte[end - start];
        if (start < durableLen) {
          System.arraycopy(durable, start, old, 0, Math.min(end, durableLen) - start);
        }
        if (Arrays.equals(got, kept)) {
          fates.add("kept");
        } else if (Arrays.equals(got, old)) {
          fates.add("old");
        } else {
          fates.add("garbage");
        }
      }
    }
    assertEquals(Set.of("kept", "old", "garbage"), fates);
    assertTrue(lengths.size() >= 4, "lengths should vary: " + lengths);
  }

  @Test
  void strictProfileDropsEveryUnsyncedByte() throws IOException {
    SimStoreFs fs = Sim.withDir(10);
    try (FileHandle h = fs.create(p("f"))) {
      write(h, bytes("durable"), 0);
      h.sync(SyncMode.ALL);
      write(h, bytes(10_000, 5), 7);
    }
    fs.syncDirectory(DIR);
    fs.crash(CrashProfile.STRICT);
    assertEquals("durable", readString(fs, p("f")));
  }

  @Test
  void handlesAndLocksAreInvalidAfterCrash() throws IOException {
    SimStoreFs fs = Sim.withDir(11);
    FileHandle h = fs.create(p("f"));
    write(h, bytes("x"), 0);
    StoreLock lock = fs.lock(p("LOCK"), LockMode.EXCLUSIVE);
    assertTrue(lock.isValid());
    fs.crash(CrashProfile.STRICT);
    assertFalse(lock.isValid());
    for (IoCall call :
        List.<IoCall>of(
            () -> h.size(),
            () -> h.write(ByteBuffer.wrap(bytes("y")), 0),
            () -> h.read(ByteBuffer.allocate(1), 0),
            () -> h.sync(SyncMode.DATA),
            () -> h.truncate(0))) {
      IOException e = assertThrows(IOException.class, call::run);
      assertTrue(
          e.getMessage().contains("handle invalidated by a simulated crash"), e.getMessage());
    }
    h.close(); // a no-op, never throws
    lock.close();
    assertEquals(List.of(), fs.openHandles());
    // the lock is free again
    try (StoreLock again = fs.lock(p("LOCK"), LockMode.EXCLUSIVE)) {
      assertTrue(again.isValid());
    }
  }

  @Test
  void restartKeepsVolatileStateButDropsHandles() throws IOException {
    SimStoreFs fs = Sim.withDir(12);
    FileHandle h = fs.create(p("f"));
    write(h, bytes("volatile"), 0);
    fs.restart();
    assertThrows(IOException.class, h::size);
    assertEquals("volatile", readString(fs, p("f")));
    fs.crash(CrashProfile.STRICT);
    assertFalse(fs.exists(p("f")));
  }

  @Test
  void publishCrashBetweenRenameAndDirSyncRevertsToOldTarget() throws IOException {
    SimStoreFs fs = Sim.withDir(13);
    createFile(fs, p("checkpoint"), bytes("v1"), true);
    fs.syncDirectory(DIR);
    createFile(fs, p("checkpoint.tmp"), bytes("v2"), false);
    fs.addFault(FaultRule.on(FsOp.DIR_SYNC, FaultTrigger.nth(1), FaultAction.crashBefore()));
    assertThrows(
        SimulatedCrashException.class,
        () -> fs.publish(p("checkpoint.tmp"), p("checkpoint"), SyncMode.DATA));
    assertTrue(fs.isFrozen());
    assertThrows(SimulatedCrashException.class, () -> fs.list(DIR));
    fs.crash(CrashProfile.STRICT);
    assertEquals("v1", readString(fs, p("checkpoint")));
    // the temp's content was synced by the first step, its entry was never durable
    assertEquals(List.of("checkpoint"), fs.list(DIR));
  }

  @Test
  void publishIsDurableOnReturn() throws IOException {
    SimStoreFs fs = Sim.withDir(14);
    createFile(fs, p("checkpoint"), bytes("v1"), true);
    fs.syncDirectory(DIR);
    createFile(fs, p("checkpoint.tmp"), bytes("v2"), false);
    fs.publish(p("checkpoint.tmp"), p("checkpoint"), SyncMode.ALL);
    fs.crash(CrashProfile.SECTOR);
    assertEquals(List.of("checkpoint"), fs.list(DIR));
    assertEquals("v2", readString(fs, p("checkpoint")));
  }

  @Test
  void publishStepsAreLoggedSeparately() throws IOException {
    SimStoreFs fs = Sim.withDir(15);
    createFile(fs, p("t"), bytes("v"), false);
    long before = fs.operationCount();
    fs.publish(p("t"), p("c"), SyncMode.DATA);
    List<OpRecord> log = fs.opLog();
    List<String> ops = log.subList(log.size() - 4, log.size()).stream().map(OpRecord::op).toList();
    assertEquals(List.of("SYNC", "RENAME", "DIR_SYNC", "PUBLISH"), ops);
    assertEquals(before + 4, fs.operationCount());
    assertTrue(log.get(log.size() - 4).stateChanging());
    assertFalse(log.get(log.size() - 1).stateChanging(), "the composite adds no change of its own");
  }

  @Test
  void renameAcrossDirectoriesIsDurablePerDirectory() throws IOException {
    SimStoreFs fs = Sim.withDir(16);
    fs.createDirectories(DIR.resolve("other"));
    fs.syncDirectory(DIR);
    createFile(fs, p("f"), bytes("data"), true);
    fs.syncDirectory(DIR);
    fs.rename(p("f"), DIR.resolve("other/f"), RenameMode.REPLACE);
    fs.syncDirectory(DIR.resolve("other")); // only the target directory
    fs.crash(CrashProfile.STRICT);
    // documented: reachable from both, like a hard link
    assertEquals("data", readString(fs, p("f")));
    assertEquals("data", readString(fs, DIR.resolve("other/f")));
  }

  @Test
  void unlinkedOpenFileStaysUsableUntilCrash() throws IOException {
    SimStoreFs fs = Sim.withDir(17);
    FileHandle h = fs.create(p("f"));
    write(h, bytes("abc"), 0);
    assertTrue(fs.deleteIfExists(p("f")));
    write(h, bytes("d"), 3);
    assertEquals(4, h.size());
    h.close();
    fs.crash(CrashProfile.PREFIX);
    assertEquals(List.of(), fs.list(DIR));
  }

  @Test
  void crashesAreLoggedAndStateChanging() throws IOException {
    SimStoreFs fs = Sim.withDir(18);
    fs.crash(CrashProfile.SECTOR);
    OpRecord last = fs.opLog().get(fs.opLog().size() - 1);
    assertEquals("CRASH", last.op());
    assertEquals("SECTOR", last.args());
  }

  @Test
  void everyProfileIsDeterministicForASeed() throws IOException {
    for (CrashProfile profile : EnumSet.allOf(CrashProfile.class)) {
      byte[] first = null;
      for (int run = 0; run < 2; run++) {
        SimStoreFs fs = Sim.withDir(99);
        try (FileHandle h = fs.create(p("f"))) {
          write(h, bytes(100, 1), 0);
          h.sync(SyncMode.DATA);
          write(h, bytes(20_000, 2), 100);
        }
        fs.syncDirectory(DIR);
        fs.crash(profile);
        byte[] now = read(fs, p("f"));
        if (first == null) {
          first = now;
        } else {
          assertArrayEquals(first, now, profile.name());
        }
      }
    }
  }

  @FunctionalInterface
  interface IoCall {
    void run() throws IOException;
  }
}
