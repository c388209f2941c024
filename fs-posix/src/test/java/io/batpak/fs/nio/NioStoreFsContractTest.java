package io.batpak.fs.nio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.fs.testkit.StoreFsContract;
import io.batpak.port.FileHandle;
import io.batpak.port.FsCapabilities;
import io.batpak.port.LockMode;
import io.batpak.port.LockUnavailableException;
import io.batpak.port.NoSpaceException;
import io.batpak.port.StoreFs;
import io.batpak.port.StoreLock;
import io.batpak.port.SymlinkRefusedException;
import io.batpak.port.SyncMode;
import io.batpak.spi.FsOptions;
import io.batpak.spi.ProbeResult;
import io.batpak.spi.StoreFsProvider;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@link StoreFsContract} against {@link NioStoreFs} on a real temporary directory, plus the
 * checks that only make sense for this backend (provider metadata, error mapping, the JVM-wide lock
 * registry, channel recovery).
 */
class NioStoreFsContractTest extends StoreFsContract {

  @TempDir Path tmp;

  @Override
  protected Path newRoot() throws IOException {
    return Files.createTempDirectory(tmp, "root");
  }

  @Override
  protected StoreFs openFs(Path root) throws IOException {
    return new NioStoreFsProvider().open(FsOptions.defaults());
  }

  @Override
  protected boolean realFileSystem() {
    return true;
  }

  @Override
  protected void createSymlink(Path link, Path target) throws IOException {
    Files.createSymbolicLink(link, target);
  }

  @Override
  protected String providerName() {
    return "nio";
  }

  private static boolean linux() {
    return System.getProperty("os.name", "").startsWith("Linux");
  }

  // ---------------------------------------------------------------------------------------------

  @Test
  void providerMetadata() {
    NioStoreFsProvider provider = new NioStoreFsProvider();
    assertEquals("nio", provider.name());
    assertEquals(50, provider.priority());
    assertTrue(provider.autoSelectable());
    ProbeResult probe = provider.probe();
    assertTrue(probe.available());
    assertTrue(probe.reason().contains(Runtime.version().toString()), probe.reason());
    assertTrue(probe.reason().contains("fcntl"), probe.reason());
  }

  @Test
  void probeReasonSaysWhereDirectoryFsyncIsNotVerified() {
    assertTrue(
        NioStoreFsProvider.probeReason("Linux", "amd64", "17")
            .contains("directory fsync through a read-only channel"));
    assertTrue(
        NioStoreFsProvider.probeReason("Mac OS X", "aarch64", "17")
            .contains("not verified on Mac OS X"));
    assertTrue(NioStoreFsProvider.probeReason("Windows 11", "amd64", "17").contains("refused"));
  }

  @Test
  void providerIsFoundByServiceLoader() {
    List<String> names = new ArrayList<>();
    for (StoreFsProvider p : ServiceLoader.load(StoreFsProvider.class)) {
      names.add(p.name());
    }
    assertTrue(names.contains("nio"), "registered providers: " + names);
  }

  @Test
  void capabilitiesAreHonestForNio() {
    FsCapabilities caps = fs.capabilities();
    assertEquals(linux(), caps.directorySync() && linux());
    assertTrue(caps.noReplaceRename());
    assertFalse(caps.symlinkRefusal(), "publish can only check-then-act");
    assertTrue(caps.crossProcessLock());
    assertTrue(caps.sharedLock());
    assertEquals("fcntl", caps.lockFamily());
    FsCapabilities windows = NioStoreFs.capabilitiesFor("Windows 10");
    assertFalse(windows.directorySync());
  }

  @Test
  void noSpaceIsMappedFromEnospc() throws IOException {
    Path full = Path.of("/dev/full");
    if (!linux()) {
      return; // /dev/full is Linux's; the mapping itself is covered by mapsMessagesToTypes
    }
    assertTrue(Files.exists(full), "/dev/full is missing on this Linux system");
    try (FileHandle h = fs.openWrite(full)) {
      NoSpaceException e =
          assertThrows(NoSpaceException.class, () -> h.write(ByteBuffer.wrap(new byte[16]), 0));
      assertTrue(e.getMessage().contains("/dev/full"), e.getMessage());
    }
  }

  @Test
  void mapsMessagesToTypes() {
    Path p = Path.of("x");
    assertTrue(
        NioErrors.map(
                new FileSystemException(
                    "x", null, "Too many levels of symbolic links (NOFOLLOW_LINKS specified)"),
                p,
                "create")
            instanceof SymlinkRefusedException);
    assertTrue(
        NioErrors.map(new IOException("No space left on device"), p, "write")
            instanceof NoSpaceException);
    assertTrue(
        NioErrors.map(new IOException("Disk quota exceeded"), p, "write")
            instanceof NoSpaceException);
    IOException plain = NioErrors.map(new IOException("Input/output error"), p, "sync");
    assertEquals(IOException.class, plain.getClass());
    assertTrue(plain.getMessage().contains("sync of x"), plain.getMessage());
    NoSuchFileException nsf = new NoSuchFileException("x");
    assertTrue(NioErrors.map(nsf, p, "openRead") == nsf);
  }

