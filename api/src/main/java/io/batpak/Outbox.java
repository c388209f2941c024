package io.batpak;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.List;
import org.apiguardian.api.API;

/**
 * A staging buffer of appends that {@link #flush()} commits as one atomic batch ({@link
 * Store#outbox()}). Until then nothing is written: {@link #close()}, or dropping the outbox (even
 * when it is garbage-collected), publishes nothing, and a crash before {@code flush} returns leaves
 * either every staged event in the journal or none.
 *
 * <p>Each staged event is checked when it is staged, with the checks of {@link Store#appendBatch}:
 * its kind, payload (encoded by the store's codec for {@code stageEncoded}), extensions,
 * idempotency key (on every event or on none, never twice), and the batch's limits ({@code
 * maxBatchEvents}, {@code maxBatchBytes}). A refused event is not staged and the others stay. Its
 * id and timestamp are fixed when it is staged. What needs the journal (expected versions,
 * idempotency against stored events, gates) is checked by {@code flush}.
 *
 * <p>An outbox is reusable: a flush empties it, whether it succeeds or throws. Not thread-safe: use
 * it from one thread (or guard it yourself).
 *
 * @since 0.13
 */
@API(status = EXPERIMENTAL, since = "0.13")
public interface Outbox extends AutoCloseable {

  /**
   * Stages an event whose payload is stored as is; see {@link Store#append(Coordinate, EventKind,
   * Bytes, AppendOptions)}.
   *
   * @return the number of staged events, this one included
   * @throws NullPointerException if an argument is null
   * @throws ValidationException if the event, or the batch with it, would be refused by {@link
   *     Store#appendBatch}; nothing is staged
   * @throws IllegalStateException if the outbox was closed
   * @throws StoreClosedException if the store is closed
   */
  int stage(Coordinate coordinate, EventKind kind, Bytes payload, AppendOptions options);

  /**
   * Stages an event whose payload the store's codec encodes now, on the calling thread.
   *
   * @throws ValidationException if the store has no codec or it cannot encode {@code value} (its
   *     cause is the {@link CodecException}, as {@link Store#appendBatch} reports it); nothing is
   *     staged
   * @see #stage(Coordinate, EventKind, Bytes, AppendOptions) for the rest
   */
  int stageEncoded(Coordinate coordinate, EventKind kind, Object value, AppendOptions options);

  /**
   * Stages a batch item: like {@link #stage}, and its {@link BatchItem#causedByItem()} names an
   * event staged earlier in this outbox (since the last flush) as its cause.
   *
   * @throws ValidationException if the item names an item not staged before it, or as {@link
   *     #stage}
   * @see #stage(Coordinate, EventKind, Bytes, AppendOptions) for the rest
   */
  int stage(BatchItem item);

  /** The number of events staged since the last flush. */
  int size();

  /**
   * Commits every staged event as one atomic batch ({@link Store#appendBatch}) and empties the
   * outbox; with nothing staged it returns an empty list and writes nothing.
   *
   * @return one receipt per staged event, in staging order; in {@code DURABLE} mode every event is
   *     durable and visible on return
   * @throws ConcurrencyConflictException if an event's expected version does not match; nothing was
   *     written
   * @throws IllegalStateException if the outbox was closed
   * @see Store#appendBatch for the other exceptions
   */
  List<AppendReceipt> flush();

  /**
   * Discards what is staged, writing nothing; later calls but {@code close} throw {@link
   * IllegalStateException}. Idempotent.
   */
  @Override
  void close();
}
