package io.batpak.engine.internal.commit;

import io.batpak.AtomicGate;
import io.batpak.ExpectedVersion;
import io.batpak.engine.internal.format.EventContent;
import java.util.List;

/**
 * One validated event waiting for the sequencer: everything the append fixed (ids, coordinate,
 * kind, time, extensions, payload and its hash), its optimistic-concurrency expectation, and
 * whether its id is the caller's idempotency key. Stream sequence, global sequence and hashes are
 * what it lacks; the sequencer adds them and builds the stored record once.
 *
 * @param compressedPayload the payload's stored compressed form, or null (stored as it is)
 * @param expected the expected version of its stream
 * @param keyed whether the event id is the caller's idempotency key
 * @param gates the atomic gates the sequencer runs before it places the event (ADR 0018)
 */
public record UnsequencedEvent(
    long idHi,
    long idLo,
    long correlationHi,
    long correlationLo,
    boolean hasCausation,
    long causationHi,
    long causationLo,
    String entity,
    String scope,
    int kind,
    long timestampMicros,
    int payloadVersion,
    int flags,
    String[] extensionKeys,
    byte[][] extensionValues,
    byte[] contentHash,
    byte[] payload,
    byte[] compressedPayload,
    ExpectedVersion expected,
    boolean keyed,
    List<AtomicGate<?>> gates)
    implements EventContent {}
