package io.batpak.fs.testkit;

import static io.batpak.fs.testkit.ContractSupport.await;
import static io.batpak.fs.testkit.ContractSupport.buf;
import static io.batpak.fs.testkit.ContractSupport.toArray;
import static io.batpak.fs.testkit.StoreFsContract.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.fs.testkit.StoreFsContract.BufferKind;
import io.batpak.port.FileHandle;
import io.batpak.port.FsCapabilities;
import io.batpak.port.ShortReadException;
import io.batpak.port.StoreFs;
import io.batpak.port.SyncMode;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.NonWritableChannelException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The part of {@link StoreFsContract} about file content: the backend's name and capabilities,
 * positional reads and writes (offsets, large and partial buffers, concurrent threads, read-only
 * handles), short reads at end of file, both {@link io.batpak.port.SyncMode}s, and truncation.
 */
sealed interface ReadWriteContract permits StoreFsContract {

  @Test
  @DisplayName("name() is the provider name and capabilities are declared")
  default void nameAndCapabilities() {
    assertEquals(providerName(), fs().name(), "StoreFs.name() must equal the provider's name");
    FsCapabilities caps = fs().capabilities();
    assertNotNull(caps, "capabilities()");
    assertFalse(caps.lockFamily().isBlank(), "lockFamily");
    assertEquals(caps, fs().capabilities(), "capabilities() must be stable");
  }

