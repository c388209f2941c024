package io.batpak;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import org.apiguardian.api.API;

/**
 * A consumer that answers events with follow-up events ({@link Store#reactor}). For each source
 * event of its region the reactor stages follow-ups in {@link Reactions}; the store commits them as
 * one atomic batch whose events carry the source's correlation and, as causation, the source's id.
 *
 * <p><b>Deterministic, please.</b> A source is delivered at least once: after a crash or a restart
 * it is delivered again, and its follow-ups carry idempotency keys derived from (checkpoint id,
 * source event id, index in the batch), so a redelivery returns the original receipts and appends
 * nothing. If a redelivery stages different follow-ups (other bytes, or another count), the store
 * refuses them with {@link IdempotencyConflictException}: the committed follow-ups stand, the
 * reactor restarts under its restart policy and, when it keeps staging something else, stops with
 * that exception as the cause of {@link CursorWorkerFailedException}.
 *
 * <p>Called on the reactor's thread only, one source at a time, in global order.
 *
 * @since 0.13
 */
@API(status = EXPERIMENTAL, since = "0.13")
@FunctionalInterface
public interface Reactor {
  /**
   * Stages the follow-ups of {@code source} (none is fine).
   *
   * @throws Exception to have the source delivered again, within the restart policy; nothing staged
   *     for it is committed
   */
  void react(StoredEvent source, Reactions reactions) throws Exception;
}
