package io.batpak.it.arch.violations;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * A deliberate violation: draws randomness around {@code StoreEntropy}, one way per method. Never
 * used at run time.
 */
final class DrawsItsOwnRandomness {
  private DrawsItsOwnRandomness() {}

  static long random() {
    return new Random().nextLong();
  }

  static long threadLocalRandom() {
    return ThreadLocalRandom.current().nextLong();
  }

  static long secureRandom() {
    return new SecureRandom().nextLong();
  }

  static long splittableRandom() {
    return new SplittableRandom().nextLong();
  }

  static UUID randomUuid() {
    return UUID.randomUUID();
  }

  static double mathRandom() {
    return Math.random();
  }

  static void shuffle() {
    Collections.shuffle(new ArrayList<>());
  }

  static long randomGenerator() {
    return RandomGenerator.getDefault().nextLong();
  }
}
