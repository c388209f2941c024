package io.batpak.engine.internal.delivery;

import io.batpak.AppendReceipt;
import io.batpak.AppliedHandle;
import io.batpak.BatchItem;
import io.batpak.Cursor;
import io.batpak.CursorCheckpointCorruptException;
import io.batpak.CursorHandler;
import io.batpak.CursorRegionMismatchException;
import io.batpak.CursorWorker;
import io.batpak.CursorWorkerConfig;
import io.batpak.Reactor;
import io.batpak.ReadOnlyStoreException;
import io.batpak.Region;
import io.batpak.StoreClosedException;
import io.batpak.StoreListener;
import io.batpak.ValidationException;
import io.batpak.engine.internal.commit.WatermarkTracker;
import io.batpak.engine.internal.index.Index;
import io.batpak.engine.internal.read.EventReader;
import io.batpak.port.StoreClock;
import io.batpak.port.StoreFs;
import io.batpak.spi.ReactorHandler;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;

/**
 * The delivery room of one store (docs/cursors.md): hands out cursors, workers, reactors and
 * applied-watermark handles; keeps the checkpoint ids in use, the registered consumers and the
 * running workers; and stops them all when the store closes. Checkpoint files are written only
 * here, through {@link CheckpointFile} and {@code StoreFs.publish}. Thread-safe.
 */
public final class Delivery {

  /** What the room needs from its store. */
  public record Context(
      Index index,
      EventReader reader,
      StoreFs fs,
      Path directory,
      WatermarkTracker tracker,
      StoreClock clock,
      boolean readOnly,
      boolean visibleMode,
      Function<List<BatchItem>, List<AppendReceipt>> appendBatch,
      Runnable checkStoreOpen,
      StoreListener listener) {}

  private final Context c;
  private final Consumers consumers;
  private final Set<String> idsInUse = new HashSet<>();
  private final List<Worker> workers = new ArrayList<>();

  /** Held shared while a checkpoint is written; exclusively to end checkpoints at close. */
  private final ReentrantReadWriteLock saving = new ReentrantReadWriteLock();

  private volatile boolean closing;
  private volatile boolean closed;
  private boolean directoryMade;

  public Delivery(Context c) {
    this.c = c;
    this.consumers = new Consumers(c.tracker());
  }

  // ------------------------------------------------------------ what cursors and workers use

  Index index() {
    return c.index();
  }

  EventReader reader() {
    return c.reader();
  }

  WatermarkTracker tracker() {
    return c.tracker();
  }

  StoreClock clock() {
    return c.clock();
  }

  Path directory() {
    return c.directory();
  }

  boolean readOnly() {
    return c.readOnly();
  }

  boolean visibleMode() {
    return c.visibleMode();
  }

  /** Tells the store's listener a cursor saved its checkpoint (ADR 0034). */
  void checkpointed(String checkpointId, long through) {
    c.listener().cursorCheckpointed(checkpointId, through, c.index().visible());
  }

  boolean closing() {
    return closing;
  }

  /** Whether the commit pipeline ended (closed or poisoned): no event will become visible. */
  boolean pipelineEnded() {
    return closing || c.tracker().ended();
  }

  List<AppendReceipt> appendBatch(List<BatchItem> items) {
    return c.appendBatch().apply(items);
  }

  void checkOpen() {
    if (closed) {
      throw new StoreClosedException("the store in " + c.directory() + " is closed");
    }
    c.checkStoreOpen().run();
  }

  /**
   * Publishes a checkpoint, creating {@code cursors/} durably the first time: until the store's
   * directory was synced once after the directory is there, each save syncs it (a failed sync, or a
   * process that died before it, leaves an entry a power loss takes away with every checkpoint).
   */
  void save(CheckpointFile.Saved s) throws IOException {
    saving.readLock().lock();
    try {
      if (closed) {
        throw new StoreClosedException("the store in " + c.directory() + " is closed");
      }
      synchronized (this) {
        if (!directoryMade) {
          Path dir = c.directory().resolve(CheckpointFile.DIR);
          if (!c.fs().exists(dir)) {
            c.fs().createDirectories(dir);
          }
          c.fs().syncDirectory(c.directory()); // the new entry survives a power loss
          directoryMade = true;
        }
      }
      CheckpointFile.write(c.fs(), c.directory(), s);
    } finally {
      saving.readLock().unlock();
    }
  }

  void consumed(Object consumer, long count) {
    consumers.advance(consumer, count);
  }

  /** A cursor closed: its id is free and it no longer holds the applied watermark. */
  void release(EngineCursor cursor) {
    consumers.unregister(cursor);
    cursor.checkpointId().ifPresent(this::freeId);
  }

  private synchronized void freeId(String id) {
    idsInUse.remove(id);
  }

  synchronized void ended(Worker w) {
    workers.remove(w);
  }

  // ------------------------------------------------------------ the store's methods

  /** {@code Store.cursor(Region)}. */
  public Cursor cursor(Region region) {
    checkOpen();
    return new EngineCursor(this, region, null, null);
  }

  /** {@code Store.cursor(Region, String)}. */
  public Cursor cursor(Region region, String checkpointId) {
    return durable(region, checkpointId);
  }

