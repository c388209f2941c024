package io.batpak.engine.internal.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.CorruptStoreException;
import io.batpak.StoreException;
import io.batpak.UnsupportedFormatException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Round trips of frames, records and segment headers, and what the checks catch. */
class FrameCodecRoundTripTest {
  private static final long SEED = Long.getLong("batpak.test.seed", new Random().nextLong());

  private static String seed() {
    return " (seed " + SEED + ", rerun with -Dbatpak.test.seed=" + SEED + ")";
  }

  static String randomString(Random r, int max) {
    String[] pieces = {"a", "Z", "9", "-", ":", "\u00e9", "\u4e2d", "\ud83d\ude00", " "};
    StringBuilder b = new StringBuilder();
    int n = 1 + r.nextInt(max);
    for (int i = 0; i < n; i++) {
      b.append(pieces[r.nextInt(pieces.length)]);
    }
    return b.toString();
  }

  static byte[] bytes(Random r, int max) {
    byte[] b = new byte[r.nextInt(max + 1)];
    r.nextBytes(b);
    return b;
  }

  static EventRecord randomRecord(Random r) {
    int ext = r.nextInt(4);
    String[] keys = new String[ext];
    byte[][] values = new byte[ext][];
    for (int i = 0; i < ext; i++) {
      keys[i] = "ns" + i + ".k" + r.nextInt(100);
      values[i] = bytes(r, 40);
    }
    boolean cause = r.nextBoolean();
    return new EventRecord(
        r.nextLong(),
        r.nextLong(),
        r.nextLong(),
        r.nextLong(),
        cause,
        cause ? r.nextLong() : 0,
        cause ? r.nextLong() : 0,
        randomString(r, 20),
        randomString(r, 8),
        r.nextInt(0x10000),
        r.nextInt(1_000_000),
        0,
        r.nextLong() & Long.MAX_VALUE,
        r.nextInt(0x10000),
        r.nextInt(256),
        keys,
        values,
        randomHash(r),
        randomHash(r),
        randomHash(r),
        bytes(r, 500));
  }

  static byte[] randomHash(Random r) {
    byte[] h = new byte[32];
    r.nextBytes(h);
    return h;
  }

  static void assertSameRecord(EventRecord expected, EventRecord actual, long globalSequence) {
    assertEquals(expected.idHi(), actual.idHi());
    assertEquals(expected.idLo(), actual.idLo());
    assertEquals(expected.correlationHi(), actual.correlationHi());
    assertEquals(expected.correlationLo(), actual.correlationLo());
    assertEquals(expected.hasCausation(), actual.hasCausation());
    assertEquals(expected.causationHi(), actual.causationHi());
    assertEquals(expected.causationLo(), actual.causationLo());
    assertEquals(expected.entity(), actual.entity());
    assertEquals(expected.scope(), actual.scope());
    assertEquals(expected.kind(), actual.kind());
    assertEquals(expected.streamSequence(), actual.streamSequence());
    assertEquals(globalSequence, actual.globalSequence());
    assertEquals(expected.timestampMicros(), actual.timestampMicros());
    assertEquals(expected.payloadVersion(), actual.payloadVersion());
    assertEquals(expected.flags(), actual.flags());
    assertArrayEquals(expected.extensionKeys(), actual.extensionKeys());
    assertEquals(expected.extensionValues().length, actual.extensionValues().length);
    for (int i = 0; i < expected.extensionValues().length; i++) {
      assertArrayEquals(expected.extensionValues()[i], actual.extensionValues()[i]);
    }
    assertArrayEquals(expected.prevHash(), actual.prevHash());
    assertArrayEquals(expected.contentHash(), actual.contentHash());
    assertArrayEquals(expected.eventHash(), actual.eventHash());
    assertArrayEquals(expected.payload(), actual.payload());
  }

  @Test
  void framesRoundTrip() {
    Random r = new Random(SEED);
    for (int round = 0; round < 300; round++) {
      List<EventRecord> records = new ArrayList<>();
      int n = 1 + r.nextInt(6);
      for (int i = 0; i < n; i++) {
        records.add(randomRecord(r));
      }
      long base = r.nextInt(1 << 30);
      int size = FrameCodec.frameSize(records);
      ByteBuffer out = ByteBuffer.allocate(size + 13);
      out.position(13);
      assertEquals(13, FrameCodec.writeFrame(out, base, 0, records));
      assertEquals(size + 13, out.position(), "frameSize is exact" + seed());
      byte[] frame = Arrays.copyOfRange(out.array(), 13, 13 + size);
      int body = FrameCodec.readInt(frame, 0);
      assertEquals(size - FrameCodec.PREFIX, body);
      assertTrue(body >= FrameCodec.MIN_BODY, "every frame is at least the minimum");
      assertTrue(FrameCodec.crcMatches(frame, 0, body));
      List<Integer> offsets = new ArrayList<>();
      List<EventRecord> back =
          FrameCodec.decodeBody(frame, FrameCodec.PREFIX, body, "f", 0, offsets);
      assertEquals(n, back.size());
      for (int i = 0; i < n; i++) {
        assertSameRecord(records.get(i), back.get(i), base + i);
        EventRecord single =
            FrameCodec.decodeRecord(frame, FrameCodec.PREFIX, offsets.get(i), base + i);
        assertSameRecord(records.get(i), single, base + i);
      }
    }
  }

