package io.batpak.it.concurrency;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The sequential specification of the store's operations that {@link StoreActors} drives: a plain
 * in-memory list of events, one list of global sequences per stream, and the idempotency keys
 * committed so far. Each method returns the same text {@link StoreActors} returns for the store, so
 * Lincheck compares them directly.
 *
 * <p>Rules it encodes (decisions 1 and 5 (docs/architecture.md), {@link io.batpak.Store}'s
 * javadoc): global sequences are dense from 0 in commit order and stream sequences dense per
 * stream; an idempotency key already committed returns the original receipt if the content (entity,
 * payload) is the same and fails with an idempotency conflict otherwise, and this is checked before
 * the expected version; a batch is all or nothing, and a batch whose keys are only partly known is
 * a conflict; reads see every committed event.
 *
 * <p>Not thread-safe: Lincheck calls it from one thread.
 */
public final class StoreModel {
  /** One committed event. */
  private record Event(int entity, String payload, int key) {}

  private final List<Event> events = new ArrayList<>();
  private final Map<Integer, List<Integer>> streams = new HashMap<>();
  private final Map<Integer, Integer> keys = new HashMap<>();

  /** Creates an empty store model. */
  public StoreModel() {}

  /** See {@link StoreActors#append}. */
  public String append(int entity, int payload, int expected, int key) {
    return single(entity, payload, expected, key);
  }

  /** See {@link StoreActors#submit}. */
  public String submit(int entity, int payload, int expected, int key) {
    return single(entity, payload, expected, key);
  }

  /** See {@link StoreActors#batch}. */
  public String batch(int first, int second, int key) {
    int[] entities = {first, second};
    String[] payloads = {StoreActors.batchPayload(0), StoreActors.batchPayload(1)};
    int[] itemKeys = StoreActors.batchKeys(key);
    if (key != 0) {
      int known = 0;
      for (int i = 0; i < 2; i++) {
        Integer at = keys.get(itemKeys[i]);
        if (at != null) {
          Event e = events.get(at);
          if (e.entity != entities[i] || !e.payload.equals(payloads[i])) {
            return StoreActors.IDEMPOTENCY_CONFLICT;
          }
          known++;
        }
      }
      if (known == 2) {
        return receipt(keys.get(itemKeys[0])) + "," + receipt(keys.get(itemKeys[1]));
      }
      if (known == 1) {
        return StoreActors.IDEMPOTENCY_CONFLICT;
      }
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < 2; i++) {
      int g = add(entities[i], payloads[i], key == 0 ? 0 : itemKeys[i]);
      out.append(i == 0 ? "" : ",").append(receipt(g));
    }
    return out.toString();
  }

  /** See {@link StoreActors#stream}. */
  public String stream(int entity) {
    List<String> out = new ArrayList<>();
    for (int g : streams.getOrDefault(entity, List.of())) {
      out.add(events.get(g).payload);
    }
    return out.toString();
  }

  /** See {@link StoreActors#get}. */
  public String get(int key) {
    Integer at = keys.get(key);
    return at == null ? StoreActors.NOT_FOUND : events.get(at).payload;
  }

  /** See {@link StoreActors#queryAfter}. */
  public String queryAfter(int after, int limit) {
    List<String> out = new ArrayList<>();
    for (int g = after + 1; g < events.size() && out.size() < limit; g++) {
      Event e = events.get(g);
      out.add(g + ":" + StoreActors.entity(e.entity) + ":" + e.payload);
    }
    return out.toString();
  }

  /** See {@link StoreActors#sync}. */
  public String sync() {
    return StoreActors.OK;
  }

  private String single(int entity, int payload, int expected, int key) {
    String p = StoreActors.payload(payload);
    if (key != 0) {
      Integer at = keys.get(key);
      if (at != null) {
        Event e = events.get(at);
        if (e.entity != entity || !e.payload.equals(p)) {
          return StoreActors.IDEMPOTENCY_CONFLICT;
        }
        return receipt(at);
      }
    }
    int next = streams.getOrDefault(entity, List.of()).size();
    boolean matches =
        expected == StoreActors.ANY
            || (expected == StoreActors.NO_STREAM ? next == 0 : next == expected + 1);
    if (!matches) {
      return StoreActors.CONFLICT;
    }
    return receipt(add(entity, p, key));
  }

  private int add(int entity, String payload, int key) {
    int g = events.size();
    events.add(new Event(entity, payload, key));
    streams.computeIfAbsent(entity, k -> new ArrayList<>()).add(g);
    if (key != 0) {
      keys.put(key, g);
    }
    return g;
  }

  private String receipt(int g) {
    Event e = events.get(g);
    return StoreActors.receipt(g, streams.get(e.entity).indexOf(g));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StoreModel m && events.equals(m.events);
  }

  @Override
  public int hashCode() {
    return events.hashCode();
  }
}
