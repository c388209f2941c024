package io.batpak.engine.internal.commit;

import io.batpak.OutcomeUnknownException;
import io.batpak.StoreException;
import java.io.IOException;

/**
 * Whether the commit pipeline is poisoned, and by what (docs/architecture.md, decision 2). It trips
 * once: the first failure wins and stays. It is tripped only under the commit queue's lock,
 * together with draining the queue ({@link CommitQueue#poison}), so no append can be queued after
 * the drain and wait for a committer that will never take it. Reads of the state are lock-free.
 */
final class PoisonLatch {
  private static final System.Logger LOG = System.getLogger(Committer.class.getName());

  private volatile StoreException cause;

  /** The failure that tripped the latch, or null while the pipeline is healthy. */
  StoreException cause() {
    return cause;
  }

  boolean isTripped() {
    return cause != null;
  }

  /**
   * Trips the latch unless it is tripped already, and logs the poison once, at ERROR, on the
   * committer's logger (docs/logging.md). Called under the queue's lock.
   */
  void trip(StoreException e) {
    if (cause == null) {
      cause = e;
      LOG.log(
          System.Logger.Level.ERROR,
          "the store is poisoned and refuses every append until it is reopened (reads keep"
              + " working): "
              + e.getMessage(),
          e);
    }
  }

  /**
   * Refuses a new append when tripped.
   *
   * @throws OutcomeUnknownException if the pipeline is poisoned
   */
  void check() {
    StoreException e = cause;
    if (e != null) {
      throw new OutcomeUnknownException(
          "the store is poisoned by an earlier write or fsync failure and accepts no more"
              + " appends; close and reopen it (reads still work). Cause: "
              + e.getMessage(),
          e);
    }
  }

  /** The failure of an append that was queued, never written, when the latch tripped. */
  OutcomeUnknownException refusalOfQueued() {
    return new OutcomeUnknownException(
        "the store was poisoned while this append was queued; it was not written. Cause: "
            + cause.getMessage(),
        cause);
  }

  /** The failure of a group taken after the latch tripped. */
  OutcomeUnknownException refusalOfGroup() {
    return new OutcomeUnknownException("the store is poisoned: " + cause.getMessage(), cause);
  }

  /** The poison for a failed write or fsync: what failed, and what the caller should do. */
  static OutcomeUnknownException ioFailure(String what, IOException e) {
    return new OutcomeUnknownException(
        what
            + " ("
            + e.getMessage()
            + "): the outcome of the appends in flight is unknown and the store is poisoned."
            + " Close and reopen it; retry appends with their idempotency keys.",
        e);
  }

  /** The poison for anything unchecked that escaped the commit path. */
  static OutcomeUnknownException unexpected(Throwable t) {
    return new OutcomeUnknownException(
        "the commit failed unexpectedly ("
            + t
            + "): the outcome of the appends in flight is unknown and the store is poisoned."
            + " Close and reopen it; retry appends with their idempotency keys.",
        t);
  }
}
