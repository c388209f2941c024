package io.batpak;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.time.Duration;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * How a {@link CursorWorker} (or reactor) runs: its batch size and its restart policy. Immutable;
 * each {@code with} method returns a checked copy.
 *
 * <p>Defaults: batches of 64 events, at most 3 restarts in a row, a back-off of 10 ms doubling up
 * to 1 s.
 *
 * @param batchSize the most events per handler call (1 to 65 536)
 * @param maxRestarts how many failures in a row, without a saved checkpoint between them, are
 *     retried (0 to 1 000 000; 0 stops at the first failure)
 * @param initialBackoff the wait before the first restart, doubled for each further one in a row (0
 *     to 1 hour)
 * @param maxBackoff the most a back-off grows to (at least {@code initialBackoff}, at most 1 hour)
 * @since 0.13
 */
@API(status = EXPERIMENTAL, since = "0.13")
public record CursorWorkerConfig(
    int batchSize, int maxRestarts, Duration initialBackoff, Duration maxBackoff) {

  /** The largest batch size. */
  public static final int MAX_BATCH = 65_536;

  /** The most restarts in a row a policy may allow. */
  public static final int MAX_RESTARTS = 1_000_000;

  private static final Duration MAX_WAIT = Duration.ofHours(1);

  /**
   * Checks the values.
   *
   * @throws NullPointerException if a duration is null
   * @throws ValidationException naming the value and its bounds
   */
  public CursorWorkerConfig {
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    if (batchSize < 1 || batchSize > MAX_BATCH) {
      throw new ValidationException("batchSize must be 1 to " + MAX_BATCH + ", got " + batchSize);
    }
    if (maxRestarts < 0 || maxRestarts > MAX_RESTARTS) {
      throw new ValidationException(
          "maxRestarts must be 0 to " + MAX_RESTARTS + ", got " + maxRestarts);
    }
    if (initialBackoff.isNegative() || initialBackoff.compareTo(MAX_WAIT) > 0) {
      throw new ValidationException("initialBackoff must be 0 to 1 hour, got " + initialBackoff);
    }
    if (maxBackoff.compareTo(initialBackoff) < 0 || maxBackoff.compareTo(MAX_WAIT) > 0) {
      throw new ValidationException(
          "maxBackoff must be from initialBackoff ("
              + initialBackoff
              + ") to 1 hour, got "
              + maxBackoff);
    }
  }

  /** The defaults: 64 events, 3 restarts, 10 ms doubling to 1 s. */
  public static CursorWorkerConfig defaults() {
    return new CursorWorkerConfig(64, 3, Duration.ofMillis(10), Duration.ofSeconds(1));
  }

  /** A copy with {@code batchSize}. */
  public CursorWorkerConfig withBatchSize(int batchSize) {
    return new CursorWorkerConfig(batchSize, maxRestarts, initialBackoff, maxBackoff);
  }

  /** A copy with {@code maxRestarts}. */
  public CursorWorkerConfig withMaxRestarts(int maxRestarts) {
    return new CursorWorkerConfig(batchSize, maxRestarts, initialBackoff, maxBackoff);
  }

  /** A copy with this back-off. */
  public CursorWorkerConfig withBackoff(Duration initialBackoff, Duration maxBackoff) {
    return new CursorWorkerConfig(batchSize, maxRestarts, initialBackoff, maxBackoff);
  }

  /** The back-off before restart number {@code n} in a row (1 for the first), in nanoseconds. */
  public long backoffNanos(int n) {
    long b = initialBackoff.toNanos();
    long max = maxBackoff.toNanos();
    for (int i = 1; i < n && b < max; i++) {
      b = b > max / 2 ? max : b * 2;
    }
    return Math.min(b, max);
  }
}
