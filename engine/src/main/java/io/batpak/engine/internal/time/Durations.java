package io.batpak.engine.internal.time;

import java.time.Duration;

/**
 * A caller's or a configuration's {@link Duration} as nanoseconds for a wait. {@link
 * Duration#toNanos} throws for anything longer than about 292 years ({@code
 * ChronoUnit.FOREVER.getDuration()}, {@code Duration.ofSeconds(Long.MAX_VALUE)}), and a long one
 * added to a clock's reading overflows to the past. Every wait therefore converts here: a duration
 * of {@link #FOREVER_NANOS} or more waits that long, which is as long as no limit, and a deadline
 * computed from it never overflows.
 */
public final class Durations {
  /** About 73 years: no limit in practice, and a clock reading plus this never overflows. */
  public static final long FOREVER_NANOS = Long.MAX_VALUE / 4;

  private Durations() {}

  /** {@code d} in nanoseconds, at most {@link #FOREVER_NANOS}; negative ones stay negative. */
  public static long nanos(Duration d) {
    try {
      return Math.min(d.toNanos(), FOREVER_NANOS);
    } catch (ArithmeticException e) {
      return d.isNegative() ? -FOREVER_NANOS : FOREVER_NANOS;
    }
  }

  /** The clock reading {@code d} after {@code nowNanos}. */
  public static long deadline(long nowNanos, Duration d) {
    return nowNanos + nanos(d);
  }
}
