package io.batpak.engine.internal.commit;

import io.batpak.ExpectedVersion;
import io.batpak.engine.internal.format.EventRecord;

/**
 * One validated event waiting to be committed: the record without its chain fields, its
 * optimistic-concurrency expectation, whether its id is an idempotency key, and for batch items a
 * reference to the earlier item that caused it.
 *
 * @param record the event, with stream sequence, global sequence and hashes still unset
 * @param expected the expected version of its stream
 * @param keyed whether the event id is the caller's idempotency key
 * @param causedByItem index of an earlier item of the same batch that caused it, or -1
 */
public record Draft(
    EventRecord record, ExpectedVersion expected, boolean keyed, int causedByItem) {}
