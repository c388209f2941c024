package io.batpak.engine.internal.verify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.batpak.engine.internal.format.Blake3;
import io.batpak.engine.internal.format.EventRecord;
import io.batpak.engine.internal.format.FrameCodec;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The verification pass hashes records in place ({@link EventHasher}, over {@link RecordLayout});
 * {@link FrameCodec#eventHash} is the definition. On seeded random records (extensions, causation,
 * multi-byte names, empty and long payloads) both must agree, and any changed byte of a record must
 * show in the hashes or in its layout.
 */
class EventHasherTest {
  private static final long SEED = Long.getLong("batpak.test.seed", new Random().nextLong());

  private static String seed() {
    return " (seed " + SEED + ", rerun with -Dbatpak.test.seed=" + SEED + ")";
  }

  private static String randomString(Random r, int max) {
    String[] pieces = {"a", "Z", "9", "-", ":", "\u00e9", "\u4e2d", "\ud83d\ude00", " "};
    StringBuilder b = new StringBuilder();
    int n = 1 + r.nextInt(max);
    for (int i = 0; i < n; i++) {
      b.append(pieces[r.nextInt(pieces.length)]);
    }
    return b.toString();
  }

  private static byte[] bytes(Random r, int max) {
    byte[] b = new byte[r.nextInt(max + 1)];
    r.nextBytes(b);
    return b;
  }

  /** A random record at {@code global} whose hashes are right (its previous hash is random). */
  private static EventRecord record(Random r, long global) {
    int ext = r.nextInt(4);
    String[] keys = new String[ext];
    byte[][] values = new byte[ext][];
    for (int i = 0; i < ext; i++) {
      keys[i] = "ns" + i + ".k" + r.nextInt(100);
      values[i] = bytes(r, 40);
    }
    boolean cause = r.nextBoolean();
    byte[] payload = bytes(r, r.nextInt(8) == 0 ? 5000 : 300);
    byte[] prev = new byte[32];
    r.nextBytes(prev);
    Blake3 blake3 = new Blake3();
    EventRecord unhashed =
        new EventRecord(
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
            global,
            r.nextLong() & Long.MAX_VALUE,
            r.nextInt(0x10000),
            r.nextInt(256),
            keys,
            values,
            prev,
            blake3.hash(payload, 0, payload.length),
            new byte[32],
            payload);
    return EventRecord.sequenced(
        unhashed,
        unhashed.streamSequence(),
        global,
        prev,
        FrameCodec.eventHash(blake3, prev, unhashed));
  }

  @Test
  void inPlaceHashesEqualTheDefinitionAndEveryChangedByteShows() {
    Random r = new Random(SEED);
    EventHasher hasher = new EventHasher(io.batpak.engine.internal.format.Decompressors.NONE);
    RecordLayout layout = new RecordLayout();
    for (int round = 0; round < 300; round++) {
      long base = r.nextInt(1 << 30);
      List<EventRecord> records = new ArrayList<>();
      int n = 1 + r.nextInt(4);
      for (int i = 0; i < n; i++) {
        records.add(record(r, base + i));
      }
      ByteBuffer out = ByteBuffer.allocate(FrameCodec.frameSize(records));
      int[] offsets = new int[n];
      FrameCodec.writeFrame(out, base, 0, records, offsets);
      byte[] frame = out.array();
      for (int i = 0; i < n; i++) {
        int at = FrameCodec.PREFIX + offsets[i];
        assertNull(layout.parse(frame, at, frame.length), seed());
        EventRecord rec = records.get(i);
        assertEquals(0, hasher.check(frame, layout, base + i, false, 0), "round " + round + seed());
        assertArrayEquals(
            FrameCodec.eventHash(new Blake3(), rec.prevHash(), rec),
            hasher.eventHashOf(frame, layout, base + i),
            seed());
        assertArrayEquals(rec.contentHash(), hasher.contentHash(frame, layout, 0), seed());
        assertEquals(
            EventHasher.EVENT_BAD,
            hasher.check(frame, layout, base + i + 1, false, 0),
            "the global sequence is hashed" + seed());
        // Any one changed byte of the record: a broken layout, or a hash that no longer holds.
        int end = layout.end;
        int pos = at + 4 + r.nextInt(end - at - 4);
        byte[] changed = frame.clone();
        changed[pos] ^= (byte) (1 + r.nextInt(255));
        String bad = layout.parse(changed, at, frame.length);
        if (bad == null && layout.end == end) { // else the layout itself shows the change
          assertNotEquals(
              0,
              hasher.check(changed, layout, base + i, false, 0),
              "byte " + (pos - at) + " of a record changed unseen" + seed());
        }
        layout.parse(frame, at, frame.length);
      }
    }
  }
}
