package io.batpak.fs.testkit;

import static io.batpak.fs.testkit.ContractSupport.await;
import static io.batpak.fs.testkit.StoreFsContract.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.batpak.port.FileHandle;
import io.batpak.port.RenameMode;
import io.batpak.port.StoreFs;
import io.batpak.port.SyncMode;
import io.batpak.port.UnsupportedFsOperationException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The part of {@link StoreFsContract} about moving and replacing files: rename with and without
 * replacement, a handle that survives its file's rename, {@code deleteIfExists}, atomic {@code
 * publish} under a concurrent reader, and {@code copy}.
 */
sealed interface RenamePublishContract permits StoreFsContract {

  @Test
  @DisplayName("rename REPLACE onto an existing file replaces it")
  default void renameReplaceExisting() throws IOException {
    Path a = root().resolve("a");
    Path b = root().resolve("b");
    writeFile(a, bytes(64, 20));
    writeFile(b, bytes(32, 21));
    fs().rename(a, b, RenameMode.REPLACE);
    assertFalse(fs().exists(a));
    assertArrayEquals(bytes(64, 20), readAll(b));
    assertEquals(List.of("b"), fs().list(root()));
  }

  @Test
  @DisplayName("rename REPLACE to a new name moves the file")
  default void renameReplaceToNewName() throws IOException {
    Path a = root().resolve("a");
    Path c = root().resolve("c");
    writeFile(a, bytes(64, 22));
    fs().rename(a, c, RenameMode.REPLACE);
    assertFalse(fs().exists(a));
    assertArrayEquals(bytes(64, 22), readAll(c));
    assertThrows(NoSuchFileException.class, () -> track(fs().openRead(a)));
  }

  @Test
  @DisplayName("rename NO_REPLACE onto an existing file -> FileAlreadyExistsException, both kept")
  default void renameNoReplaceOntoExisting() throws IOException {
    Path a = root().resolve("a");
    Path b = root().resolve("b");
    writeFile(a, bytes(64, 23));
    writeFile(b, bytes(32, 24));
    if (fs().capabilities().noReplaceRename()) {
      assertThrows(
          FileAlreadyExistsException.class, () -> fs().rename(a, b, RenameMode.NO_REPLACE));
    } else {
      assertThrows(
          UnsupportedFsOperationException.class, () -> fs().rename(a, b, RenameMode.NO_REPLACE));
    }
    assertArrayEquals(bytes(64, 23), readAll(a), "source unchanged");
    assertArrayEquals(bytes(32, 24), readAll(b), "target unchanged");
    assertEquals(List.of("a", "b"), fs().list(root()));
  }

  @Test
  @DisplayName("rename NO_REPLACE to a new name moves the file (or is refused as unsupported)")
  default void renameNoReplaceToNewName() throws IOException {
    Path a = root().resolve("a");
    Path c = root().resolve("c");
    writeFile(a, bytes(64, 25));
    if (fs().capabilities().noReplaceRename()) {
      fs().rename(a, c, RenameMode.NO_REPLACE);
      assertFalse(fs().exists(a), "the source name is gone");
      assertArrayEquals(bytes(64, 25), readAll(c));
      assertEquals(List.of("c"), fs().list(root()));
    } else {
      assertThrows(
          UnsupportedFsOperationException.class, () -> fs().rename(a, c, RenameMode.NO_REPLACE));
      assertArrayEquals(bytes(64, 25), readAll(a));
      assertFalse(fs().exists(c));
    }
  }

  @Test
  @DisplayName("rename of a missing source -> NoSuchFileException")
  default void renameMissingSource() throws IOException {
    Path b = root().resolve("b");
    writeFile(b, bytes(8, 26));
    assertThrows(
        NoSuchFileException.class,
        () -> fs().rename(root().resolve("nope"), b, RenameMode.REPLACE));
    if (fs().capabilities().noReplaceRename()) {
      assertThrows(
          NoSuchFileException.class,
          () -> fs().rename(root().resolve("nope"), root().resolve("c"), RenameMode.NO_REPLACE));
    }
    assertArrayEquals(bytes(8, 26), readAll(b));
  }

  @Test
  @DisplayName("an open handle keeps working on the file after its rename")
  default void handleSurvivesRename() throws IOException {
    Path a = root().resolve("a");
    Path b = root().resolve("b");
    FileHandle h = track(fs().create(a));
    h.write(ByteBuffer.wrap(bytes(10, 27)), 0);
    fs().rename(a, b, RenameMode.REPLACE);
    h.write(ByteBuffer.wrap(bytes(10, 28)), 10);
    h.sync(SyncMode.ALL);
    byte[] expected = new byte[20];
    System.arraycopy(bytes(10, 27), 0, expected, 0, 10);
    System.arraycopy(bytes(10, 28), 0, expected, 10, 10);
    assertArrayEquals(expected, readAll(b));
  }