  private EngineCursor durable(Region region, String checkpointId) {
    CheckpointFile.checkId(checkpointId);
    checkOpen();
    synchronized (this) {
      if (!idsInUse.add(checkpointId)) {
        throw new ValidationException(
            "the checkpoint id '"
                + checkpointId
                + "' is in use by an open cursor, worker or reactor of this store; close or stop"
                + " it first (two would overwrite each other's checkpoint)");
      }
    }
    try {
      CheckpointFile.Saved saved = CheckpointFile.read(c.fs(), c.directory(), checkpointId);
      String identity = CheckpointFile.identity(region);
      if (saved != null) {
        if (!saved.region().equals(identity)) {
          throw new CursorRegionMismatchException(
              CheckpointFile.file(c.directory(), checkpointId).toString(),
              saved.region(),
              identity);
        }
        checkWithinJournal(saved);
      }
      EngineCursor cursor = new EngineCursor(this, region, checkpointId, saved);
      consumers.register(cursor, cursor.savedThrough() + 1);
      return cursor;
    } catch (RuntimeException e) {
      freeId(checkpointId);
      throw e;
    }
  }

  /**
   * A checkpoint never covers an event that was not visible when it was saved, and visible events
   * are durable (in VISIBLE mode the checkpoint is capped at the durable watermark), so after any
   * open the journal holds every global sequence a believed checkpoint covers. One that covers more
   * was made for a journal that has since lost events (a repair cut them, or segments were restored
   * from an older copy): the appends after the loss reuse those global sequences, and a cursor
   * resuming past them would skip the new events silently. Refused instead, like any checkpoint
   * that cannot be believed.
   */
  private void checkWithinJournal(CheckpointFile.Saved saved) {
    long end = c.index().visible();
    if (saved.through() >= end) {
      throw new CursorCheckpointCorruptException(
          CheckpointFile.file(c.directory(), saved.id()).toString(),
          "at offset "
              + CheckpointFile.THROUGH_AT
              + ": it covers global sequences up to "
              + saved.through()
              + ", but the journal holds "
              + (end == 0 ? "no event" : "global sequences up to " + (end - 1))
              + ", so the journal lost events since this checkpoint was saved (a repair cut them,"
              + " or segments were restored from an older copy); the events appended since reuse"
              + " those global sequences and resuming would skip them",
          null);
    }
  }

  /** {@code Store.cursorWorker}. */
  public CursorWorker worker(
      Region region, String checkpointId, CursorWorkerConfig config, CursorHandler handler) {
    return start(region, checkpointId, config, handler, "batpak-cursor ");
  }

  /** {@code Store.reactor}. */
  public CursorWorker reactor(
      Region region, String checkpointId, CursorWorkerConfig config, Reactor reactor) {
    ReactorHandler h = new ReactorHandler(this::appendBatch, checkpointId, reactor);
    return start(region, checkpointId, config, h, "batpak-reactor ");
  }

  private CursorWorker start(
      Region region,
      String checkpointId,
      CursorWorkerConfig config,
      CursorHandler handler,
      String threadPrefix) {
    if (c.readOnly()) {
      CheckpointFile.checkId(checkpointId);
      throw new ReadOnlyStoreException(
          "a cursor worker or reactor saves checkpoints, and the store in "
              + c.directory()
              + " was opened read-only; use Store.cursor(region, checkpointId) to read from the"
              + " checkpoint, or open the store without readOnly(true)");
    }
    EngineCursor cursor = durable(region, checkpointId);
    Worker w = new Worker(this, cursor, config, handler, threadPrefix + checkpointId);
    synchronized (this) {
      if (closing) {
        cursor.close();
        throw new StoreClosedException("the store in " + c.directory() + " is closing");
      }
      workers.add(w);
    }
    w.start();
    return w;
  }

  /** {@code Store.consumer(String)}. */
  public AppliedHandle consumer(String name) {
    if (name.isEmpty()) {
      throw new ValidationException("a consumer's name must not be empty");
    }
    checkOpen();
    return new Handle(name);
  }

  /**
   * Stops every worker and waits for each (but the calling thread's own) within {@code
   * timeoutNanos} of the store's clock, then refuses further checkpoints. Called first by the
   * store's close; idempotent.
   */
  public void close(long timeoutNanos) {
    List<Worker> running;
    synchronized (this) {
      if (closing) {
        return;
      }
      closing = true;
      running = new ArrayList<>(workers);
    }
    for (Worker w : running) {
      w.stop();
    }
    c.tracker().wake();
    long deadline = c.clock().monoNanos() + timeoutNanos;
    for (Worker w : running) {
      if (!w.isCurrentThread()) {
        w.awaitEnd(Math.max(0, deadline - c.clock().monoNanos()));
      }
    }
    saving.writeLock().lock();
    try {
      closed = true;
    } finally {
      saving.writeLock().unlock();
    }
  }

  /** An {@link AppliedHandle}. */
  private final class Handle implements AppliedHandle {
    private final String name;
    private long position = -1;
    private boolean open = true;

    Handle(String name) {
      this.name = name;
      consumers.register(this, 0);
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public synchronized void advance(long globalSequence) {
      if (!open) {
        throw new StoreClosedException("the applied handle '" + name + "' is closed");
      }
      checkOpen();
      if (globalSequence < -1 || globalSequence < position) {
        throw new ValidationException(
            "the applied handle '"
                + name
                + "' cannot go to global sequence "
                + globalSequence
                + ": it is at "
                + position
                + ", and it only moves forward (from -1)");
      }
      position = globalSequence;
      consumers.advance(this, globalSequence + 1);
    }

    @Override
    public synchronized long position() {
      return position;
    }

    @Override
    public synchronized void close() {
      if (open) {
        open = false;
        consumers.unregister(this);
      }
    }
  }
}
