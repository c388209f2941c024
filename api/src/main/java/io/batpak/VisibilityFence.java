package io.batpak;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apiguardian.api.API;

/**
 * A visibility fence ({@link Store#beginFence()}): appends made through it are written to the
 * journal (and, in {@link Durability#DURABLE} mode, fsynced) but are invisible until {@link
 * #commit()} makes all of them visible at once; {@link #cancel()} makes them never visible.
 *
 * <h2>What "invisible" means</h2>
 *
 * Until the commit, no read shows a fenced event: not {@code get}, {@code queryAfter}, {@code
 * stream}, {@code latest}, {@code verifyReceipt}, {@code verifyAll} nor {@code stats}; and the
 * store's watermarks stop at the fence's first global sequence, so {@code waitFor} on any watermark
 * does not pass a fenced event. The commit moves every watermark past the whole fence in one step.
 * A cancelled event is never shown, before or after a reopen; its global sequence is consumed
 * (never reused) and its stream continues as if it had never been appended (same next stream
 * sequence, same chain head as before the fence). A crash with the fence open cancels it.
 *
 * <h2>Receipts and futures</h2>
 *
 * {@code append} and {@code appendBatch} return their receipts as soon as the events are written
 * (in {@code DURABLE} mode: and fsynced), before the commit: the receipt names an event that is
 * durable but not visible, and becomes valid for {@link Store#verifyReceipt} only when the fence
 * commits (if it is cancelled, the receipt names an event that is never found). {@code submit}
 * futures complete only when the fence ends: with the receipt on commit, with {@link
 * FenceCancelledException} on cancel.
 *
 * <h2>One at a time</h2>
 *
 * A store has at most one open fence. While it is open, every ordinary append on the store ({@code
 * append}, {@code appendBatch}, {@code submit} on the {@link Store}, from any thread) is refused
 * with {@link FenceActiveException}, and nothing is written; so is a second {@code beginFence}.
 * Appends are never made to wait for the fence, so a thread that holds the fence cannot deadlock on
 * itself.
 *
 * <h2>Thread-safety</h2>
 *
 * A fence may be used from any thread; its methods are thread-safe. Appends through it commit in
 * the order each thread called them, as on the store.
 *
 * <h2>Nulls</h2>
 *
 * As on {@link Store}: a null argument throws {@link NullPointerException} naming the parameter.
 *
 * @since 0.2
 */
@API(status = EXPERIMENTAL, since = "0.2")
public interface VisibilityFence extends AutoCloseable {

  /**
   * Appends one event under the fence, with default options. See {@link #append(Coordinate,
   * EventKind, Bytes, AppendOptions)}.
   */
  default AppendReceipt append(Coordinate coordinate, EventKind kind, Bytes payload) {
    return append(coordinate, kind, payload, AppendOptions.defaults());
  }

  /**
   * Appends one event under the fence: validated and committed exactly as {@link
   * Store#append(Coordinate, EventKind, Bytes, AppendOptions)}, but invisible until {@link
   * #commit()}.
   *
   * @return the receipt: the event is written (in {@code DURABLE} mode, durable) but not visible
   * @throws FenceCancelledException if the fence is no longer open (committed, cancelled or
   *     closed); nothing was written
   * @see Store#append(Coordinate, EventKind, Bytes, AppendOptions) for the other exceptions
   */
  AppendReceipt append(Coordinate coordinate, EventKind kind, Bytes payload, AppendOptions options);

  /**
   * Appends several events atomically under the fence, as {@link Store#appendBatch(List)}, but
   * invisible until {@link #commit()}.
   *
   * @return one receipt per item: written (in {@code DURABLE} mode, durable) but not visible
   * @throws FenceCancelledException if the fence is no longer open; nothing was written
   * @see Store#appendBatch(List) for the other exceptions
   */
  List<AppendReceipt> appendBatch(List<BatchItem> items);

  /**
   * Queues one append under the fence and returns at once. The future completes when the fence
   * ends: with the receipt when it commits, with {@link FenceCancelledException} when it is
   * cancelled, or with the exception the append failed with.
   *
   * @throws FenceCancelledException if the fence is no longer open; nothing was queued
   * @see Store#submit(Coordinate, EventKind, Bytes, AppendOptions) for the other exceptions
   */
  CompletableFuture<AppendReceipt> submit(
      Coordinate coordinate, EventKind kind, Bytes payload, AppendOptions options);

  /**
   * Commits the fence: every append made through it is committed first, then a fence-commit frame
   * is written to the journal and, in {@code DURABLE} mode, fsynced; only then do all the fenced
   * events become visible, in one step, and the {@code submit} futures complete with their
   * receipts. When it returns, the events are visible (and, in {@code DURABLE} mode, durable).
   *
   * @throws FenceCancelledException if the fence was cancelled or committed already
   * @throws OutcomeUnknownException if writing or syncing the commit frame failed (the store is
   *     then poisoned; after a reopen the fenced events are visible if and only if the commit frame
   *     reached the disk)
   * @throws StoreClosedException if the store is closed (closing cancels an open fence)
   */
  void commit();

  /**
   * Cancels the fence: a fence-cancel frame naming its global sequences is written and synced, the
   * range is recorded as cancelled, and every pending {@code submit} future fails with {@link
   * FenceCancelledException}. The events are never visible. Idempotent once the fence is cancelled.
   *
   * @throws FenceCancelledException if the fence was committed already
   * @throws OutcomeUnknownException if writing or syncing the cancel frame failed (the store is
   *     then poisoned; a reopen cancels the fence whatever reached the disk)
   * @throws StoreClosedException if the store is closed (closing cancelled the fence already)
   */
  void cancel();

  /**
   * Cancels the fence unless it was committed or cancelled already ({@link #cancel()}); otherwise
   * does nothing. Use a fence in try-with-resources and call {@link #commit()} as the block's last
   * statement.
   *
   * @throws OutcomeUnknownException as {@link #cancel()}
   */
  @Override
  void close();
}
