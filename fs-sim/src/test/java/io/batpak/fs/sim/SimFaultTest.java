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
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.port.FileHandle;
import io.batpak.port.LockMode;
import io.batpak.port.LockUnavailableException;
import io.batpak.port.NoSpaceException;
import io.batpak.port.RenameMode;
import io.batpak.port.ShortReadException;
import io.batpak.port.SymlinkRefusedException;
import io.batpak.port.SyncMode;
import io.batpak.port.UnsupportedFsOperationException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every fault action and trigger, and the one-shot arming of the reference. */
class SimFaultTest {

  @ParameterizedTest
  @EnumSource(ErrorKind.class)
  void failThrowsTheKindsException(ErrorKind kind) throws IOException {
    Map<ErrorKind, Class<? extends IOException>> expected =
        Map.of(
            ErrorKind.IO, IOException.class,
            ErrorKind.NO_SPACE, NoSpaceException.class,
            ErrorKind.NO_SUCH_FILE, NoSuchFileException.class,
            ErrorKind.FILE_EXISTS, FileAlreadyExistsException.class,
            ErrorKind.ACCESS_DENIED, AccessDeniedException.class,
            ErrorKind.LOCK_UNAVAILABLE, LockUnavailableException.class,
            ErrorKind.SYMLINK_REFUSED, SymlinkRefusedException.class,
            ErrorKind.UNSUPPORTED, UnsupportedFsOperationException.class);
    SimStoreFs fs = Sim.withDir(1);
    fs.addFault(FaultRule.on(FsOp.CREATE, FaultTrigger.nth(1), FaultAction.fail(kind)));
    IOException e = assertThrows(IOException.class, () -> fs.create(p("f")));
    assertEquals(expected.get(kind), e.getClass());
    assertFalse(fs.exists(p("f")), "a failed create creates nothing");
    OpRecord rec =
        fs.opLog().stream().filter(r -> r.op().equals("CREATE")).findFirst().orElseThrow();
    assertTrue(rec.injected());
    assertFalse(rec.stateChanging());
    fs.create(p("f")).close(); // one-shot: the second create passes
  }

  @Test
  void shortReadDeliversThePrefix() throws IOException {
    SimStoreFs fs = Sim.withDir(2);
    createFile(fs, p("f"), bytes("0123456789"), true);
    fs.addFault(FaultRule.on(FsOp.READ, FaultTrigger.nth(1), FaultAction.shortRead(4)));
    try (FileHandle h = fs.openRead(p("f"))) {
      ByteBuffer b = ByteBuffer.allocate(10);
      ShortReadException e = assertThrows(ShortReadException.class, () -> h.read(b, 0));
      assertEquals(4, e.bytesRead());
      assertEquals(10, e.requested());
      assertEquals("0123", new String(b.array(), 0, b.position(), "UTF-8"));
      ByteBuffer again = ByteBuffer.allocate(10);
      h.read(again, 0); // only the first read was faulted
      assertEquals("0123456789", new String(again.array(), "UTF-8"));
    }
  }

  @Test
  void shortReadZero() throws IOException {
    SimStoreFs fs = Sim.withDir(3);
    createFile(fs, p("f"), bytes("abc"), true);
    fs.addFault(FaultRule.on(FsOp.READ, FaultTrigger.always(), FaultAction.shortRead(0)));
    try (FileHandle h = fs.openRead(p("f"))) {
      ShortReadException e =
          assertThrows(ShortReadException.class, () -> h.read(ByteBuffer.allocate(3), 0));
      assertEquals(0, e.bytesRead());
    }
  }

