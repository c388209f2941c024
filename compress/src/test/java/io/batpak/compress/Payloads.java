package io.batpak.compress;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Seeded payloads for the compression tests: every size class the format treats differently. */
final class Payloads {
  /** The compression threshold the tests configure. */
  static final int THRESHOLD = 256;

  private Payloads() {}

  /** JSON-like text of {@code n} bytes: compresses well, as real payloads do. */
  static byte[] text(Random random, int n) {
    StringBuilder s = new StringBuilder(n + 64);
    while (s.length() < n) {
      s.append("{\"sku\":\"A-")
          .append(random.nextInt(50))
          .append("\",\"qty\":")
          .append(random.nextInt(9))
          .append(",\"note\":\"keep dry\"}");
    }
    return s.substring(0, n).getBytes(StandardCharsets.US_ASCII);
  }

  /** Random bytes: incompressible, so stored as they are. */
  static byte[] random(Random random, int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  /**
   * Empty, tiny, just under and at the threshold, over it, incompressible over it, and 1 MiB: the
   * payloads of one round trip.
   */
  static List<byte[]> all(Random random) {
    List<byte[]> out = new ArrayList<>();
    out.add(new byte[0]);
    out.add(text(random, 7));
    out.add(text(random, THRESHOLD - 1));
    out.add(text(random, THRESHOLD));
    out.add(text(random, 5000));
    out.add(random(random, 4096));
    out.add(text(random, 1 << 20));
    for (int i = 0; i < 40; i++) {
      out.add(
          random.nextBoolean()
              ? text(random, random.nextInt(3 * THRESHOLD))
              : random(random, random.nextInt(3 * THRESHOLD)));
    }
    return out;
  }
}
