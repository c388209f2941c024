package io.batpak.fs.testkit;

import static io.batpak.fs.testkit.ContractSupport.SEED;
import static io.batpak.fs.testkit.StoreFsContract.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.port.FileHandle;
import io.batpak.port.StoreFs;
import io.batpak.port.UnsupportedFsOperationException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The part of {@link StoreFsContract} about directories and names: {@code createDirectories},
 * exclusive {@code create}, {@code exists} (which never follows a link at the end), sorted listing,
 * and {@code syncDirectory} (or its refusal without the capability).
 */
sealed interface DirectoryContract permits StoreFsContract {

  @Test
  @DisplayName("createDirectories makes nested directories and is idempotent")
  default void createDirectoriesNestedAndIdempotent() throws IOException {
    Path deep = root().resolve("a").resolve("b").resolve("c");
    fs().createDirectories(deep);
    fs().createDirectories(deep);
    assertTrue(fs().exists(deep));
    assertEquals(List.of("a"), fs().list(root()));
    assertEquals(List.of("c"), fs().list(root().resolve("a").resolve("b")));
    writeFile(deep.resolve("f"), bytes(10, 1));
    assertArrayEquals(bytes(10, 1), readAll(deep.resolve("f")));
  }

  @Test
  @DisplayName("createDirectories over a regular file -> FileAlreadyExistsException")
  default void createDirectoriesOverFile() throws IOException {
    Path file = root().resolve("file");
    writeFile(file, bytes(3, 2));
    assertThrows(FileAlreadyExistsException.class, () -> fs().createDirectories(file));
    assertArrayEquals(bytes(3, 2), readAll(file));
  }

  @Test
  @DisplayName("create makes an empty writable file; exists sees it")
  default void createMakesEmptyWritableFile() throws IOException {
    Path file = root().resolve("new");
    assertFalse(fs().exists(file));
    FileHandle h = track(fs().create(file));
    assertEquals(file, h.path());
    assertTrue(h.writable());
    assertEquals(0, h.size());
    assertTrue(fs().exists(file));
    assertEquals(List.of("new"), fs().list(root()));
  }

  @Test
  @DisplayName("second create of the same path -> FileAlreadyExistsException, content kept")
  default void createIsExclusive() throws IOException {
    Path file = root().resolve("seg");
    writeFile(file, bytes(100, 3));
    assertThrows(FileAlreadyExistsException.class, () -> track(fs().create(file)));
    assertArrayEquals(bytes(100, 3), readAll(file), "a failed create must not touch the file");
  }

  @Test
  @DisplayName("create while another handle still has the file open -> FileAlreadyExistsException")
  default void createIsExclusiveWhileOpen() throws IOException {
    Path file = root().resolve("open");
    FileHandle first = track(fs().create(file));
    assertThrows(FileAlreadyExistsException.class, () -> track(fs().create(file)));
    first.write(ByteBuffer.wrap(bytes(5, 4)), 0);
    assertArrayEquals(bytes(5, 4), readAll(file));
  }

  @Test
  @DisplayName("create in a missing directory -> NoSuchFileException")
  default void createInMissingDirectory() throws IOException {
    Path file = root().resolve("missing").resolve("f");
    assertThrows(NoSuchFileException.class, () -> track(fs().create(file)));
    assertFalse(fs().exists(root().resolve("missing")));
  }

  @Test
  @DisplayName("exists does not follow a symbolic link at the last component")
  default void existsDoesNotFollowLinks() throws IOException {
    Path link = root().resolve("dangling");
    createSymlink(link, root().resolve("nowhere"));
    assertTrue(fs().exists(link), "a dangling link exists as a name");
    assertFalse(fs().exists(root().resolve("nowhere")));
  }

  @Test
  @DisplayName("list returns names sorted by String.compareTo whatever the creation order")
  default void listIsSorted() throws IOException {
    List<String> names =
        new ArrayList<>(
            List.of(
                "000002.seg",
                "000010.seg",
                "000001.seg",
                "a",
                "B",
                "a10",
                "a2",
                "_x",
                "Z",
                "z",
                "cursor.ckpt",
                "cursor.ckpt.tmp",
                "-dash",
                "9",
                "10",
                "~tilde"));
    Collections.shuffle(names, new java.util.Random(SEED));
    for (String n : names) {
      if (n.equals("a2")) {
        fs().createDirectories(root().resolve(n)); // directories are listed too
      } else {
        writeFile(root().resolve(n), bytes(1, n.hashCode()));
      }
    }
    List<String> expected = new ArrayList<>(names);
    Collections.sort(expected);
    List<String> listed = fs().list(root());
    assertEquals(expected, listed);
    assertEquals(expected, fs().list(root()), "listing twice gives the same answer");
  }

  @Test
  @DisplayName("list of an empty directory is empty; of a missing one -> NoSuchFileException")
  default void listEmptyAndMissing() throws IOException {
    assertEquals(List.of(), fs().list(root()));
    assertThrows(NoSuchFileException.class, () -> fs().list(root().resolve("missing")));
  }

  @Test
  @DisplayName("syncDirectory succeeds, or is refused as unsupported without the capability")
  default void syncDirectory() throws IOException {
    writeFile(root().resolve("entry"), bytes(10, 33));
    Path sub = root().resolve("sub");
    fs().createDirectories(sub);
    if (fs().capabilities().directorySync()) {
      fs().syncDirectory(root());
      fs().syncDirectory(sub);
      fs().syncDirectory(root()); // repeatable
      assertThrows(NoSuchFileException.class, () -> fs().syncDirectory(root().resolve("missing")));
    } else {
      assertThrows(UnsupportedFsOperationException.class, () -> fs().syncDirectory(root()));
    }
    assertEquals(List.of("entry", "sub"), fs().list(root()));
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
}