  @Test
  void shortWriteKeepsAPrefixAndFails() throws IOException {
    SimStoreFs fs = Sim.withDir(4);
    fs.addFault(FaultRule.on(FsOp.WRITE, FaultTrigger.nth(2), FaultAction.shortWrite(3)));
    try (FileHandle h = fs.create(p("f"))) {
      write(h, bytes("AAAA"), 0);
      ByteBuffer src = ByteBuffer.wrap(bytes("BBBBBB"));
      IOException e = assertThrows(IOException.class, () -> h.write(src, 4));
      assertTrue(e.getMessage().contains("short write"), e.getMessage());
      assertEquals(3, src.position(), "the source is advanced past the kept bytes only");
      assertEquals(7, h.size());
    }
    assertEquals("AAAABBB", readString(fs, p("f")));
  }

  @Test
  void tornWriteReportsSuccessWithGarbageAfterThePrefix() throws IOException {
    SimStoreFs fs = Sim.withDir(5);
    fs.addFault(FaultRule.on(FsOp.WRITE, FaultTrigger.nth(1), FaultAction.tornWrite(4)));
    byte[] data = bytes(100, 9);
    try (FileHandle h = fs.create(p("f"))) {
      ByteBuffer src = ByteBuffer.wrap(data);
      h.write(src, 0);
      assertFalse(src.hasRemaining());
    }
    byte[] got = read(fs, p("f"));
    assertEquals(100, got.length);
    assertArrayEquals(Arrays.copyOf(data, 4), Arrays.copyOf(got, 4));
    assertFalse(Arrays.equals(data, got), "the rest is garbage");
  }

  @Test
  void lyingSyncKeepsNothing() throws IOException {
    SimStoreFs fs = Sim.withDir(6);
    fs.addFault(FaultRule.on(FsOp.SYNC, FaultTrigger.always(), FaultAction.lyingSync()));
    createFile(fs, p("f"), bytes("lost"), true); // "synced"
    fs.syncDirectory(DIR);
    assertEquals("lost", readString(fs, p("f")));
    fs.crash(CrashProfile.STRICT);
    assertEquals(0, read(fs, p("f")).length);
  }

  @Test
  void lyingDirectorySyncKeepsNothing() throws IOException {
    SimStoreFs fs = Sim.withDir(7);
    fs.addFault(
        FaultRule.on(FsOp.DIR_SYNC, "/sim/store", FaultTrigger.always(), FaultAction.lyingSync()));
    createFile(fs, p("f"), bytes("x"), true);
    fs.syncDirectory(DIR);
    fs.crash(CrashProfile.STRICT);
    assertFalse(fs.exists(p("f")));
  }

  @Test
  void failedSyncDropsDirtyPagesAndReportsOnce() throws IOException {
    SimStoreFs fs = Sim.withDir(8);
    fs.addFault(FaultRule.on(FsOp.SYNC, FaultTrigger.nth(2), FaultAction.failedSync()));
    try (FileHandle h = fs.create(p("f"))) {
      write(h, bytes("good"), 0);
      h.sync(SyncMode.DATA);
      write(h, bytes("-bad"), 4);
      IOException e = assertThrows(IOException.class, () -> h.sync(SyncMode.DATA));
      assertTrue(e.getMessage().contains("dropped"), e.getMessage());
      assertEquals(4, h.size(), "the dirty pages are gone, for every reader");
      h.sync(SyncMode.DATA); // the next sync succeeds with nothing dirty
    }
    fs.syncDirectory(DIR);
    fs.crash(CrashProfile.PREFIX);
    assertEquals("good", readString(fs, p("f")));
  }

  @Test
  void failedDirectorySyncFailsOnceAndCommitsNothing() throws IOException {
    SimStoreFs fs = Sim.withDir(9);
    fs.addFault(FaultRule.on(FsOp.DIR_SYNC, FaultTrigger.nth(1), FaultAction.failedSync()));
    createFile(fs, p("f"), bytes("x"), true);
    assertThrows(IOException.class, () -> fs.syncDirectory(DIR));
    assertTrue(fs.exists(p("f")));
    fs.crash(CrashProfile.STRICT);
    assertFalse(fs.exists(p("f")));
  }

