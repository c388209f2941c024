package io.batpak;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.Objects;
import java.util.function.Predicate;
import org.apiguardian.api.API;

/**
 * What {@link Store#compact} does: which strategy, over which sealed segments, and whether only to
 * plan.
 *
 * <ul>
 *   <li>{@link #merge()} joins runs of small sealed segments into one segment each, copying their
 *       frames byte for byte; no event changes.
 *   <li>{@link #retain(Predicate)} rewrites the sealed segments keeping the events the predicate
 *       accepts; a rejected event is <em>dropped</em>: no read returns it again, and the store
 *       keeps its header and hashes (never its payload) so receipts, chains and idempotent retries
 *       still work.
 *   <li>{@link #tombstone(Predicate)} rewrites them replacing each rejected event by a
 *       <em>tombstone</em>: it stays in its stream and in reads, with kind {@link
 *       EventKind#TOMBSTONE} and no payload, and keeps its sequences and hashes.
 * </ul>
 *
 * <p>Only sealed segments are compacted (never the one appends go to), so the newest events are
 * never touched. A predicate sees each stored event with its payload; it must be a pure function of
 * it (it may be called more than once for an event, for a dry run and then for the run).
 *
 * <p>Immutable; safe to share between threads if the predicate is.
 *
 * @since 0.2
 */
@API(status = EXPERIMENTAL, since = "0.2")
public final class CompactionConfig {

  /** The strategies. */
  public enum Strategy {
    /** Join small sealed segments; keep every event. */
    MERGE,
    /** Drop the events the predicate rejects. */
    RETAIN,
    /** Replace the events the predicate rejects by tombstones. */
    TOMBSTONE
  }

  /**
   * Told how far a compaction is, after each frame it copies: bytes of the sealed segments read so
   * far and in all. Called on the compacting thread; must not call the store.
   */
  @FunctionalInterface
  public interface Progress {
    /** {@code done} of {@code total} bytes read. */
    void copied(long done, long total);

    /** A progress that ignores every report. */
    static Progress none() {
      return (done, total) -> {};
    }
  }

  /** The lowest positive {@link #maxBytesPerSecond(long)}: 64 KiB/s. */
  public static final long MIN_BYTES_PER_SECOND = 64 << 10;

  private final Strategy strategy;
  private final Predicate<StoredEvent> keep;
  private final int minSegments;
  private final boolean dryRun;
  private final Progress progress;
  private final long maxBytesPerSecond;

  private CompactionConfig(
      Strategy strategy,
      Predicate<StoredEvent> keep,
      int minSegments,
      boolean dryRun,
      Progress progress,
      long maxBytesPerSecond) {
    this.strategy = strategy;
    this.keep = keep;
    this.minSegments = minSegments;
    this.dryRun = dryRun;
    this.progress = progress;
    this.maxBytesPerSecond = maxBytesPerSecond;
  }

  /** Merging runs of at least two small sealed segments. */
  public static CompactionConfig merge() {
    return new CompactionConfig(Strategy.MERGE, e -> true, 2, false, Progress.none(), 0);
  }

  /**
   * Keeping the events {@code keep} accepts, dropping the others.
   *
   * @throws NullPointerException if {@code keep} is null
   */
  public static CompactionConfig retain(Predicate<StoredEvent> keep) {
    return new CompactionConfig(
        Strategy.RETAIN, Objects.requireNonNull(keep, "keep"), 1, false, Progress.none(), 0);
  }

  /**
   * Keeping the events {@code keep} accepts, replacing the others by tombstones.
   *
   * @throws NullPointerException if {@code keep} is null
   */
  public static CompactionConfig tombstone(Predicate<StoredEvent> keep) {
    return new CompactionConfig(
        Strategy.TOMBSTONE, Objects.requireNonNull(keep, "keep"), 1, false, Progress.none(), 0);
  }

  /**
   * The same, but merging only runs of at least {@code n} sealed segments (only for {@link
   * Strategy#MERGE}; default 2).
   *
   * @throws IllegalArgumentException if {@code n < 2}, or the strategy is not {@code MERGE}
   */
  public CompactionConfig minSegments(int n) {
    if (strategy != Strategy.MERGE) {
      throw new IllegalArgumentException(
          "minSegments applies to MERGE only; " + strategy + " rewrites every sealed segment");
    }
    if (n < 2) {
      throw new IllegalArgumentException(
          "minSegments must be at least 2 (merging one segment changes nothing), got " + n);
    }
    return new CompactionConfig(strategy, keep, n, dryRun, progress, maxBytesPerSecond);
  }

  /** The same, but only planning: the result says what a run would do, and nothing is written. */
  public CompactionConfig dryRun(boolean dryRun) {
    return new CompactionConfig(strategy, keep, minSegments, dryRun, progress, maxBytesPerSecond);
  }

  /**
   * The same, reporting its progress to {@code progress}.
   *
   * @throws NullPointerException if {@code progress} is null
   */
  public CompactionConfig progress(Progress progress) {
    return new CompactionConfig(
        strategy,
        keep,
        minSegments,
        dryRun,
        Objects.requireNonNull(progress, "progress"),
        maxBytesPerSecond);
  }

  /**
   * The same, writing its output at no more than {@code bytesPerSecond} on average: the compaction
   * waits (on the store's clock) whenever it is ahead of that rate, so appends on a busy disk keep
   * more of its bandwidth and their fsyncs wait behind less of the compaction's data (a paced
   * compaction also syncs its output every 8 MiB, where an unpaced one syncs it once, at the end).
   * {@code 0} (the default) writes as fast as the disk takes it. A paced compaction takes longer;
   * appends pause for it only at the switch, as for any compaction. A closing store stops it at its
   * next wait (each lasts at most 50 ms) or its next frame, whichever comes first, and the store is
   * left as it was. {@code docs/operations.md} says how to choose a rate.
   *
   * @throws IllegalArgumentException if {@code bytesPerSecond} is negative, or positive and below
   *     64 KiB/s (a compaction at that rate would never end on a store of any size)
   */
  public CompactionConfig maxBytesPerSecond(long bytesPerSecond) {
    if (bytesPerSecond < 0 || (bytesPerSecond > 0 && bytesPerSecond < MIN_BYTES_PER_SECOND)) {
      throw new IllegalArgumentException(
          "maxBytesPerSecond must be 0 (unlimited) or at least "
              + MIN_BYTES_PER_SECOND
              + " bytes per second, got "
              + bytesPerSecond);
    }
    return new CompactionConfig(strategy, keep, minSegments, dryRun, progress, bytesPerSecond);
  }

  /** The output's write rate limit in bytes per second; 0 for none. */
  public long maxBytesPerSecond() {
    return maxBytesPerSecond;
  }

  /** The strategy. */
  public Strategy strategy() {
    return strategy;
  }

  /** Which events stay as they are ({@code true}); always true for {@code MERGE}. */
  public Predicate<StoredEvent> keep() {
    return keep;
  }

  /** The fewest segments a merge joins. */
  public int minSegments() {
    return minSegments;
  }

  /** Where progress goes. */
  public Progress progress() {
    return progress;
  }

  /** Whether this is a dry run. */
  public boolean dryRun() {
    return dryRun;
  }

  @Override
  public String toString() {
    return "CompactionConfig{"
        + strategy
        + (dryRun ? ", dry run" : "")
        + (maxBytesPerSecond > 0 ? ", at most " + maxBytesPerSecond + " bytes/s" : "")
        + "}";
  }
}
