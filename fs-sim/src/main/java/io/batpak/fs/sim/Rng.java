package io.batpak.fs.sim;

/**
 * SplitMix64 with its whole state in one {@code long}, so a snapshot can capture and restore it.
 * Not thread-safe; the simulator uses it under its lock.
 */
final class Rng {
  private long state;

  Rng(long seed) {
    this.state = seed;
  }

  long state() {
    return state;
  }

  void setState(long s) {
    state = s;
  }

  long nextLong() {
    long z = (state += 0x9E3779B97F4A7C15L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Uniform in {@code [0, bound)}; {@code bound} must be positive. */
  long nextLong(long bound) {
    if (bound <= 0) {
      throw new IllegalArgumentException("bound must be positive: " + bound);
    }
    return Math.floorMod(nextLong(), bound);
  }

  int nextInt(int bound) {
    return (int) nextLong(bound);
  }

  double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  void nextBytes(byte[] b, int off, int len) {
    int i = off;
    int end = off + len;
    while (i < end) {
      long r = nextLong();
      for (int k = 0; k < 8 && i < end; k++) {
        b[i++] = (byte) r;
        r >>>= 8;
      }
    }
  }
}
