package io.batpak.engine.internal.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The commit path's event hash ({@link EventHashes}, one reused buffer) against its definition
 * ({@link FrameCodec#eventHash}, the canonical header built fresh): on seeded random records with
 * ASCII and multi-byte names, surrogate pairs and lone surrogates, extensions (whose keys are
 * visible ASCII, as {@link io.batpak.ExtensionKey} requires), and inputs that grow the buffer and
 * then shrink again, through one instance, so no byte of an earlier input can leak into a later
 * hash.
 */
class EventHashesTest {
  private static final long SEED = Long.getLong("batpak.test.seed", new Random().nextLong());

  private static String seed() {
    return " (seed " + SEED + ", rerun with -Dbatpak.test.seed=" + SEED + ")";
  }

  /** A string of {@code n} chars: ASCII, or any mix, or with a lone surrogate. */
  private static String name(Random r, int n) {
    StringBuilder b = new StringBuilder();
    int style = r.nextInt(3);
    for (int i = 0; i < n; i++) {
      b.append(
          style == 0
              ? (char) (0x20 + r.nextInt(0x5f))
              : FrameCodecRoundTripTest.randomString(r, 1).charAt(0));
    }
    if (style == 2 && n > 0) {
      b.setCharAt(r.nextInt(n), r.nextBoolean() ? '\ud83d' : '\ude00'); // unpaired
    }
    return b.toString();
  }

  private static EventRecord withNames(EventRecord r, String entity, String scope, String[] keys) {
    return new EventRecord(
        r.idHi(),
        r.idLo(),
        r.correlationHi(),
        r.correlationLo(),
        r.hasCausation(),
        r.causationHi(),
        r.causationLo(),
        entity,
        scope,
        r.kind(),
        r.streamSequence(),
        r.globalSequence(),
        r.timestampMicros(),
        r.payloadVersion(),
        r.flags(),
        keys,
        Arrays.copyOf(r.extensionValues(), keys.length),
        r.prevHash(),
        r.contentHash(),
        r.eventHash(),
        r.payload());
  }

  @Test
  void oneReusedInstanceHashesExactlyAsTheDefinition() {
    Random r = new Random(SEED);
    EventHashes hashes = new EventHashes();
    for (int round = 0; round < 2000; round++) {
      EventRecord base = FrameCodecRoundTripTest.randomRecord(r);
      // Mostly short names; now and then long ones, which grow the buffer past its first size.
      int longest = r.nextInt(10) == 0 ? 2000 : 24;
      String[] keys = base.extensionKeys().clone();
      for (int i = 0; i < keys.length; i++) {
        keys[i] += r.nextInt(8) == 0 ? "." + "~".repeat(r.nextInt(100)) : ""; // visible ASCII
      }
      EventRecord rec =
          withNames(base, name(r, 1 + r.nextInt(longest)), name(r, r.nextInt(longest)), keys);
      byte[] prev = FrameCodecRoundTripTest.randomHash(r);
      long stream = r.nextLong() & Long.MAX_VALUE;
      long global = r.nextLong() & Long.MAX_VALUE;
      byte[] expected = FrameCodec.eventHash(new Blake3(), prev, rec, stream, global);
      assertArrayEquals(
          expected,
          hashes.eventHash(prev, rec, stream, global),
          "round " + round + ", entity '" + rec.entity() + "'" + seed());
      assertFalse(
          Arrays.equals(expected, hashes.eventHash(prev, rec, stream, global + 1)),
          "the global sequence is hashed" + seed());
    }
  }
}
