package io.batpak.fs.testkit;

import static io.batpak.fs.testkit.ContractSupport.assertMissing;
import static io.batpak.fs.testkit.ContractSupport.assertRefusedAsDirectory;
import static io.batpak.fs.testkit.StoreFsContract.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.batpak.port.LockMode;
import io.batpak.port.RenameMode;
import io.batpak.port.StoreFs;
import io.batpak.port.SyncMode;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The part of {@link StoreFsContract} about the one answer for missing paths and wrong file types:
 * a path below a regular file is missing like any other, directory operations on a file and file
 * operations on a directory are refused at once, naming the path, and change nothing.
 */
sealed interface MissingPathContract permits StoreFsContract {
  @Test
  @DisplayName("opening a missing file -> NoSuchFileException")
  default void openMissing() {
    assertThrows(NoSuchFileException.class, () -> track(fs().openRead(root().resolve("missing"))));
    assertThrows(NoSuchFileException.class, () -> track(fs().openWrite(root().resolve("missing"))));
    assertThrows(
        NoSuchFileException.class,
        () -> track(fs().openRead(root().resolve("no-dir").resolve("missing"))));
  }

  @Test
  @DisplayName("exists and deleteIfExists below a regular file -> false (the path is missing)")
  default void queriesBelowARegularFileAnswerMissing() throws IOException {
    Path file = root().resolve("file");
    writeFile(file, bytes(7, 80));
    Path below = file.resolve("child");
    assertFalse(fs().exists(below), "exists(file/child)");
    assertFalse(fs().exists(below.resolve("deeper")), "exists(file/child/deeper)");
    assertFalse(fs().deleteIfExists(below), "deleteIfExists(file/child)");
    assertFalse(fs().exists(root().resolve("no-dir").resolve("child")), "exists(no-dir/child)");
    assertFalse(fs().deleteIfExists(root().resolve("no-dir").resolve("child")));
    assertArrayEquals(bytes(7, 80), readAll(file));
    assertEquals(List.of("file"), fs().list(root()));
  }

  @Test
  @DisplayName("opens, list and sync below a regular file -> NoSuchFileException naming the path")
  default void opensBelowARegularFileAreMissing() throws IOException {
    Path file = root().resolve("file");
    writeFile(file, bytes(7, 81));
    Path below = file.resolve("child");
    assertMissing("openRead", below, () -> track(fs().openRead(below)));
    assertMissing("openWrite", below, () -> track(fs().openWrite(below)));
    assertMissing("list", below, () -> fs().list(below));
    assertMissing(
        "list(no-dir/child)",
        root().resolve("no-dir"),
        () -> fs().list(root().resolve("no-dir").resolve("child")));
    if (fs().capabilities().directorySync()) {
      assertMissing("syncDirectory", below, () -> fs().syncDirectory(below));
    }
    assertMissing("copy from", below, () -> fs().copy(below, root().resolve("copy")));
    assertMissing(
        "rename from",
        below,
        () -> fs().rename(below, root().resolve("moved"), RenameMode.REPLACE));
    assertMissing("publish", file, () -> fs().publish(below, file.resolve("target"), SyncMode.ALL));
    assertArrayEquals(bytes(7, 81), readAll(file));
    assertEquals(List.of("file"), fs().list(root()));
  }

  @Test
  @DisplayName("creates below a regular file -> NoSuchFileException (no parent directory)")
  default void createsBelowARegularFileAreMissing() throws IOException {
    Path file = root().resolve("file");
    writeFile(file, bytes(7, 82));
    Path source = root().resolve("source");
    writeFile(source, bytes(9, 83));
    Path below = file.resolve("child");
    assertMissing("create", below, () -> track(fs().create(below)));
    assertMissing("lock EXCLUSIVE", below, () -> track(fs().lock(below, LockMode.EXCLUSIVE)));
    if (fs().capabilities().sharedLock()) {
      assertMissing("lock SHARED", below, () -> track(fs().lock(below, LockMode.SHARED)));
    }
    assertMissing("copy to", below, () -> fs().copy(source, below));
    assertMissing("rename to", below, () -> fs().rename(source, below, RenameMode.REPLACE));
    if (fs().capabilities().noReplaceRename()) {
      assertMissing(
          "rename NO_REPLACE to", below, () -> fs().rename(source, below, RenameMode.NO_REPLACE));
    }
    assertArrayEquals(bytes(7, 82), readAll(file));
    assertArrayEquals(bytes(9, 83), readAll(source));
    assertEquals(List.of("file", "source"), fs().list(root()));
  }

  @Test
  @DisplayName("createDirectories through a regular file -> FileAlreadyExistsException")
  default void createDirectoriesThroughAFile() throws IOException {
    Path file = root().resolve("file");
    writeFile(file, bytes(7, 84));
    assertThrows(
        FileAlreadyExistsException.class,
        () -> fs().createDirectories(file.resolve("a").resolve("b")));
    assertArrayEquals(bytes(7, 84), readAll(file));
    assertEquals(List.of("file"), fs().list(root()));
  }

  @Test
  @DisplayName("list and syncDirectory of a regular file -> NotDirectoryException")
  default void directoryOperationsOnAFile() throws IOException {
    Path file = root().resolve("file");
    writeFile(file, bytes(7, 85));
    NotDirectoryException e = assertThrows(NotDirectoryException.class, () -> fs().list(file));
    assertEquals(file.toString(), e.getFile());
    if (fs().capabilities().directorySync()) {
      NotDirectoryException s =
          assertThrows(NotDirectoryException.class, () -> fs().syncDirectory(file));
      assertEquals(file.toString(), s.getFile());
    }
    assertArrayEquals(bytes(7, 85), readAll(file));
  }

  @Test
  @DisplayName("file operations on a directory are refused at once, naming it; nothing changes")
  default void fileOperationsOnADirectory() throws IOException {
    Path dir = root().resolve("dir");
    fs().createDirectories(dir);
    writeFile(dir.resolve("inner"), bytes(4, 86));
    Path empty = root().resolve("empty");
    fs().createDirectories(empty);
    assertRefusedAsDirectory("openRead", dir, () -> track(fs().openRead(dir)));
    assertRefusedAsDirectory("openWrite", dir, () -> track(fs().openWrite(dir)));
    assertRefusedAsDirectory(
        "lock EXCLUSIVE", dir, () -> track(fs().lock(dir, LockMode.EXCLUSIVE)));
    if (fs().capabilities().sharedLock()) {
      assertRefusedAsDirectory("lock SHARED", dir, () -> track(fs().lock(dir, LockMode.SHARED)));
    }
    assertRefusedAsDirectory("copy from", dir, () -> fs().copy(dir, root().resolve("copy")));
    assertRefusedAsDirectory("deleteIfExists", dir, () -> fs().deleteIfExists(dir));
    assertRefusedAsDirectory("deleteIfExists(empty)", empty, () -> fs().deleteIfExists(empty));
    assertThrows(FileAlreadyExistsException.class, () -> track(fs().create(dir)));
    assertEquals(List.of("dir", "empty"), fs().list(root()), "nothing created or removed");
    assertEquals(List.of("inner"), fs().list(dir));
    assertEquals(List.of(), fs().list(empty));
    assertArrayEquals(bytes(4, 86), readAll(dir.resolve("inner")));
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
}
