package io.batpak.fs.testkit;

import static io.batpak.fs.testkit.StoreFsContract.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.port.FileHandle;
import io.batpak.port.RenameMode;
import io.batpak.port.ShortReadException;
import io.batpak.port.StoreFs;
import io.batpak.port.SyncMode;
import io.batpak.port.UnsupportedFsOperationException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The part of {@link StoreFsContract} about {@link FileHandle#map}, the optional mapped-read
 * capability: a backend with {@link io.batpak.port.FsCapabilities#mappedReads()} maps exactly the
 * bytes {@link FileHandle#read} returns, read-only, refuses a region past the end, and its mappings
 * outlive the handle, the file's deletion and a rename over its name; a backend without it refuses
 * every map with {@link UnsupportedFsOperationException}.
 */
sealed interface MapContract permits StoreFsContract {

  @Test
  @DisplayName(
      "map() returns the bytes read() returns, read-only, or is refused without the capability")
  default void mapMatchesRead() throws IOException {
    byte[] data = bytes(70_000, 31);
    FileHandle h = written("mapfile", data);
    if (refusedWithoutCapability(h)) {
      return;
    }
    long[] positions = {0, 1, 4095, 4096, 65_537, 70_000};
    int[] lengths = {0, 1, 100, 4096, 4463};
    for (long position : positions) {
      for (int length : lengths) {
        if (position + length > data.length) {
          continue;
        }
        ByteBuffer m = h.map(position, length);
        assertTrue(m.isReadOnly(), "a mapping is read-only");
        assertEquals(0, m.position(), "position of a mapping");
        assertEquals(length, m.limit(), "limit of a mapping");
        byte[] got = new byte[length];
        m.get(0, got);
        byte[] expected = Arrays.copyOfRange(data, (int) position, (int) position + length);
        assertArrayEquals(expected, got, "mapped bytes at " + position + " + " + length);
        ByteBuffer read = ByteBuffer.allocate(length);
        h.read(read, position);
        assertArrayEquals(read.array(), got, "mapped bytes equal read() at " + position);
        if (length > 0) {
          assertThrows(ReadOnlyBufferException.class, () -> m.put(0, (byte) 1));
        }
      }
    }
  }

  @Test
  @DisplayName("map() past the end, with a negative argument or on a closed handle is refused")
  default void mapRefusals() throws IOException {
    byte[] data = bytes(5000, 32);
    FileHandle h = written("short", data);
    if (refusedWithoutCapability(h)) {
      return;
    }
    ShortReadException past = assertThrows(ShortReadException.class, () -> h.map(4000, 1001));
    assertEquals(1000, past.bytesRead(), "bytes the file holds of the region");
    assertThrows(ShortReadException.class, () -> h.map(6000, 1));
    assertThrows(IllegalArgumentException.class, () -> h.map(-1, 1));
    assertThrows(IllegalArgumentException.class, () -> h.map(0, -1));
    h.close();
    assertThrows(ClosedChannelException.class, () -> h.map(0, 1));
  }

  @Test
  @DisplayName("a mapping outlives its handle, the file's deletion and a rename over its name")
  default void mappingOutlivesHandleAndName() throws IOException {
    byte[] data = bytes(9000, 33);
    Path file = root().resolve("sealed");
    FileHandle h = written("sealed", data);
    if (refusedWithoutCapability(h)) {
      return;
    }
    ByteBuffer whole = h.map(0, data.length);
    ByteBuffer tail = h.map(8000, 1000);
    h.close();
    byte[] other = bytes(9000, 34);
    Path replacement = root().resolve("replacement");
    try (FileHandle r = fs().create(replacement)) {
      r.write(ByteBuffer.wrap(other), 0);
      r.sync(SyncMode.ALL);
    }
    fs().rename(replacement, file, RenameMode.REPLACE);
    byte[] got = new byte[data.length];
    whole.get(0, got);
    assertArrayEquals(data, got, "a mapping keeps the bytes of the file it mapped");
    fs().deleteIfExists(file);
    byte[] end = new byte[1000];
    tail.get(0, end);
    assertArrayEquals(Arrays.copyOfRange(data, 8000, 9000), end, "after the name was deleted");
  }

  /**
   * Without the capability: checks that {@code h} refuses a map, naming its file, and returns true
   * (the caller has nothing more to check); with it, returns false.
   */
  private boolean refusedWithoutCapability(FileHandle h) {
    if (fs().capabilities().mappedReads()) {
      return false;
    }
    UnsupportedFsOperationException refused =
        assertThrows(UnsupportedFsOperationException.class, () -> h.map(0, 1));
    String name = h.path().getFileName().toString();
    assertTrue(
        refused.getMessage().contains(name),
        "the refusal names the file " + name + ": " + refused.getMessage());
    return true;
  }

  private FileHandle written(String name, byte[] data) throws IOException {
    FileHandle w = track(fs().create(root().resolve(name)));
    w.write(ByteBuffer.wrap(data), 0);
    w.sync(SyncMode.ALL);
    w.close();
    return track(fs().openRead(root().resolve(name)));
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
}
