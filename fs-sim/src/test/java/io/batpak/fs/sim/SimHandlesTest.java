package io.batpak.fs.sim;

import static io.batpak.fs.sim.Sim.DIR;
import static io.batpak.fs.sim.Sim.bytes;
import static io.batpak.fs.sim.Sim.createFile;
import static io.batpak.fs.sim.Sim.p;
import static io.batpak.fs.sim.Sim.readString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.port.FileHandle;
import io.batpak.port.LockMode;
import io.batpak.port.RenameMode;
import io.batpak.port.StoreLock;
import io.batpak.port.SyncMode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Leaked-handle reports, Windows mode, symbolic links and path normalisation. */
class SimHandlesTest {

  @Test
  void noLeaksWhenEverythingIsClosed() throws IOException {
    SimStoreFs fs = Sim.withDir(1);
    createFile(fs, p("a"), bytes("a"), true);
    fs.lock(p("LOCK"), LockMode.EXCLUSIVE).close(); // a SHARED lock never creates its file
    fs.lock(p("LOCK"), LockMode.SHARED).close();
    fs.assertNoOpenHandles();
    assertEquals(List.of(), fs.openHandles());
  }

  @Test
  void leakedHandlesAreReportedWithTheOpeningStack() throws IOException {
    SimStoreFs fs = Sim.withDir(2);
    FileHandle leaked = openSomewhere(fs);
    StoreLock lock = fs.lock(p("LOCK"), LockMode.EXCLUSIVE);
    List<OpenResource> open = fs.openHandles();
    assertEquals(2, open.size());
    assertEquals("handle", open.get(0).kind());
    assertEquals("/sim/store/leaky", open.get(0).path());
    assertEquals("read-write", open.get(0).mode());
    assertEquals("lock", open.get(1).kind());
    assertEquals("EXCLUSIVE", open.get(1).mode());
    AssertionError e = assertThrows(AssertionError.class, fs::assertNoOpenHandles);
    assertTrue(e.getMessage().contains("2 leaked"), e.getMessage());
    assertTrue(e.getMessage().contains("/sim/store/leaky"), e.getMessage());
    StringWriter trace = new StringWriter();
    e.printStackTrace(new PrintWriter(trace));
    assertTrue(trace.toString().contains("openSomewhere"), "the opener's frame is reported");
    leaked.close();
    lock.close();
    fs.assertNoOpenHandles();
  }

  private static FileHandle openSomewhere(SimStoreFs fs) throws IOException {
    return fs.create(p("leaky"));
  }

  @Test
  void posixModeAllowsDeletingAndRenamingOpenFiles() throws IOException {
    SimStoreFs fs = Sim.withDir(3);
    try (FileHandle h = fs.create(p("a"))) {
      fs.rename(p("a"), p("b"), RenameMode.REPLACE);
      Sim.write(h, bytes("still writable"), 0);
      assertTrue(fs.deleteIfExists(p("b")));
      assertEquals(14, h.size());
    }
  }

  @Test
  void windowsModeRefusesDeletingOrRenamingOpenFiles() throws IOException {
    SimStoreFs fs = SimStoreFs.builder().seed(4).windowsMode(true).build();
    fs.createDirectories(DIR);
    createFile(fs, p("target"), bytes("t"), true);
    FileHandle h = fs.create(p("a"));
    assertThrows(AccessDeniedException.class, () -> fs.deleteIfExists(p("a")));
    assertThrows(AccessDeniedException.class, () -> fs.rename(p("a"), p("b"), RenameMode.REPLACE));
    try (FileHandle t = fs.openRead(p("target"))) {
      h.close();
      assertThrows(
          AccessDeniedException.class, () -> fs.rename(p("a"), p("target"), RenameMode.REPLACE));
      assertThrows(
          AccessDeniedException.class, () -> fs.publish(p("a"), p("target"), SyncMode.DATA));
      assertEquals(1, t.size());
    }
    fs.rename(p("a"), p("b"), RenameMode.REPLACE);
    try (StoreLock lock = fs.lock(p("LOCK"), LockMode.EXCLUSIVE)) {
      assertTrue(lock.isValid());
      assertThrows(AccessDeniedException.class, () -> fs.deleteIfExists(p("LOCK")));
    }
    assertTrue(fs.deleteIfExists(p("LOCK")));
    assertTrue(fs.deleteIfExists(p("b")));
  }

