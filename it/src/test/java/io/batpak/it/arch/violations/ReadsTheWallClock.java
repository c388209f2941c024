package io.batpak.it.arch.violations;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;

/**
 * A deliberate violation: reads time around {@code StoreClock}, one way per method. Never used at
 * run time.
 */
final class ReadsTheWallClock {
  private ReadsTheWallClock() {}

  static long currentTimeMillis() {
    return System.currentTimeMillis();
  }

  static long nanoTime() {
    return System.nanoTime();
  }

  static Instant instantNow() {
    return Instant.now();
  }

  static LocalDateTime localDateTimeNow() {
    return LocalDateTime.now();
  }

  static Clock systemClock() {
    return Clock.systemUTC();
  }
}
