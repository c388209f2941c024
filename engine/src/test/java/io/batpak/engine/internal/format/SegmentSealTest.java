package io.batpak.engine.internal.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/**
 * The seal of a sealed segment (docs/format.md "Sealed segments"): what the builder encodes decodes
 * to the same events and heads, every kind of damage makes the seal {@link SegmentSeal.Untrusted}
 * with a message that says what is wrong, and the trailer names the footer only when its magic
 * holds.
 */
class SegmentSealTest {
  private static final long BASE = 1_000;

  /** One event as the builder takes it. */
  private record Event(
      long idHi,
      long idLo,
      String entity,
      String scope,
      int kind,
      long streamSequence,
      long frameOffset,
      int frameLength,
      int recordOffset) {}

  /** A segment's worth of events: batches share a frame, streams count from where they were. */
  private static List<Event> events(Random random, int count, int streams) {
    List<Event> out = new ArrayList<>();
    Map<String, Long> next = new LinkedHashMap<>();
    long offset = 57;
    while (out.size() < count) {
      int inFrame = Math.min(1 + random.nextInt(4), count - out.size());
      int frameLength = FrameCodec.PREFIX + FrameCodec.MIN_BODY + random.nextInt(5000);
      for (int i = 0; i < inFrame; i++) {
        String entity = "stream-" + random.nextInt(streams) + (random.nextBoolean() ? "-é" : "");
        long seq = next.merge(entity, 1L, Long::sum) - 1 + 10;
        out.add(
            new Event(
                random.nextLong(),
                random.nextLong(),
                entity,
                "scope-" + random.nextInt(3),
                random.nextInt(0x10000),
                seq,
                offset,
                frameLength,
                FrameCodec.BODY_HEADER + 40 * i));
      }
      offset += frameLength;
    }
    return out;
  }

  private static SegmentSeal.Builder builder(List<Event> events) {
    SegmentSeal.Builder b = new SegmentSeal.Builder(BASE);
    for (Event e : events) {
      assertEquals(BASE + events.indexOf(e), b.nextGlobal());
      b.add(
          e.idHi,
          e.idLo,
          e.entity,
          e.scope,
          e.kind,
          e.streamSequence,
          e.frameOffset,
          e.frameLength,
          e.recordOffset);
      b.head(e.entity, e.streamSequence, hashOf(e));
    }
    return b;
  }

  private static byte[] hashOf(Event e) {
    byte[] h = new byte[32];
    ByteBuffer.wrap(h).putLong(e.idHi).putLong(e.streamSequence).putLong(e.idLo);
    return h;
  }

  private static long framesEnd(List<Event> events) {
    Event last = events.get(events.size() - 1);
    return last.frameOffset + last.frameLength;
  }

  /** The footer frame of an encoded seal, without the trailer. */
  private static byte[] footer(byte[] encoded) {
    return Arrays.copyOf(encoded, encoded.length - SegmentSeal.TRAILER);
  }

  /** Recomputes the footer's CRC after a change made on purpose. */
  private static byte[] withCrc(byte[] footer) {
    CRC32C crc = new CRC32C();
    crc.update(footer, 0, 4);
    crc.update(footer, FrameCodec.PREFIX, footer.length - FrameCodec.PREFIX);
    ByteBuffer.wrap(footer).putInt(4, (int) crc.getValue());
    return footer;
  }

  private static String untrusted(byte[] footer, long framesEnd, long base) {
    return assertThrows(
            SegmentSeal.Untrusted.class, () -> SegmentSeal.decode(footer, framesEnd, base))
        .getMessage();
  }