  static Stream<Arguments> offsetsAndBuffers() {
    List<Arguments> cases = new ArrayList<>();
    long[] offsets = {0, 1, 511, 4095, 4096, 4097, 65_537, (1L << 20) + 3};
    int[] lengths = {1, 100, 4096, 70_000};
    int i = 0;
    for (long offset : offsets) {
      for (BufferKind kind : BufferKind.values()) {
        cases.add(Arguments.of(offset, lengths[i++ % lengths.length], kind));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "offset {0}, {1} bytes, {2} buffers")
  @MethodSource("offsetsAndBuffers")
  @DisplayName("write then read round trips at various offsets")
  default void roundTripAtOffset(long offset, int length, BufferKind kind) throws IOException {
    Path file = root().resolve("rt");
    byte[] data = bytes(length, offset + length);
    FileHandle h = track(fs().create(file));
    ByteBuffer src = kind.allocate(length).put(data).flip();
    h.write(src, offset);
    assertEquals(0, src.remaining(), "write must consume the whole buffer");
    assertEquals(offset + length, h.size());

    ByteBuffer dst = kind.allocate(length);
    h.read(dst, offset);
    assertEquals(0, dst.remaining(), "read must fill the whole buffer");
    assertArrayEquals(data, toArray(dst.flip()));

    // The gap before the offset reads as zeros.
    if (offset > 0) {
      int gap = (int) Math.min(offset, 4096);
      ByteBuffer zeros = kind.allocate(gap);
      h.read(zeros, offset - gap);
      assertArrayEquals(new byte[gap], toArray(zeros.flip()), "a hole must read as zeros");
    }

    // A second handle sees the same bytes.
    FileHandle reader = track(fs().openRead(file));
    assertFalse(reader.writable());
    ByteBuffer again = kind.allocate(length);
    reader.read(again, offset);
    assertArrayEquals(data, toArray(again.flip()));
  }

  @ParameterizedTest(name = "{0} buffers")
  @EnumSource(BufferKind.class)
  @DisplayName("large buffers (8 MiB + 17) are written and read in full")
  default void largeBuffers(BufferKind kind) throws IOException {
    int length = (8 << 20) + 17;
    byte[] data = bytes(length, 99);
    FileHandle h = track(fs().create(root().resolve("large")));
    ByteBuffer src = kind.allocate(length).put(data).flip();
    h.write(src, 3);
    assertEquals(0, src.remaining());
    assertEquals(length + 3L, h.size());
    ByteBuffer dst = kind.allocate(length);
    h.read(dst, 3);
    assertEquals(0, dst.remaining());
    assertArrayEquals(data, toArray(dst.flip()));
  }

  @Test
  @DisplayName("write respects the buffer's position and limit, read fills only remaining()")
  default void buffersPositionAndLimit() throws IOException {
    FileHandle h = track(fs().create(root().resolve("slice")));
    ByteBuffer src = ByteBuffer.wrap(bytes(50, 5));
    src.position(10).limit(30);
    h.write(src, 0);
    assertEquals(30, src.position());
    assertEquals(20, h.size());
    ByteBuffer dst = ByteBuffer.allocate(40);
    dst.position(5).limit(25);
    h.read(dst, 0);
    assertEquals(25, dst.position());
    byte[] expected = new byte[20];
    System.arraycopy(bytes(50, 5), 10, expected, 0, 20);
    byte[] got = new byte[20];
    dst.get(5, got);
    assertArrayEquals(expected, got);
  }

  @Test
  @DisplayName("overwriting in the middle changes only those bytes")
  default void overwriteInMiddle() throws IOException {
    Path file = root().resolve("mid");
    byte[] base = bytes(1000, 6);
    writeFile(file, base);
    FileHandle h = track(fs().openWrite(file));
    assertTrue(h.writable());
    assertEquals(1000, h.size(), "openWrite must not truncate");
    byte[] patch = bytes(100, 7);
    h.write(ByteBuffer.wrap(patch), 450);
    System.arraycopy(patch, 0, base, 450, 100);
    assertEquals(1000, h.size());
    assertArrayEquals(base, readAll(file));
  }

  @Test
  @DisplayName("write on a read-only handle -> NonWritableChannelException, file unchanged")
  default void readOnlyHandleRefusesWrites() throws IOException {
    Path file = root().resolve("ro");
    writeFile(file, bytes(10, 8));
    FileHandle h = track(fs().openRead(file));
    assertFalse(h.writable());
    assertThrows(NonWritableChannelException.class, () -> h.write(ByteBuffer.wrap(bytes(4, 9)), 0));
    assertArrayEquals(bytes(10, 8), readAll(file));
  }

  @Test
  @DisplayName("concurrent positional writes and reads from several threads")
  default void concurrentPositionalIo() throws Exception {
    Path file = root().resolve("conc");
    FileHandle h = track(fs().create(file));
    int threads = 4;
    int chunk = 4096;
    int rounds = 32;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        futures.add(
            pool.submit(
                () -> {
                  for (int r = 0; r < rounds; r++) {
                    long pos = ((long) r * threads + id) * chunk;
                    byte[] data = bytes(chunk, pos);
                    h.write(ByteBuffer.wrap(data), pos);
                    ByteBuffer back = ByteBuffer.allocateDirect(chunk);
                    h.read(back, pos);
                    assertArrayEquals(data, toArray(back.flip()));
                  }
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        await(f);
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals((long) threads * rounds * chunk, h.size());
    for (long pos = 0; pos < h.size(); pos += chunk) {
      ByteBuffer back = ByteBuffer.allocate(chunk);
      h.read(back, pos);
      assertArrayEquals(bytes(chunk, pos), back.array(), "chunk at " + pos);
    }
  }

  @ParameterizedTest(name = "{0} buffers")
  @EnumSource(BufferKind.class)
  @DisplayName(
      "a read past EOF -> ShortReadException with bytesRead; those bytes are in the buffer")
  default void shortReadAtEof(BufferKind kind) throws IOException {
    Path file = root().resolve("short");
    byte[] data = bytes(100, 10);
    writeFile(file, data);
    FileHandle h = track(fs().openRead(file));

    ByteBuffer dst = kind.allocate(150);
    ShortReadException e = assertThrows(ShortReadException.class, () -> h.read(dst, 0));
    assertEquals(100, e.bytesRead());
    assertEquals(150, e.requested());
    assertEquals(0, e.position());
    assertEquals(file, e.path());
    byte[] partial = new byte[100];
    dst.get(0, partial);
    assertArrayEquals(data, partial, "the bytes read before EOF must be in the buffer");

    ByteBuffer tail = kind.allocate(80);
    ShortReadException mid = assertThrows(ShortReadException.class, () -> h.read(tail, 60));
    assertEquals(40, mid.bytesRead());
    assertEquals(60, mid.position());
    byte[] tailBytes = new byte[40];
    tail.get(0, tailBytes);
    byte[] expected = new byte[40];
    System.arraycopy(data, 60, expected, 0, 40);
    assertArrayEquals(expected, tailBytes);
  }

  @Test
  @DisplayName("a read starting at or past EOF -> ShortReadException with bytesRead 0")
  default void shortReadPastEof() throws IOException {
    Path file = root().resolve("eof");
    writeFile(file, bytes(10, 11));
    FileHandle h = track(fs().openRead(file));
    assertEquals(0, assertThrows(ShortReadException.class, () -> h.read(buf(1), 10)).bytesRead());
    assertEquals(0, assertThrows(ShortReadException.class, () -> h.read(buf(5), 500)).bytesRead());
    ByteBuffer empty = ByteBuffer.allocate(0);
    h.read(empty, 10); // nothing requested: nothing missing
    FileHandle e = track(fs().create(root().resolve("empty")));
    assertEquals(0, assertThrows(ShortReadException.class, () -> e.read(buf(1), 0)).bytesRead());
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(SyncMode.class)
  @DisplayName("sync succeeds in both modes and the bytes stay readable")
  default void syncModes(SyncMode mode) throws IOException {
    Path file = root().resolve("sync-" + mode);
    FileHandle h = track(fs().create(file));
    h.write(ByteBuffer.wrap(bytes(5000, 12)), 0);
    h.sync(mode);
    h.write(ByteBuffer.wrap(bytes(10, 13)), 5000);
    h.sync(mode);
    h.sync(mode); // nothing new: still fine
    assertEquals(5010, h.size());
    byte[] all = readAll(file);
    byte[] expected = new byte[5010];
    System.arraycopy(bytes(5000, 12), 0, expected, 0, 5000);
    System.arraycopy(bytes(10, 13), 0, expected, 5000, 10);
    assertArrayEquals(expected, all);
  }

  @Test
  @DisplayName("truncate shrinks the file and size reports it")
  default void truncateShrinks() throws IOException {
    Path file = root().resolve("trunc");
    FileHandle h = track(fs().create(file));
    byte[] data = bytes(1000, 14);
    h.write(ByteBuffer.wrap(data), 0);
    h.truncate(100);
    assertEquals(100, h.size());
    ByteBuffer first = ByteBuffer.allocate(100);
    h.read(first, 0);
    byte[] expected = new byte[100];
    System.arraycopy(data, 0, expected, 0, 100);
    assertArrayEquals(expected, first.array());
    assertEquals(
        100, assertThrows(ShortReadException.class, () -> h.read(buf(101), 0)).bytesRead());
    h.sync(SyncMode.DATA);
    h.truncate(0);
    assertEquals(0, h.size());
    FileHandle other = track(fs().openRead(file));
    assertEquals(0, other.size(), "another handle sees the truncated size");
    // Writing after truncation extends the file again from the given position.
    h.write(ByteBuffer.wrap(bytes(3, 15)), 0);
    assertArrayEquals(bytes(3, 15), readAll(file));
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

  private String providerName() {
    return contract().providerName();
  }
}
