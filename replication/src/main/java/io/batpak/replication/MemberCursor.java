package io.batpak.replication;

import io.batpak.Cursor;
import io.batpak.EventHeader;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreClosedException;
import io.batpak.StoredEvent;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A cursor on a member that outlives the member's local store: when a snapshot install replaces the
 * store (ADR 0038), the engine's cursor on the old store throws {@link StoreClosedException}; this
 * one then opens a cursor on the new store (by its checkpoint id, whose file the install carried
 * over, or from the start) and moves it to where this cursor was, so it delivers every event once,
 * in order, as if nothing had happened. The new store holds the old one's events (Raft made them
 * the same), so positions mean the same in both.
 *
 * <p>One thread at a time, like every {@link Cursor}.
 */
final class MemberCursor implements Cursor {
  /** How many events one step of moving a reopened cursor forward reads. */
  private static final int SKIP_BATCH = 256;

  private final Supplier<Store> local;
  private final Region region;
  private final @Nullable String checkpointId;
  private Store store;
  private Cursor cursor;
  private boolean closed;

  /**
   * Opens the first cursor on {@code local.get()} (its exceptions reach the caller, as on a single
   * node).
   *
   * @param local the member's current local store; throws once the member closed or stopped
   * @param checkpointId the durable cursor's id, or null for a cursor that saves nothing
   */
  MemberCursor(Supplier<Store> local, Region region, @Nullable String checkpointId) {
    this.local = local;
    this.region = region;
    this.checkpointId = checkpointId;
    this.store = local.get();
    this.cursor = open(store);
  }

  private Cursor open(Store s) {
    return checkpointId == null ? s.cursor(region) : s.cursor(region, checkpointId);
  }

  /**
   * After {@code e}: the cursor on the member's new store, moved to this cursor's position; {@code
   * e} again when the store did not change (the member or this cursor closed).
   */
  private Cursor reopened(StoreClosedException e) {
    if (closed) {
      throw e;
    }
    Store now;
    try {
      now = local.get();
    } catch (RuntimeException memberGone) {
      memberGone.addSuppressed(e);
      throw memberGone;
    }
    if (now == store) {
      throw e;
    }
    long position = cursor.position();
    Cursor next = open(now);
    try {
      skipTo(now, next, position);
    } catch (RuntimeException failed) {
      next.close();
      throw failed;
    }
    cursor.close();
    store = now;
    cursor = next;
    return next;
  }

  /**
   * Moves {@code c} forward to {@code position}: it delivers, and this discards, exactly the
   * region's events of {@code s} after its own position up to {@code position} (counted first, so
   * it never reads past the position).
   */
  private void skipTo(Store s, Cursor c, long position) {
    long left = 0;
    long after = c.position();
    while (after < position) {
      List<EventHeader> page = s.queryAfter(region, after, SKIP_BATCH);
      if (page.isEmpty()) {
        break;
      }
      for (EventHeader h : page) {
        if (h.globalSequence() > position) {
          after = Long.MAX_VALUE;
          break;
        }
        left++;
        after = h.globalSequence();
      }
    }
    while (left > 0) {
      int n = (int) Math.min(left, SKIP_BATCH);
      List<StoredEvent> skipped = c.pollBatch(n);
      if (skipped.isEmpty()) {
        throw new IllegalStateException(
            "a cursor reopened after a snapshot install lacks "
                + left
                + " events up to global sequence "
                + position
                + " that the member's store holds");
      }
      left -= skipped.size();
      long last = skipped.get(skipped.size() - 1).header().globalSequence();
      if (last > position) {
        throw new IllegalStateException(
            "a cursor reopened after a snapshot install read global sequence "
                + last
                + " while moving to its position "
                + position
                + "; the region's events and the cursor's disagree");
      }
    }
  }

  @Override
  public Region region() {
    return region;
  }

  @Override
  public Optional<String> checkpointId() {
    return Optional.ofNullable(checkpointId);
  }

  @Override
  public Optional<StoredEvent> poll() {
    try {
      return cursor.poll();
    } catch (StoreClosedException e) {
      return reopened(e).poll();
    }
  }

  @Override
  public List<StoredEvent> pollBatch(int max) {
    try {
      return cursor.pollBatch(max);
    } catch (StoreClosedException e) {
      return reopened(e).pollBatch(max);
    }
  }

  @Override
  public List<StoredEvent> pollBatch(int max, Duration wait) {
    try {
      return cursor.pollBatch(max, wait);
    } catch (StoreClosedException e) {
      // The wait starts over on the new store: a replaced store is rare, and the wait is an upper
      // bound on an empty answer, never a promise of one.
      return reopened(e).pollBatch(max, wait);
    }
  }

  @Override
  public long position() {
    return cursor.position();
  }

  @Override
  public void checkpoint() {
    try {
      cursor.checkpoint();
    } catch (StoreClosedException e) {
      reopened(e).checkpoint();
    }
  }

  @Override
  public void close() {
    closed = true;
    cursor.close();
  }
}