  @Test
  void manyEventsOfSeveralStreamsRoundTrip() throws Exception {
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    List<Event> events = events(random, 2_000, 9);
    long end = framesEnd(events);
    byte[] encoded = builder(events).encode(end);
    String what = "seed " + seed;
    assertEquals(
        end,
        SegmentSeal.footerOffset(Arrays.copyOfRange(encoded, encoded.length - 16, encoded.length)),
        what);
    assertTrue(SegmentSeal.isFooter(encoded, FrameCodec.PREFIX), what);
    SegmentSeal seal = SegmentSeal.decode(footer(encoded), end, BASE);
    assertEquals(BASE, seal.baseGlobal, what);
    assertEquals(end, seal.framesEnd, what);
    assertEquals(events.size(), seal.size(), what);
    Map<String, Event> lastOf = new LinkedHashMap<>();
    for (int i = 0; i < events.size(); i++) {
      Event e = events.get(i);
      String at = what + ", event " + i;
      assertEquals(e.idHi, seal.idHi[i], at);
      assertEquals(e.idLo, seal.idLo[i], at);
      assertEquals(e.entity, seal.entity(i), at);
      assertEquals(e.scope, seal.scope(i), at);
      assertEquals(e.kind, seal.kind[i], at);
      assertEquals(e.streamSequence, seal.streamSequence[i], at);
      assertEquals(e.frameOffset, seal.frameOffset[i], at);
      assertEquals(e.frameLength, seal.frameLength[i], at);
      assertEquals(e.recordOffset, seal.recordOffset[i], at);
      lastOf.put(e.entity, e);
    }
    assertEquals(lastOf.keySet(), seal.heads().keySet(), what);
    for (Event e : lastOf.values()) {
      assertEquals(e.streamSequence, seal.heads().get(e.entity).streamSequence(), what);
      assertArrayEquals(hashOf(e), seal.heads().get(e.entity).eventHash(), what);
    }
  }

  /**
   * Links round-trip (footer version 1): a correlation of the event's own id costs one flag byte,
   * another one and a causation 16 bytes each; a builder that got links for only some events writes
   * version 0, which lists none; a version the build does not know, or unknown flags, are
   * untrusted.
   */
  @Test
  void theLinksRoundTripAndOnlyAFullSetIsListed() throws Exception {
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    String what = "seed " + seed;
    List<Event> events = events(random, 500, 5);
    long end = framesEnd(events);
    long[][] links = new long[events.size()][];
    SegmentSeal.Builder b = builder(events);
    SegmentSeal.Builder partial = builder(events);
    for (int i = 0; i < events.size(); i++) {
      Event e = events.get(i);
      boolean own = random.nextBoolean();
      boolean cause = random.nextBoolean();
      long[] l = {
        own ? e.idHi : random.nextLong(),
        own ? e.idLo : random.nextLong(),
        cause ? random.nextLong() : 0,
        cause ? random.nextLong() : 0,
        cause ? 1 : 0,
        own ? 1 : 0
      };
      links[i] = l;
      b.links(own, l[0], l[1], cause, l[2], l[3]);
      if (i < events.size() - 1) {
        partial.links(own, l[0], l[1], cause, l[2], l[3]);
      }
    }
    byte[] encoded = footer(b.encode(end));
    SegmentSeal seal = SegmentSeal.decode(encoded, end, BASE);
    assertTrue(seal.listsLinks(), what);
    for (int i = 0; i < events.size(); i++) {
      String at = what + ", event " + i;
      assertEquals(links[i][0], seal.correlationHi[i], at);
      assertEquals(links[i][1], seal.correlationLo[i], at);
      assertEquals(links[i][4] == 1, seal.hasCausation[i], at);
      assertEquals(links[i][2], seal.causationHi[i], at);
      assertEquals(links[i][3], seal.causationLo[i], at);
    }
    SegmentSeal without = SegmentSeal.decode(footer(partial.encode(end)), end, BASE);
    assertFalse(without.listsLinks(), what);
    assertEquals(events.size(), without.size(), what);
    assertThrows(IllegalStateException.class, () -> b.links(true, 0, 0, false, 0, 0));

    byte[] newer = encoded.clone();
    newer[FrameCodec.PREFIX + 1] = 2;
    assertTrue(untrusted(withCrc(newer), end, BASE).contains("version 2"), what);
    byte[] flags = encoded.clone();
    flags[encoded.length - linksBytes(links)] = 4; // the first event's flags (no padding here)
    assertTrue(untrusted(withCrc(flags), end, BASE).contains("link flags 4"), what);
  }