  @Test
  void syncDirectoryFailsClosedOnMissingDirectoryOrFile() throws IOException {
    assertThrows(NoSuchFileException.class, () -> fs.syncDirectory(root.resolve("gone")));
    writeFile(root.resolve("file"), new byte[1]);
    assertThrows(NotDirectoryException.class, () -> fs.syncDirectory(root.resolve("file")));
  }

  @Test
  void existsBelowARegularFileIsFalse() throws IOException {
    writeFile(root.resolve("file"), new byte[1]);
    assertFalse(fs.exists(root.resolve("file").resolve("child")));
  }

  @Test
  void locksConflictAcrossBackendInstancesInOneJvm() throws IOException {
    Path lockFile = root.resolve(".batpak.lock");
    try (NioStoreFs other = new NioStoreFs();
        StoreLock held = fs.lock(lockFile, LockMode.EXCLUSIVE)) {
      assertThrows(LockUnavailableException.class, () -> other.lock(lockFile, LockMode.EXCLUSIVE));
      assertThrows(LockUnavailableException.class, () -> other.lock(lockFile, LockMode.SHARED));
      assertTrue(held.isValid());
    }
    try (StoreLock again = new NioStoreFs().lock(lockFile, LockMode.EXCLUSIVE)) {
      assertTrue(again.isValid());
    }
  }

  @Test
  void lockThroughAHardLinkIsTheSameLock() throws IOException {
    Path lockFile = root.resolve(".batpak.lock");
    try (StoreLock held = fs.lock(lockFile, LockMode.EXCLUSIVE)) {
      Path alias = root.resolve("alias.lock");
      Files.createLink(alias, lockFile);
      assertThrows(LockUnavailableException.class, () -> fs.lock(alias, LockMode.EXCLUSIVE));
      assertTrue(held.isValid());
    }
  }

  @Test
  void openingAHeldLockFileIsRefused() throws IOException {
    Path lockFile = root.resolve(".batpak.lock");
    try (StoreLock held = fs.lock(lockFile, LockMode.EXCLUSIVE)) {
      IOException e = assertThrows(IOException.class, () -> fs.openRead(lockFile));
      assertTrue(e.getMessage().contains("release the lock"), e.getMessage());
      assertThrows(IOException.class, () -> fs.openWrite(lockFile));
      assertThrows(IOException.class, () -> fs.copy(lockFile, root.resolve("copy")));
      assertTrue(held.isValid());
    }
    try (FileHandle h = fs.openRead(lockFile)) {
      assertEquals(0, h.size());
    }
  }

  @Test
  void channelClosedUnderAHandleIsReopenedForOtherCalls() throws IOException {
    Path file = root.resolve("reopen");
    try (FileHandle h = fs.create(file)) {
      h.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 0);
      NioFileHandle nio = (NioFileHandle) h;
      FileChannel first = nio.channelForTest();
      first.close(); // what the JDK does when a user thread is interrupted during I/O
      ByteBuffer back = ByteBuffer.allocate(3);
      h.read(back, 0);
      assertArrayEquals(new byte[] {1, 2, 3}, back.array());
      assertNotSame(first, nio.channelForTest());
      h.write(ByteBuffer.wrap(new byte[] {4}), 3);
      assertEquals(4, h.size());

      nio.channelForTest().close();
      IOException sync = assertThrows(IOException.class, () -> h.sync(SyncMode.ALL));
      assertTrue(sync.getMessage().contains("outcome"), sync.getMessage());
      h.sync(SyncMode.ALL); // the channel was reopened; only the cut-short sync failed
    }
  }

  @Test
  void handleWhosePathNowNamesAnotherFileIsNotReopenedOntoIt() throws IOException {
    Path file = root.resolve("moved");
    try (FileHandle h = fs.create(file)) {
      h.write(ByteBuffer.wrap(new byte[] {9}), 0);
      Files.move(file, root.resolve("elsewhere"));
      Files.write(file, new byte[] {7, 7});
      ((NioFileHandle) h).channelForTest().close();
      assertThrows(IOException.class, () -> h.read(ByteBuffer.allocate(1), 0));
      IOException again = assertThrows(IOException.class, h::size);
      assertTrue(again.getMessage().contains("different file"), again.getMessage());
    }
    assertArrayEquals(new byte[] {7, 7}, Files.readAllBytes(file), "the impostor is untouched");
  }

  @Test
  void closeRacesReportClosedChannel() throws IOException {
    FileHandle h = fs.create(root.resolve("closed"));
    h.close();
    assertThrows(ClosedChannelException.class, () -> h.read(ByteBuffer.allocate(1), 0));
  }

  @Test
  void publishRefusesPathsInDifferentDirectories() throws IOException {
    fs.createDirectories(root.resolve("sub"));
    writeFile(root.resolve("sub").resolve("t"), new byte[1]);
    assertThrows(
        IllegalArgumentException.class,
        () -> fs.publish(root.resolve("sub").resolve("t"), root.resolve("target"), SyncMode.ALL));
  }
}
