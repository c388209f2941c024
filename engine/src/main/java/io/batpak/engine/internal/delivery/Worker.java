package io.batpak.engine.internal.delivery;

import io.batpak.CursorHandler;
import io.batpak.CursorWorker;
import io.batpak.CursorWorkerConfig;
import io.batpak.CursorWorkerFailedException;
import io.batpak.CursorWorkerFailedException.Reason;
import io.batpak.StoreClosedException;
import io.batpak.StoreTimeoutException;
import io.batpak.StoredEvent;
import io.batpak.engine.internal.format.FrameCodec;
import io.batpak.engine.internal.index.Index;
import io.batpak.engine.internal.time.Durations;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link CursorWorker}: one daemon thread that polls its cursor, calls the handler, then saves
 * the checkpoint; restarts from the saved checkpoint after a handler failure, within the restart
 * policy, with back-off slept through the store's clock; waits on the watermark tracker when idle.
 */
final class Worker implements CursorWorker {
  private final Delivery d;
  private final EngineCursor cursor;
  private final CursorWorkerConfig config;
  private final CursorHandler handler;
  private final Thread thread;
  private final String id;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition endedCondition = lock.newCondition();

  /** Signalled by {@link #stop}: wakes a back-off. */
  private final Condition stopCondition = lock.newCondition();

  private boolean ended;
  private CursorWorkerFailedException failure;

  private volatile boolean stopRequested;
  private volatile long handled = -1;
  private volatile long delivered;
  private volatile long restarts;
  private volatile long checkpoints;

