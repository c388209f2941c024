package io.batpak;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.time.Duration;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * How fresh a {@link Store#project(String, Projection, Freshness) projection} must be.
 *
 * <ul>
 *   <li>{@link #CONSISTENT}: the result reflects every event visible when the call started.
 *   <li>{@link #maxStale(Duration)}: a state from the projection cache that was made at most that
 *       long ago (measured on the store's {@link StoreConfig#clock() clock}) is returned as it is,
 *       without folding the events appended since; its {@link ProjectionResult#watermark()} says
 *       what it reflects. Without a cache entry that young (or without the cache), the call is
 *       {@code CONSISTENT}.
 * </ul>
 *
 * Immutable and thread-safe.
 *
 * @since 0.13
 */
@API(status = EXPERIMENTAL, since = "0.13")
public final class Freshness {
  /** Everything visible at the call. */
  public static final Freshness CONSISTENT = new Freshness(Duration.ZERO);

  private final Duration maxStaleness;

  private Freshness(Duration maxStaleness) {
    this.maxStaleness = maxStaleness;
  }

  /**
   * A cached state made at most {@code duration} ago may be served.
   *
   * @throws NullPointerException if {@code duration} is null
   * @throws ValidationException if it is negative (zero is {@link #CONSISTENT})
   */
  public static Freshness maxStale(Duration duration) {
    Objects.requireNonNull(duration, "duration must not be null");
    if (duration.isNegative()) {
      throw new ValidationException(
          "Freshness.maxStale needs a duration of zero or more, got " + duration);
    }
    return duration.isZero() ? CONSISTENT : new Freshness(duration);
  }

  /** How old a served cached state may be; zero for {@link #CONSISTENT}. */
  public Duration maxStaleness() {
    return maxStaleness;
  }

  /** Whether this is {@link #CONSISTENT}. */
  public boolean consistent() {
    return maxStaleness.isZero();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Freshness f && f.maxStaleness.equals(maxStaleness);
  }

  @Override
  public int hashCode() {
    return maxStaleness.hashCode();
  }

  @Override
  public String toString() {
    return consistent() ? "CONSISTENT" : "maxStale(" + maxStaleness + ")";
  }
}
