package io.batpak.it.arch.violations;

/** A deliberate violation: reads time around {@code StoreClock}. Never used at run time. */
final class ReadsTheWallClock {
  private ReadsTheWallClock() {}

  static long now() {
    return System.currentTimeMillis() + System.nanoTime();
  }
}
