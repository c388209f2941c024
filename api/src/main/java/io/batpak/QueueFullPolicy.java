package io.batpak;

import static org.apiguardian.api.API.Status.STABLE;

import org.apiguardian.api.API;

/**
 * What an append does when the commit queue is full.
 *
 * <p>An enum: immutable and thread-safe.
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public enum QueueFullPolicy {
  /**
   * Wait up to {@link StoreConfig#queueFullTimeout()}, then throw {@link StoreTimeoutException}.
   */
  BLOCK,
  /** Throw {@link StoreTimeoutException} at once. */
  FAIL_FAST
}
