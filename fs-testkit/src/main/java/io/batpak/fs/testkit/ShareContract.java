package io.batpak.fs.testkit;

import static io.batpak.fs.testkit.StoreFsContract.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.fs.testkit.ContractSupport.Refused;
import io.batpak.port.FileHandle;
import io.batpak.port.RenameMode;
import io.batpak.port.StoreFs;
import io.batpak.port.SymlinkRefusedException;
import io.batpak.port.SyncMode;
import io.batpak.port.UnsupportedFsOperationException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The part of {@link StoreFsContract} about the operations a snapshot and a fork need (since 0.2):
 * removing an empty directory ({@link StoreFs#deleteDirectory}), renaming a whole directory into a
 * place that must be free ({@link RenameMode#NO_REPLACE}), a second name for a file ({@link
 * StoreFs#link}) and a block-sharing copy ({@link StoreFs#reflink}), each with the one
 * symbolic-link rule, and each refused with {@link UnsupportedFsOperationException} where the
 * backend's capabilities say it is absent.
 */
sealed interface ShareContract permits StoreFsContract {

  private static void assertSymlinkRefused(String what, Path link, Refused op) {
    SymlinkRefusedException e = assertThrows(SymlinkRefusedException.class, op::run, what);
    assertEquals(link.toString(), e.getFile(), what + ": the exception must name the link");
  }

  // ------------------------------------------------------------------------- deleteDirectory

  @Test
  @DisplayName("deleteDirectory removes an empty directory")
  default void deleteDirectoryRemovesEmpty() throws IOException {
    Path dir = root().resolve("d");
    fs().createDirectories(dir);
    fs().deleteDirectory(dir);
    assertFalse(fs().exists(dir));
    assertEquals(List.of(), fs().list(root()));
  }

  @Test
  @DisplayName("deleteDirectory of a non-empty directory -> DirectoryNotEmptyException, kept")
  default void deleteDirectoryRefusesNonEmpty() throws IOException {
    Path dir = root().resolve("d");
    fs().createDirectories(dir);
    writeFile(dir.resolve("f"), bytes(7, 1));
    assertThrows(DirectoryNotEmptyException.class, () -> fs().deleteDirectory(dir));
    assertArrayEquals(bytes(7, 1), readAll(dir.resolve("f")));
  }

  @Test
  @DisplayName("deleteDirectory of a file -> NotDirectoryException; of nothing -> NoSuchFile")
  default void deleteDirectoryRefusesFileAndMissing() throws IOException {
    Path file = root().resolve("f");
    writeFile(file, bytes(9, 2));
    assertThrows(NotDirectoryException.class, () -> fs().deleteDirectory(file));
    assertArrayEquals(bytes(9, 2), readAll(file));
    Path missing = root().resolve("missing");
    assertThrows(NoSuchFileException.class, () -> fs().deleteDirectory(missing));
  }

  @Test
  @DisplayName("deleteDirectory of a symlink to an empty directory -> refused, both kept")
  default void deleteDirectoryRefusesSymlink() throws IOException {
    Path dir = root().resolve("real");
    fs().createDirectories(dir);
    Path link = root().resolve("link");
    createSymlink(link, dir);
    assertSymlinkRefused("deleteDirectory", link, () -> fs().deleteDirectory(link));
    assertTrue(fs().exists(link), "the link must be kept");
    assertTrue(fs().exists(dir), "the directory it points to must be kept");
    assertEquals(List.of(), fs().list(dir));
  }

  // ------------------------------------------------------------------------- directory rename

  @Test
  @DisplayName("rename NO_REPLACE moves a whole directory, its files with it")
  default void renameDirectoryNoReplace() throws IOException {
    Path from = root().resolve(".tmp-dest");
    fs().createDirectories(from);
    writeFile(from.resolve("a"), bytes(30, 3));
    writeFile(from.resolve("b"), bytes(40, 4));
    Path to = root().resolve("dest");
    if (!fs().capabilities().noReplaceRename()) {
      assertThrows(
          UnsupportedFsOperationException.class,
          () -> fs().rename(from, to, RenameMode.NO_REPLACE));
      return;
    }
    fs().rename(from, to, RenameMode.NO_REPLACE);
    assertFalse(fs().exists(from));
    assertEquals(List.of("a", "b"), fs().list(to));
    assertArrayEquals(bytes(30, 3), readAll(to.resolve("a")));
    assertArrayEquals(bytes(40, 4), readAll(to.resolve("b")));
    if (fs().capabilities().directorySync()) {
      fs().syncDirectory(root());
    }
  }

  @Test
  @DisplayName("rename NO_REPLACE of a directory onto anything -> FileAlreadyExists, both kept")
  default void renameDirectoryNoReplaceRefusesExisting() throws IOException {
    if (!fs().capabilities().noReplaceRename()) {
      return; // renameDirectoryNoReplace checks the refusal
    }
    Path from = root().resolve("from");
    fs().createDirectories(from);
    writeFile(from.resolve("x"), bytes(5, 5));
    Path emptyDir = root().resolve("empty");
    fs().createDirectories(emptyDir);
    Path fullDir = root().resolve("full");
    fs().createDirectories(fullDir);
    writeFile(fullDir.resolve("y"), bytes(6, 6));
    Path file = root().resolve("file");
    writeFile(file, bytes(8, 7));
    for (Path to : List.of(emptyDir, fullDir, file)) {
      assertThrows(
          FileAlreadyExistsException.class,
          () -> fs().rename(from, to, RenameMode.NO_REPLACE),
          "onto " + to);
    }
    assertArrayEquals(bytes(5, 5), readAll(from.resolve("x")));
    assertEquals(List.of(), fs().list(emptyDir));
    assertArrayEquals(bytes(6, 6), readAll(fullDir.resolve("y")));
    assertArrayEquals(bytes(8, 7), readAll(file));
  }

  @Test
  @DisplayName("rename of a symlink to a directory, or onto one -> SymlinkRefusedException")
  default void renameDirectorySymlinkRefused() throws IOException {
    Path dir = root().resolve("dir");
    fs().createDirectories(dir);
    Path link = root().resolve("link");
    createSymlink(link, dir);
    Path other = root().resolve("other");
    fs().createDirectories(other);
    for (RenameMode mode : RenameMode.values()) {
      if (mode == RenameMode.NO_REPLACE && !fs().capabilities().noReplaceRename()) {
        continue;
      }
      assertSymlinkRefused("rename from a link", link, () -> fs().rename(link, other, mode));
      Path danglingTarget = root().resolve("dangling");
      Path toLink = root().resolve("toLink");
      createSymlink(toLink, danglingTarget);
      assertSymlinkRefused("rename onto a link", toLink, () -> fs().rename(other, toLink, mode));
      fs().deleteIfExists(toLink);
      assertTrue(fs().exists(other));
    }
    assertTrue(fs().exists(dir));
    assertTrue(fs().exists(link));
  }

  // ------------------------------------------------------------------------- link

  @Test
  @DisplayName("link makes a second name for one file: writes through one show in the other")
  default void linkSharesContent() throws IOException {
    Path a = root().resolve("a");
    writeFile(a, bytes(100, 8));
    Path b = root().resolve("b");
    if (!fs().capabilities().hardLinks()) {
      assertThrows(UnsupportedFsOperationException.class, () -> fs().link(a, b));
      assertFalse(fs().exists(b));
      return;
    }
    fs().link(a, b);
    assertArrayEquals(bytes(100, 8), readAll(b));
    try (FileHandle h = fs().openWrite(a)) {
      h.write(ByteBuffer.wrap(bytes(10, 9)), 100);
      h.sync(SyncMode.ALL);
    }
    assertEquals(110, readAll(b).length, "a write through one name shows in the other");
    fs().deleteIfExists(a);
    assertFalse(fs().exists(a));
    byte[] kept = readAll(b);
    assertEquals(110, kept.length, "deleting one name keeps the file under the other");
    if (fs().capabilities().directorySync()) {
      fs().syncDirectory(root());
    }
  }

  @Test
  @DisplayName("link onto an existing name -> FileAlreadyExists; of nothing -> NoSuchFile")
  default void linkRefusesExistingAndMissing() throws IOException {
    if (!fs().capabilities().hardLinks()) {
      return; // linkSharesContent checks the refusal
    }
    Path a = root().resolve("a");
    writeFile(a, bytes(20, 10));
    Path b = root().resolve("b");
    writeFile(b, bytes(21, 11));
    assertThrows(FileAlreadyExistsException.class, () -> fs().link(a, b));
    assertArrayEquals(bytes(21, 11), readAll(b));
    Path missing = root().resolve("missing");
    assertThrows(NoSuchFileException.class, () -> fs().link(missing, root().resolve("c")));
    assertFalse(fs().exists(root().resolve("c")));
    assertThrows(
        NoSuchFileException.class, () -> fs().link(a, root().resolve("nodir").resolve("c")));
  }

  @Test
  @DisplayName("link of a directory -> IOException, nothing created")
  default void linkRefusesDirectory() throws IOException {
    if (!fs().capabilities().hardLinks()) {
      return;
    }
    Path dir = root().resolve("dir");
    fs().createDirectories(dir);
    Path b = root().resolve("b");
    assertThrows(IOException.class, () -> fs().link(dir, b));
    assertFalse(fs().exists(b));
  }

  @Test
  @DisplayName("link from or onto a symlink -> SymlinkRefusedException, links and targets kept")
  default void linkSymlinkRefused() throws IOException {
    if (!fs().capabilities().hardLinks()) {
      return;
    }
    Path victim = root().resolve("victim");
    writeFile(victim, bytes(12, 12));
    Path link = root().resolve("link");
    createSymlink(link, victim);
    assertSymlinkRefused("link from a link", link, () -> fs().link(link, root().resolve("n")));
    assertFalse(fs().exists(root().resolve("n")));
    Path dangling = root().resolve("dangling");
    Path absent = root().resolve("absent");
    createSymlink(dangling, absent);
    assertSymlinkRefused("link onto a dangling link", dangling, () -> fs().link(victim, dangling));
    assertFalse(fs().exists(absent), "nothing may be created behind the link");
    assertArrayEquals(bytes(12, 12), readAll(victim));
  }

  // ------------------------------------------------------------------------- reflink

  @Test
  @DisplayName("reflink shares blocks, or is refused as unsupported and leaves nothing")
  default void reflinkCopiesOrRefuses() throws IOException {
    Path a = root().resolve("a");
    writeFile(a, bytes(5000, 13));
    Path b = root().resolve("b");
    if (!fs().capabilities().reflinks()) {
      assertThrows(UnsupportedFsOperationException.class, () -> fs().reflink(a, b));
      assertFalse(fs().exists(b), "a refused reflink leaves nothing");
      return;
    }
    try {
      fs().reflink(a, b);
    } catch (UnsupportedFsOperationException e) {
      assertFalse(fs().exists(b), "a reflink the file system refused leaves nothing: " + e);
      return;
    }
    assertArrayEquals(bytes(5000, 13), readAll(b));
    try (FileHandle h = fs().openWrite(b)) {
      h.write(ByteBuffer.wrap(bytes(100, 14)), 0);
    }
    assertArrayEquals(
        bytes(5000, 13), readAll(a), "a write to the clone never shows in the source");
  }

  @Test
  @DisplayName("reflink from or onto a symlink -> SymlinkRefusedException (where supported)")
  default void reflinkSymlinkRefused() throws IOException {
    if (!fs().capabilities().reflinks()) {
      return; // reflinkCopiesOrRefuses checks the refusal
    }
    Path victim = root().resolve("victim");
    writeFile(victim, bytes(12, 15));
    Path link = root().resolve("link");
    createSymlink(link, victim);
    assertSymlinkRefused(
        "reflink from a link", link, () -> fs().reflink(link, root().resolve("n")));
    assertFalse(fs().exists(root().resolve("n")));
    Path dangling = root().resolve("dangling");
    Path absent = root().resolve("absent");
    createSymlink(dangling, absent);
    assertSymlinkRefused(
        "reflink onto a dangling link", dangling, () -> fs().reflink(victim, dangling));
    assertFalse(fs().exists(absent), "nothing may be created behind the link");
  }

  @Test
  @DisplayName("reflink of a directory or of nothing -> IOException, nothing created")
  default void reflinkRefusesDirectoryAndMissing() throws IOException {
    if (!fs().capabilities().reflinks()) {
      return;
    }
    Path dir = root().resolve("dir");
    fs().createDirectories(dir);
    assertThrows(IOException.class, () -> fs().reflink(dir, root().resolve("b")));
    assertFalse(fs().exists(root().resolve("b")));
    assertThrows(
        NoSuchFileException.class, () -> fs().reflink(root().resolve("none"), root().resolve("c")));
    assertFalse(fs().exists(root().resolve("c")));
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

  private void writeFile(Path file, byte[] data) throws IOException {
    contract().writeFile(file, data);
  }

  private byte[] readAll(Path file) throws IOException {
    return contract().readAll(file);
  }

  private void createSymlink(Path link, Path target) throws IOException {
    contract().createSymlink(link, target);
  }
}
