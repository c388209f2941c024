package io.batpak;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apiguardian.api.API;

/**
 * Everything the store knows about an event except its payload bytes.
 *
 * <p>Immutable; safe to share between threads.
 *
 * @param eventId the event's id
 * @param coordinate its entity (the stream) and scope
 * @param kind its kind
 * @param streamSequence its position in its stream, from 0
 * @param globalSequence its position in the store's commit order, from 0
 * @param timestampMicros when it was appended, microseconds since the Unix epoch (store clock)
 * @param correlationId its correlation (its own id unless the append said otherwise)
 * @param causation the event that caused it, if any
 * @param payloadVersion the schema version of a typed payload, 0 for untyped
 * @param flags the application's eight bits
 * @param extensions application metadata
 * @param payloadSize the payload's size in bytes
 * @param contentHash BLAKE3 of the payload
 * @param prevHash the stream's previous event hash (zeros for the first event)
 * @param eventHash this event's chain hash
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record EventHeader(
    EventId eventId,
    Coordinate coordinate,
    EventKind kind,
    long streamSequence,
    long globalSequence,
    long timestampMicros,
    CorrelationId correlationId,
    Optional<CausationId> causation,
    int payloadVersion,
    int flags,
    Map<ExtensionKey, Bytes> extensions,
    int payloadSize,
    Bytes contentHash,
    Bytes prevHash,
    Bytes eventHash) {

  /** Checks for nulls and copies the extensions. */
  public EventHeader {
    Objects.requireNonNull(eventId, "eventId");
    Objects.requireNonNull(coordinate, "coordinate");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(correlationId, "correlationId");
    Objects.requireNonNull(causation, "causation");
    extensions = Map.copyOf(extensions);
    Objects.requireNonNull(contentHash, "contentHash");
    Objects.requireNonNull(prevHash, "prevHash");
    Objects.requireNonNull(eventHash, "eventHash");
  }

  /**
   * The receipt of this event, as its append returned it (unsigned: the signature is empty). {@link
   * Store#verifyReceipt} accepts it when the stored event still matches this header. Pure: reads
   * nothing from the store, so it is as current as the header it was called on.
   */
  public AppendReceipt toReceipt() {
    return new AppendReceipt(
        eventId, globalSequence, streamSequence, contentHash, eventHash, prevHash);
  }

  /** The entity (stream) name. */
  public String entity() {
    return coordinate.entity();
  }
}
