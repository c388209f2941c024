package io.batpak.engine.internal.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.EventKind;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.fs.spi.StoreFsResolver;
import io.batpak.port.StoreFs;
import io.batpak.spi.FsOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reading {@code index.ckpt} (docs/format.md "Index checkpoint"): whatever is wrong with its bytes,
 * the reader says {@code Unusable} with the file, so the open rebuilds the index; it never throws,
 * and never allocates what a damaged count asks for before the body's CRC has been checked.
 */
class IndexCheckpointTest {
  private static final int EVENTS = 7;

  /** Events of stream-0: every fifth, from the first. */
  private static final int FIRST_STREAM_EVENTS = (EVENTS + 4) / 5;

  @TempDir Path dir;
  StoreFs fs;
  Path file;
  byte[] good;

  @BeforeEach
  void writeCheckpoint() throws IOException {
    try (Store store = Store.open(StoreConfig.builder(dir).build())) {
      for (int i = 0; i < EVENTS; i++) {
        store.append(
            Coordinate.of("stream-" + i % 5, "scope-" + i % 2),
            EventKind.custom(1, 1),
            Bytes.utf8("event " + i));
      }
    }
    fs = StoreFsResolver.resolve("posix", getClass().getClassLoader()).open(FsOptions.defaults());
    file = dir.resolve(IndexCheckpoint.FILE);
    good = Files.readAllBytes(file);
  }

  @AfterEach
  void closeFs() throws IOException {
    fs.close();
  }

  private String unusable(byte[] bytes, String what) throws IOException {
    Files.write(file, bytes);
    return unusable(what);
  }

  /** Reads the checkpoint as it is on disk: it must be unusable, naming the file. */
  private String unusable(String what) throws IOException {
    IndexCheckpoint.Loaded loaded;
    try {
      loaded = IndexCheckpoint.read(fs, dir);
    } catch (RuntimeException | Error e) {
      throw new AssertionError(what + ": the reader threw " + e, e);
    }
    String reason = assertInstanceOf(IndexCheckpoint.Unusable.class, loaded, what).reason();
    assertTrue(reason.contains(file.toString()), what + ": " + reason);
    return reason;
  }

  /** {@code bytes} with its body CRC and header CRC made to hold again. */
  private static byte[] withCrcs(byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    CRC32C crc = new CRC32C();
    crc.update(bytes, 28, bytes.length - 28);
    b.putInt(20, (int) crc.getValue());
    crc.reset();
    crc.update(bytes, 0, 24);
    b.putInt(24, (int) crc.getValue());
    return bytes;
  }

  @Test
  void theCheckpointOfAStoreReadsBack() throws IOException {
    IndexCheckpoint.Usable usable =
        assertInstanceOf(IndexCheckpoint.Usable.class, IndexCheckpoint.read(fs, dir));
    assertEquals(EVENTS, usable.watermark().events());
    assertEquals(1, usable.watermark().segment());
    assertEquals(EVENTS, usable.image().rows());
    int last = EVENTS - 1;
    assertEquals(
        usable.image().frameOffset(last) + usable.image().frameLength(last),
        usable.watermark().offset());
  }

  @Test
  void aFlippedBitAnywhereIsUnusable() throws IOException {
    // The body ends with the id table (its slot count, then that many 4-byte slots), the two
    // causal columns (4 bytes per event each) and the causation and correlation tables (slot
    // count, entry count, then 28 bytes per slot). These are many and alike, so every 127th of
    // their bytes is flipped, and every byte of the tables' counts; every other byte is flipped
    // with 0x40 (a count grows by 2^30 or more), every fifth also with 0x01.
    ByteBuffer g = ByteBuffer.wrap(good);
    int end = good.length;
    List<Integer> tableCounts = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      int n = 64;
      while (g.getInt(end - 28 * n - 8) != n) {
        n *= 2;
        assertTrue(28L * n < good.length, "no causal table found");
      }
      end -= 28 * n + 8;
      tableCounts.add(end);
    }
    end -= 8 * EVENTS;
    int slots = 2048;
    while (g.getInt(end - 4 * slots - 4) != slots) {
      slots *= 2;
      assertTrue(4L * slots < good.length, "no id table found");
    }
    int tableAt = end - 4 * slots;
    int flipped = 0;
    for (int at = 0; at < good.length; at++) {
      int counts = at;
      boolean tableCount = tableCounts.stream().anyMatch(c -> counts >= c && counts < c + 8);
      int[] masks =
          at >= tableAt && !tableCount
              ? (at % 127 == 0 ? new int[] {0x40} : new int[0])
              : (at % 5 == 0 ? new int[] {0x40, 0x01} : new int[] {0x40});
      for (int mask : masks) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
          ch.write(ByteBuffer.wrap(new byte[] {(byte) (good[at] ^ mask)}), at);
          unusable("byte " + at + " ^ " + mask);
          ch.write(ByteBuffer.wrap(good, at, 1), at);
        }
        flipped++;
      }
    }
    assertArrayEquals(good, Files.readAllBytes(file), "every byte was put back");
    assertTrue(flipped > tableAt, "flipped " + flipped);
  }

  /** Offset of the first stream's event count in the file. */
  private int firstStreamCount() {
    int streams = 28 + 8 + 8 + 8 + 32;
    int nameLength = ByteBuffer.wrap(good).getShort(streams + 4) & 0xFFFF;
    String name = new String(good, streams + 6, nameLength, StandardCharsets.UTF_8);
    assertTrue(name.startsWith("stream-"), name);
    return streams + 6 + nameLength;
  }

  @Test
  void aBodyWhoseCrcHoldsButWhoseContentDisagreesIsUnusable() throws IOException {
    byte[] none = good.clone();
    ByteBuffer.wrap(none).putLong(28, 0);
    assertTrue(unusable(withCrcs(none), "0 events").contains("a watermark of 0 events"));

    byte[] more = good.clone();
    ByteBuffer.wrap(more).putLong(28, 1L << 40);
    assertTrue(unusable(withCrcs(more), "2^40 events").contains("a watermark of"));

    int count = firstStreamCount();
    for (int claimed : new int[] {-1, 0, EVENTS + 1, 1 << 30, Integer.MAX_VALUE}) {
      byte[] bad = good.clone();
      ByteBuffer.wrap(bad).putInt(count, claimed);
      String reason = unusable(withCrcs(bad), "a stream of " + claimed + " events");
      assertTrue(
          reason.equals(
                  file + ": stream '" + "stream-0' with " + claimed + " of " + EVENTS + " events")
              || reason.equals(
                  file
                      + ": the streams' event counts sum to "
                      + (claimed + EVENTS - FIRST_STREAM_EVENTS)
                      + ", not "
                      + EVENTS),
          reason);
    }

    byte[] streams = good.clone();
    ByteBuffer.wrap(streams).putInt(28 + 56, EVENTS + 1);
    assertEquals(
        file + ": " + (EVENTS + 1) + " streams for " + EVENTS + " events",
        unusable(withCrcs(streams), "too many streams"));

    // The same inconsistency with a body CRC that fails is reported as damage.
    byte[] damaged = withCrcs(good.clone());
    ByteBuffer.wrap(damaged).putInt(count, 1 << 30);
    assertEquals(
        file + " at offset 28: the body's CRC32C does not match", unusable(damaged, "damaged"));
  }
}
