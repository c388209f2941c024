package io.batpak;

import static org.apiguardian.api.API.Status.STABLE;

import java.util.Objects;
import org.apiguardian.api.API;

/**
 * One event of an atomic batch ({@link Store#appendBatch}).
 *
 * <p>Immutable; safe to share between threads.
 *
 * @param coordinate where the event goes
 * @param kind its kind; reserved kinds are refused
 * @param payload its bytes ({@link Payload.Raw}), or an object the store's codec encodes ({@link
 *     Payload.Encoded})
 * @param options per-item options; {@link AppendOptions#causationId()} may instead come from {@code
 *     causedByItem}
 * @param causedByItem the index of an earlier item of the same batch that caused this one, or -1
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public record BatchItem(
    Coordinate coordinate,
    EventKind kind,
    Payload payload,
    AppendOptions options,
    int causedByItem) {

  /** Validates the fields. */
  public BatchItem {
    Objects.requireNonNull(coordinate, "coordinate");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(options, "options");
    if (causedByItem < -1) {
      throw new ValidationException("causedByItem must be -1 (none) or an item index");
    }
    if (causedByItem >= 0 && options.causationId() != null) {
      throw new ValidationException(
          "a batch item has either a causation id or a causedByItem reference, not both");
    }
  }

  /**
   * An item whose payload is stored as is, with default options.
   *
   * @throws NullPointerException if an argument is null
   */
  public static BatchItem of(Coordinate coordinate, EventKind kind, Bytes payload) {
    return new BatchItem(coordinate, kind, Payload.raw(payload), AppendOptions.defaults(), -1);
  }

  /**
   * An item whose payload the store's codec encodes, with default options.
   *
   * @throws NullPointerException if an argument is null
   * @throws ValidationException if {@code value} is a {@link Bytes} (use {@link #of})
   */
  public static BatchItem encoded(Coordinate coordinate, EventKind kind, Object value) {
    return new BatchItem(coordinate, kind, Payload.encoded(value), AppendOptions.defaults(), -1);
  }

  /** A copy with {@code options}. */
  public BatchItem withOptions(AppendOptions options) {
    return new BatchItem(coordinate, kind, payload, options, causedByItem);
  }

  /** A copy whose causation is the earlier item at {@code index} of the same batch. */
  public BatchItem causedBy(int index) {
    return new BatchItem(coordinate, kind, payload, options, index);
  }
}