  @Test
  void pathsAreNormalisedNames() throws IOException {
    SimStoreFs fs = Sim.withDir(5);
    createFile(fs, Path.of("/sim/./store/../store/x"), bytes("x"), false);
    assertEquals("x", readString(fs, Path.of("sim/store/x")));
    assertEquals(List.of("x"), fs.list(Path.of("/sim/store/")));
    assertEquals(List.of("sim"), fs.list(Path.of("/")));
    assertEquals(
        "/sim/store/x",
        fs.opLog().stream().filter(r -> r.op().equals("CREATE")).findFirst().orElseThrow().path());
  }

  @Test
  void symlinksAreFollowedInTheMiddleAndRefusedAtTheLeaf() throws IOException {
    SimStoreFs fs = Sim.withDir(6);
    fs.createDirectories(DIR.resolve("real"));
    createFile(fs, DIR.resolve("real/f"), bytes("via link"), false);
    fs.createSymlink(p("alias"), Path.of("real")); // relative target
    fs.createSymlink(p("flink"), Path.of("/sim/store/real/f"));
    assertEquals("via link", readString(fs, DIR.resolve("alias/f")));
    assertThrows(
        io.batpak.port.SymlinkRefusedException.class,
        () -> fs.openRead(p("flink")),
        "openRead refuses a link at the last component");
    assertEquals(List.of("f"), fs.list(p("alias")));
    assertThrows(io.batpak.port.SymlinkRefusedException.class, () -> fs.openWrite(p("flink")));
    assertThrows(io.batpak.port.SymlinkRefusedException.class, () -> fs.create(p("flink")));
    assertThrows(
        io.batpak.port.SymlinkRefusedException.class, () -> fs.lock(p("flink"), LockMode.SHARED));
    fs.createSymlink(p("loop"), Path.of("loop"));
    assertThrows(IOException.class, () -> fs.openRead(p("loop")));
    assertTrue(fs.deleteIfExists(p("flink")), "delete removes the link itself");
    assertEquals("via link", readString(fs, DIR.resolve("real/f")));
    // a link's entry is volatile like any other
    fs.crash(CrashProfile.STRICT);
    assertEquals(List.of(), fs.list(DIR));
  }

  @Test
  void sharedAndExclusiveLocks() throws IOException {
    SimStoreFs fs = Sim.withDir(7);
    assertThrows(NoSuchFileException.class, () -> fs.lock(p("LOCK"), LockMode.SHARED));
    assertEquals(List.of(), fs.list(DIR), "a SHARED lock never creates its file");
    fs.lock(p("LOCK"), LockMode.EXCLUSIVE).close();
    try (StoreLock a = fs.lock(p("LOCK"), LockMode.SHARED);
        StoreLock b = fs.lock(p("LOCK"), LockMode.SHARED)) {
      assertTrue(a.isValid() && b.isValid());
      assertThrows(
          io.batpak.port.LockUnavailableException.class,
          () -> fs.lock(p("LOCK"), LockMode.EXCLUSIVE));
    }
    try (StoreLock x = fs.lock(p("LOCK"), LockMode.EXCLUSIVE)) {
      assertEquals(LockMode.EXCLUSIVE, x.mode());
      assertThrows(
          io.batpak.port.LockUnavailableException.class, () -> fs.lock(p("LOCK"), LockMode.SHARED));
    }
    assertEquals(
        new io.batpak.port.FsCapabilities(true, true, true, false, true, "sim", true, false, true),
        fs.capabilities());
  }
}
