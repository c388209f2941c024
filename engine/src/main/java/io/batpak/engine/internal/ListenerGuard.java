package io.batpak.engine.internal;

import io.batpak.OpenReport;
import io.batpak.StoreListener;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The store's side of {@link StoreListener} (ADR 0034): forwards every report to the user's
 * listener and keeps a listener that throws away from the store. The first {@link RuntimeException}
 * is logged at WARNING with its stack trace on logger {@value #LOGGER}; later ones are only
 * counted, and {@link #closed} logs the count once. Thread-safe (the reports come from the
 * committer, cursor, opening and compacting threads).
 */
public final class ListenerGuard implements StoreListener {
  /** The logger a failing listener is reported on (docs/logging.md). */
  public static final String LOGGER = "io.batpak.engine.listener";

  private static final System.Logger LOG = System.getLogger(LOGGER);

  private final StoreListener listener;
  private final String store;
  private final AtomicLong failures = new AtomicLong();

  private ListenerGuard(StoreListener listener, String store) {
    this.listener = listener;
    this.store = store;
  }

  /**
   * Guards {@code listener}; {@link StoreListener#none()} stays as it is (nothing to guard).
   *
   * @param store the store's directory, for the log line
   */
  public static StoreListener of(StoreListener listener, String store) {
    return listener == StoreListener.none() ? listener : new ListenerGuard(listener, store);
  }

  /** Logs how many reports threw, when more than the first (already logged) one did. */
  public static void closed(StoreListener guarded) {
    if (guarded instanceof ListenerGuard g) {
      long n = g.failures.get();
      if (n > 1) {
        LOG.log(
            System.Logger.Level.WARNING,
            "the StoreListener "
                + g.listener
                + " of the store in "
                + g.store
                + " threw in "
                + n
                + " reports in all (the first was logged); the store ignored them");
      }
    }
  }

  private void failed(String report, RuntimeException e) {
    if (failures.getAndIncrement() == 0) {
      LOG.log(
          System.Logger.Level.WARNING,
          "the StoreListener "
              + listener
              + " of the store in "
              + store
              + " threw in "
              + report
              + "; the store ignores it and keeps going (later failures are counted and the count"
              + " is logged when the store closes)",
          e);
    }
  }

  @Override
  public void opened(OpenReport report) {
    try {
      listener.opened(report);
    } catch (RuntimeException e) {
      failed("opened", e);
    }
  }

  @Override
  public void groupCommitted(int events, long bytes) {
    try {
      listener.groupCommitted(events, bytes);
    } catch (RuntimeException e) {
      failed("groupCommitted", e);
    }
  }

  @Override
  public void synced(long nanos) {
    try {
      listener.synced(nanos);
    } catch (RuntimeException e) {
      failed("synced", e);
    }
  }

  @Override
  public void queueDepth(int appends) {
    try {
      listener.queueDepth(appends);
    } catch (RuntimeException e) {
      failed("queueDepth", e);
    }
  }

  @Override
  public void watermarks(long written, long durable, long visible) {
    try {
      listener.watermarks(written, durable, visible);
    } catch (RuntimeException e) {
      failed("watermarks", e);
    }
  }

  @Override
  public void cursorCheckpointed(String checkpointId, long through, long visible) {
    try {
      listener.cursorCheckpointed(checkpointId, through, visible);
    } catch (RuntimeException e) {
      failed("cursorCheckpointed", e);
    }
  }

  @Override
  public void compactionProgress(long done, long total) {
    try {
      listener.compactionProgress(done, total);
    } catch (RuntimeException e) {
      failed("compactionProgress", e);
    }
  }
}
