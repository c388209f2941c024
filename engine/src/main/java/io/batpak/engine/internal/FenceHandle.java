package io.batpak.engine.internal;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.EventKind;
import io.batpak.FenceCancelledException;
import io.batpak.VisibilityFence;
import io.batpak.engine.internal.commit.AppendRequest;
import io.batpak.engine.internal.commit.Committer;
import io.batpak.engine.internal.commit.UnsequencedEvent;
import io.batpak.engine.internal.fence.Fence;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The {@link VisibilityFence} a store hands out: its appends are validated by the store's own
 * validator ({@link Drafts}) and go through the one commit path (ADR 0005) as requests that carry
 * the fence; commit and cancel are the committer's ({@link Committer#commitFence}, {@link
 * Committer#cancelFence}). Thread-safe.
 */
public final class FenceHandle implements VisibilityFence {

  /** The store's validation of appends, shared with its ordinary appends. */
  public interface Drafts {
    /** The validated draft of one append (null checks done, nothing queued). */
    UnsequencedEvent single(
        Coordinate coordinate, EventKind kind, Bytes payload, AppendOptions options);

    /** The validated drafts of a batch (null checks done, nothing queued). */
    List<UnsequencedEvent> batch(List<BatchItem> items);

    /** Throws if the store is closed. */
    void checkOpen();
  }

  private final Fence fence;
  private final Committer committer;
  private final Drafts drafts;

  /** The handle of the open {@code fence}. */
  public FenceHandle(Fence fence, Committer committer, Drafts drafts) {
    this.fence = fence;
    this.committer = committer;
    this.drafts = drafts;
  }

  @Override
  public AppendReceipt append(
      Coordinate coordinate, EventKind kind, Bytes payload, AppendOptions options) {
    UnsequencedEvent d = drafts.single(coordinate, kind, payload, options);
    return commit(List.of(d)).get(0);
  }

  @Override
  public List<AppendReceipt> appendBatch(List<BatchItem> items) {
    return commit(drafts.batch(items));
  }

  @Override
  public CompletableFuture<AppendReceipt> submit(
      Coordinate coordinate, EventKind kind, Bytes payload, AppendOptions options) {
    UnsequencedEvent d = drafts.single(coordinate, kind, payload, options);
    checkOpen();
    CompletableFuture<List<AppendReceipt>> f = new CompletableFuture<>();
    committer.submit(AppendRequest.async(List.of(d), f, fence));
    return f.thenApply(list -> list.get(0));
  }

  private List<AppendReceipt> commit(List<UnsequencedEvent> events) {
    checkOpen();
    AppendRequest.refuseIfInterrupted();
    AppendRequest r = AppendRequest.blocking(events, fence);
    committer.submit(r);
    return r.await();
  }

  private void checkOpen() {
    drafts.checkOpen();
    if (!fence.isOpen()) {
      FenceCancelledException e =
          new FenceCancelledException(
              "the visibility fence that began at global sequence "
                  + fence.first()
                  + " is "
                  + fence.state().name().toLowerCase(java.util.Locale.ROOT)
                  + "; nothing was written. Begin a new fence, or append to the store.");
      if (fence.failure() != null) {
        e.initCause(fence.failure());
      }
      throw e;
    }
  }

  @Override
  public void commit() {
    drafts.checkOpen();
    committer.commitFence(fence);
  }

  @Override
  public void cancel() {
    drafts.checkOpen();
    committer.cancelFence(fence);
  }

  @Override
  public void close() {
    if (fence.state() == Fence.State.OPEN) {
      cancel();
    }
  }

  /** The engine's state of this fence. */
  public Fence fence() {
    return fence;
  }

  @Override
  public String toString() {
    return "VisibilityFence[first=" + fence.first() + ", " + fence.state() + "]";
  }
}
