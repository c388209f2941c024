package io.batpak;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import org.apiguardian.api.API;

/**
 * What a store reports about its own work while it runs: the port a metrics binding implements
 * ({@code batpak-metrics} binds it to Micrometer, docs/metrics.md). Register one with {@link
 * StoreConfig.Builder#listener(StoreListener)}; the default, {@link #none()}, ignores every report.
 * Every method has an empty default body, so an implementation overrides only what it wants.
 *
 * <p><b>When it is called.</b> Never once per event: the commit path calls {@link #groupCommitted},
 * {@link #queueDepth} and {@link #watermarks} once per group commit and {@link #synced} once per
 * fsync of the journal; {@link #opened} once per open; {@link #cursorCheckpointed} once per saved
 * cursor checkpoint; {@link #compactionProgress} as a compaction copies frames. Arguments are
 * primitives or values the store holds already, so a report allocates nothing.
 *
 * <p><b>Threads.</b> The commit-path methods run on the thread that commits (the committer thread,
 * or in deterministic mode the appending thread) while it holds the commit path: every append waits
 * for them. Keep them short and non-blocking (update a counter, a gauge, a histogram); hand
 * anything slower to another thread. The other methods run on the thread that opened the store,
 * saved the checkpoint or runs the compaction. Methods may be called from several threads at once,
 * so an implementation must be thread-safe. A commit-path report must not append to the store (nor
 * {@code submit}): the append would wait for the commit that runs the report, so the store refuses
 * it with {@link IllegalStateException} and writes nothing; hand it to another thread.
 *
 * <p><b>Failures.</b> A listener that throws never fails or poisons the store: the store catches
 * the {@link RuntimeException}, logs the first one at {@code WARNING} (logger {@code
 * io.batpak.engine.listener}, docs/logging.md) with the exception, and keeps going; when the store
 * closes, it logs how many reports threw in all, if more than one did. A report that threw is lost
 * to the listener, never to the store. ADR 0034.
 *
 * @since 0.2
 */
@API(status = EXPERIMENTAL, since = "0.2")
public interface StoreListener {

  /** The listener that ignores every report (the default). */
  static StoreListener none() {
    return NoListener.INSTANCE;
  }

  /**
   * The store opened (once per open, before {@link Store#open} returns).
   *
   * @param report what the open found and did, including the time of each phase ({@link
   *     OpenReport.IndexLoad#phases()}) and of the whole open ({@link OpenReport#elapsedMicros()})
   */
  default void opened(OpenReport report) {}

  /**
   * A group commit was written (in {@link Durability#DURABLE} mode, and synced) and its appends
   * succeed: its events are visible now, or, under an open {@link VisibilityFence}, when the fence
   * commits. The reports of a group ({@link #queueDepth}, this one, {@link #watermarks}) happen
   * before its appends return.
   *
   * @param events the user events of the group (at least one)
   * @param bytes the journal bytes the group wrote (its frames, prefixes included)
   */
  default void groupCommitted(int events, long bytes) {}

  /**
   * The journal's active segment was fsynced: once per group in {@link Durability#DURABLE} mode, by
   * cadence in {@link Durability#VISIBLE} mode, and for fences, checkpoints, snapshots and close.
   *
   * @param nanos how long the fsync took, measured with the store's {@link
   *     io.batpak.port.StoreClock#monoNanos()}
   */
  default void synced(long nanos) {}

  /**
   * How many appends waited in the commit queue when the committer took its next group (the group
   * included), once per group.
   *
   * @param appends the queue's depth, at least one
   */
  default void queueDepth(int appends) {}

  /**
   * Where the watermarks stand after a group commit or an fsync ({@link Watermarks}): in {@link
   * Durability#VISIBLE} mode, {@code visible - durable} events are visible but not yet durable (a
   * crash may take them back); in {@link Durability#DURABLE} mode {@code visible <= durable}.
   *
   * @param written global sequences written to the journal so far (one past the last)
   * @param durable global sequences made durable by an fsync (one past the last)
   * @param visible global sequences visible to readers (one past the last)
   */
  default void watermarks(long written, long durable, long visible) {}

  /**
   * A cursor saved its checkpoint ({@link Cursor#checkpoint()}, or a worker after a batch).
   *
   * @param checkpointId the cursor's checkpoint id
   * @param through the checkpoint covers global sequences up to this one; -1 for none yet
   * @param visible global sequences visible when it was saved (one past the last): the cursor's lag
   *     is {@code visible - through - 1} events
   */
  default void cursorCheckpointed(String checkpointId, long through, long visible) {}

  /**
   * A compaction's progress, as {@link CompactionConfig.Progress} reports it to the caller.
   *
   * @param done bytes of the compacted segments read so far
   * @param total bytes to read in all
   */
  default void compactionProgress(long done, long total) {}
}
