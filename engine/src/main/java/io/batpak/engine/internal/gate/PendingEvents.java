package io.batpak.engine.internal.gate;

import io.batpak.engine.internal.format.EventRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The events a group commit has placed so far, per stream, in stream order: what an atomic gate
 * must see beyond the index (they are neither written nor visible yet). Built by the sequencer only
 * once a group meets its first gated event. Confined to the committing thread.
 */
public final class PendingEvents {
  private final Map<String, List<EventRecord>> byStream = new HashMap<>();

  /** Adds placed events, in order. */
  public void add(List<EventRecord> records) {
    for (EventRecord r : records) {
      byStream.computeIfAbsent(r.entity(), k -> new ArrayList<>()).add(r);
    }
  }

  /**
   * The stream's pending events: those of the group so far, then {@code current}'s (the append
   * being placed) of the same stream.
   */
  public List<EventRecord> of(String entity, List<EventRecord> current) {
    List<EventRecord> group = byStream.getOrDefault(entity, List.of());
    List<EventRecord> out = new ArrayList<>(group.size() + current.size());
    out.addAll(group);
    for (EventRecord r : current) {
      if (r.entity().equals(entity)) {
        out.add(r);
      }
    }
    return out;
  }
}
