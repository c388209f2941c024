package io.batpak.engine;

import static io.batpak.engine.StoreFixtures.KIND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.CorruptStoreException;
import io.batpak.EventHeader;
import io.batpak.Store;
import io.batpak.engine.internal.format.EventRecord;
import io.batpak.engine.internal.format.FrameCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Frames whose CRC holds but whose content contradicts the journal are corruption, reported with
 * file and offset, never a torn tail and never an unchecked crash.
 */
class CraftedFrameTest {
  static final Coordinate C = Coordinate.of("e", "s");

  @TempDir Path dir;

  /** A record like the stream's next event, before any change. */
  static EventRecord next(EventHeader last, long global) {
    return new EventRecord(
        1,
        2,
        1,
        2,
        false,
        0,
        0,
        last.entity(),
        last.coordinate().scope(),
        KIND.raw(),
        last.streamSequence() + 1,
        global,
        123,
        0,
        0,
        new String[0],
        new byte[0][],
        last.eventHash().toByteArray(),
        new byte[32],
        new byte[32],
        new byte[0]);
  }

  static byte[] frame(long base, List<EventRecord> records) {
    ByteBuffer b = ByteBuffer.allocate(FrameCodec.frameSize(records));
    FrameCodec.writeFrame(b, base, 0, records);
    return b.array();
  }

  /** Rewrites the CRC after the body was changed on purpose. */
  static byte[] reseal(byte[] frame) {
    CRC32C crc = new CRC32C();
    crc.update(frame, 0, 4);
    crc.update(frame, FrameCodec.PREFIX, frame.length - FrameCodec.PREFIX);
    ByteBuffer.wrap(frame).putInt(4, (int) crc.getValue());
    return frame;
  }

  void check(Function<EventHeader, byte[]> craft) throws IOException {
    List<AppendReceipt> receipts = new ArrayList<>();
    EventHeader last;
    try (Store store = StoreFixtures.open(dir)) {
      for (int i = 0; i < 5; i++) {
        receipts.add(store.append(C, KIND, Bytes.utf8("event " + i)));
      }
      last = store.latest("e").orElseThrow();
    }
    // What a crash leaves, so the crafted frame follows the last frame and the open reads it.
    StoreFixtures.crashShape(dir);
    Path seg = StoreFixtures.segment(dir, 1);
    long at = Files.size(seg);
    byte[] frame = craft.apply(last);
    // Sanity: the crafted frame passes its CRC, so it is not a torn tail.
    assertEquals(true, FrameCodec.crcMatches(frame, 0, frame.length - FrameCodec.PREFIX));
    Files.write(seg, frame, StandardOpenOption.APPEND);
    CorruptStoreException e =
        assertThrows(CorruptStoreException.class, () -> StoreFixtures.open(dir));
    assertEquals(seg.toString(), e.file());
    assertEquals(at, e.offset(), e.getMessage());
    assertEquals(at + frame.length, Files.size(seg), "nothing was cut");
  }

  @Test
  void aStreamSequenceThatSkips() throws IOException {
    check(
        last -> {
          EventRecord r = next(last, 5);
          return frame(
              5,
              List.of(
                  EventRecord.sequenced(
                      r, r.streamSequence() + 1, 5, r.prevHash(), r.eventHash())));
        });
  }

  @Test
  void aPreviousHashThatDoesNotLink() throws IOException {
    check(
        last -> {
          EventRecord r = next(last, 5);
          return frame(
              5,
              List.of(
                  EventRecord.sequenced(r, r.streamSequence(), 5, new byte[32], r.eventHash())));
        });
  }

  @Test
  void aBaseGlobalSequenceThatRepeats() throws IOException {
    check(last -> frame(4, List.of(next(last, 4))));
  }

  @Test
  void aFrameTypeThatDoesNotExist() throws IOException {
    check(
        last -> {
          byte[] f = frame(5, List.of(next(last, 5)));
          f[FrameCodec.PREFIX] = 9;
          return reseal(f);
        });
  }

  @Test
  void aRecordLengthThatOverrunsTheBody() throws IOException {
    check(
        last -> {
          byte[] f = frame(5, List.of(next(last, 5)));
          ByteBuffer.wrap(f).putInt(FrameCodec.PREFIX + FrameCodec.BODY_HEADER, 1 << 20);
          return reseal(f);
        });
  }

  @Test
  void anEventCountLargerThanTheRecords() throws IOException {
    check(
        last -> {
          byte[] f = frame(5, List.of(next(last, 5)));
          ByteBuffer.wrap(f).putInt(FrameCodec.PREFIX + 12, 3);
          return reseal(f);
        });
  }

  @Test
  void aStringLengthThatOverrunsTheRecord() throws IOException {
    check(
        last -> {
          byte[] f = frame(5, List.of(next(last, 5)));
          // The entity's u16 length follows the record length, ids, correlation and causation.
          int entityLength = FrameCodec.PREFIX + FrameCodec.BODY_HEADER + 4 + 16 + 16 + 1 + 16;
          ByteBuffer.wrap(f).putShort(entityLength, (short) 0x7FFF);
          return reseal(f);
        });
  }
}
