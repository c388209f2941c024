package io.batpak.replication;

import io.batpak.AppendOptions;
import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.CausationId;
import io.batpak.Coordinate;
import io.batpak.CursorHandler;
import io.batpak.EventKind;
import io.batpak.IdempotencyKey;
import io.batpak.Payload;
import io.batpak.Reactions;
import io.batpak.Reactor;
import io.batpak.Store;
import io.batpak.StoredEvent;
import io.batpak.ValidationException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A reactor on a replicated store: a cursor worker over the member's local store whose handler asks
 * the {@link Reactor} for each source's follow-ups and appends them through the Raft leader as one
 * atomic batch. The follow-ups get the source's correlation, the source's id as causation and the
 * engine's reactor idempotency keys (same domain, same parts), so a source delivered again, on this
 * member or after the reactor moved from a single store, appends nothing twice.
 */
final class ReplicatedReactions implements CursorHandler {
  /** The engine's domain of derived reactor keys; part of the format, shared with it on purpose. */
  static final String KEY_DOMAIN = "batpak.reactor.v1";

  private final Store writer;
  private final String checkpointId;
  private final Reactor reactor;

  /**
   * @param writer where the follow-ups go (the replicated store)
   */
  ReplicatedReactions(Store writer, String checkpointId, Reactor reactor) {
    this.writer = writer;
    this.checkpointId = checkpointId;
    this.reactor = reactor;
  }

  @Override
  public void handle(List<StoredEvent> batch) throws Exception {
    for (StoredEvent source : batch) {
      Staged staged = new Staged(source);
      try {
        reactor.react(source, staged);
      } finally {
        staged.open = false;
      }
      if (!staged.items.isEmpty()) {
        writer.appendBatch(staged.items);
      }
    }
  }

  /** The follow-ups of one source. */
  private final class Staged implements Reactions {
    private final StoredEvent source;
    private final List<BatchItem> items = new ArrayList<>();
    private boolean open = true;

    Staged(StoredEvent source) {
      this.source = source;
    }

    @Override
    public void append(
        Coordinate coordinate, EventKind kind, Bytes payload, AppendOptions options) {
      stage(
          Objects.requireNonNull(coordinate, "coordinate"),
          Objects.requireNonNull(kind, "kind"),
          Payload.raw(Objects.requireNonNull(payload, "payload")),
          Objects.requireNonNull(options, "options"));
    }

    @Override
    public void appendEncoded(Coordinate coordinate, EventKind kind, Object value) {
      stage(
          Objects.requireNonNull(coordinate, "coordinate"),
          Objects.requireNonNull(kind, "kind"),
          Payload.encoded(Objects.requireNonNull(value, "value")),
          AppendOptions.defaults());
    }

    private void stage(Coordinate coordinate, EventKind kind, Payload payload, AppendOptions o) {
      if (!open) {
        throw new IllegalStateException(
            "Reactions are valid only during the Reactor.react call they were given to");
      }
      if (o.idempotencyKey() != null || o.correlationId() != null || o.causationId() != null) {
        throw new ValidationException(
            "a reaction's options must not set an idempotency key, a correlation or a causation:"
                + " the reactor sets them from the source event "
                + source.header().eventId());
      }
      IdempotencyKey key =
          IdempotencyKey.forOperation(
              KEY_DOMAIN,
              checkpointId,
              source.header().eventId().toString(),
              Integer.toString(items.size()));
      AppendOptions options =
          o.withCorrelation(source.header().correlationId())
              .withCausation(CausationId.of(source.header().eventId()))
              .withIdempotencyKey(key);
      items.add(new BatchItem(coordinate, kind, payload, options, -1));
    }

    @Override
    public int size() {
      return items.size();
    }
  }
}
