package io.batpak.engine.internal.subscription;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.EventKind;
import io.batpak.Outbox;
import java.util.List;

/**
 * The {@link Outbox} a store hands out: events staged into a {@link Batch} (which validates each
 * one as {@code appendBatch} would, when it is staged), committed as one atomic batch by {@link
 * #flush}. Nothing reaches the store before {@code flush}: an outbox that is closed or dropped
 * holds only memory, so it publishes nothing and needs no cleaner. Not thread-safe (one thread).
 */
public final class StagedOutbox implements Outbox {

  /** A batch being staged; the store's validator behind it. */
  public interface Batch {
    /**
     * Validates {@code item} as the next item and stages it.
     *
     * @throws io.batpak.ValidationException if refused; nothing is staged
     */
    void add(BatchItem item);

    /** The number of items staged. */
    int size();

    /** Commits the staged items as one atomic batch. */
    List<AppendReceipt> commit();
  }

  /** Where batches come from: the store. */
  public interface Target {
    /** A new, empty batch; never throws (staging and committing check the store). */
    Batch newBatch();
  }

  private final Target target;
  private Batch batch;
  private boolean closed;

  /** An empty outbox committing to {@code target}. */
  public StagedOutbox(Target target) {
    this.target = target;
    this.batch = target.newBatch();
  }

  @Override
  public int stage(Coordinate coordinate, EventKind kind, Bytes payload, AppendOptions options) {
    nonNull(coordinate, "coordinate");
    nonNull(kind, "kind");
    nonNull(payload, "payload");
    nonNull(options, "options");
    return stage(BatchItem.of(coordinate, kind, payload).withOptions(options));
  }

  @Override
  public int stageEncoded(
      Coordinate coordinate, EventKind kind, Object value, AppendOptions options) {
    nonNull(coordinate, "coordinate");
    nonNull(kind, "kind");
    nonNull(value, "value");
    nonNull(options, "options");
    return stage(BatchItem.encoded(coordinate, kind, value).withOptions(options));
  }

  @Override
  public int stage(BatchItem item) {
    nonNull(item, "item");
    checkOpen();
    batch.add(item);
    return batch.size();
  }

  @Override
  public int size() {
    return batch.size();
  }

  @Override
  public List<AppendReceipt> flush() {
    checkOpen();
    if (batch.size() == 0) {
      return List.of();
    }
    Batch b = batch;
    batch = target.newBatch(); // emptied whether the commit succeeds or throws
    return b.commit();
  }

  @Override
  public void close() {
    closed = true;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException(
          "this outbox was closed; its staged events were discarded. Take a new one from"
              + " store.outbox()");
    }
  }

  private static void nonNull(Object value, String parameter) {
    if (value == null) {
      throw new NullPointerException(parameter + " must not be null");
    }
  }
}
