package io.batpak;

import static org.apiguardian.api.API.Status.STABLE;

import org.apiguardian.api.API;

/**
 * Progress points of the commit pipeline, each a count of events (an exclusive upper bound on
 * global sequences). Always: accepted ≥ written ≥ durable, written ≥ visible, and visible ≥
 * applied; in {@link Durability#DURABLE} mode also durable ≥ visible.
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
  VISIBLE,
  /**
   * Every registered consumer has consumed them: the minimum, over the open durable {@link
   * Cursor}s, {@link CursorWorker}s, reactors and {@link AppliedHandle}s of this store, of the
   * events each has consumed (its saved checkpoint, or what its handle last reported), never above
   * {@link #VISIBLE}. With no consumer registered it equals {@link #VISIBLE}. It is not monotonic:
   * a consumer that registers behind it moves it back (docs/cursors.md).
   *
   * @since 0.13
   */
  APPLIED
}
