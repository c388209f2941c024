package io.batpak.engine.internal.commit;

import io.batpak.Durability;
import io.batpak.StoreConfig;
import io.batpak.engine.internal.time.Durations;
import io.batpak.port.StoreClock;

/**
 * When the committer syncs (docs/architecture.md, decision 1). {@link Durability#DURABLE}: after
 * every group, before anything of it is visible. {@link Durability#VISIBLE}: by cadence, after
 * {@link StoreConfig#visibleSyncEveryEvents()} events or {@link StoreConfig#visibleSyncInterval()},
 * whichever comes first, and when an idle pipeline closes. Used by the committer only.
 */
final class SyncPolicy {
  private final StoreConfig config;
  private final StoreClock clock;
  private volatile long eventsSinceSync;
  private volatile long lastSyncNanos;

  SyncPolicy(StoreConfig config) {
    this.config = config;
    this.clock = config.clock();
    this.lastSyncNanos = clock.monoNanos();
  }

  /** Whether every group is synced before it becomes visible. */
  boolean syncsEveryGroup() {
    return config.durability() == Durability.DURABLE;
  }

  /** Whether the committer should give the producers of its last group a moment to queue again. */
  boolean gathersStragglers() {
    return syncsEveryGroup();
  }

  /** Records {@code events} written and not yet synced (VISIBLE mode). */
  void written(long events) {
    eventsSinceSync += events;
  }

  /** Records a completed sync. */
  void synced() {
    eventsSinceSync = 0;
    lastSyncNanos = clock.monoNanos();
  }

  /**
   * Nanoseconds until a cadence sync is due, at most 0 when it is due now, or {@link
   * Long#MAX_VALUE} when none will be (DURABLE mode, or nothing unsynced).
   */
  long nanosUntilDue() {
    if (syncsEveryGroup() || eventsSinceSync == 0) {
      return Long.MAX_VALUE;
    }
    return Durations.nanos(config.visibleSyncInterval()) - (clock.monoNanos() - lastSyncNanos);
  }

  /**
   * Whether a cadence sync is due now.
   *
   * @param closingIdle whether the pipeline is closing with nothing left to commit
   */
  boolean cadenceDue(boolean closingIdle) {
    if (syncsEveryGroup() || eventsSinceSync == 0) {
      return false;
    }
    return eventsSinceSync >= config.visibleSyncEveryEvents()
        || clock.monoNanos() - lastSyncNanos >= Durations.nanos(config.visibleSyncInterval())
        || closingIdle;
  }
}
