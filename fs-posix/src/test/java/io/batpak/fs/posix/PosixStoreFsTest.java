package io.batpak.fs.posix;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.fs.posix.internal.Errno;
import io.batpak.fs.posix.internal.Posix;
import io.batpak.fs.posix.internal.PosixFileHandle;
import io.batpak.fs.posix.internal.PosixStoreFs;
import io.batpak.port.FileHandle;
import io.batpak.port.LockMode;
import io.batpak.port.LockUnavailableException;
import io.batpak.port.RenameMode;
import io.batpak.port.ShortReadException;
import io.batpak.port.StoreFs;
import io.batpak.port.StoreLock;
import io.batpak.port.SymlinkRefusedException;
import io.batpak.port.SyncMode;
import io.batpak.spi.FsOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.NonWritableChannelException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the posix backend does beyond the shared contract: its system calls and their edges. */
class PosixStoreFsTest {
  @TempDir Path dir;
  private StoreFs fs;

  @BeforeEach
  void open() throws IOException {
    fs = new PosixStoreFsProvider().open(FsOptions.defaults());
  }

  @AfterEach
  void close() throws IOException {
    fs.close();
  }

  @Test
  void capabilitiesPromiseEverything() {
    assertEquals("posix", fs.name());
    assertTrue(fs.capabilities().directorySync());
    assertTrue(fs.capabilities().noReplaceRename());
    assertTrue(fs.capabilities().symlinkRefusal());
    assertTrue(fs.capabilities().crossProcessLock());
    assertTrue(fs.capabilities().sharedLock());
    assertEquals("flock+ofd", fs.capabilities().lockFamily());
  }

  @Test
  void heapBuffersLargerThanTheBounceBufferRoundTrip() throws IOException {
    byte[] data = new byte[200_000];
    new Random(42).nextBytes(data);
    Path file = dir.resolve("big");
    try (FileHandle h = fs.create(file)) {
      ByteBuffer src = ByteBuffer.wrap(data);
      h.write(src, 10);
      assertFalse(src.hasRemaining());
      assertEquals(10 + data.length, h.size());
      ByteBuffer heap = ByteBuffer.allocate(data.length);
      h.read(heap, 10);
      assertArrayEquals(data, heap.array());
      ByteBuffer direct = ByteBuffer.allocateDirect(data.length);
      h.read(direct, 10);
      direct.flip();
      byte[] back = new byte[data.length];
      direct.get(back);
      assertArrayEquals(data, back);
    }
    assertArrayEquals(data, java.util.Arrays.copyOfRange(Files.readAllBytes(file), 10, 200_010));
  }

  @Test
  void shortReadOfAHeapBufferPastTheBounceSizeReportsTheBytesRead() throws IOException {
    Path file = dir.resolve("short");
    Files.write(file, new byte[70_000]);
    try (FileHandle h = fs.openRead(file)) {
      ShortReadException e =
          assertThrows(ShortReadException.class, () -> h.read(ByteBuffer.allocate(100_000), 0));
      assertEquals(70_000, e.bytesRead());
      assertEquals(100_000, e.requested());
      ShortReadException atEnd =
          assertThrows(ShortReadException.class, () -> h.read(ByteBuffer.allocate(1), 70_000));
      assertEquals(0, atEnd.bytesRead());
    }
  }

  @Test
  void readOnlyHandleRefusesWrites() throws IOException {
    Path file = dir.resolve("ro");
    Files.write(file, new byte[] {1});
    try (FileHandle h = fs.openRead(file)) {
      assertFalse(h.writable());
      assertThrows(NonWritableChannelException.class, () -> h.write(ByteBuffer.allocate(1), 0));
      assertThrows(NonWritableChannelException.class, () -> h.truncate(0));
    }
  }

  @Test
  void readingIntoAReadOnlyBufferIsRefusedBeforeAnyByteIsWritten() throws IOException {
    Path file = dir.resolve("data");
    Files.write(file, new byte[] {1, 2, 3});
    try (FileHandle h = fs.openRead(file)) {
      ByteBuffer direct = ByteBuffer.allocateDirect(3);
      ByteBuffer readOnly = direct.asReadOnlyBuffer();
      assertThrows(IllegalArgumentException.class, () -> h.read(readOnly, 0));
      assertEquals(0, direct.get(0));
    }
  }

