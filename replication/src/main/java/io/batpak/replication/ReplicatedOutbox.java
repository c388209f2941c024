package io.batpak.replication;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.EventKind;
import io.batpak.Outbox;
import io.batpak.ValidationException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The {@link Outbox} of a replicated store: staged events are held in memory, each already as the
 * Raft entry will carry it (payload encoded, idempotency key fixed, so its event id is fixed when
 * it is staged), and {@link #flush} proposes them as one entry, committed as one atomic batch on
 * every member. What needs the journal (expected versions, idempotency against stored events, the
 * engine's batch limits in bytes) is checked when the entry applies. Not thread-safe.
 */
final class ReplicatedOutbox implements Outbox {
  private final LeaderWrites store;
  private final int maxEvents;
  private List<Entries.Item> staged = new ArrayList<>();
  private boolean closed;

  ReplicatedOutbox(LeaderWrites store, int maxEvents) {
    this.store = store;
    this.maxEvents = maxEvents;
  }

  @Override
  public int stage(Coordinate coordinate, EventKind kind, Bytes payload, AppendOptions options) {
    Objects.requireNonNull(coordinate, "coordinate");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(options, "options");
    return stage(BatchItem.of(coordinate, kind, payload).withOptions(options));
  }

  @Override
  public int stageEncoded(
      Coordinate coordinate, EventKind kind, Object value, AppendOptions options) {
    Objects.requireNonNull(coordinate, "coordinate");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(options, "options");
    return stage(BatchItem.encoded(coordinate, kind, value).withOptions(options));
  }

  @Override
  public int stage(BatchItem item) {
    Objects.requireNonNull(item, "item");
    checkOpen();
    int index = staged.size();
    if (index >= maxEvents) {
      throw new ValidationException(
          "this outbox holds "
              + index
              + " events, the most one batch may hold (StoreConfig.maxBatchEvents); flush first");
    }
    if (item.kind().isReserved()) {
      throw new ValidationException(
          "kind "
              + item.kind()
              + " is in a reserved category (0x0 system, 0xD effect) that only the store itself"
              + " writes; use EventKind.custom with category 0x1-0xC or 0xE-0xF");
    }
    if (item.causedByItem() >= index) {
      throw new ValidationException(
          "staged event "
              + index
              + " names event "
              + item.causedByItem()
              + " of this outbox as its cause, which is not staged before it");
    }
    staged.add(store.entryItem(item));
    return staged.size();
  }

  @Override
  public int size() {
    return staged.size();
  }

  @Override
  public List<AppendReceipt> flush() {
    checkOpen();
    if (staged.isEmpty()) {
      return List.of();
    }
    List<Entries.Item> items = staged;
    staged = new ArrayList<>(); // emptied whether the commit succeeds or throws
    return store.appendItems(items);
  }

  @Override
  public void close() {
    closed = true;
    staged = new ArrayList<>();
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException(
          "this outbox was closed; its staged events were discarded. Take a new one from"
              + " store.outbox()");
    }
  }
}
