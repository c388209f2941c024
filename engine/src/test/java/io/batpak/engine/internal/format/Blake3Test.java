package io.batpak.engine.internal.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import org.bouncycastle.crypto.digests.Blake3Digest;
import org.junit.jupiter.api.Test;

/**
 * {@link Blake3} gives Bouncy Castle's hash whatever way its input arrives: whole, in random
 * pieces, byte by byte, after an abandoned running input (Bouncy Castle's own {@code reset()} gets
 * that wrong past one chunk), on one reused instance, short and long inputs in random order.
 */
class Blake3Test {
  private static final long SEED = Long.getLong("batpak.test.seed", new Random().nextLong());

  private static String seed() {
    return " (seed " + SEED + ", rerun with -Dbatpak.test.seed=" + SEED + ")";
  }

  private static byte[] reference(byte[] in) {
    Blake3Digest d = new Blake3Digest(256);
    d.update(in, 0, in.length);
    byte[] out = new byte[32];
    d.doFinal(out, 0);
    return out;
  }

  @Test
  void oneInstanceHashesEveryShapeOfInputAsBouncyCastleDoes() {
    Random r = new Random(SEED);
    Blake3 blake3 = new Blake3();
    for (int round = 0; round < 3000; round++) {
      int length =
          r.nextInt(4) == 0 ? r.nextInt(5 * Blake3Chunk.MAX) : r.nextInt(Blake3Chunk.MAX + 2);
      byte[] in = new byte[length];
      r.nextBytes(in);
      byte[] expected = reference(in);
      String what = "round " + round + ", length " + length + seed();
      switch (r.nextInt(4)) {
        case 0:
          assertArrayEquals(expected, blake3.hash(in, 0, length), what);
          break;
        case 1:
          for (int at = 0; at < length; ) {
            int piece = Math.min(length - at, 1 + r.nextInt(700));
            blake3.update(in, at, piece);
            at += piece;
          }
          assertArrayEquals(expected, blake3.finish(), what);
          break;
        case 2:
          for (byte b : in) {
            blake3.update(b);
          }
          assertArrayEquals(expected, blake3.finish(), what);
          break;
        default:
          // a running input abandoned half way: hash() starts afresh
          blake3.update(in, 0, r.nextInt(length + 1));
          if (r.nextBoolean()) {
            blake3.update(new byte[Blake3Chunk.MAX + 1], 0, Blake3Chunk.MAX + 1);
          }
          assertArrayEquals(expected, blake3.hash(in, 0, length), what);
          break;
      }
    }
  }

  @Test
  void anOffsetInputHashesOnlyItsRange() {
    Random r = new Random(SEED);
    for (int length : new int[] {0, 1, 63, 64, 65, 1023, 1024, 1025, 4096}) {
      byte[] in = new byte[length + 40];
      r.nextBytes(in);
      byte[] range = java.util.Arrays.copyOfRange(in, 17, 17 + length);
      assertArrayEquals(
          reference(range), new Blake3().hash(in, 17, length), "length " + length + seed());
    }
  }
}
