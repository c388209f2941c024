package io.batpak.spi;

import static org.apiguardian.api.API.Status.INTERNAL;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
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
import io.batpak.StoredEvent;
import io.batpak.ValidationException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.apiguardian.api.API;

/**
 * Turns a {@link Reactor} into a cursor worker's handler, for the stores that implement {@code
 * Store.reactor} (the engine, and {@code batpak-replication}, whose follow-ups go through the Raft
 * leader). For each source event the reactor stages its follow-ups and they are committed with one
 * {@code appendBatch} (atomic: one frame), each with the source's correlation, the source's id as
 * causation, and the idempotency key {@link #key}, so a redelivered source returns the original
 * receipts and appends nothing twice (DESIGN decision 5). One derivation for every store: a reactor
 * moved from one store implementation to another keeps recognising what it appended.
 *
 * <p>Called on the worker's thread only. Not for applications: use {@code Store.reactor}.
 *
 * @since 0.3
 */
@API(status = INTERNAL, since = "0.3")
public final class ReactorHandler implements CursorHandler {
  /** The domain of the derived idempotency keys; part of the format: never change it. */
  public static final String KEY_DOMAIN = "batpak.reactor.v1";

  private final Function<List<BatchItem>, List<AppendReceipt>> appendBatch;
  private final String checkpointId;
  private final Reactor reactor;

  /**
   * @param appendBatch commits one source's follow-ups as one atomic batch
   * @param checkpointId the reactor's checkpoint id, part of every follow-up's key
   * @param reactor the reactor
   * @throws NullPointerException if an argument is null
   */
  public ReactorHandler(
      Function<List<BatchItem>, List<AppendReceipt>> appendBatch,
      String checkpointId,
      Reactor reactor) {
    this.appendBatch = Objects.requireNonNull(appendBatch, "appendBatch");
    this.checkpointId = Objects.requireNonNull(checkpointId, "checkpointId");
    this.reactor = Objects.requireNonNull(reactor, "reactor");
  }

  /** The idempotency key of follow-up {@code index} of {@code source} for reactor {@code id}. */
  public static IdempotencyKey key(String id, StoredEvent source, int index) {
    return IdempotencyKey.forOperation(
        KEY_DOMAIN, id, source.header().eventId().toString(), Integer.toString(index));
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
        appendBatch.apply(staged.items);
      }
    }
  }

  /** The {@link Reactions} of one source. */
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
      nonNull(coordinate, "coordinate");
      nonNull(kind, "kind");
      nonNull(payload, "payload");
      nonNull(options, "options");
      stage(coordinate, kind, Payload.raw(payload), options);
    }

    @Override
    public void appendEncoded(Coordinate coordinate, EventKind kind, Object value) {
      nonNull(coordinate, "coordinate");
      nonNull(kind, "kind");
      nonNull(value, "value");
      stage(coordinate, kind, Payload.encoded(value), AppendOptions.defaults());
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
      AppendOptions options =
          o.withCorrelation(source.header().correlationId())
              .withCausation(CausationId.of(source.header().eventId()))
              .withIdempotencyKey(key(checkpointId, source, items.size()));
      items.add(new BatchItem(coordinate, kind, payload, options, -1));
    }

    @Override
    public int size() {
      return items.size();
    }
  }

  private static void nonNull(Object value, String name) {
    if (value == null) {
      throw new NullPointerException(name + " must not be null");
    }
  }
}
