package io.batpak.it.arch.violations;

import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;

/** A deliberate violation: draws randomness around {@code StoreEntropy}. Never used at run time. */
final class DrawsItsOwnRandomness {
  private DrawsItsOwnRandomness() {}

  static long draw() {
    return new Random().nextLong() ^ ThreadLocalRandom.current().nextLong();
  }
}
