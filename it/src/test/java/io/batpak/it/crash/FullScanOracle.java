package io.batpak.it.crash;

import io.batpak.EventHeader;
import io.batpak.EventId;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StoredEvent;
import io.batpak.fs.sim.SimEntropy;
import io.batpak.fs.sim.SimSnapshot;
import io.batpak.fs.sim.SimStoreClock;
import io.batpak.fs.sim.SimStoreFs;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The second oracle of the seal explorer ({@link SealCrashExplorerIT}): a reopened store must
 * answer every read exactly like a full scan of the same journal. The full-scan answer comes from a
 * copy of the crashed directory in the shape a crash leaves ({@link CrashShape}: every seal
 * stripped, {@code index.ckpt} deleted), opened read-only, so it reads every frame and trusts
 * neither a seal nor a checkpoint. Compared: the global order (every header, paged with {@code
 * queryAfter}), each event by id ({@code get}: header and payload), and each stream ({@code
 * stream}).
 */
final class FullScanOracle {
  private static final int PAGE = 53;

  /**
   * What a full scan answers.
   *
   * @param events every event in global order, with its payload
   * @param streams every stream's headers, in stream order
   * @param refusal why the full scan could not open the copy (then the lists are empty), or null
   */
  record Answer(List<StoredEvent> events, Map<String, List<EventHeader>> streams, String refusal) {}

  private FullScanOracle() {}

  /** The full-scan answer for the disk state {@code crashed} (which is not changed). */
  static Answer of(SimSnapshot crashed, long seed) {
    SimStoreFs copy = SimStoreFs.fromSnapshot(crashed);
    try {
      if (!copy.exists(Workload.DIR)) {
        return new Answer(List.of(), Map.of(), null); // no journal yet: nothing to read
      }
      CrashShape.strip(copy, Workload.DIR);
    } catch (IOException e) {
      return new Answer(List.of(), Map.of(), "stripping the seals failed: " + e);
    }
    StoreConfig cfg =
        StoreConfig.builder(Workload.DIR)
            .fs(copy)
            .clock(new SimStoreClock())
            .entropy(new SimEntropy(seed))
            .deterministic(true)
            .readOnly(true)
            .build();
    try (Store st = Store.open(cfg)) {
      List<StoredEvent> events = new ArrayList<>();
      Map<String, List<EventHeader>> streams = new LinkedHashMap<>();
      for (EventHeader h : all(st)) {
        events.add(st.get(h.eventId()));
        streams.putIfAbsent(h.coordinate().entity(), null);
      }
      for (String entity : streams.keySet()) {
        streams.put(entity, st.stream(entity));
      }
      return new Answer(events, streams, null);
    } catch (RuntimeException e) {
      return new Answer(List.of(), Map.of(), Oracle.describe(e));
    }
  }

  /** Every header of {@code st} in global order. */
  static List<EventHeader> all(Store st) {
    List<EventHeader> out = new ArrayList<>();
    long after = -1;
    while (true) {
      List<EventHeader> page = st.queryAfter(Region.all(), after, PAGE);
      if (page.isEmpty()) {
        return out;
      }
      out.addAll(page);
      after = page.get(page.size() - 1).globalSequence();
    }
  }

  /**
   * How {@code store}'s answers differ from {@code full}'s (empty if they are the same). A store
   * that opened where the full scan could not is a difference; a store that did not open is judged
   * by {@link Oracle} alone.
   */
  static List<String> differences(Answer full, Store store) {
    List<String> v = new ArrayList<>();
    if (store == null) {
      return v;
    }
    if (full.refusal() != null) {
      v.add(
          "the store opened, but a full scan of the same journal (seals stripped, no checkpoint)"
              + " refuses: "
              + full.refusal());
      return v;
    }
    try {
      List<EventHeader> order = all(store);
      if (order.size() != full.events().size()) {
        v.add(
            "the store lists "
                + order.size()
                + " events in global order, a full scan of the same journal "
                + full.events().size());
      }
      for (int i = 0; i < Math.min(order.size(), full.events().size()); i++) {
        EventHeader want = full.events().get(i).header();
        if (!order.get(i).equals(want)) {
          v.add(
              "global sequence " + i + ": the store has " + order.get(i) + ", a full scan " + want);
          break;
        }
      }
      for (StoredEvent e : full.events()) {
        EventId id = e.header().eventId();
        StoredEvent got;
        try {
          got = store.get(id);
        } catch (RuntimeException ex) {
          v.add("get(" + id + ") failed where a full scan reads it: " + Oracle.describe(ex));
          continue;
        }
        if (!Objects.equals(got, e)) {
          v.add("get(" + id + ") differs from a full scan: " + got.header() + " vs " + e.header());
        }
      }
      for (Map.Entry<String, List<EventHeader>> s : full.streams().entrySet()) {
        List<EventHeader> got = store.stream(s.getKey());
        if (!got.equals(s.getValue())) {
          v.add(
              "stream("
                  + s.getKey()
                  + ") lists "
                  + got.size()
                  + " events, a full scan "
                  + s.getValue().size()
                  + (got.size() == s.getValue().size() ? " (other headers)" : ""));
        }
      }
    } catch (RuntimeException e) {
      v.add("reading the reopened store failed: " + Oracle.describe(e));
    }
    return v;
  }
}
