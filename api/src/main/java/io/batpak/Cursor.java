package io.batpak;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apiguardian.api.API;

/**
 * An ordered pull over the visible events of one {@link Region}, at least once: {@link
 * Store#cursor(Region, String)} (durable, resuming from its checkpoint file) or {@link
 * Store#cursor(Region)} (from the start, nothing saved).
 *
 * <h2>What it delivers</h2>
 *
 * Every visible event of its region, once each per cursor, in global order. Events a cancelled
 * fence wrote are never delivered; events of an open fence are delivered once the fence commits;
 * events a compaction dropped are skipped; a compaction's tombstone is delivered as an event (kind
 * {@link EventKind#TOMBSTONE}, empty payload) where the stream had the event it replaces. In {@link
 * Durability#VISIBLE} mode a cursor may deliver an event that a crash later takes back (the store's
 * mode says so); its checkpoint never passes the durable watermark, so after such a crash the
 * cursor resumes at or before the first event that can have changed.
 *
 * <h2>Checkpoints and at-least-once</h2>
 *
 * {@link #checkpoint()} saves, durably, that everything delivered so far was consumed. A durable
 * cursor opened again with the same checkpoint id resumes just after what the checkpoint covers;
 * events delivered after the last checkpoint are delivered again (the same events, byte for byte).
 * Call it after the events are applied, never before. The checkpoint file records the region: a
 * cursor for another region on the same id is refused ({@link CursorRegionMismatchException}).
 *
 * <h2>Threads</h2>
 *
 * One thread at a time: a cursor is not thread-safe (hand it between threads with a happens-before
 * edge, as with any mutable object). Cursors of one store are independent of each other and of the
 * store's appends. While a durable cursor is open it is a registered consumer of the {@link
 * Watermark#APPLIED applied watermark}, which then stays at or below its checkpoint.
 *
 * @since 0.13
 */
@API(status = EXPERIMENTAL, since = "0.13")
public interface Cursor extends AutoCloseable {

  /** The region this cursor delivers. */
  Region region();

  /** The checkpoint id of a durable cursor; empty for one from {@link Store#cursor(Region)}. */
  Optional<String> checkpointId();

  /**
   * The next visible event of the region, or empty if there is none now. Never waits.
   *
   * @throws StoreClosedException if the store or this cursor is closed
   * @throws CorruptStoreException if the event's frame fails its checks
   */
  Optional<StoredEvent> poll();

  /**
   * Up to {@code max} next visible events of the region, in global order; empty if there is none
   * now. Never waits.
   *
   * @throws ValidationException if {@code max} is not positive (the message names it)
   * @throws StoreClosedException if the store or this cursor is closed
   * @throws CorruptStoreException if an event's frame fails its checks
   */
  List<StoredEvent> pollBatch(int max);

  /**
   * Like {@link #pollBatch(int)}, but when nothing is there waits up to {@code wait} (of the
   * store's clock) for the next visible event of the region: woken by the store's visible
   * watermark, never by polling in a loop. Returns what it has as soon as it has at least one
   * event.
   *
   * @throws NullPointerException if {@code wait} is null
   * @throws ValidationException if {@code max} is not positive or {@code wait} is negative
   * @throws StoreClosedException if the store or this cursor is closed (also while waiting)
   * @throws StoreTimeoutException if the thread is interrupted while it waits (the interrupt flag
   *     is restored); running out of {@code wait} is not an exception but an empty list
   * @throws CorruptStoreException if an event's frame fails its checks
   */
  List<StoredEvent> pollBatch(int max, Duration wait);

  /** The global sequence of the last event delivered (or resumed from), or -1 before the first. */
  long position();

  /**
   * Saves durably that every event delivered so far was consumed: the checkpoint file {@code
   * cursors/<id>.ckpt} is written beside its old version and published by an atomic rename, with
   * the file and the directory fsynced, before this returns. A crash during the call leaves the old
   * checkpoint or the new one, never a mix. In {@link Durability#VISIBLE} mode the saved point is
   * capped at the durable watermark (DESIGN decision 3), so this never waits for an fsync; call
   * {@link Store#sync()} first to save everything delivered. Moves the {@link Watermark#APPLIED
   * applied watermark} of this cursor.
   *
   * @throws IllegalStateException if this cursor has no checkpoint id ({@link
   *     Store#cursor(Region)})
   * @throws ReadOnlyStoreException if the store was opened read-only (resuming works; saving not)
   * @throws StoreIoException if writing or publishing the file failed; a retry may succeed. The
   *     previous checkpoint is still in place, unless the step that failed came after the new file
   *     was renamed over it (the directory's fsync): the new checkpoint is then in place, and a
   *     power loss may yet take it back, so the cursor resumes from either (every event either
   *     covers was delivered, and, if the contract above is kept, applied)
   * @throws StoreClosedException if the store or this cursor is closed
   */
  void checkpoint();

  /**
   * Closes the cursor without saving anything and unregisters it from the applied watermark.
   * Idempotent. Never throws.
   */
  @Override
  void close();
}
