package io.batpak;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.Objects;
import java.util.Optional;
import org.apiguardian.api.API;

/**
 * What an {@link AtomicGate} sees: the proposed event and its stream as it stands at commit time,
 * inside the writer. "As it stands" includes events appended earlier in the same group commit and
 * earlier items of the same batch, which are neither durable nor visible yet; no other append of
 * the stream can come between this view and the append it admits.
 *
 * <p>Thread-safety: immutable (as far as {@code state} is).
 *
 * @param coordinate where the proposed event goes
 * @param kind the proposed kind
 * @param payload the proposed payload bytes (as stored; encoded by the codec when the append was)
 * @param version the number of events in the stream before the proposed one, which is the stream
 *     sequence the proposed event would get
 * @param latest the stream's newest event (header and payload), or empty for a new stream
 * @param state the gate's {@link StreamFold} over every event of the stream; {@code null} only for
 *     {@link StreamFold#none()}
 * @param <S> the fold's state
 * @since 0.3
 */
@API(status = EXPERIMENTAL, since = "0.3")
public record GateContext<S>(
    Coordinate coordinate,
    EventKind kind,
    Bytes payload,
    long version,
    Optional<StoredEvent> latest,
    S state) {

  /** Checks for nulls. */
  public GateContext {
    Objects.requireNonNull(coordinate, "coordinate");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(latest, "latest");
    if (version < 0) {
      throw new ValidationException("version must be >= 0, got " + version);
    }
  }
}