  @Test
  void theSmallestFrameIsTheMinimumAndZerosNeverParse() {
    EventRecord tiny =
        new EventRecord(
            0,
            0,
            0,
            0,
            false,
            0,
            0,
            "a",
            "b",
            0x1000,
            0,
            0,
            0,
            0,
            0,
            new String[0],
            new byte[0][],
            new byte[32],
            new byte[32],
            new byte[32],
            new byte[0]);
    assertEquals(FrameCodec.MIN_BODY, FrameCodec.frameSize(List.of(tiny)) - FrameCodec.PREFIX);
    byte[] zeros = new byte[4096];
    assertTrue(FrameCodec.readInt(zeros, 0) < FrameCodec.MIN_BODY, "a zero length is refused");
  }

  @Test
  void everySingleByteFlipIsCaught() {
    Random r = new Random(SEED);
    List<EventRecord> records = List.of(randomRecord(r), randomRecord(r));
    ByteBuffer out = ByteBuffer.allocate(FrameCodec.frameSize(records));
    FrameCodec.writeFrame(out, 7, 0, records);
    byte[] frame = out.array();
    int body = frame.length - FrameCodec.PREFIX;
    for (int i = 0; i < frame.length; i++) {
      byte[] bad = frame.clone();
      bad[i] ^= (byte) (1 << r.nextInt(8));
      int length = FrameCodec.readInt(bad, 0);
      boolean caught = length != body || !FrameCodec.crcMatches(bad, 0, body);
      assertTrue(caught, "flip at " + i + seed());
    }
  }

  @Test
  void aGarbledBodyWithAValidLengthIsCorruptNotACrash() {
    Random r = new Random(SEED);
    for (int round = 0; round < 200; round++) {
      List<EventRecord> records = List.of(randomRecord(r));
      ByteBuffer out = ByteBuffer.allocate(FrameCodec.frameSize(records));
      FrameCodec.writeFrame(out, 0, 0, records);
      byte[] frame = out.array();
      int at = FrameCodec.PREFIX + r.nextInt(frame.length - FrameCodec.PREFIX);
      frame[at] = (byte) r.nextInt(256);
      try {
        FrameCodec.decodeBody(
            frame, FrameCodec.PREFIX, frame.length - FrameCodec.PREFIX, "f", 9, null);
      } catch (CorruptStoreException e) {
        assertEquals("f", e.file());
        assertEquals(9, e.offset());
      }
    }
  }

  @Test
  void theEventHashCoversEveryCanonicalFieldAndNeverTheStoredHashes() {
    Random r = new Random(SEED);
    Blake3 blake3 = new Blake3();
    EventRecord base = randomRecord(r);
    byte[] prev = randomHash(r);
    byte[] hash = FrameCodec.eventHash(blake3, prev, base);
    assertArrayEquals(hash, FrameCodec.eventHash(new Blake3(), prev, base), "deterministic");
    List<UnaryOperator<EventRecord>> changes =
        List.of(
            e -> with(e, 0, e.idHi() + 1),
            e -> with(e, 1, e.idLo() + 1),
            e -> with(e, 2, e.correlationHi() + 1),
            e -> with(e, 3, e.correlationLo() + 1),
            e -> with(e, 4, !e.hasCausation()),
            e -> with(e, 5, e.causationHi() + 1),
            e -> with(e, 6, e.causationLo() + 1),
            e -> with(e, 7, e.entity() + "x"),
            e -> with(e, 8, e.scope() + "x"),
            e -> with(e, 9, e.kind() ^ 1),
            e -> with(e, 10, e.streamSequence() + 1),
            e -> with(e, 11, e.globalSequence() + 1),
            e -> with(e, 12, e.timestampMicros() + 1),
            e -> with(e, 13, e.payloadVersion() ^ 1),
            e -> with(e, 14, e.flags() ^ 1),
            e -> with(e, 15, new String[] {"app.extra"}),
            e -> with(e, 18, randomHash(r)));
    for (int i = 0; i < changes.size(); i++) {
      EventRecord changed = changes.get(i).apply(base);
      assertFalse(
          Arrays.equals(hash, FrameCodec.eventHash(blake3, prev, changed)),
          "change " + i + " must change the event hash" + seed());
    }
    assertFalse(Arrays.equals(hash, FrameCodec.eventHash(blake3, randomHash(r), base)));
    // The record's own stored prev/event hash fields and its payload bytes are not inputs (the
    // payload enters through the content hash).
    EventRecord stored =
        EventRecord.sequenced(
            base, base.streamSequence(), base.globalSequence(), randomHash(r), randomHash(r));
    assertArrayEquals(hash, FrameCodec.eventHash(blake3, prev, stored));
    EventRecord otherPayload = with(base, 20, new byte[] {1, 2, 3});
    assertArrayEquals(hash, FrameCodec.eventHash(blake3, prev, otherPayload));
  }