  /** Bytes of the links section for {@code links}. */
  private static int linksBytes(long[][] links) {
    int n = 0;
    for (long[] l : links) {
      n += 1 + (l[5] == 1 ? 0 : 16) + (l[4] == 1 ? 16 : 0);
    }
    return n;
  }

  @Test
  void aSmallSealIsPaddedToTheMinimumFrameBodyAndAnEmptyOneDecodes() throws Exception {
    List<Event> one = events(new Random(7), 1, 1);
    byte[] encoded = builder(one).encode(framesEnd(one));
    assertEquals(FrameCodec.PREFIX + FrameCodec.MIN_BODY + SegmentSeal.TRAILER, encoded.length);
    assertEquals(FrameCodec.MIN_BODY, ByteBuffer.wrap(encoded).getInt(0), "the body length");
    assertEquals(1, SegmentSeal.decode(footer(encoded), framesEnd(one), BASE).size());

    byte[] empty = new SegmentSeal.Builder(BASE).encode(57);
    assertEquals(FrameCodec.PREFIX + FrameCodec.MIN_BODY + SegmentSeal.TRAILER, empty.length);
    SegmentSeal seal = SegmentSeal.decode(footer(empty), 57, BASE);
    assertEquals(0, seal.size());
    assertTrue(seal.heads().isEmpty());
  }