  @Test
  void noSpaceQuotaOnWrite() throws IOException {
    SimStoreFs fs = Sim.withDir(10);
    fs.addFault(FaultRule.on(FsOp.WRITE, FaultTrigger.always(), FaultAction.noSpaceQuota(10)));
    createFile(fs, p("a"), bytes("123456"), false);
    try (FileHandle h = fs.create(p("b"))) {
      ByteBuffer src = ByteBuffer.wrap(bytes("abcdef"));
      NoSpaceException e = assertThrows(NoSpaceException.class, () -> h.write(src, 0));
      assertEquals("/sim/store/b", e.getFile());
      assertEquals(4, src.position());
      write(h, bytes("XY"), 0); // overwriting within the file needs no space
    }
    assertEquals("XYcd", readString(fs, p("b")));
    assertTrue(fs.deleteIfExists(p("a")));
    try (FileHandle h = fs.openWrite(p("b"))) {
      write(h, bytes("efgh"), 4); // space was freed
    }
    assertEquals("XYcdefgh", readString(fs, p("b")));
    long injected = fs.opLog().stream().filter(OpRecord::injected).count();
    assertEquals(1, injected, "writes within the quota are not marked injected");
  }

  @Test
  void noSpaceQuotaOnCopyCreatesNothing() throws IOException {
    SimStoreFs fs = Sim.withDir(11);
    createFile(fs, p("a"), bytes(100, 1), true);
    fs.addFault(FaultRule.on(FsOp.COPY, FaultTrigger.always(), FaultAction.noSpaceQuota(150)));
    assertThrows(NoSpaceException.class, () -> fs.copy(p("a"), p("b")));
    assertFalse(fs.exists(p("b")));
    fs.clearFaults();
    fs.copy(p("a"), p("b"));
    assertArrayEquals(bytes(100, 1), read(fs, p("b")));
  }

  @Test
  void crashBeforeDoesNothingAndFreezes() throws IOException {
    SimStoreFs fs = Sim.withDir(12);
    fs.addFault(FaultRule.on(FsOp.CREATE, FaultTrigger.nth(1), FaultAction.crashBefore()));
    assertThrows(SimulatedCrashException.class, () -> fs.create(p("f")));
    assertTrue(fs.isFrozen());
    assertThrows(SimulatedCrashException.class, () -> fs.exists(p("f")));
    assertThrows(SimulatedCrashException.class, fs::syncAll);
    fs.restart();
    assertFalse(fs.isFrozen());
    assertFalse(fs.exists(p("f")));
  }

  @Test
  void crashAfterTakesEffectThenFreezes() throws IOException {
    SimStoreFs fs = Sim.withDir(13);
    createFile(fs, p("f"), bytes("data"), false);
    fs.syncDirectory(DIR);
    fs.addFault(FaultRule.on(FsOp.SYNC, FaultTrigger.nth(1), FaultAction.crashAfter()));
    FileHandle h = fs.openWrite(p("f"));
    assertThrows(SimulatedCrashException.class, () -> h.sync(SyncMode.DATA));
    assertThrows(SimulatedCrashException.class, h::size);
    h.close(); // never throws
    fs.crash(CrashProfile.STRICT);
    assertEquals("data", readString(fs, p("f")), "the sync took effect before the crash");
  }

  @Test
  void armFaultOnIsOneShotWithCounterResetWhenArmed() throws IOException {
    SimStoreFs fs = Sim.withDir(14);
    createFile(fs, p("a"), bytes("a"), false); // a CREATE before arming does not count
    fs.armFaultOn(FsOp.CREATE, 2);
    fs.create(p("b")).close(); // 1st since armed
    assertThrows(IOException.class, () -> fs.create(p("c"))); // 2nd fails
    fs.create(p("c")).close(); // 3rd passes again
    fs.create(p("d")).close();
    fs.armFaultOn(FsOp.CREATE, 1); // re-arming resets the counter and replaces the target
    assertThrows(IOException.class, () -> fs.create(p("e")));
    fs.create(p("e")).close();
    assertEquals(List.of("a", "b", "c", "d", "e"), fs.list(DIR));
  }

