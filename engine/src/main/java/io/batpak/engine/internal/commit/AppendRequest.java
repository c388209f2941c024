package io.batpak.engine.internal.commit;

import io.batpak.AppendReceipt;
import io.batpak.OutcomeUnknownException;
import io.batpak.StoreException;
import io.batpak.StoreInterruptedException;
import io.batpak.engine.internal.fence.Fence;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.LockSupport;

/**
 * An append (one event, or an atomic batch) between its caller and the committer. Completed exactly
 * once, with receipts or an exception.
 */
public final class AppendRequest {
  private final List<UnsequencedEvent> events;
  private final Thread waiter;
  private final CompletableFuture<List<AppendReceipt>> future;
  private final Fence fence;

  /** Receipts or a {@link StoreException}, set once; null while pending ({@link #OUTCOME}). */
  private volatile Object outcome;

  private static final VarHandle OUTCOME;

  static {
    try {
      OUTCOME = MethodHandles.lookup().findVarHandle(AppendRequest.class, "outcome", Object.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private AppendRequest(
      List<UnsequencedEvent> events,
      Thread waiter,
      CompletableFuture<List<AppendReceipt>> future,
      Fence fence) {
    this.fence = fence;
    this.events = List.copyOf(events);
    this.waiter = waiter;
    this.future = future;
  }

  /** An append whose calling thread waits for the outcome. */
  public static AppendRequest blocking(List<UnsequencedEvent> events) {
    return new AppendRequest(events, Thread.currentThread(), null, null);
  }

  /**
   * An append under {@code fence} whose calling thread waits: it completes once the events are
   * written (and synced, in DURABLE mode), before the fence commits (ADR 0015).
   */
  public static AppendRequest blocking(List<UnsequencedEvent> events, Fence fence) {
    return new AppendRequest(events, Thread.currentThread(), null, fence);
  }

  /**
   * An append under {@code fence} whose future completes when the fence ends: with the receipts
   * when it commits, with its failure when it is cancelled (ADR 0015).
   */
  public static AppendRequest async(
      List<UnsequencedEvent> events, CompletableFuture<List<AppendReceipt>> future, Fence fence) {
    return new AppendRequest(events, null, future, fence);
  }

  /** The fence this append is made under, or null for an ordinary append. */
  Fence fence() {
    return fence;
  }

  /** An append whose outcome completes a future. */
  public static AppendRequest async(
      List<UnsequencedEvent> events, CompletableFuture<List<AppendReceipt>> future) {
    return new AppendRequest(events, null, future, null);
  }

  /** The events. */
  public List<UnsequencedEvent> events() {
    return events;
  }

  /** Completes with receipts; futures complete on {@code executor}, never here. */
  void succeed(List<AppendReceipt> receipts, Executor executor) {
    List<AppendReceipt> result = List.copyOf(receipts);
    if (future != null && fence != null) {
      fence.defer(() -> complete(result, executor), e -> complete(e, executor));
      return;
    }
    complete(result, executor);
  }

  /** Completes with a failure; futures complete on {@code executor}. */
  void fail(StoreException e, Executor executor) {
    complete(e, executor);
  }

  /**
   * Sets the outcome unless one is set already (the first completion wins: a commit that ends after
   * {@code close()} failed its append changes nothing), wakes the waiter, and hands the future to
   * {@code executor}. Should the executor refuse the task (it is shut down only after every append
   * was completed, so this is a defect elsewhere), the future is completed here rather than never.
   */
  private void complete(Object result, Executor executor) {
    if (!OUTCOME.compareAndSet(this, null, result)) {
      return;
    }
    if (waiter != null) {
      LockSupport.unpark(waiter);
    }
    if (future != null) {
      Runnable completion =
          () -> {
            if (result instanceof StoreException e) {
              future.completeExceptionally(e);
            } else {
              @SuppressWarnings("unchecked")
              List<AppendReceipt> r = (List<AppendReceipt>) result;
              future.complete(r);
            }
          };
      try {
        executor.execute(completion);
      } catch (RejectedExecutionException e) {
        completion.run();
      }
    }
  }

  /**
   * Refuses a blocking append from a thread whose interrupt status is already set, before it is
   * queued: {@link #await} would throw at once while the committer went on to write the append, so
   * the caller would hear "may or may not be in the journal" of an append it could have been told
   * was never written. The status is kept.
   *
   * @throws StoreInterruptedException if the current thread's interrupt status is set; nothing was
   *     queued or written
   */
  public static void refuseIfInterrupted() {
    if (Thread.currentThread().isInterrupted()) {
      throw new StoreInterruptedException(
          "the calling thread's interrupt status is set, so the append was refused before it was"
              + " queued: nothing was written. Clear the status (Thread.interrupted()) to append"
              + " from this thread");
    }
  }

  /**
   * Waits for the outcome.
   *
   * @throws StoreException the failure the committer reported
   * @throws OutcomeUnknownException if the thread is interrupted while waiting; the interrupt flag
   *     is restored
   */
  public List<AppendReceipt> await() {
    while (outcome == null) {
      LockSupport.park(this);
      // isInterrupted, not interrupted(): an interrupt that arrives with the outcome stays set.
      if (Thread.currentThread().isInterrupted() && outcome == null) {
        throw new OutcomeUnknownException(
            "interrupted while the append was queued or being committed; it may or may not be"
                + " in the journal. Retry with the same idempotency key after checking, or"
                + " reopen and read the stream.");
      }
    }
    return result();
  }

  /** The outcome of a done pending. */
  @SuppressWarnings("unchecked")
  public List<AppendReceipt> result() {
    Object o = outcome;
    if (o instanceof StoreException e) {
      throw e;
    }
    return (List<AppendReceipt>) o;
  }
}
