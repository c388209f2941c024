package io.batpak.fs.testkit;

import static io.batpak.fs.testkit.StoreFsContract.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.batpak.fs.testkit.ContractSupport.Refused;
import io.batpak.port.FileHandle;
import io.batpak.port.LockMode;
import io.batpak.port.RenameMode;
import io.batpak.port.StoreFs;
import io.batpak.port.StoreLock;
import io.batpak.port.SymlinkRefusedException;
import io.batpak.port.SyncMode;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The part of {@link StoreFsContract} about the one symbolic-link rule: a link at the final
 * component of any file the store owns is refused with {@link
 * io.batpak.port.SymlinkRefusedException} by every operation (and nothing happens behind it), a
 * link is deleted itself, and a link on the way (the store directory itself) is followed.
 */
sealed interface SymlinkContract permits StoreFsContract {

  /**
   * Asserts that {@code op} is refused with {@link SymlinkRefusedException} naming {@code link}:
   * the one answer for a symbolic link at the final component of a file the store owns.
   */
  private static void assertSymlinkRefused(String what, Path link, Refused op) {
    SymlinkRefusedException e = assertThrows(SymlinkRefusedException.class, op::run, what);
    assertEquals(link.toString(), e.getFile(), what + ": the exception must name the link");
  }

  /** Asserts that {@code link} is still a symbolic link (opening it for writing is refused). */
  private void assertStillALink(Path link) throws IOException {
    assertTrue(fs().exists(link), link + " must still exist");
    assertSymlinkRefused("openWrite of the kept link", link, () -> track(fs().openWrite(link)));
  }

  @Test
  @DisplayName("create on a symlink -> SymlinkRefusedException, the link's target untouched")
  default void createOnSymlinkRefused() throws IOException {
    Path victim = root().resolve("victim");
    writeFile(victim, bytes(50, 40));
    Path link = root().resolve("link");
    createSymlink(link, victim);
    assertSymlinkRefused("create", link, () -> track(fs().create(link)));
    assertArrayEquals(bytes(50, 40), readAll(victim));
    assertStillALink(link);
  }

  @Test
  @DisplayName("create on a dangling symlink -> SymlinkRefusedException, nothing created behind it")
  default void createOnDanglingSymlinkRefused() throws IOException {
    Path absent = root().resolve("absent");
    Path link = root().resolve("link");
    createSymlink(link, absent);
    assertSymlinkRefused("create", link, () -> track(fs().create(link)));
    assertFalse(fs().exists(absent), "the link's target must not be created");
  }

  @Test
  @DisplayName("openRead on a symlink (to a file or dangling) -> SymlinkRefusedException")
  default void openReadOnSymlinkRefused() throws IOException {
    Path victim = root().resolve("victim");
    writeFile(victim, bytes(50, 47));
    Path link = root().resolve("link");
    createSymlink(link, victim);
    assertSymlinkRefused("openRead", link, () -> track(fs().openRead(link)));
    Path dangling = root().resolve("dangling");
    createSymlink(dangling, root().resolve("absent"));
    assertSymlinkRefused("openRead (dangling)", dangling, () -> track(fs().openRead(dangling)));
    assertArrayEquals(bytes(50, 47), readAll(victim));
    assertEquals(List.of("dangling", "link", "victim"), fs().list(root()));
  }

  @Test
  @DisplayName("openWrite on a symlink (to a file or dangling) -> SymlinkRefusedException")
  default void openWriteOnSymlinkRefused() throws IOException {
    Path victim = root().resolve("victim");
    writeFile(victim, bytes(50, 41));
    Path link = root().resolve("link");
    createSymlink(link, victim);
    assertSymlinkRefused("openWrite", link, () -> track(fs().openWrite(link)));
    Path dangling = root().resolve("dangling");
    Path absent = root().resolve("absent");
    createSymlink(dangling, absent);
    assertSymlinkRefused("openWrite (dangling)", dangling, () -> track(fs().openWrite(dangling)));
    assertFalse(fs().exists(absent));
    assertArrayEquals(bytes(50, 41), readAll(victim));
  }