  /** A copy of {@code e} with field {@code index} (record component order) set to {@code v}. */
  static EventRecord with(EventRecord e, int index, Object v) {
    Object[] f = {
      e.idHi(),
      e.idLo(),
      e.correlationHi(),
      e.correlationLo(),
      e.hasCausation(),
      e.causationHi(),
      e.causationLo(),
      e.entity(),
      e.scope(),
      e.kind(),
      e.streamSequence(),
      e.globalSequence(),
      e.timestampMicros(),
      e.payloadVersion(),
      e.flags(),
      e.extensionKeys(),
      e.extensionValues(),
      e.prevHash(),
      e.contentHash(),
      e.eventHash(),
      e.payload()
    };
    f[index] = v;
    if (index == 15) {
      f[16] = new byte[][] {new byte[] {42}};
    }
    return new EventRecord(
        (long) f[0],
        (long) f[1],
        (long) f[2],
        (long) f[3],
        (boolean) f[4],
        (long) f[5],
        (long) f[6],
        (String) f[7],
        (String) f[8],
        (int) f[9],
        (long) f[10],
        (long) f[11],
        (long) f[12],
        (int) f[13],
        (int) f[14],
        (String[]) f[15],
        (byte[][]) f[16],
        (byte[]) f[17],
        (byte[]) f[18],
        (byte[]) f[19],
        (byte[]) f[20]);
  }

  /** {@code header} with another version field and a CRC that holds. */
  private static byte[] withVersion(byte[] header, int version) {
    byte[] out = header.clone();
    java.nio.ByteBuffer.wrap(out).putShort(8, (short) version);
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(out, 0, out.length - 4);
    java.nio.ByteBuffer.wrap(out).putInt(out.length - 4, (int) crc.getValue());
    return out;
  }

  @Test
  void segmentHeadersRoundTripAndEveryDamageIsTyped() {
    SegmentHeader h =
        new SegmentHeader(
            SegmentHeader.VERSION, 42, 1_750_000_000_000_000L, 123_456, "json", "none", "blake3");
    byte[] bytes = h.encode();
    assertEquals(h.length(), bytes.length);
    assertEquals(h, SegmentHeader.decode(bytes, "seg"));
    for (int i = 0; i < bytes.length; i++) {
      byte[] bad = bytes.clone();
      bad[i] ^= 0x10;
      int at = i;
      StoreException e =
          assertThrows(StoreException.class, () -> SegmentHeader.decode(bad, "seg"), "flip " + at);
      assertTrue(
          e instanceof CorruptStoreException || e instanceof UnsupportedFormatException,
          e.toString());
    }
    byte[] older = withVersion(bytes, 1); // version 1 has the same layout and is still read
    assertEquals(
        new SegmentHeader(1, 42, 1_750_000_000_000_000L, 123_456, "json", "none", "blake3"),
        SegmentHeader.decode(older, "seg"));
    byte[] newer = withVersion(bytes, 4); // a header written by a newer build: its CRC holds
    UnsupportedFormatException u =
        assertThrows(UnsupportedFormatException.class, () -> SegmentHeader.decode(newer, "seg"));
    assertTrue(u.getMessage().contains("format version 4"), u.getMessage());
    SegmentHeader compacted = SegmentHeader.compacted(42, 40, 1_750_000_000_000_000L, 99, "json");
    assertEquals(compacted, SegmentHeader.decode(compacted.encode(), "seg"));
    assertEquals(compacted.length(), compacted.encode().length);
    byte[] ancient = withVersion(bytes, 0);
    UnsupportedFormatException z =
        assertThrows(UnsupportedFormatException.class, () -> SegmentHeader.decode(ancient, "seg"));
    assertTrue(z.getMessage().contains("format version 0"), z.getMessage());
    assertTrue(HexFormat.of().formatHex(bytes).startsWith("89"), "own magic");
  }
}
