package io.batpak.fs.testkit;

import static io.batpak.fs.testkit.ContractSupport.await;
import static io.batpak.fs.testkit.StoreFsContract.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.batpak.port.LockMode;
import io.batpak.port.LockUnavailableException;
import io.batpak.port.StoreFs;
import io.batpak.port.StoreLock;
import io.batpak.port.UnsupportedFsOperationException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The part of {@link StoreFsContract} about locks within this JVM: the lock file, exclusion of a
 * second holder and of another thread, release on close, {@link io.batpak.port.LockMode#SHARED}
 * locks, and that a SHARED lock never creates, writes or opens for writing its file.
 */
sealed interface LockContract permits StoreFsContract {

  @Test
  @DisplayName("lock creates the lock file and reports its path and mode")
  default void lockCreatesFile() throws IOException {
    Path lockFile = root().resolve(".batpak.lock");
    assertFalse(fs().exists(lockFile));
    StoreLock lock = track(fs().lock(lockFile, LockMode.EXCLUSIVE));
    assertTrue(fs().exists(lockFile));
    assertEquals(lockFile, lock.path());
    assertEquals(LockMode.EXCLUSIVE, lock.mode());
    assertTrue(lock.isValid());
  }

  @Test
  @DisplayName("lock keeps an existing lock file as it is (no truncation, no replacement)")
  default void lockKeepsExistingFile() throws IOException {
    Path lockFile = root().resolve(".batpak.lock");
    writeFile(lockFile, bytes(12, 45));
    StoreLock lock = fs().lock(lockFile, LockMode.EXCLUSIVE);
    assertTrue(lock.isValid());
    lock.close();
    assertArrayEquals(bytes(12, 45), readAll(lockFile));
    assertEquals(List.of(".batpak.lock"), fs().list(root()));
  }

  @Test
  @DisplayName("a lock in a missing directory -> NoSuchFileException")
  default void lockInMissingDirectory() {
    assertThrows(
        NoSuchFileException.class,
        () -> track(fs().lock(root().resolve("missing").resolve("lock"), LockMode.EXCLUSIVE)));
  }

  @Test
  @DisplayName("a second EXCLUSIVE lock in the same JVM -> LockUnavailableException")
  default void exclusiveLockExcludesSecondHolder() throws IOException {
    Path lockFile = root().resolve("lock");
    StoreLock first = track(fs().lock(lockFile, LockMode.EXCLUSIVE));
    assertThrows(
        LockUnavailableException.class, () -> track(fs().lock(lockFile, LockMode.EXCLUSIVE)));
    assertThrows(
        LockUnavailableException.class, () -> track(fs().lock(lockFile, LockMode.EXCLUSIVE)));
    assertTrue(first.isValid(), "a refused attempt must not release the held lock");
  }

  @Test
  @DisplayName("a lock taken from another thread is also excluded")
  default void exclusiveLockExcludesOtherThread() throws Exception {
    Path lockFile = root().resolve("lock");
    StoreLock first = track(fs().lock(lockFile, LockMode.EXCLUSIVE));
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<Class<?>> other =
          pool.submit(
              () -> {
                try (StoreLock l = fs().lock(lockFile, LockMode.EXCLUSIVE)) {
                  return l.getClass();
                } catch (LockUnavailableException e) {
                  return e.getClass();
                }
              });
      assertEquals(LockUnavailableException.class, await(other));
    } finally {
      pool.shutdownNow();
    }
    assertTrue(first.isValid());
  }

  @Test
  @DisplayName("a lock is released by close (idempotent) and can be taken again")
  default void lockReleasedOnClose() throws IOException {
    Path lockFile = root().resolve("lock");
    StoreLock first = fs().lock(lockFile, LockMode.EXCLUSIVE);
    first.close();
    assertFalse(first.isValid());
    first.close(); // idempotent
    StoreLock second = track(fs().lock(lockFile, LockMode.EXCLUSIVE));
    assertTrue(second.isValid());
    assertFalse(first.isValid(), "closing again must not affect the new holder");
    first.close();
    assertTrue(second.isValid(), "closing an old lock must not release the new one");
    assertThrows(
        LockUnavailableException.class, () -> track(fs().lock(lockFile, LockMode.EXCLUSIVE)));
  }

  @Test
  @DisplayName("SHARED + SHARED coexist; SHARED and EXCLUSIVE conflict (or SHARED unsupported)")
  default void sharedLocks() throws IOException {
    Path lockFile = root().resolve("lock");
    if (!fs().capabilities().sharedLock()) {
      assertThrows(
          UnsupportedFsOperationException.class, () -> track(fs().lock(lockFile, LockMode.SHARED)));
      track(fs().lock(lockFile, LockMode.EXCLUSIVE)); // the refusal left nothing behind
      return;
    }
    fs().lock(lockFile, LockMode.EXCLUSIVE).close(); // SHARED never creates the file
    StoreLock s1 = fs().lock(lockFile, LockMode.SHARED);
    StoreLock s2 = fs().lock(lockFile, LockMode.SHARED);
    assertEquals(LockMode.SHARED, s1.mode());
    assertTrue(s1.isValid() && s2.isValid());
    assertThrows(
        LockUnavailableException.class, () -> track(fs().lock(lockFile, LockMode.EXCLUSIVE)));
    s1.close();
    assertTrue(s2.isValid(), "releasing one shared holder keeps the other");
    assertThrows(
        LockUnavailableException.class, () -> track(fs().lock(lockFile, LockMode.EXCLUSIVE)));
    s2.close();
    StoreLock ex = fs().lock(lockFile, LockMode.EXCLUSIVE);
    assertThrows(LockUnavailableException.class, () -> track(fs().lock(lockFile, LockMode.SHARED)));
    ex.close();
    track(fs().lock(lockFile, LockMode.SHARED));
  }

  @Test
  @DisplayName("locks on different files are independent")
  default void locksOnDifferentFilesIndependent() throws IOException {
    StoreLock a = track(fs().lock(root().resolve("a.lock"), LockMode.EXCLUSIVE));
    StoreLock b = track(fs().lock(root().resolve("b.lock"), LockMode.EXCLUSIVE));
    assertTrue(a.isValid() && b.isValid());
  }

  @Test
  @DisplayName(
      "SHARED on a missing lock file -> NoSuchFileException; nothing is created or changed")
  default void sharedLockOnMissingFileCreatesNothing() throws IOException {
    Path dir = root().resolve("store");
    fs().createDirectories(dir);
    writeFile(dir.resolve("000001.seg"), bytes(16, 90));
    Path lockFile = dir.resolve(".batpak.lock");
    FileTime dirTime = agedModificationTime(dir);
    if (fs().capabilities().sharedLock()) {
      for (int attempt = 1; attempt <= 2; attempt++) {
        NoSuchFileException e =
            assertThrows(
                NoSuchFileException.class,
                () -> track(fs().lock(lockFile, LockMode.SHARED)),
                "SHARED lock of a missing file, attempt " + attempt);
        assertTrue(
            String.valueOf(e.getMessage()).contains(lockFile.toString()),
            "the message must name the lock file: " + e.getMessage());
      }
    } else {
      assertThrows(
          UnsupportedFsOperationException.class, () -> track(fs().lock(lockFile, LockMode.SHARED)));
    }
    assertFalse(fs().exists(lockFile), "a SHARED lock must not create the lock file");
    assertEquals(List.of("000001.seg"), fs().list(dir), "the directory must be unchanged");
    assertModificationTimeKept(dir, dirTime, "the store directory");
    assertArrayEquals(bytes(16, 90), readAll(dir.resolve("000001.seg")));
    StoreLock exclusive = track(fs().lock(lockFile, LockMode.EXCLUSIVE));
    assertTrue(exclusive.isValid());
    assertTrue(fs().exists(lockFile), "EXCLUSIVE still creates the lock file");
  }

  @Test
  @DisplayName(
      "SHARED on an existing read-only (0444) lock file: opened read-only, nothing written")
  default void sharedLockOnReadOnlyFileWritesNothing() throws IOException {
    assumeTrue(fs().capabilities().sharedLock(), "backend declares no shared lock");
    Path lockFile = root().resolve(".batpak.lock");
    byte[] content = bytes(12, 91);
    writeFile(lockFile, content);
    makeReadOnly(lockFile);
    FileTime fileTime = agedModificationTime(lockFile);
    FileTime dirTime = agedModificationTime(root());
    StoreLock first = fs().lock(lockFile, LockMode.SHARED);
    StoreLock second = fs().lock(lockFile, LockMode.SHARED);
    assertTrue(first.isValid() && second.isValid());
    assertEquals(LockMode.SHARED, first.mode());
    List<Integer> modes = descriptorAccessModes(lockFile);
    if (modes != null) {
      assertFalse(
          modes.isEmpty(), "no descriptor of " + lockFile + " is open while SHARED locks are held");
      for (int mode : modes) {
        assertEquals(
            0,
            mode,
            "a SHARED lock must open the lock file read-only (O_RDONLY); access modes of this"
                + " process's descriptors of it: "
                + modes);
      }
    }
    first.close();
    second.close();
    assertArrayEquals(content, readAll(lockFile), "the lock file's bytes must be unchanged");
    assertModificationTimeKept(lockFile, fileTime, "the lock file");
    assertModificationTimeKept(root(), dirTime, "the directory");
    assertEquals(List.of(".batpak.lock"), fs().list(root()));
  }

  private FileTime agedModificationTime(Path path) throws IOException {
    return RealFileObservations.agedModificationTime(realFileSystem(), path);
  }

  private void assertModificationTimeKept(Path path, FileTime aged, String what)
      throws IOException {
    RealFileObservations.assertModificationTimeKept(path, aged, what);
  }

  private void makeReadOnly(Path file) throws IOException {
    RealFileObservations.makeReadOnly(realFileSystem(), file);
  }

  private List<Integer> descriptorAccessModes(Path file) throws IOException {
    return RealFileObservations.descriptorAccessModes(realFileSystem(), file);
  }

  // The backend, the root and the helpers of the one class that implements this interface.

  private StoreFsContract contract() {
    return (StoreFsContract) this;
  }

  private StoreFs fs() {
    return contract().fs;
  }

  private Path root() {
    return contract().root;
  }

  private <T extends Closeable> T track(T c) {
    return contract().track(c);
  }

  private void writeFile(Path file, byte[] data) throws IOException {
    contract().writeFile(file, data);
  }

  private byte[] readAll(Path file) throws IOException {
    return contract().readAll(file);
  }

  private boolean realFileSystem() {
    return contract().realFileSystem();
  }
}
