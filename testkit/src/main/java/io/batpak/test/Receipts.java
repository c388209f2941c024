package io.batpak.test;

import io.batpak.AppendReceipt;
import io.batpak.EventId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The receipts a test was acknowledged, by event id, in the order they were first returned.
 * Thread-safe: a future may complete on another thread.
 */
final class Receipts {
  private final Map<EventId, AppendReceipt> byId = new LinkedHashMap<>();

  synchronized void add(AppendReceipt receipt) {
    byId.putIfAbsent(receipt.eventId(), receipt);
  }

  /**
   * Forgets the receipts whose global sequence is {@code durable} or more: a crash may lose them
   * ({@code VISIBLE} mode, no fsync covered them yet).
   */
  synchronized void keepDurable(long durable) {
    byId.values().removeIf(r -> r.globalSequence() >= durable);
  }

  synchronized List<AppendReceipt> all() {
    return List.copyOf(new ArrayList<>(byId.values()));
  }
}
