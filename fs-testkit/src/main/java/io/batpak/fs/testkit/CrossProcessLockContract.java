package io.batpak.fs.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.batpak.port.LockMode;
import io.batpak.port.LockUnavailableException;
import io.batpak.port.StoreFs;
import io.batpak.port.StoreLock;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The part of {@link StoreFsContract} about locks against another process: a {@link LockHolder}
 * child JVM takes, holds, releases or dies with a lock, and this JVM sees each. Skipped, by a JUnit
 * assumption, when the backend declares no cross-process lock.
 */
sealed interface CrossProcessLockContract permits StoreFsContract {

  @Test
  @DisplayName("child JVM holds EXCLUSIVE -> this JVM's lock is refused; released when it exits")
  default void childHoldsLockParentRefused() throws Exception {
    assumeCrossProcess();
    Path lockFile = root().resolve(".batpak.lock");
    LockHolderChild child = startChild(lockFile, LockMode.EXCLUSIVE);
    assertEquals(LockHolder.LOCKED, child.awaitStatus());
    assertThrows(
        LockUnavailableException.class, () -> track(fs().lock(lockFile, LockMode.EXCLUSIVE)));
    if (fs().capabilities().sharedLock()) {
      assertThrows(
          LockUnavailableException.class, () -> track(fs().lock(lockFile, LockMode.SHARED)));
    }
    child.release();
    StoreLock mine = track(fs().lock(lockFile, LockMode.EXCLUSIVE));
    assertTrue(mine.isValid());
  }

  @Test
  @DisplayName("this JVM holds EXCLUSIVE -> a child JVM's lock is refused")
  default void parentHoldsLockChildRefused() throws Exception {
    assumeCrossProcess();
    Path lockFile = root().resolve(".batpak.lock");
    StoreLock mine = track(fs().lock(lockFile, LockMode.EXCLUSIVE));
    LockHolderChild child = startChild(lockFile, LockMode.EXCLUSIVE);
    assertEquals(
        LockHolder.REFUSED + " " + LockUnavailableException.class.getName(), child.awaitStatus());
    child.release();
    if (fs().capabilities().sharedLock()) {
      LockHolderChild shared = startChild(lockFile, LockMode.SHARED);
      assertEquals(
          LockHolder.REFUSED + " " + LockUnavailableException.class.getName(),
          shared.awaitStatus());
      shared.release();
    }
    assertTrue(mine.isValid());
  }

  @Test
  @DisplayName("a refused second attempt in this JVM does not release the held lock for others")
  default void failedAttemptKeepsLockAgainstChild() throws Exception {
    assumeCrossProcess();
    Path lockFile = root().resolve(".batpak.lock");
    StoreLock mine = track(fs().lock(lockFile, LockMode.EXCLUSIVE));
    // With fcntl locks, opening and closing a second descriptor of the file would drop the lock.
    for (int i = 0; i < 3; i++) {
      assertThrows(
          LockUnavailableException.class, () -> track(fs().lock(lockFile, LockMode.EXCLUSIVE)));
    }
    if (fs().capabilities().sharedLock()) {
      assertThrows(
          LockUnavailableException.class, () -> track(fs().lock(lockFile, LockMode.SHARED)));
    }
    LockHolderChild child = startChild(lockFile, LockMode.EXCLUSIVE);
    assertEquals(
        LockHolder.REFUSED + " " + LockUnavailableException.class.getName(), child.awaitStatus());
    child.release();
    assertTrue(mine.isValid());
  }

  @Test
  @DisplayName("this JVM releases its lock -> a child JVM can take it")
  default void parentReleasesChildLocks() throws Exception {
    assumeCrossProcess();
    Path lockFile = root().resolve(".batpak.lock");
    fs().lock(lockFile, LockMode.EXCLUSIVE).close();
    LockHolderChild child = startChild(lockFile, LockMode.EXCLUSIVE);
    assertEquals(LockHolder.LOCKED, child.awaitStatus());
    assertThrows(
        LockUnavailableException.class, () -> track(fs().lock(lockFile, LockMode.EXCLUSIVE)));
    child.release();
  }

  @Test
  @DisplayName("a child JVM killed while holding the lock releases it")
  default void lockReleasedWhenHolderDies() throws Exception {
    assumeCrossProcess();
    Path lockFile = root().resolve(".batpak.lock");
    LockHolderChild child = startChild(lockFile, LockMode.EXCLUSIVE);
    assertEquals(LockHolder.LOCKED, child.awaitStatus());
    assertThrows(
        LockUnavailableException.class, () -> track(fs().lock(lockFile, LockMode.EXCLUSIVE)));
    child.kill();
    StoreLock mine = track(fs().lock(lockFile, LockMode.EXCLUSIVE));
    assertTrue(mine.isValid());
  }

  @Test
  @DisplayName("SHARED locks coexist across processes")
  default void sharedLocksAcrossProcesses() throws Exception {
    assumeCrossProcess();
    assumeTrue(fs().capabilities().sharedLock(), "backend declares no shared lock");
    Path lockFile = root().resolve(".batpak.lock");
    fs().lock(lockFile, LockMode.EXCLUSIVE).close(); // SHARED never creates the file
    StoreLock mine = track(fs().lock(lockFile, LockMode.SHARED));
    LockHolderChild child = startChild(lockFile, LockMode.SHARED);
    assertEquals(LockHolder.LOCKED, child.awaitStatus());
    LockHolderChild exclusive = startChild(lockFile, LockMode.EXCLUSIVE);
    assertEquals(
        LockHolder.REFUSED + " " + LockUnavailableException.class.getName(),
        exclusive.awaitStatus());
    exclusive.release();
    child.release();
    assertTrue(mine.isValid());
  }

  @Test
  @DisplayName(
      "a child JVM's SHARED lock: NoSuchFileException without the file, else it excludes EXCLUSIVE here")
  default void childSharedLockExcludesExclusiveAndNeverCreates() throws Exception {
    assumeCrossProcess();
    assumeTrue(fs().capabilities().sharedLock(), "backend declares no shared lock");
    Path lockFile = root().resolve(".batpak.lock");
    LockHolderChild missing = startChild(lockFile, LockMode.SHARED);
    assertEquals(
        LockHolder.REFUSED + " " + NoSuchFileException.class.getName(), missing.awaitStatus());
    missing.release();
    assertFalse(fs().exists(lockFile), "the child's SHARED lock must not create the lock file");
    fs().lock(lockFile, LockMode.EXCLUSIVE).close(); // EXCLUSIVE creates it
    LockHolderChild child = startChild(lockFile, LockMode.SHARED);
    assertEquals(LockHolder.LOCKED, child.awaitStatus());
    assertThrows(
        LockUnavailableException.class, () -> track(fs().lock(lockFile, LockMode.EXCLUSIVE)));
    StoreLock mine = fs().lock(lockFile, LockMode.SHARED);
    assertTrue(mine.isValid(), "SHARED holders in two processes coexist");
    mine.close();
    child.release();
    track(fs().lock(lockFile, LockMode.EXCLUSIVE));
  }

  private void assumeCrossProcess() {
    assumeTrue(
        fs().capabilities().crossProcessLock(),
        "backend " + fs().name() + " declares no cross-process lock");
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

  private LockHolderChild startChild(Path lockFile, LockMode mode) throws IOException {
    return contract().startChild(lockFile, mode);
  }
}
