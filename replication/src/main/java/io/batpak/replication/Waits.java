package io.batpak.replication;

import java.time.Duration;

/**
 * A caller's {@link Duration} as nanoseconds for a wait: {@link Duration#toNanos} throws for
 * anything longer than about 292 years ({@code ChronoUnit.FOREVER.getDuration()}), and a long one
 * added to a clock's reading overflows to the past. At most {@link #FOREVER_NANOS} (about 73 years:
 * no limit in practice), so a deadline computed from it never overflows. The engine converts its
 * own waits the same way; this module sees only the API.
 */
final class Waits {
  static final long FOREVER_NANOS = Long.MAX_VALUE / 4;

  private Waits() {}

  /** {@code d} in nanoseconds, at most {@link #FOREVER_NANOS}. */
  static long nanos(Duration d) {
    try {
      return Math.min(d.toNanos(), FOREVER_NANOS);
    } catch (ArithmeticException e) {
      return d.isNegative() ? -FOREVER_NANOS : FOREVER_NANOS;
    }
  }

  /** The clock reading {@code d} after {@code nowNanos}. */
  static long deadline(long nowNanos, Duration d) {
    return nowNanos + nanos(d);
  }
}
