package io.batpak;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.Objects;
import org.apiguardian.api.API;

/**
 * What a {@link Store#project(String, Projection) projection call} computed, and how.
 *
 * @param state the folded state
 * @param watermark the global sequence the state reflects: every event visible at or below it that
 *     the projection reads was folded ({@code -1} for an empty store). A state served stale ({@link
 *     Freshness#maxStale}) has the watermark of the moment it was made
 * @param streamVersion for a stream projection, the number of the stream's events the state
 *     reflects (the next stream sequence; events compaction dropped count, as they keep their
 *     sequence): pass it back to {@link Store#projectIfChanged} as {@code lastSeen}. {@code -1} for
 *     a region projection
 * @param replayed the events this call passed to {@link Projection#apply} (0 for a state served
 *     from the cache as it was)
 * @param fromCache whether the call started from a projection cache entry
 * @param <S> the state
 * @since 0.13
 */
@API(status = EXPERIMENTAL, since = "0.13")
public record ProjectionResult<S>(
    S state, long watermark, long streamVersion, long replayed, boolean fromCache) {
  /** Checks for null. */
  public ProjectionResult {
    Objects.requireNonNull(state, "state");
  }
}
