package io.batpak;

import static org.apiguardian.api.API.Status.STABLE;

import org.apiguardian.api.API;

/**
 * Progress points of the commit pipeline, each a count of events (an exclusive upper bound on
 * global sequences). Always: accepted ≥ written ≥ durable, and written ≥ visible; in {@link
 * Durability#DURABLE} mode also durable ≥ visible.
 *
 * <p>An enum: immutable and thread-safe.
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public enum Watermark {
  /** The committer has assigned sequences. */
  ACCEPTED,
  /** The frames were handed to the operating system. */
  WRITTEN,
  /** An fsync covering them returned. */
  DURABLE,
  /** Readers can see them. */
  VISIBLE
}
