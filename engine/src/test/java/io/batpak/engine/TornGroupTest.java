package io.batpak.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.CorruptStoreException;
import io.batpak.EventKind;
import io.batpak.OpenReport;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.engine.internal.format.FrameCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A group commit writes several frames with one write; a power loss can tear it at sector
 * granularity, damaging an earlier frame and keeping a later one whole. Recovery tells that apart
 * from corruption by the durable end each frame records.
 */
class TornGroupTest {
  @TempDir Path dir;

  private List<AppendReceipt> receipts = new ArrayList<>();

  private Path fill() {
    try (Store s = Store.open(StoreConfig.builder(dir).build())) {
      for (int i = 0; i < 4; i++) {
        receipts.add(
            s.append(
                Coordinate.of("acct:" + i, "bank"), EventKind.custom(2, 1), Bytes.utf8("e" + i)));
      }
    }
    // What a crash leaves: the frames of the group land after the last frame, not after a seal.
    StoreFixtures.crashShape(dir);
    return dir.resolve(String.format("%010d.seg", 1));
  }

  /** Appends two copies of the last frame as an un-synced group would, the first one damaged. */
  private long appendTornGroup(Path seg, long secondDurableEnd) throws IOException {
    AppendReceipt last = receipts.get(receipts.size() - 1);
    byte[] file = Files.readAllBytes(seg);
    FrameLocation at = StoreFixtures.frame(dir, last);
    int off = (int) at.offset();
    byte[] frame = Arrays.copyOfRange(file, off, off + at.length());
    long end = file.length;
    byte[] damaged = frame.clone();
    damaged[frame.length - 3] ^= 0x55;
    byte[] second = frame.clone();
    ByteBuffer.wrap(second).putLong(FrameCodec.PREFIX + 16, secondDurableEnd);
    second = CraftedFrameTest.reseal(second);
    Files.write(seg, damaged, StandardOpenOption.APPEND);
    Files.write(seg, second, StandardOpenOption.APPEND);
    return end;
  }

  @Test
  void aDamagedFrameFollowedOnlyByNeverSyncedFramesIsATornTail() throws IOException {
    Path seg = fill();
    long end = appendTornGroup(seg, 100);
    try (Store s = Store.open(StoreConfig.builder(dir).build())) {
      OpenReport.TornTail torn = s.openReport().tornTail().orElseThrow();
      assertEquals(end, torn.offset());
      assertTrue(torn.reason().contains("never synced"), torn.reason());
      assertEquals(end, Files.size(seg));
      for (AppendReceipt r : receipts) {
        assertTrue(s.verifyReceipt(r).isValid());
      }
    }
  }

  @Test
  void aLaterFrameThatRecordsTheDamageAsDurableMakesItCorruption() throws IOException {
    Path seg = fill();
    long end = appendTornGroup(seg, Files.size(seg) + 1);
    CorruptStoreException e =
        assertThrows(
            CorruptStoreException.class, () -> Store.open(StoreConfig.builder(dir).build()));
    assertEquals(end, e.offset());
    assertTrue(e.getMessage().contains("durable up to"), e.getMessage());
  }
}