  @Test
  void otherOpKindsDoNotCount() throws IOException {
    SimStoreFs fs = Sim.withDir(15);
    fs.armFaultOn(FsOp.RENAME, 1);
    createFile(fs, p("a"), bytes("a"), true);
    fs.syncDirectory(DIR);
    assertThrows(IOException.class, () -> fs.rename(p("a"), p("b"), RenameMode.REPLACE));
    fs.rename(p("a"), p("b"), RenameMode.REPLACE);
  }

  @Test
  void severalRulesAtOnce() throws IOException {
    SimStoreFs fs = Sim.withDir(16);
    fs.setFaultPlan(
        FaultPlan.of(
            FaultRule.on(FsOp.CREATE, "/sim/store/*.tmp", FaultTrigger.nth(1), fail()),
            FaultRule.on(FsOp.SYNC, FaultTrigger.nth(1), FaultAction.lyingSync())));
    fs.armFaultOn(FsOp.DELETE, 1);
    createFile(fs, p("a"), bytes("x"), true); // the glob does not match; the sync lies
    assertThrows(IOException.class, () -> fs.create(p("b.tmp")));
    assertThrows(IOException.class, () -> fs.deleteIfExists(p("a")));
    assertEquals(2, fs.faultPlan().rules().size());
    fs.syncDirectory(DIR);
    fs.crash(CrashProfile.STRICT);
    assertEquals(0, read(fs, p("a")).length, "the lying sync kept nothing");
  }

  @Test
  void firstFiringRuleWinsButAllCount() throws IOException {
    SimStoreFs fs = Sim.withDir(17);
    fs.setFaultPlan(
        FaultPlan.of(
            FaultRule.on(
                FsOp.MKDIR, FaultTrigger.nth(1), FaultAction.fail(ErrorKind.ACCESS_DENIED)),
            FaultRule.on(FsOp.MKDIR, FaultTrigger.nth(1), FaultAction.fail(ErrorKind.NO_SPACE)),
            FaultRule.on(FsOp.MKDIR, FaultTrigger.nth(2), FaultAction.fail(ErrorKind.IO))));
    assertThrows(AccessDeniedException.class, () -> fs.createDirectories(p("d")));
    IOException second = assertThrows(IOException.class, () -> fs.createDirectories(p("d")));
    assertEquals(IOException.class, second.getClass());
    fs.createDirectories(p("d"));
  }

  @Test
  void afterOpTriggerFailsEverythingAfterK() throws IOException {
    SimStoreFs fs = Sim.withDir(18);
    long k = fs.operationCount() + 2;
    fs.addFault(new FaultRule(null, "**", FaultTrigger.afterOp(k), fail()));
    fs.exists(p("x")); // k-1
    fs.exists(p("y")); // k
    assertThrows(IOException.class, () -> fs.exists(p("z")));
    assertThrows(IOException.class, () -> fs.list(DIR));
  }

  @Test
  void crashBeforeNthOperationOfAnyKind() throws IOException {
    SimStoreFs fs = Sim.withDir(25);
    createFile(fs, p("a"), bytes("a"), true);
    fs.syncDirectory(DIR);
    SimSnapshot start = fs.snapshot();
    // crash at each operation of a small "recovery" in turn; each crash happens exactly once
    for (int k = 1; k <= 4; k++) {
      fs.restore(start);
      fs.addFault(FaultRule.crashBeforeNth(k));
      int completed = 0;
      try {
        fs.list(DIR);
        completed++;
        try (FileHandle h = fs.openWrite(p("a"))) {
          completed++;
          write(h, bytes("b"), 1);
          completed++;
          h.sync(SyncMode.DATA);
          completed++;
        }
      } catch (SimulatedCrashException e) {
        assertTrue(fs.isFrozen());
      }
      assertEquals(k - 1, completed);
      fs.crash(CrashProfile.STRICT);
      assertEquals("a", readString(fs, p("a")), "the crash came before the sync");
    }
  }

