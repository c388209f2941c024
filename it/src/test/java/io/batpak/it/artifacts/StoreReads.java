package io.batpak.it.artifacts;

import io.batpak.EventHeader;
import io.batpak.EventId;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreStats;
import io.batpak.StoredEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything a reader can ask an open store, captured for comparison: every event by id (header and
 * payload), the global order read in pages, each stream read whole and in pages, {@code latest} of
 * each stream, and the event and stream counts of {@link Store#stats()}.
 *
 * <p>Segment count and journal bytes are kept apart ({@link #stats}): they differ between opens of
 * the same events by design (a stripped seal is fewer bytes; a mutable open of a sealed store
 * starts a new segment), so callers compare them only where they must agree.
 *
 * @param global every event in global order, read with {@code queryAfter} in pages
 * @param byId each event read with {@code get}, in global order
 * @param streams each stream read with {@code stream(entity)}
 * @param pagedStreams each stream read with {@code stream(entity, from, limit)} in pages
 * @param latest {@code latest(entity)} of each stream
 * @param eventCount {@code stats().eventCount()}
 * @param streamCount {@code stats().streamCount()}
 * @param stats the whole {@code stats()}
 */
record StoreReads(
    List<EventHeader> global,
    Map<EventId, StoredEvent> byId,
    Map<String, List<EventHeader>> streams,
    Map<String, List<EventHeader>> pagedStreams,
    Map<String, Optional<EventHeader>> latest,
    long eventCount,
    long streamCount,
    StoreStats stats) {

  private static final int GLOBAL_PAGE = 37;
  private static final int STREAM_PAGE = 7;

  /** Reads everything from {@code store}. */
  static StoreReads of(Store store) {
    List<EventHeader> global = new ArrayList<>();
    long after = -1;
    while (true) {
      List<EventHeader> page = store.queryAfter(Region.all(), after, GLOBAL_PAGE);
      global.addAll(page);
      if (page.size() < GLOBAL_PAGE) {
        break;
      }
      after = page.get(page.size() - 1).globalSequence();
    }
    Map<EventId, StoredEvent> byId = new LinkedHashMap<>();
    Map<String, List<EventHeader>> streams = new LinkedHashMap<>();
    for (EventHeader h : global) {
      byId.put(h.eventId(), store.get(h.eventId()));
      streams.putIfAbsent(h.entity(), null);
    }
    Map<String, List<EventHeader>> paged = new LinkedHashMap<>();
    Map<String, Optional<EventHeader>> latest = new LinkedHashMap<>();
    for (String entity : new ArrayList<>(streams.keySet())) {
      streams.put(entity, store.stream(entity));
      List<EventHeader> all = new ArrayList<>();
      long from = 0;
      while (true) {
        List<EventHeader> page = store.stream(entity, from, STREAM_PAGE);
        all.addAll(page);
        if (page.size() < STREAM_PAGE) {
          break;
        }
        from = page.get(page.size() - 1).streamSequence() + 1;
      }
      paged.put(entity, all);
      latest.put(entity, store.latest(entity));
    }
    StoreStats stats = store.stats();
    return new StoreReads(
        global, byId, streams, paged, latest, stats.eventCount(), stats.streamCount(), stats);
  }

  /**
   * What differs between {@code this} (the reference) and {@code other}, as at most a few lines
   * naming the first difference of each kind; empty when every read agrees.
   */
  List<String> differencesFrom(StoreReads other) {
    List<String> out = new ArrayList<>();
    firstDifference(out, "global order", global, other.global);
    firstDifference(
        out, "events by id", new ArrayList<>(byId.values()), new ArrayList<>(other.byId.values()));
    if (!streams.keySet().equals(other.streams.keySet())) {
      out.add("streams: " + streams.keySet() + " vs " + other.streams.keySet());
    } else {
      for (String entity : streams.keySet()) {
        firstDifference(out, "stream " + entity, streams.get(entity), other.streams.get(entity));
        firstDifference(
            out,
            "stream " + entity + " in pages",
            pagedStreams.get(entity),
            other.pagedStreams.get(entity));
        if (!latest.get(entity).equals(other.latest.get(entity))) {
          out.add(
              "latest(" + entity + "): " + latest.get(entity) + " vs " + other.latest.get(entity));
        }
      }
    }
    if (eventCount != other.eventCount || streamCount != other.streamCount) {
      out.add(
          "stats: "
              + eventCount
              + " events, "
              + streamCount
              + " streams vs "
              + other.eventCount
              + ", "
              + other.streamCount);
    }
    return out;
  }

  private static <T> void firstDifference(List<String> out, String what, List<T> a, List<T> b) {
    int n = Math.min(a.size(), b.size());
    for (int i = 0; i < n; i++) {
      if (!Objects.equals(a.get(i), b.get(i))) {
        out.add(what + " at " + i + ": " + a.get(i) + " vs " + b.get(i));
        return;
      }
    }
    if (a.size() != b.size()) {
      out.add(what + ": " + a.size() + " entries vs " + b.size());
    }
  }
}
