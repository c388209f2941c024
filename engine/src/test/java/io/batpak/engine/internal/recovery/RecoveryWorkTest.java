package io.batpak.engine.internal.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.EventKind;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.engine.StoreFixtures;
import io.batpak.engine.internal.index.Index;
import io.batpak.engine.internal.segment.Journal;
import io.batpak.fs.spi.StoreFsResolver;
import io.batpak.port.StoreFs;
import io.batpak.spi.FsOptions;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recovery's work is linear in the bytes it reads, whatever the damage (issue 8 defect 16: a
 * damaged frame of random bytes at the end of the newest segment made recovery try a CRC over a
 * long candidate at a large share of all byte offsets). Measured as bytes run through a CRC, so the
 * test asserts work, not time.
 */
class RecoveryWorkTest {
  @TempDir Path dir;

  @Test
  void aLargeDamagedTailCostsWorkLinearInItsSize() throws Exception {
    long seed = 0x5EED_16L;
    try (Store store = Store.open(StoreConfig.builder(dir).build())) {
      for (int i = 0; i < 10; i++) {
        store.append(Coordinate.of("e", "s"), EventKind.custom(1, 1), Bytes.utf8("event " + i));
      }
    }
    StoreFixtures.crashShape(dir); // the damaged tail follows the last frame, as after a crash
    Path seg = dir.resolve(Journal.fileName(1));
    byte[] tail = new byte[8 << 20];
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < tail.length; i += 8) {
      ByteBuffer.wrap(tail, i, 8).putLong(random.nextLong());
    }
    // A damaged frame prefix that claims the whole tail as its body, then random bytes.
    ByteBuffer.wrap(tail).putInt(tail.length - 8);
    Files.write(seg, tail, StandardOpenOption.APPEND);
    long size = Files.size(seg);
    try (StoreFs fs =
        StoreFsResolver.resolve("posix", getClass().getClassLoader()).open(FsOptions.defaults())) {
      Recovery.Result r =
          new Recovery(fs, dir, false, new Index(), io.batpak.port.StoreClock.system()).run();
      assertEquals(10, r.framesScanned());
      assertTrue(r.tornTail().isPresent());
      assertTrue(
          r.bytesChecked() <= 2 * size,
          "seed "
              + seed
              + ": recovery ran "
              + r.bytesChecked()
              + " bytes through a CRC for a segment of "
              + size
              + " bytes");
    }
  }
}