  @Test
  void aHeadIsRequiredForEveryStreamWithEvents() {
    SegmentSeal.Builder b = new SegmentSeal.Builder(BASE);
    b.add(1, 2, "a", "s", 1, 0, 57, FrameCodec.PREFIX + FrameCodec.MIN_BODY, 24);
    b.add(3, 4, "b", "s", 1, 0, 57, FrameCodec.PREFIX + FrameCodec.MIN_BODY, 64);
    b.head("a", 0, new byte[32]);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> b.encode(4096));
    assertTrue(e.getMessage().contains("'b'"), e.getMessage());
  }

  @Test
  void everyDamageMakesTheSealUntrustedWithAMessageThatSaysWhy() {
    List<Event> events = events(new Random(11), 40, 3);
    long end = framesEnd(events);
    byte[] good = footer(builder(events).encode(end));

    // Any flipped byte: the length no longer fits, or the CRC fails.
    for (int i = 0; i < good.length; i++) {
      byte[] bad = good.clone();
      bad[i] ^= 0x08;
      String m = untrusted(bad, end, BASE);
      assertTrue(m.contains("CRC32C") || m.contains("footer length"), "byte " + i + ": " + m);
    }

    assertTrue(untrusted(Arrays.copyOf(good, 20), end, BASE).contains("shorter than any frame"));
    assertTrue(
        untrusted(Arrays.copyOf(good, good.length - 1), end, BASE).contains("footer length"));

    byte[] type = good.clone();
    type[FrameCodec.PREFIX] = FrameCodec.TYPE_EVENTS;
    assertTrue(untrusted(withCrc(type), end, BASE).contains("a frame of type 1"));
    byte[] reserved = good.clone();
    reserved[FrameCodec.PREFIX + 2] = 1;
    assertTrue(untrusted(withCrc(reserved), end, BASE).contains("where the footer should be"));

    String base = untrusted(good, end, BASE + 1);
    assertTrue(base.contains("base " + BASE) && base.contains("base " + (BASE + 1)), base);
    String at = untrusted(good, end + 1, BASE);
    assertTrue(at.contains("ending frames at " + end) && at.contains("sits at " + (end + 1)), at);

    byte[] count = good.clone();
    ByteBuffer.wrap(count).putInt(FrameCodec.PREFIX + 12, 1 << 20);
    assertTrue(untrusted(withCrc(count), end, BASE).contains("overflow"));
    byte[] negative = good.clone();
    ByteBuffer.wrap(negative).putInt(FrameCodec.PREFIX + 28, -1);
    assertTrue(untrusted(withCrc(negative), end, BASE).contains("overflow"));

    byte[] names = good.clone();
    ByteBuffer.wrap(names).putInt(FrameCodec.PREFIX + 24, 0);
    assertTrue(untrusted(withCrc(names), end, BASE).contains("do not fit its length"));
  }

  @Test
  void anEntryOutsideTheFramesIsUntrusted() {
    List<Event> events = events(new Random(13), 10, 2);
    long end = framesEnd(events);
    // Encoded for a footer before the last frame's end: that frame lies outside the frames, and
    // its first event is the first one named.
    long lastFrame = events.get(events.size() - 1).frameOffset;
    int first = 0;
    while (events.get(first).frameOffset != lastFrame) {
      first++;
    }
    byte[] early = footer(builder(events).encode(end - 1));
    String m = untrusted(early, end - 1, BASE);
    assertTrue(m.contains("global sequence " + (BASE + first)), m);
    assertTrue(m.contains("frame offset " + lastFrame), m);
    assertTrue(m.contains("outside the segment's frames"), m);

    // Offsets that go back.
    List<Event> back = new ArrayList<>(events);
    Event e = back.get(5);
    back.set(
        5,
        new Event(
            e.idHi,
            e.idLo,
            e.entity,
            e.scope,
            e.kind,
            e.streamSequence,
            back.get(4).frameOffset - 1,
            e.frameLength,
            e.recordOffset));
    String m2 = untrusted(footer(builder(back).encode(end)), end, BASE);
    assertTrue(m2.contains("global sequence " + (BASE + 5)), m2);

    // A frame shorter than any frame.
    List<Event> shortFrame = new ArrayList<>(events);
    Event f = shortFrame.get(0);
    shortFrame.set(
        0,
        new Event(
            f.idHi,
            f.idLo,
            f.entity,
            f.scope,
            f.kind,
            f.streamSequence,
            f.frameOffset,
            FrameCodec.MIN_BODY,
            f.recordOffset));
    assertTrue(
        untrusted(footer(builder(shortFrame).encode(end)), end, BASE)
            .contains("global sequence " + BASE));
  }

  @Test
  void nonZeroPaddingIsUntrusted() throws Exception {
    List<Event> one = events(new Random(17), 1, 1);
    long end = framesEnd(one);
    byte[] good = footer(builder(one).encode(end));
    SegmentSeal.decode(good, end, BASE);
    byte[] padded = good.clone();
    padded[padded.length - 1] = 1;
    String m = untrusted(withCrc(padded), end, BASE);
    assertTrue(m.contains("non-zero padding at " + (padded.length - 1)), m);
  }

  @Test
  void theTrailerNamesTheFooterOnlyWhenItsMagicHolds() {
    byte[] encoded = new SegmentSeal.Builder(BASE).encode(123_456_789L);
    byte[] trailer = Arrays.copyOfRange(encoded, encoded.length - 16, encoded.length);
    assertEquals(123_456_789L, SegmentSeal.footerOffset(trailer));
    assertEquals("8942504b454e440a", java.util.HexFormat.of().formatHex(trailer, 8, 16));
    for (int i = 8; i < 16; i++) {
      byte[] bad = trailer.clone();
      bad[i] ^= 0x01;
      assertEquals(-1, SegmentSeal.footerOffset(bad), "magic byte " + i);
    }
    assertEquals(-1, SegmentSeal.footerOffset(new byte[16]));
    assertFalse(SegmentSeal.isFooter(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 1}, 8));
  }
}
