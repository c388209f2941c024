package io.batpak.engine.internal.delivery;

import io.batpak.engine.internal.commit.WatermarkTracker;
import java.util.HashMap;
import java.util.Map;

/**
 * The registered consumers of the applied watermark: each holds a count of events consumed (its
 * saved checkpoint plus one, or what its handle reported plus one); the watermark's floor is their
 * minimum, pushed to the {@link WatermarkTracker} on every change. Thread-safe.
 */
final class Consumers {
  private final WatermarkTracker tracker;
  private final Map<Object, Long> consumed = new HashMap<>();

  Consumers(WatermarkTracker tracker) {
    this.tracker = tracker;
  }

  /** Registers {@code token} at {@code count} events consumed. */
  synchronized void register(Object token, long count) {
    consumed.put(token, count);
    publish();
  }

  /** Moves {@code token} to {@code count} events consumed (never back). */
  synchronized void advance(Object token, long count) {
    Long c = consumed.get(token);
    if (c != null && count > c) {
      consumed.put(token, count);
      publish();
    }
  }

  synchronized void unregister(Object token) {
    if (consumed.remove(token) != null) {
      publish();
    }
  }

  private void publish() {
    long floor = Long.MAX_VALUE;
    for (long c : consumed.values()) {
      floor = Math.min(floor, c);
    }
    tracker.appliedFloor(floor);
  }
}
