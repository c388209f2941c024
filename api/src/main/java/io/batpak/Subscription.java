package io.batpak;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apiguardian.api.API;

/**
 * A push subscription to the visible events of a {@link Region}, in global order ({@link
 * Store#subscribe}, {@link Store#subscribeFrom}). It delivers {@link EventHeader}s: push is
 * awareness; read a payload with {@link Store#get(EventId)}.
 *
 * <p>Events reach a bounded queue ({@link SubscriptionOptions}) from the store's fan-out thread,
 * which reads each newly visible event once for all subscriptions; it never runs on the thread that
 * commits appends, and it never waits for a subscriber. A catch-up subscription first reads its
 * history itself, page by page, when it is polled, then joins the fan-out: no event is missed and
 * none is delivered twice at the switch. Events cancelled by a fence are never delivered; events a
 * fence holds are delivered when it commits; events compaction dropped are skipped (tombstones are
 * delivered, with kind {@link EventKind#TOMBSTONE}).
 *
 * <h2>How it ends</h2>
 *
 * A subscription ends when it is {@linkplain #close() closed}, when its queue overflows under
 * {@link SubscriptionOptions.Overflow#DISCONNECT}, when the store closes, or when the store fails
 * (it was poisoned, or an event could not be read). Events already queued are still delivered; then
 * {@code poll} throws {@link SubscriptionEndedException} (for an overflow its subclass {@link
 * SubscriptionOverflowException}) saying why. {@link #endReason()} tells without polling.
 *
 * <h2>Thread-safety</h2>
 *
 * One consumer thread polls ({@code poll}, {@code pollBatch}); polling from two threads at once is
 * not supported. {@link #close()} and the counters may be called from any thread; {@code close}
 * wakes a consumer blocked in {@code poll}.
 *
 * <h2>Durability</h2>
 *
 * A subscription delivers visible events. In {@link Durability#VISIBLE} mode an event may be
 * delivered before it is durable, and a crash may then take it away; in {@link Durability#DURABLE}
 * mode every delivered event is durable. A subscription itself is not persistent: for a position
 * that survives a restart, save {@link #lastDelivered()} yourself, or use a cursor.
 *
 * @since 0.13
 */
@API(status = EXPERIMENTAL, since = "0.13")
public interface Subscription extends AutoCloseable {

  /**
   * Why a subscription ended.
   *
   * @since 0.13
   */
  @API(status = EXPERIMENTAL, since = "0.13")
  enum End {
    /** The subscriber closed it. */
    CLOSED,
    /** Its queue was full under {@link SubscriptionOptions.Overflow#DISCONNECT}. */
    OVERFLOW,
    /** The store was closed. */
    STORE_CLOSED,
    /** The store was poisoned (nothing more becomes visible), or an event could not be read. */
    STORE_FAILED
  }

  /**
   * The next event, waiting for one at most {@code timeout} (on the store's clock).
   *
   * @return the next event in global order, or empty when none came in time
   * @throws NullPointerException if {@code timeout} is null
   * @throws ValidationException if {@code timeout} is negative
   * @throws SubscriptionEndedException once the subscription has ended and everything queued before
   *     the end was delivered ({@link SubscriptionOverflowException} after an overflow)
   * @throws CorruptStoreException if a catch-up subscription's history holds an event that cannot
   *     be read (the subscription then ends)
   */
  Optional<EventHeader> poll(Duration timeout);

  /**
   * Up to {@code max} events, waiting at most {@code timeout} for the first one; returns what is
   * ready once one has come.
   *
   * @return the events in global order; empty when none came in time
   * @throws ValidationException if {@code max} is not positive or {@code timeout} is negative
   * @see #poll(Duration) for the other exceptions
   */
  List<EventHeader> pollBatch(int max, Duration timeout);

  /**
   * How many events were dropped so far under {@link SubscriptionOptions.Overflow#DROP_OLDEST}
   * (including ones the subscriber has not reached yet); always 0 under {@code DISCONNECT}.
   */
  long dropped();

  /**
   * How many events were dropped right before the event the last poll returned: they are the events
   * of the region between the event polled before it and that event, in global order (read them
   * back with {@link Store#queryAfter}). 0 when none were, or before the first poll.
   */
  long droppedBeforeLast();

  /**
   * The global sequence of the last event polled; before the first, the position the subscription
   * started after ({@code -1} for the start of the journal). {@link Store#subscribeFrom} with it
   * resumes without a gap and without a duplicate.
   */
  long lastDelivered();

  /** Why the subscription ended, or empty while it is live. Never blocks. */
  Optional<End> endReason();

  /**
   * Ends the subscription ({@link End#CLOSED}) and drops what is queued; a consumer blocked in
   * {@code poll} wakes up and gets {@link SubscriptionEndedException}. Idempotent, any thread.
   */
  @Override
  void close();
}
