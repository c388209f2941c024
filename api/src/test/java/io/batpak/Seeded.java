package io.batpak;

import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Plain seeded generators for property-style tests. The seed comes from {@code
 * -Dbatpak.test.seed=N} (decimal or {@code 0x} hex) or is drawn fresh; a failure is rethrown with
 * the seed and the command that reproduces it.
 */
final class Seeded {
  private Seeded() {}

  /** The seed for this run. */
  static long seed() {
    String property = System.getProperty("batpak.test.seed");
    if (property == null || property.isBlank()) {
      return new SplittableRandom().nextLong();
    }
    String p = property.trim();
    return p.startsWith("0x") ? Long.parseUnsignedLong(p.substring(2), 16) : Long.parseLong(p);
  }

  /**
   * Runs {@code trials} trials of {@code property}, each with its own generator split from one
   * seeded root, and reports the seed if any trial fails.
   */
  static void check(String testName, int trials, Consumer<SplittableRandom> property) {
    long seed = seed();
    SplittableRandom root = new SplittableRandom(seed);
    for (int i = 0; i < trials; i++) {
      SplittableRandom trial = root.split();
      try {
        property.accept(trial);
      } catch (AssertionError | RuntimeException e) {
        AssertionError failure =
            new AssertionError(
                testName
                    + " failed at trial "
                    + i
                    + " with seed "
                    + seed
                    + "; reproduce with: mvn -B test -pl api -Dtest="
                    + testName.replace('.', '#')
                    + " -Dbatpak.test.seed="
                    + seed
                    + " :: "
                    + e.getMessage(),
                e);
        System.err.println(failure.getMessage());
        throw failure;
      }
    }
  }
}
