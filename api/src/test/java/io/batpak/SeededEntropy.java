package io.batpak;

import io.batpak.port.StoreEntropy;
import java.util.SplittableRandom;

/** Deterministic entropy from a seed. Not thread-safe; tests use it from one thread. */
final class SeededEntropy implements StoreEntropy {
  private final SplittableRandom random;

  SeededEntropy(long seed) {
    this.random = new SplittableRandom(seed);
  }

  @Override
  public void nextBytes(byte[] bytes) {
    random.nextBytes(bytes);
  }

  @Override
  public long nextLong() {
    return random.nextLong();
  }
}
