package io.batpak;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.time.Duration;
import org.apiguardian.api.API;

/**
 * A thread that feeds a durable {@link Cursor} to a handler ({@link Store#cursorWorker}) or to a
 * {@link Reactor} ({@link Store#reactor}): it polls a batch, calls the handler, and saves the
 * checkpoint <b>after</b> the handler returns, so every event is handled at least once.
 *
 * <h2>Failures</h2>
 *
 * A handler that throws makes the worker restart from its last saved checkpoint (the batch is
 * delivered again) after a back-off slept through the store's clock; after {@link
 * CursorWorkerConfig#maxRestarts()} failures in a row without a saved checkpoint between them the
 * worker stops with {@link CursorWorkerFailedException.Reason#RESTARTS_EXHAUSTED}. A checkpoint
 * that cannot be saved stops it at once ({@link
 * CursorWorkerFailedException.Reason#CHECKPOINT_FAILED}): it never goes on with a checkpoint it
 * could not save. Either failure is thrown by {@link #join()}.
 *
 * <h2>Stopping</h2>
 *
 * {@link #stop()} lets the batch in hand finish (handler and checkpoint) and ends the thread;
 * {@link Store#close()} stops every worker of the store the same way, waiting for them within the
 * store's close timeout (a worker whose handler calls {@code close()} is not waited for, and its
 * batch's checkpoint is not saved: that batch is delivered again after a reopen). A worker in a
 * back-off ends at once on either, without saving.
 *
 * <p>While idle the thread waits on the store's visible watermark (no polling loop). It is a daemon
 * thread named {@code batpak-cursor <checkpoint id>}. Registered in the {@link Watermark#APPLIED
 * applied watermark} until it ends. Thread-safe: every method may be called from any thread.
 *
 * @since 0.13
 */
@API(status = EXPERIMENTAL, since = "0.13")
public interface CursorWorker {

  /** The checkpoint id the worker saves under. */
  String checkpointId();

  /** Asks the worker to stop after the batch in hand. Idempotent; never waits. */
  void stop();

  /** Whether the thread has not ended yet. */
  boolean isRunning();

  /**
   * Waits for the thread to end, without a time limit.
   *
   * @throws CursorWorkerFailedException if it ended by a failure (the cause says which)
   * @throws StoreTimeoutException if the calling thread is interrupted (the interrupt flag is
   *     restored)
   */
  void join();

  /**
   * Waits up to {@code timeout} (of the store's clock) for the thread to end.
   *
   * @return whether it ended
   * @throws NullPointerException if {@code timeout} is null
   * @throws CursorWorkerFailedException if it ended by a failure
   * @throws StoreTimeoutException if the calling thread is interrupted
   */
  boolean join(Duration timeout);

  /** The global sequence of the last event handled, or -1. */
  long position();

  /** A consistent snapshot of the worker's counters. Cheap. */
  Metrics metrics();

  /**
   * The worker's counters, read together.
   *
   * @param delivered events handed to the handler so far (redeliveries included)
   * @param restarts restarts after a handler failure so far
   * @param checkpoints checkpoints saved
   * @param lagEvents visible events not yet covered by a saved checkpoint (the store's visible
   *     watermark minus the events the checkpoint covers; events outside the region count too)
   * @param lagMicros how old, in microseconds of the store's clock, the oldest event not yet
   *     handled is (its append timestamp to now); 0 when the worker has caught up
   * @since 0.13
   */
  @API(status = EXPERIMENTAL, since = "0.13")
  record Metrics(long delivered, long restarts, long checkpoints, long lagEvents, long lagMicros) {}
}