  Worker(
      Delivery d,
      EngineCursor cursor,
      CursorWorkerConfig config,
      CursorHandler handler,
      String name) {
    this.d = d;
    this.cursor = cursor;
    this.config = config;
    this.handler = handler;
    this.id = cursor.checkpointId().orElseThrow();
    this.handled = cursor.position();
    this.thread = new Thread(this::run, name);
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  boolean isCurrentThread() {
    return Thread.currentThread() == thread;
  }

  private void run() {
    CursorWorkerFailedException failed = null;
    try {
      failed = loop();
    } catch (RuntimeException | Error e) {
      failed =
          new CursorWorkerFailedException(
              id, Reason.READ_FAILED, cursor.savedThrough(), "an unexpected failure: " + e, e);
    } finally {
      cursor.close();
      d.ended(this);
      lock.lock();
      try {
        failure = failed;
        ended = true;
        endedCondition.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  /** The worker's loop; returns its failure, or null when it stopped. */
  private CursorWorkerFailedException loop() {
    int failuresInRow = 0;
    while (!stopRequested) {
      List<StoredEvent> batch;
      try {
        batch = cursor.pollBatch(config.batchSize());
      } catch (StoreClosedException e) {
        return null;
      } catch (RuntimeException e) {
        return new CursorWorkerFailedException(
            id, Reason.READ_FAILED, cursor.savedThrough(), "reading the journal failed", e);
      }
      if (batch.isEmpty()) {
        if (cursor.scanned() - 1 > cursor.savedThrough()) {
          // Events outside the region were passed over: save that, so the applied watermark and
          // the lag do not stay behind them (once per idle period, never per event).
          CursorWorkerFailedException f = save();
          if (f != null || stopped) {
            return f;
          }
        }
        CursorWorkerFailedException f = idle();
        if (f != null || d.closing()) {
          return f;
        }
        continue;
      }
      delivered += batch.size();
      try {
        handler.handle(batch);
      } catch (Throwable t) {
        if (t instanceof VirtualMachineError) {
          throw (VirtualMachineError) t;
        }
        if (d.closing()) {
          return null; // the store closes: the batch is delivered again after a reopen
        }
        failuresInRow++;
        if (failuresInRow > config.maxRestarts()) {
          return new CursorWorkerFailedException(
              id,
              Reason.RESTARTS_EXHAUSTED,
              cursor.savedThrough(),
              "the handler failed "
                  + failuresInRow
                  + " times in a row (the policy allows "
                  + config.maxRestarts()
                  + " restarts); last: "
                  + t,
              t);
        }
        try {
          if (!backOff(config.backoffNanos(failuresInRow))) {
            return null; // stopped (or the store closes) during the back-off: the batch comes again
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return null;
        }
        restarts++;
        cursor.rewind();
        continue;
      }
      handled = batch.get(batch.size() - 1).header().globalSequence();
      CursorWorkerFailedException f = save();
      if (f != null || stopped) {
        return f;
      }
      failuresInRow = 0;
    }
    return null;
  }

  /**
   * Waits out a back-off of {@code nanos} of the store's clock, woken by {@link #stop} (which the
   * store's close calls): a stop never waits for the rest of a back-off (up to an hour).
   *
   * @return whether the worker goes on (false: it was stopped or the store closes)
   */
  private boolean backOff(long nanos) throws InterruptedException {
    lock.lock();
    try {
      long left = nanos;
      while (left > 0 && !stopRequested && !d.closing()) {
        left = d.clock().awaitNanos(stopCondition, left);
      }
      return !stopRequested && !d.closing();
    } finally {
      lock.unlock();
    }
  }

  /** Set when a save found the store closed: the worker ends without a failure. */
  private boolean stopped;

  /** Saves the checkpoint; the failure that stops the worker, or null. */
  private CursorWorkerFailedException save() {
    try {
      cursor.checkpoint();
    } catch (StoreClosedException e) {
      stopped = true; // the store closed under a handler that closed it: the batch comes again
      return null;
    } catch (RuntimeException e) {
      return new CursorWorkerFailedException(
          id,
          Reason.CHECKPOINT_FAILED,
          cursor.savedThrough(),
          "saving the checkpoint through global sequence " + (cursor.scanned() - 1) + " failed",
          e);
    }
    checkpoints++;
    return null;
  }

  /** Waits, without polling, for an event past what the cursor has looked at, or for a stop. */
  private CursorWorkerFailedException idle() {
    long from = cursor.scanned();
    try {
      d.tracker()
          .awaitUntil(() -> stopRequested || d.closing() || d.index().view().size() > from, -1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopRequested = true;
      return null;
    }
    if (!stopRequested && !d.closing() && d.pipelineEnded() && d.index().view().size() <= from) {
      return new CursorWorkerFailedException(
          id,
          Reason.READ_FAILED,
          cursor.savedThrough(),
          "the store's commit pipeline ended (the store was poisoned): no further event can"
              + " become visible",
          null);
    }
    return null;
  }

  @Override
  public String checkpointId() {
    return id;
  }

  @Override
  public void stop() {
    stopRequested = true;
    lock.lock();
    try {
      stopCondition.signalAll();
    } finally {
      lock.unlock();
    }
    d.tracker().wake();
  }

  @Override
  public boolean isRunning() {
    lock.lock();
    try {
      return !ended;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void join() {
    lock.lock();
    try {
      while (!ended) {
        endedCondition.await();
      }
      throwFailure();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreTimeoutException(
          "interrupted while joining the cursor worker '" + id + "'", e);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean join(Duration timeout) {
    if (timeout == null) {
      throw new NullPointerException("timeout must not be null");
    }
    if (!awaitEnd(Durations.nanos(timeout))) {
      return false;
    }
    lock.lock();
    try {
      throwFailure();
    } finally {
      lock.unlock();
    }
    return true;
  }

  /** Waits up to {@code nanos} of the store's clock for the thread to end; whether it did. */
  boolean awaitEnd(long nanos) {
    lock.lock();
    try {
      while (!ended && nanos > 0) {
        nanos = d.clock().awaitNanos(endedCondition, nanos);
      }
      return ended;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreTimeoutException(
          "interrupted while joining the cursor worker '" + id + "'", e);
    } finally {
      lock.unlock();
    }
  }

  private void throwFailure() {
    if (failure != null) {
      CursorWorkerFailedException f = failure;
      CursorWorkerFailedException thrown =
          new CursorWorkerFailedException(
              f.checkpointId(), f.reason(), f.savedPosition(), "see the cause", f);
      throw thrown;
    }
  }

  @Override
  public long position() {
    return handled;
  }

  @Override
  public Metrics metrics() {
    long through = cursor.savedThrough();
    long visible = d.tracker().snapshot().visible();
    long lagEvents = Math.max(0, visible - (through + 1));
    long lagMicros = 0;
    if (lagEvents > 0) {
      long ts = firstTimestampAfter(handled < through ? through : handled, visible);
      if (ts >= 0) {
        lagMicros = Math.max(0, d.clock().wallMicros() - ts);
      }
    }
    return new Metrics(delivered, restarts, checkpoints, lagEvents, lagMicros);
  }

  /** The append timestamp of the first readable event after {@code after}; -1 if none is found. */
  private long firstTimestampAfter(long after, long visible) {
    Index.View v = d.index().view();
    long end = Math.min(Math.min(visible, v.size()), after + 1 + 1024);
    for (long g = after + 1; g < end; g++) {
      int row = (int) g;
      if (v.cancelled(row) || v.disposition(row) == FrameCodec.DROPPED) {
        continue;
      }
      try {
        return d.reader().locate(row).record().timestampMicros();
      } catch (RuntimeException e) {
        return -1;
      }
    }
    return -1;
  }
}
