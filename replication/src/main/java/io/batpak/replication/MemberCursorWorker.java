package io.batpak.replication;

import io.batpak.CursorHandler;
import io.batpak.CursorWorker;
import io.batpak.CursorWorkerConfig;
import io.batpak.CursorWorkerFailedException;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreTimeoutException;
import java.time.Duration;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A cursor worker on a member that outlives the member's local store: when a snapshot install
 * replaces the store (ADR 0038), the engine's worker on the old store ends (its store closed) and
 * this one starts a new worker, on the same checkpoint id, on the new store. The install carries
 * the member's checkpoint files into the new store ({@link SnapshotInstall#installInto}), so the
 * new worker resumes after the last saved checkpoint: events handled after it are handled again, as
 * after any restart of a worker (at least once).
 *
 * <p>A supervising daemon thread ({@code batpak-cursor-member <id>}) waits for the current engine
 * worker to end and decides: stopped on request, failed, or the member closed or stopped: this
 * worker ends too (a failure is thrown by {@link #join()}); the store replaced: a new engine
 * worker. When the new worker cannot be started (its checkpoint file is corrupt, say), this worker
 * ends and {@link #join()} throws what the new store threw, as {@link Store#cursorWorker} would.
 * Thread-safe: every method may be called from any thread.
 */
final class MemberCursorWorker implements CursorWorker {
  private final Supplier<Store> local;
  private final Region region;
  private final String checkpointId;
  private final CursorWorkerConfig config;
  private final CursorHandler handler;
  private final Thread supervisor;

  // Guarded by this.
  private CursorWorker current;
  private Store currentStore;
  private boolean stopRequested;
  private boolean ended;
  private @Nullable RuntimeException failure;
  private Metrics earlier = new Metrics(0, 0, 0, 0, 0);

  /**
   * Starts the first engine worker on {@code local.get()} (its exceptions reach the caller, as on a
   * single node) and the supervising thread.
   *
   * @param local the member's current local store; throws once the member closed or stopped
   */
  MemberCursorWorker(
      Supplier<Store> local,
      Region region,
      String checkpointId,
      CursorWorkerConfig config,
      CursorHandler handler) {
    this.local = local;
    this.region = region;
    this.checkpointId = checkpointId;
    this.config = config;
    this.handler = handler;
    this.currentStore = local.get();
    this.current = currentStore.cursorWorker(region, checkpointId, config, handler);
    this.supervisor = new Thread(this::supervise, "batpak-cursor-member " + checkpointId);
    supervisor.setDaemon(true);
    supervisor.start();
  }

  private void supervise() {
    RuntimeException failed = null;
    while (true) {
      CursorWorker w;
      Store from;
      synchronized (this) {
        w = current;
        from = currentStore;
      }
      try {
        w.join();
      } catch (CursorWorkerFailedException e) {
        failed = e;
        break;
      } catch (StoreTimeoutException e) {
        // Only an interrupt of this daemon thread gets here; nobody else holds it.
        failed = e;
        break;
      }
      Store now;
      try {
        now = local.get();
      } catch (RuntimeException memberGone) {
        break; // the member closed or stopped: the worker ends with it
      }
      synchronized (this) {
        if (stopRequested || now == from) {
          break; // stopped on request, or ended for a reason other than a replaced store
        }
        try {
          earlier = sum(earlier, w.metrics());
          current = now.cursorWorker(region, checkpointId, config, handler);
          currentStore = now;
        } catch (RuntimeException e) {
          failed = e;
          break;
        }
      }
    }
    synchronized (this) {
      failure = failed;
      ended = true;
      notifyAll();
    }
  }

  private static Metrics sum(Metrics a, Metrics b) {
    return new Metrics(
        a.delivered() + b.delivered(),
        a.restarts() + b.restarts(),
        a.checkpoints() + b.checkpoints(),
        b.lagEvents(),
        b.lagMicros());
  }

  @Override
  public String checkpointId() {
    return checkpointId;
  }

  @Override
  public void stop() {
    CursorWorker w;
    synchronized (this) {
      stopRequested = true;
      w = current;
    }
    w.stop();
  }

  @Override
  public synchronized boolean isRunning() {
    return !ended;
  }

  @Override
  public void join() {
    join(Long.MAX_VALUE);
  }

  @Override
  public boolean join(Duration timeout) {
    if (timeout == null) {
      throw new NullPointerException("timeout must not be null");
    }
    return join(Waits.nanos(timeout));
  }

  private synchronized boolean join(long nanos) {
    long deadline = System.nanoTime() + nanos;
    try {
      while (!ended) {
        long left = nanos == Long.MAX_VALUE ? 0 : deadline - System.nanoTime();
        if (nanos != Long.MAX_VALUE && left <= 0) {
          return false;
        }
        // wait(0) waits without a limit
        wait(nanos == Long.MAX_VALUE ? 0 : Math.max(1, left / 1_000_000));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreTimeoutException(
          "interrupted while joining the cursor worker '" + checkpointId + "'", e);
    }
    if (failure != null) {
      throw failure;
    }
    return true;
  }

  @Override
  public synchronized long position() {
    return current.position();
  }

  @Override
  public synchronized Metrics metrics() {
    return sum(earlier, current.metrics());
  }
}