  @Test
  void probabilityTriggerIsSeeded() throws IOException {
    List<Boolean> first = null;
    for (int run = 0; run < 2; run++) {
      SimStoreFs fs = Sim.withDir(19);
      fs.addFault(FaultRule.on(FsOp.EXISTS, FaultTrigger.probability(0.5), fail()));
      List<Boolean> failed = new java.util.ArrayList<>();
      for (int i = 0; i < 64; i++) {
        try {
          fs.exists(p("x"));
          failed.add(false);
        } catch (IOException e) {
          failed.add(true);
        }
      }
      assertTrue(failed.contains(true) && failed.contains(false), failed.toString());
      if (first == null) {
        first = failed;
      } else {
        assertEquals(first, failed, "same seed, same schedule");
      }
    }
  }

  @Test
  void probabilityZeroAndOne() throws IOException {
    SimStoreFs fs = Sim.withDir(20);
    fs.addFault(FaultRule.on(FsOp.LIST, FaultTrigger.probability(0), fail()));
    fs.addFault(FaultRule.on(FsOp.EXISTS, FaultTrigger.probability(1), fail()));
    fs.list(DIR);
    assertThrows(IOException.class, () -> fs.exists(DIR));
  }

  @Test
  void globMatchesEitherPathOfARename() throws IOException {
    SimStoreFs fs = Sim.withDir(21);
    createFile(fs, p("a"), bytes("a"), false);
    fs.addFault(FaultRule.on(FsOp.RENAME, "**/*.final", FaultTrigger.always(), fail()));
    fs.rename(p("a"), p("b"), RenameMode.REPLACE);
    assertThrows(IOException.class, () -> fs.rename(p("b"), p("b.final"), RenameMode.REPLACE));
  }

  @Test
  void publishWholeAndStepFaults() throws IOException {
    SimStoreFs fs = Sim.withDir(22);
    createFile(fs, p("c"), bytes("v1"), true);
    fs.syncDirectory(DIR);
    createFile(fs, p("c.tmp"), bytes("v2"), false);
    fs.armFaultOn(FsOp.PUBLISH, 1);
    assertThrows(IOException.class, () -> fs.publish(p("c.tmp"), p("c"), SyncMode.DATA));
    assertEquals("v1", readString(fs, p("c")), "a failed publish did no step");
    fs.armFaultOn(FsOp.RENAME, 1);
    assertThrows(IOException.class, () -> fs.publish(p("c.tmp"), p("c"), SyncMode.DATA));
    assertEquals("v1", readString(fs, p("c")));
    assertArrayEquals(bytes("v2"), fs.durableContentOf(p("c.tmp")), "the sync step ran");
    fs.armFaultOn(FsOp.DIR_SYNC, 1);
    assertThrows(IOException.class, () -> fs.publish(p("c.tmp"), p("c"), SyncMode.DATA));
    assertEquals("v2", readString(fs, p("c")), "renamed, directory not synced");
    fs.crash(CrashProfile.STRICT);
    assertEquals("v1", readString(fs, p("c")));
  }