  @Test
  void closedHandleFailsWithClosedChannelAndCloseIsIdempotent() throws IOException {
    FileHandle h = fs.create(dir.resolve("closed"));
    h.close();
    h.close();
    assertThrows(ClosedChannelException.class, () -> h.write(ByteBuffer.allocate(1), 0));
    assertThrows(ClosedChannelException.class, () -> h.sync(SyncMode.DATA));
    assertThrows(ClosedChannelException.class, h::size);
  }

  @Test
  void anInterruptNeitherAbortsNorClosesAHandle() throws IOException {
    try (FileHandle h = fs.create(dir.resolve("interrupted"))) {
      Thread.currentThread().interrupt();
      try {
        h.write(ByteBuffer.wrap("abc".getBytes(UTF_8)), 0);
        h.sync(SyncMode.ALL);
        ByteBuffer back = ByteBuffer.allocate(3);
        h.read(back, 0);
        assertEquals("abc", new String(back.array(), UTF_8));
        assertTrue(Thread.currentThread().isInterrupted(), "the interrupt flag is kept");
      } finally {
        Thread.interrupted();
      }
      assertEquals(3, h.size());
    }
  }

  @Test
  void createRefusesASymlinkWithTheTypedException() throws IOException {
    Path link = dir.resolve("link");
    Files.createSymbolicLink(link, dir.resolve("nowhere"));
    SymlinkRefusedException e = assertThrows(SymlinkRefusedException.class, () -> fs.create(link));
    assertTrue(e.getMessage().contains(link.toString()), e.getMessage());
    assertFalse(Files.exists(dir.resolve("nowhere")));
  }

  @Test
  void openWriteOfASymlinkIsRefusedWithEloop() throws IOException {
    Path target = dir.resolve("target");
    Files.write(target, new byte[] {1});
    Path link = dir.resolve("link");
    Files.createSymbolicLink(link, target);
    SymlinkRefusedException e =
        assertThrows(SymlinkRefusedException.class, () -> fs.openWrite(link));
    assertTrue(e.getMessage().contains("ELOOP (40)"), e.getMessage());
  }

