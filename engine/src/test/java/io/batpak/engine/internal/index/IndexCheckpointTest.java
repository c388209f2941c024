package io.batpak.engine.internal.index;

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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
  private static final int EVENTS = 12;

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
  void everyFlippedBitPatternOfEveryByteIsUnusable() throws IOException {
    for (int at = 0; at < good.length; at++) {
      for (int mask : new int[] {0x01, 0x40}) {
        byte[] bad = good.clone();
        bad[at] ^= (byte) mask;
        unusable(bad, "byte " + at + " ^ " + mask);
      }
    }
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
                      + (claimed + EVENTS - 3) // stream-0 holds 3 of the events
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
