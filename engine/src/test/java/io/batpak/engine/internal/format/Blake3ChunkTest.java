package io.batpak.engine.internal.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.Random;
import org.bouncycastle.crypto.digests.Blake3Digest;
import org.junit.jupiter.api.Test;

/**
 * {@link Blake3Chunk} is BLAKE3-256: the published hash of the empty input, and Bouncy Castle's
 * hash of seeded random inputs of every length from 0 to one chunk, at random offsets; a changed
 * expected byte is a mismatch.
 */
class Blake3ChunkTest {
  private static final long SEED = Long.getLong("batpak.test.seed", new Random().nextLong());

  private static String seed() {
    return " (seed " + SEED + ", rerun with -Dbatpak.test.seed=" + SEED + ")";
  }

  @Test
  void theEmptyInputHashesToThePublishedValue() {
    byte[] out = new byte[32];
    byte[] expected =
        HexFormat.of().parseHex("af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262");
    assertTrue(Blake3Chunk.hashEquals(new byte[0], 0, 0, new int[16], out, expected, 0));
    assertArrayEquals(expected, out);
  }

  @Test
  void everyLengthUpToAChunkHashesAsBouncyCastleDoes() {
    Random r = new Random(SEED);
    Blake3Digest reference = new Blake3Digest(256);
    int[] words = new int[16];
    byte[] out = new byte[32];
    for (int length = 0; length <= Blake3Chunk.MAX; length++) {
      int offset = r.nextInt(70);
      byte[] in = new byte[offset + length + r.nextInt(70)];
      r.nextBytes(in);
      byte[] expected = new byte[32];
      reference.update(in, offset, length);
      reference.doFinal(expected, 0);
      byte[] holder = new byte[40];
      int at = r.nextInt(8);
      System.arraycopy(expected, 0, holder, at, 32);
      assertTrue(
          Blake3Chunk.hashEquals(in, offset, length, words, out, holder, at),
          "length " + length + seed());
      assertArrayEquals(expected, out, "length " + length + seed());
      holder[at + r.nextInt(32)] ^= (byte) (1 + r.nextInt(255));
      assertFalse(
          Blake3Chunk.hashEquals(in, offset, length, words, null, holder, at),
          "length " + length + seed());
    }
    assertEquals(1024, Blake3Chunk.MAX);
  }
}