  @Test
  void errnoMessagesNameThePathAndTheError() {
    Path missing = dir.resolve("no/such/file");
    NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> fs.openRead(missing));
    assertEquals(missing.toString(), e.getFile());
    assertTrue(e.getMessage().contains("ENOENT (2)"), e.getMessage());
  }

  @Test
  void noReplaceRenameWorksThroughRenameat2AndThroughTheLinkFallback() throws IOException {
    PosixStoreFs native2 = (PosixStoreFs) fs;
    assertTrue(native2.usesRenameat2(), "glibc here has renameat2");
    StoreFs fallback =
        new PosixStoreFsProvider().open(new FsOptions(Map.of("posix.renameat2", "off")));
    assertFalse(((PosixStoreFs) fallback).usesRenameat2());
    for (StoreFs each : List.of(fs, fallback)) {
      Path from = dir.resolve(each + "-from");
      Path to = dir.resolve(each + "-to");
      Files.write(from, new byte[] {1});
      Files.write(to, new byte[] {2});
      FileAlreadyExistsException e =
          assertThrows(
              FileAlreadyExistsException.class, () -> each.rename(from, to, RenameMode.NO_REPLACE));
      assertTrue(e.getMessage().contains("EEXIST (17)"), e.getMessage());
      assertArrayEquals(new byte[] {2}, Files.readAllBytes(to));
      assertTrue(Files.exists(from));
      Files.delete(to);
      each.rename(from, to, RenameMode.NO_REPLACE);
      assertFalse(Files.exists(from));
      assertArrayEquals(new byte[] {1}, Files.readAllBytes(to));
      assertThrows(
          NoSuchFileException.class,
          () -> each.rename(dir.resolve("absent"), dir.resolve("x"), RenameMode.NO_REPLACE));
    }
  }

  @Test
  void onlyNotSupportedErrorsFallBackToLinkAndUnlink() {
    assertTrue(PosixStoreFs.needsLinkFallback(Errno.EINVAL));
    assertTrue(PosixStoreFs.needsLinkFallback(Errno.ENOSYS));
    assertTrue(PosixStoreFs.needsLinkFallback(Errno.EOPNOTSUPP));
    assertFalse(PosixStoreFs.needsLinkFallback(Errno.EEXIST));
    assertFalse(PosixStoreFs.needsLinkFallback(Errno.ENOENT));
    assertFalse(PosixStoreFs.needsLinkFallback(Errno.EXDEV));
  }

  @Test
  void unknownRenameat2OptionIsRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new PosixStoreFsProvider().open(new FsOptions(Map.of("posix.renameat2", "yes"))));
  }

  @Test
  void fallocateIsProbedAndReservesSpace() throws IOException {
    assertTrue(Posix.hasFallocate(), "glibc here has fallocate");
    assertTrue(
        new PosixStoreFsProvider().probe().reason().contains("fallocate: yes"),
        new PosixStoreFsProvider().probe().reason());
    try (PosixFileHandle h = (PosixFileHandle) fs.create(dir.resolve("prealloc"))) {
      boolean reserved = h.preallocate(0, 1 << 20);
      if (reserved) {
        assertEquals(1 << 20, h.size());
      } else {
        assertEquals(0, h.size(), "nothing changes when the file system has no fallocate");
      }
    }
  }

  @Test
  void createDirectoriesMakesEveryMissingParentAndRefusesAFileInTheWay() throws IOException {
    Path deep = dir.resolve("a/b/c");
    fs.createDirectories(deep);
    assertTrue(Files.isDirectory(deep));
    fs.createDirectories(deep);
    Files.write(dir.resolve("file"), new byte[0]);
    assertThrows(
        FileAlreadyExistsException.class, () -> fs.createDirectories(dir.resolve("file/sub")));
  }

  @Test
  void publishReplacesTheTargetAndRefusesASymlinkTarget() throws IOException {
    Path target = dir.resolve("meta");
    Files.write(target, "old".getBytes(UTF_8));
    for (SyncMode mode : SyncMode.values()) {
      Path temp = dir.resolve("meta.tmp");
      Files.write(temp, ("new-" + mode).getBytes(UTF_8));
      fs.publish(temp, target, mode);
      assertEquals("new-" + mode, Files.readString(target));
      assertFalse(Files.exists(temp));
    }
    Path link = dir.resolve("link");
    Files.createSymbolicLink(link, target);
    Path temp = dir.resolve("t2");
    Files.write(temp, new byte[] {1});
    assertThrows(SymlinkRefusedException.class, () -> fs.publish(temp, link, SyncMode.ALL));
    assertTrue(Files.isSymbolicLink(link));
    assertThrows(
        NoSuchFileException.class, () -> fs.publish(dir.resolve("absent"), target, SyncMode.DATA));
  }

  @Test
  void lockIsExclusiveInOneJvmAndSharedLocksCoexist() throws IOException {
    Path lockFile = dir.resolve(".batpak.lock");
    StoreLock lock = fs.lock(lockFile, LockMode.EXCLUSIVE);
    assertTrue(lock.isValid());
    LockUnavailableException e =
        assertThrows(LockUnavailableException.class, () -> fs.lock(lockFile, LockMode.SHARED));
    assertTrue(e.getMessage().contains("flock"), e.getMessage());
    lock.close();
    assertFalse(lock.isValid());
    lock.close();
    try (StoreLock a = fs.lock(lockFile, LockMode.SHARED);
        StoreLock b = fs.lock(lockFile, LockMode.SHARED)) {
      assertTrue(a.isValid() && b.isValid());
      assertThrows(LockUnavailableException.class, () -> fs.lock(lockFile, LockMode.EXCLUSIVE));
    }
    fs.lock(lockFile, LockMode.EXCLUSIVE).close();
  }

  @Test
  void lockRefusesASymlink() throws IOException {
    Path link = dir.resolve("lock-link");
    Files.createSymbolicLink(link, dir.resolve("real.lock"));
    assertThrows(SymlinkRefusedException.class, () -> fs.lock(link, LockMode.EXCLUSIVE));
    assertFalse(Files.exists(dir.resolve("real.lock")));
  }

  @Test
  void aRefusedPosixLockDoesNotDropAnNioLockOfThisProcess() throws IOException {
    Path lockFile = dir.resolve(".batpak.lock");
    try (FileChannel channel =
            FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock nioLock = channel.tryLock()) {
      assertTrue(nioLock.isValid());
      LockUnavailableException e =
          assertThrows(LockUnavailableException.class, () -> fs.lock(lockFile, LockMode.EXCLUSIVE));
      assertTrue(e.getMessage().contains("F_OFD_SETLK"), e.getMessage());
      // Had the refused attempt closed its descriptor, the kernel would have dropped the
      // record lock and this second attempt would succeed.
      assertThrows(LockUnavailableException.class, () -> fs.lock(lockFile, LockMode.EXCLUSIVE));
    }
    fs.lock(lockFile, LockMode.EXCLUSIVE).close();
  }
}