  @Test
  @DisplayName("publish onto a symlink -> SymlinkRefusedException, the link's target untouched")
  default void publishOntoSymlinkRefused() throws IOException {
    Path victim = root().resolve("victim");
    writeFile(victim, bytes(50, 42));
    Path link = root().resolve("link");
    createSymlink(link, victim);
    Path temp = root().resolve("link.tmp");
    writeFile(temp, bytes(70, 43));
    assertSymlinkRefused("publish target", link, () -> fs().publish(temp, link, SyncMode.ALL));
    assertArrayEquals(bytes(50, 42), readAll(victim));
    assertStillALink(link);
    assertTrue(fs().list(root()).containsAll(List.of("link", "victim")), "both names remain");
  }

  @Test
  @DisplayName("publish of a symlink as the temporary file -> SymlinkRefusedException")
  default void publishFromSymlinkRefused() throws IOException {
    Path victim = root().resolve("victim");
    writeFile(victim, bytes(50, 48));
    Path target = root().resolve("meta");
    writeFile(target, bytes(20, 49));
    Path temp = root().resolve("meta.tmp");
    createSymlink(temp, victim);
    assertSymlinkRefused("publish temp", temp, () -> fs().publish(temp, target, SyncMode.ALL));
    assertArrayEquals(bytes(20, 49), readAll(target), "the target must be unchanged");
    assertArrayEquals(bytes(50, 48), readAll(victim));
    assertStillALink(temp);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(LockMode.class)
  @DisplayName("lock on a symlink (to a file or dangling) -> SymlinkRefusedException")
  default void lockOnSymlinkRefused(LockMode mode) throws IOException {
    if (mode == LockMode.SHARED) {
      assumeTrue(fs().capabilities().sharedLock(), "backend declares no shared lock");
    }
    Path victim = root().resolve("victim");
    writeFile(victim, bytes(50, 44));
    Path link = root().resolve("lock");
    createSymlink(link, victim);
    assertSymlinkRefused("lock " + mode, link, () -> track(fs().lock(link, mode)));
    assertArrayEquals(bytes(50, 44), readAll(victim));
    // The victim itself was not locked by the refused attempt.
    track(fs().lock(victim, LockMode.EXCLUSIVE));

    Path dangling = root().resolve("lock2");
    Path absent = root().resolve("absent");
    createSymlink(dangling, absent);
    assertSymlinkRefused(
        "lock " + mode + " (dangling)", dangling, () -> track(fs().lock(dangling, mode)));
    assertFalse(fs().exists(absent), "a refused lock must not create the link's target");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(RenameMode.class)
  @DisplayName("rename of a symlink -> SymlinkRefusedException, nothing moves")
  default void renameFromSymlinkRefused(RenameMode mode) throws IOException {
    assumeRenameMode(mode);
    Path victim = root().resolve("victim");
    writeFile(victim, bytes(50, 55));
    Path link = root().resolve("link");
    createSymlink(link, victim);
    Path to = root().resolve("moved");
    assertSymlinkRefused("rename " + mode + " from", link, () -> fs().rename(link, to, mode));
    assertFalse(fs().exists(to), "nothing may appear at the target");
    assertStillALink(link);
    assertArrayEquals(bytes(50, 55), readAll(victim));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(RenameMode.class)
  @DisplayName("rename onto a symlink -> SymlinkRefusedException, the link and the source stay")
  default void renameOntoSymlinkRefused(RenameMode mode) throws IOException {
    assumeRenameMode(mode);
    Path victim = root().resolve("victim");
    writeFile(victim, bytes(50, 56));
    Path link = root().resolve("link");
    createSymlink(link, victim);
    Path from = root().resolve("source");
    writeFile(from, bytes(30, 57));
    assertSymlinkRefused("rename " + mode + " to", link, () -> fs().rename(from, link, mode));
    assertArrayEquals(bytes(30, 57), readAll(from), "the source must stay");
    assertStillALink(link);
    assertArrayEquals(bytes(50, 56), readAll(victim));
    Path dangling = root().resolve("dangling");
    createSymlink(dangling, root().resolve("absent"));
    assertSymlinkRefused(
        "rename " + mode + " to (dangling)", dangling, () -> fs().rename(from, dangling, mode));
    assertFalse(fs().exists(root().resolve("absent")));
    assertArrayEquals(bytes(30, 57), readAll(from));
  }

  @Test
  @DisplayName("copy from or onto a symlink -> SymlinkRefusedException, nothing is created")
  default void copyWithSymlinkRefused() throws IOException {
    Path victim = root().resolve("victim");
    writeFile(victim, bytes(50, 58));
    Path link = root().resolve("link");
    createSymlink(link, victim);
    assertSymlinkRefused("copy from", link, () -> fs().copy(link, root().resolve("copy")));
    assertFalse(fs().exists(root().resolve("copy")));
    Path source = root().resolve("source");
    writeFile(source, bytes(30, 59));
    assertSymlinkRefused("copy onto", link, () -> fs().copy(source, link));
    assertArrayEquals(bytes(50, 58), readAll(victim), "the link's target must be untouched");
    Path dangling = root().resolve("dangling");
    Path absent = root().resolve("absent");
    createSymlink(dangling, absent);
    assertSymlinkRefused("copy onto (dangling)", dangling, () -> fs().copy(source, dangling));
    assertFalse(fs().exists(absent), "nothing may be created behind the link");
    assertStillALink(link);
  }

  @Test
  @DisplayName("deleteIfExists of a symlink deletes the link itself, never its target")
  default void deleteIfExistsRemovesTheLinkOnly() throws IOException {
    Path victim = root().resolve("victim");
    writeFile(victim, bytes(50, 64));
    Path link = root().resolve("link");
    createSymlink(link, victim);
    Path dangling = root().resolve("dangling");
    createSymlink(dangling, root().resolve("absent"));
    assertTrue(fs().deleteIfExists(link));
    assertTrue(fs().deleteIfExists(dangling));
    assertFalse(fs().exists(link));
    assertFalse(fs().exists(dangling));
    assertArrayEquals(bytes(50, 64), readAll(victim));
    assertEquals(List.of("victim"), fs().list(root()));
  }

  @Test
  @DisplayName("a symlinked directory on the way (the store directory itself) is followed")
  default void symlinkedDirectoryIsFollowed() throws IOException {
    Path real = root().resolve("real");
    fs().createDirectories(real);
    Path store = root().resolve("store");
    createSymlink(store, real);
    assertTrue(fs().exists(store));
    assertEquals(List.of(), fs().list(store));
    writeFile(store.resolve("000001.seg"), bytes(40, 65));
    try (FileHandle h = fs().openWrite(store.resolve("000001.seg"))) {
      h.write(ByteBuffer.wrap(bytes(10, 66)), 40);
    }
    byte[] expected = new byte[50];
    System.arraycopy(bytes(40, 65), 0, expected, 0, 40);
    System.arraycopy(bytes(10, 66), 0, expected, 40, 10);
    assertArrayEquals(expected, readAll(store.resolve("000001.seg")));
    assertArrayEquals(expected, readAll(real.resolve("000001.seg")), "the file is in the real dir");
    StoreLock lock = fs().lock(store.resolve(".batpak.lock"), LockMode.EXCLUSIVE);
    lock.close();
    if (fs().capabilities().sharedLock()) {
      fs().lock(store.resolve(".batpak.lock"), LockMode.SHARED).close();
    }
    fs().copy(store.resolve("000001.seg"), store.resolve("copy"));
    fs().rename(store.resolve("copy"), store.resolve("renamed"), RenameMode.REPLACE);
    writeFile(store.resolve("meta.tmp"), bytes(8, 67));
    if (publishSupported(store.resolve("meta.tmp"), store.resolve("meta"), SyncMode.ALL)) {
      assertArrayEquals(bytes(8, 67), readAll(real.resolve("meta")));
    } else {
      assertTrue(fs().deleteIfExists(store.resolve("meta.tmp")));
    }
    if (fs().capabilities().directorySync()) {
      fs().syncDirectory(store);
    }
    assertTrue(fs().deleteIfExists(store.resolve("renamed")));
    List<String> names = new ArrayList<>(List.of(".batpak.lock", "000001.seg"));
    if (fs().exists(real.resolve("meta"))) {
      names.add("meta");
    }
    assertEquals(names, fs().list(real), "every entry landed in the link's target");
    assertEquals(names, fs().list(store));
    assertEquals(List.of("real", "store"), fs().list(root()));
  }

  private void assumeRenameMode(RenameMode mode) {
    if (mode == RenameMode.NO_REPLACE) {
      assumeTrue(fs().capabilities().noReplaceRename(), "backend declares no no-replace rename");
    }
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

  private void createSymlink(Path link, Path target) throws IOException {
    contract().createSymlink(link, target);
  }

  private boolean publishSupported(Path temp, Path target, SyncMode mode) throws IOException {
    return ContractSupport.publishSupported(fs(), temp, target, mode);
  }
}
