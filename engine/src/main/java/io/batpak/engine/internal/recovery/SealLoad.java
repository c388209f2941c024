package io.batpak.engine.internal.recovery;

import io.batpak.engine.internal.format.SegmentSeal;
import io.batpak.engine.internal.index.Index;
import io.batpak.engine.internal.index.StreamState;
import java.util.HashMap;
import java.util.Map;

/**
 * Loads a sealed segment's events into the index from its seal, without reading its frames, once
 * the seal agrees with the index so far: dense global sequences from the index's count, each
 * stream's sequences continuing its head, every frame past {@code from}, and each stream's head
 * where its last event is. Nothing is added unless all of that holds.
 */
final class SealLoad {
  private SealLoad() {}

  /**
   * Adds the seal's events the index does not hold yet (a checkpoint may cover the first ones).
   *
   * @param from the offset the segment's uncovered frames start at
   * @return null if they were added, or why the seal was not used (then nothing was added)
   */
  static String apply(SegmentSeal seal, Index index, long from, int segmentId) {
    long first = index.size() - seal.baseGlobal;
    if (first < 0 || first > seal.size()) {
      return "it lists global sequences "
          + seal.baseGlobal
          + " to "
          + (seal.baseGlobal + seal.size() - 1)
          + " where the index continues at "
          + index.size();
    }
    Map<String, Long> next = new HashMap<>();
    for (int i = (int) first; i < seal.size(); i++) {
      String entity = seal.entity[i];
      long expected = next.computeIfAbsent(entity, e -> nextOf(index, e));
      if (seal.streamSequence[i] != expected) {
        return "it gives event "
            + (seal.baseGlobal + i)
            + " of '"
            + entity
            + "' stream sequence "
            + seal.streamSequence[i]
            + " where the stream continues at "
            + expected;
      }
      if (seal.frameOffset[i] < from) {
        return "it places event " + (seal.baseGlobal + i) + " before offset " + from;
      }
      next.put(entity, expected + 1);
    }
    for (Map.Entry<String, Long> e : next.entrySet()) {
      SegmentSeal.Head head = seal.heads.get(e.getKey());
      if (head.streamSequence() != e.getValue() - 1) {
        return "its head of '"
            + e.getKey()
            + "' is at stream sequence "
            + head.streamSequence()
            + ", its last event at "
            + (e.getValue() - 1);
      }
    }
    for (int i = (int) first; i < seal.size(); i++) {
      index.add(
          seal.idHi[i],
          seal.idLo[i],
          seal.entity[i],
          seal.scope[i],
          seal.kind[i],
          seal.streamSequence[i],
          seal.baseGlobal + i,
          null,
          segmentId,
          seal.frameOffset[i],
          seal.frameLength[i],
          seal.recordOffset[i]);
    }
    for (Map.Entry<String, Long> e : next.entrySet()) {
      SegmentSeal.Head head = seal.heads.get(e.getKey());
      index.restoreHead(e.getKey(), head.streamSequence(), head.eventHash());
    }
    return null;
  }

  private static long nextOf(Index index, String entity) {
    StreamState s = index.stream(entity);
    return s == null ? 0 : s.nextSequence();
  }
}