  @Test
  @DisplayName("deleteIfExists returns true once, then false")
  default void deleteIfExists() throws IOException {
    Path f = root().resolve("victim");
    writeFile(f, bytes(5, 29));
    assertTrue(fs().deleteIfExists(f));
    assertFalse(fs().exists(f));
    assertFalse(fs().deleteIfExists(f));
    assertThrows(NoSuchFileException.class, () -> track(fs().openRead(f)));
    assertEquals(List.of(), fs().list(root()));
    assertFalse(fs().deleteIfExists(root().resolve("never")));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(SyncMode.class)
  @DisplayName("publish replaces the target (or creates it) and removes the temp name")
  default void publishReplacesTarget(SyncMode mode) throws IOException {
    Path target = root().resolve("meta");
    Path temp = root().resolve("meta.tmp");
    writeFile(temp, bytes(300, 30));
    if (!publishSupported(temp, target, mode)) {
      return;
    }
    assertArrayEquals(bytes(300, 30), readAll(target));
    assertFalse(fs().exists(temp));
    writeFile(temp, bytes(200, 31));
    fs().publish(temp, target, mode);
    assertArrayEquals(bytes(200, 31), readAll(target));
    assertEquals(List.of("meta"), fs().list(root()));
  }

  @Test
  @DisplayName("publish of a missing temp -> NoSuchFileException, target unchanged")
  default void publishMissingTemp() throws IOException {
    Path target = root().resolve("meta");
    writeFile(target, bytes(40, 32));
    assertThrows(
        NoSuchFileException.class,
        () -> fs().publish(root().resolve("meta.tmp"), target, SyncMode.ALL));
    assertArrayEquals(bytes(40, 32), readAll(target));
  }

  @Test
  @DisplayName("a concurrent reader of a published file sees only whole versions")
  default void publishIsAtomicForConcurrentReaders() throws Exception {
    int size = 64 * 1024;
    int versions = 40;
    Path target = root().resolve("checkpoint");
    Path temp = root().resolve("checkpoint.tmp");
    writeFile(temp, version(0, size));
    if (!publishSupported(temp, target, SyncMode.DATA)) {
      return;
    }
    AtomicBoolean done = new AtomicBoolean();
    AtomicInteger reads = new AtomicInteger();
    AtomicInteger distinct = new AtomicInteger();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<?> reader =
          pool.submit(
              () -> {
                int last = -1;
                boolean finalRead = false;
                while (true) {
                  boolean stop = done.get();
                  int seen = checkVersion(target, size);
                  reads.incrementAndGet();
                  assertTrue(seen >= last, "versions went backwards: " + last + " then " + seen);
                  if (seen != last) {
                    distinct.incrementAndGet();
                    last = seen;
                  }
                  if (stop) {
                    if (finalRead) {
                      break;
                    }
                    finalRead = true;
                  }
                }
                assertEquals(versions, last, "the last read must see the last version");
                return null;
              });
      for (int v = 1; v <= versions; v++) {
        writeFile(temp, version(v, size));
        fs().publish(temp, target, v % 2 == 0 ? SyncMode.ALL : SyncMode.DATA);
      }
      done.set(true);
      await(reader);
    } finally {
      done.set(true);
      pool.shutdownNow();
    }
    assertTrue(reads.get() >= 2, "the reader read " + reads.get() + " times");
    assertTrue(distinct.get() >= 1);
    assertArrayEquals(version(versions, size), readAll(target));
  }

  /** Reads the whole target and returns its version, failing on any torn or mixed content. */
  private int checkVersion(Path target, int size) throws IOException {
    try (FileHandle h = fs().openRead(target)) {
      assertEquals(size, h.size(), "the target must always have its full size");
      ByteBuffer all = ByteBuffer.allocate(size);
      h.read(all, 0);
      byte[] got = all.array();
      int v = ByteBuffer.wrap(got).getInt(0);
      assertTrue(v >= 0, "bad version header " + v);
      byte[] expected = version(v, size);
      for (int i = 0; i < size; i++) {
        if (got[i] != expected[i]) {
          fail("mixed content: version " + v + " header but byte " + i + " differs");
        }
      }
      return v;
    }
  }

  /** The full-size content of one version: a 4-byte header and a pattern derived from it. */
  private static byte[] version(int v, int size) {
    byte[] b = bytes(size, 1_000_003L * (v + 1));
    ByteBuffer.wrap(b).putInt(0, v);
    return b;
  }

  /**
   * Publishes; when the backend has no directory sync it may refuse publish as unsupported, in
   * which case the target must be unchanged and this returns false.
   */
  private boolean publishSupported(Path temp, Path target, SyncMode mode) throws IOException {
    return ContractSupport.publishSupported(fs(), temp, target, mode);
  }

  @Test
  @DisplayName("copy duplicates content; existing target or missing source are refused")
  default void copy() throws IOException {
    Path from = root().resolve("from");
    Path to = root().resolve("to");
    byte[] data = bytes(300_000, 70);
    writeFile(from, data);
    fs().copy(from, to);
    assertArrayEquals(data, readAll(to));
    assertArrayEquals(data, readAll(from));
    Path other = root().resolve("other");
    writeFile(other, bytes(5, 71));
    assertThrows(FileAlreadyExistsException.class, () -> fs().copy(from, other));
    assertArrayEquals(bytes(5, 71), readAll(other));
    assertThrows(
        NoSuchFileException.class, () -> fs().copy(root().resolve("nope"), root().resolve("x")));
    assertFalse(fs().exists(root().resolve("x")));
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
