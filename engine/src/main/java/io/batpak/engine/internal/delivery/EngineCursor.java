package io.batpak.engine.internal.delivery;

import io.batpak.Bytes;
import io.batpak.Cursor;
import io.batpak.ReadOnlyStoreException;
import io.batpak.Region;
import io.batpak.StoreClosedException;
import io.batpak.StoreIoException;
import io.batpak.StoreTimeoutException;
import io.batpak.StoredEvent;
import io.batpak.ValidationException;
import io.batpak.engine.internal.format.FrameCodec;
import io.batpak.engine.internal.index.Index;
import io.batpak.engine.internal.read.EventQueries;
import io.batpak.engine.internal.read.EventReader;
import io.batpak.engine.internal.time.Durations;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A {@link Cursor}: walks the index rows from where it stands to the visible end, skipping rows of
 * cancelled fences, rows outside its region and rows a compaction dropped, and reads each delivered
 * event through the {@link EventReader}. One thread at a time; the fields a worker's metrics read
 * are volatile.
 */
final class EngineCursor implements Cursor {
  private final Delivery d;
  private final Region region;
  private final String id;
  private final String identity;

  /** The next global sequence to look at. */
  private volatile long scanned;

  /** The last global sequence delivered, -1 for none. */
  private volatile long position;

  /** What the last saved (or resumed) checkpoint says. */
  private volatile long savedDelivered;

  private volatile long savedThrough;
  private volatile boolean closed;

  EngineCursor(Delivery d, Region region, String id, CheckpointFile.Saved resume) {
    this.d = d;
    this.region = region;
    this.id = id;
    this.identity = CheckpointFile.identity(region);
    savedDelivered = resume == null ? -1 : resume.delivered();
    savedThrough = resume == null ? -1 : resume.through();
    rewind();
  }

  /** Back to the last saved checkpoint (or the start): what follows it is delivered again. */
  void rewind() {
    position = savedDelivered;
    scanned = savedThrough + 1;
  }

  /** The next global sequence this cursor looks at. */
  long scanned() {
    return scanned;
  }

  /** Global sequences up to this one are covered by the saved checkpoint; -1 for none. */
  long savedThrough() {
    return savedThrough;
  }

  String identity() {
    return identity;
  }

  @Override
  public Region region() {
    return region;
  }

  @Override
  public Optional<String> checkpointId() {
    return Optional.ofNullable(id);
  }

  @Override
  public Optional<StoredEvent> poll() {
    List<StoredEvent> one = pollBatch(1);
    return one.isEmpty() ? Optional.empty() : Optional.of(one.get(0));
  }

  @Override
  public List<StoredEvent> pollBatch(int max) {
    if (max <= 0) {
      throw new ValidationException("pollBatch needs max > 0, got " + max);
    }
    checkOpen();
    Index index = d.index();
    Index.View v = index.view();
    int size = v.size();
    List<StoredEvent> out = new ArrayList<>(Math.min(max, 256));
    long g = scanned;
    while (g < size && out.size() < max) {
      int row = (int) g;
      g++;
      if (v.cancelled(row) || v.disposition(row) == FrameCodec.DROPPED) {
        continue; // a cancelled fence's event, or one a compaction dropped
      }
      if (!EventQueries.inRegion(index, region, v, row)) {
        continue;
      }
      EventReader.Located l = d.reader().locate(row);
      if (l.disposition() == FrameCodec.DROPPED) {
        continue; // dropped by a compaction that switched meanwhile
      }
      out.add(
          new StoredEvent(
              EventQueries.header(l.record(), l.disposition()),
              Bytes.ofOwned(l.record().payload())));
    }
    scanned = g;
    if (!out.isEmpty()) {
      position = out.get(out.size() - 1).header().globalSequence();
    }
    return List.copyOf(out);
  }

  @Override
  public List<StoredEvent> pollBatch(int max, Duration wait) {
    if (wait == null) {
      throw new NullPointerException("wait must not be null");
    }
    if (wait.isNegative()) {
      throw new ValidationException("pollBatch needs a wait >= 0, got " + wait);
    }
    long total = Durations.nanos(wait);
    long start = d.clock().monoNanos();
    while (true) {
      List<StoredEvent> got = pollBatch(max);
      long left = total - (d.clock().monoNanos() - start);
      if (!got.isEmpty() || left <= 0) {
        return got;
      }
      long from = scanned;
      try {
        d.tracker().awaitUntil(() -> closed || d.closing() || d.index().view().size() > from, left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StoreTimeoutException("interrupted while a cursor waited for events", e);
      }
      if (d.pipelineEnded() && d.index().view().size() <= from) {
        checkOpen();
        return List.of(); // the pipeline ended (poisoned): nothing more will come
      }
    }
  }

  @Override
  public long position() {
    return position;
  }

  @Override
  public void checkpoint() {
    if (id == null) {
      throw new IllegalStateException(
          "this cursor was opened without a checkpoint id (Store.cursor(Region)): it saves"
              + " nothing. Open it with Store.cursor(region, checkpointId) to save its position");
    }
    if (d.readOnly()) {
      throw new ReadOnlyStoreException(
          "the cursor '"
              + id
              + "' cannot save its checkpoint: the store in "
              + d.directory()
              + " was opened read-only. It resumed from its checkpoint and can read; to save,"
              + " open the store without readOnly(true)");
    }
    if (closed) {
      throw new StoreClosedException("the cursor '" + id + "' is closed");
    }
    // Not the store's open check: while the store closes, its workers save their last batch.
    long through = scanned - 1;
    long delivered = position;
    if (d.visibleMode()) {
      // DESIGN decision 3: never past the durable watermark, since a crash may take back (and
      // reuse the numbers of) what is not durable.
      long durableLast = d.tracker().snapshot().durable() - 1;
      through = Math.min(through, durableLast);
      delivered = Math.min(delivered, through);
    }
    if (through < savedThrough) {
      through = savedThrough; // never back (the durable cap can lag a resumed checkpoint)
      delivered = Math.max(savedDelivered, Math.min(delivered, through));
    }
    CheckpointFile.Saved s = new CheckpointFile.Saved(delivered, through, id, identity);
    try {
      d.save(s);
    } catch (IOException e) {
      throw new StoreIoException(
          "saving the cursor checkpoint "
              + CheckpointFile.file(d.directory(), id)
              + " failed: "
              + e.getMessage()
              + ". The previous checkpoint is still in place (it covers global sequence "
              + savedThrough
              + "), unless only the directory's fsync after the rename failed: then the new one"
              + " is, until a power loss; a retry may succeed",
          e);
    }
    savedDelivered = delivered;
    savedThrough = through;
    d.consumed(this, through + 1);
    d.checkpointed(id, through);
  }

  private void checkOpen() {
    if (closed) {
      throw new StoreClosedException(
          "the cursor" + (id == null ? "" : " '" + id + "'") + " is closed");
    }
    d.checkOpen();
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      d.release(this);
    }
  }
}