  @Test
  void faultsOnOpenListLockCopyTruncate() throws IOException {
    SimStoreFs fs = Sim.withDir(23);
    createFile(fs, p("a"), bytes("abc"), true);
    for (FsOp op : List.of(FsOp.OPEN, FsOp.LIST, FsOp.LOCK, FsOp.COPY, FsOp.TRUNCATE)) {
      fs.armFaultOn(op, 1);
    }
    // only the last armed slot (TRUNCATE) is active: one slot, like the reference
    fs.openRead(p("a")).close();
    try (FileHandle h = fs.openWrite(p("a"))) {
      assertThrows(IOException.class, () -> h.truncate(1));
      h.truncate(1);
    }
    fs.setFaultPlan(
        FaultPlan.of(
            FaultRule.on(FsOp.OPEN, FaultTrigger.nth(1), fail()),
            FaultRule.on(FsOp.LIST, FaultTrigger.nth(1), fail()),
            FaultRule.on(FsOp.LOCK, FaultTrigger.nth(1), fail()),
            FaultRule.on(FsOp.COPY, FaultTrigger.nth(1), fail())));
    assertThrows(IOException.class, () -> fs.openRead(p("a")));
    assertThrows(IOException.class, () -> fs.list(DIR));
    assertThrows(IOException.class, () -> fs.lock(p("LOCK"), LockMode.EXCLUSIVE));
    assertThrows(IOException.class, () -> fs.copy(p("a"), p("b")));
    assertFalse(fs.exists(p("b")));
    assertFalse(fs.exists(p("LOCK")));
  }

  @Test
  void rulesAreValidated() {
    assertThrows(
        IllegalArgumentException.class,
        () -> FaultRule.on(FsOp.WRITE, FaultTrigger.nth(1), FaultAction.shortRead(1)));
    assertThrows(
        IllegalArgumentException.class,
        () -> FaultRule.on(FsOp.READ, FaultTrigger.nth(1), FaultAction.lyingSync()));
    assertThrows(
        IllegalArgumentException.class,
        () -> new FaultRule(null, "**", FaultTrigger.always(), FaultAction.tornWrite(1)));
    assertThrows(IllegalArgumentException.class, () -> FaultTrigger.nth(0));
    assertThrows(IllegalArgumentException.class, () -> FaultTrigger.probability(1.5));
    assertThrows(IllegalArgumentException.class, () -> FaultTrigger.afterOp(-1));
    assertThrows(IllegalArgumentException.class, () -> FaultAction.shortWrite(-1));
    assertThrows(
        IllegalArgumentException.class,
        () -> FaultRule.on(FsOp.READ, "{a,b", FaultTrigger.always(), fail()));
    SimStoreFs fs = new SimStoreFs(0);
    assertThrows(IllegalArgumentException.class, () -> fs.armFaultOn(FsOp.READ, 0));
  }

  @Test
  void globs() {
    FaultRule r = FaultRule.on(FsOp.READ, "/sim/*/seg-?.{log,idx}", FaultTrigger.always(), fail());
    assertTrue(r.matchesPath("/sim/store/seg-1.log"));
    assertTrue(r.matchesPath("/sim/x/seg-2.idx"));
    assertFalse(r.matchesPath("/sim/a/b/seg-1.log"));
    assertFalse(r.matchesPath("/sim/store/seg-10.log"));
    FaultRule deep = FaultRule.on(FsOp.READ, "/sim/**/*.log", FaultTrigger.always(), fail());
    assertTrue(deep.matchesPath("/sim/a.log"));
    assertTrue(deep.matchesPath("/sim/a/b/c.log"));
    assertFalse(deep.matchesPath("/other/a.log"));
    assertTrue(FaultRule.on(FsOp.READ, FaultTrigger.always(), fail()).matchesPath("/anything"));
    FaultRule literal = FaultRule.on(FsOp.READ, "/a+b(c)", FaultTrigger.always(), fail());
    assertTrue(literal.matchesPath("/a+b(c)"));
  }

  @Test
  void injectedFaultsChangeTheDigest() throws IOException {
    SimStoreFs honest = Sim.withDir(24);
    SimStoreFs faulty = Sim.withDir(24);
    assertEquals(honest.digest(), faulty.digest());
    faulty.addFault(FaultRule.on(FsOp.EXISTS, FaultTrigger.nth(1), fail()));
    honest.exists(p("a"));
    assertThrows(IOException.class, () -> faulty.exists(p("a")));
    assertNotEquals(honest.digest(), faulty.digest());
  }

  private static FaultAction fail() {
    return FaultAction.fail(ErrorKind.IO);
  }
}
