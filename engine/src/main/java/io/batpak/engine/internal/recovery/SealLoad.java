package io.batpak.engine.internal.recovery;

import io.batpak.engine.internal.format.SegmentSeal;
import io.batpak.engine.internal.index.Index;
import io.batpak.engine.internal.index.StreamState;
import io.batpak.port.FileHandle;
import java.io.IOException;
import java.util.List;

/**
 * Loads a sealed segment's events into the index from its seal, without reading its frames, once
 * the seal agrees with the index so far: dense global sequences from the index's count, each
 * stream's sequences continuing its head, every frame past {@code from}, and each stream's head
 * where its last event is. Nothing is added unless all of that holds. Names are resolved to streams
 * and scopes once per seal, not once per event. The causation and correlation ids, which a seal
 * does not list, are read from the frames ({@link SealCausal}).
 */
final class SealLoad {
  private SealLoad() {}

  /**
   * Adds the seal's events the index does not hold yet (a checkpoint may cover the first ones).
   *
   * @param from the offset the segment's uncovered frames start at
   * @return null if they were added, or why the seal was not used (then nothing was added)
   */
  static String apply(
      SegmentSeal seal,
      Index index,
      long from,
      int segmentId,
      FileHandle handle,
      String file,
      List<String> notes)
      throws IOException {
    long first = index.size() - seal.baseGlobal;
    if (first < 0 || first > seal.size()) {
      return "it lists global sequences "
          + seal.baseGlobal
          + " to "
          + (seal.baseGlobal + seal.size() - 1)
          + " where the index continues at "
          + index.size();
    }
    int names = seal.names.length;
    long[] next = new long[names];
    boolean[] seen = new boolean[names];
    for (int i = (int) first; i < seal.size(); i++) {
      int name = seal.entityName[i];
      if (!seen[name]) {
        StreamState s = index.stream(seal.names[name]);
        next[name] = s == null ? 0 : s.nextSequence();
        seen[name] = true;
      }
      if (seal.streamSequence[i] != next[name]) {
        return "it gives event "
            + (seal.baseGlobal + i)
            + " of '"
            + seal.names[name]
            + "' stream sequence "
            + seal.streamSequence[i]
            + " where the stream continues at "
            + next[name];
      }
      if (seal.frameOffset[i] < from) {
        return "it places event " + (seal.baseGlobal + i) + " before offset " + from;
      }
      next[name]++;
    }
    for (int name = 0; name < names; name++) {
      if (seen[name] && seal.headByName[name].streamSequence() != next[name] - 1) {
        return "its head of '"
            + seal.names[name]
            + "' is at stream sequence "
            + seal.headByName[name].streamSequence()
            + ", its last event at "
            + (next[name] - 1);
      }
    }
    SealCausal causal =
        seal.listsLinks()
            ? SealCausal.listed(seal, (int) first)
            : SealCausal.read(handle, file, seal, (int) first, notes);
    StreamState[] streams = new StreamState[names];
    int[] scopes = new int[names];
    boolean[] scopeResolved = new boolean[names];
    for (int name = 0; name < names; name++) {
      if (seen[name]) {
        streams[name] = index.streamForWrite(seal.names[name]);
      }
    }
    for (int i = (int) first; i < seal.size(); i++) {
      int j = i - (int) first;
      int scope = seal.scopeName[i];
      if (!scopeResolved[scope]) {
        scopes[scope] = index.scopeId(seal.names[scope]);
        scopeResolved[scope] = true;
      }
      index.addLoaded(
          seal.idHi[i],
          seal.idLo[i],
          streams[seal.entityName[i]],
          scopes[scope],
          seal.kind[i],
          seal.streamSequence[i],
          seal.baseGlobal + i,
          segmentId,
          seal.frameOffset[i],
          seal.frameLength[i],
          seal.recordOffset[i],
          causal.correlationHi[j],
          causal.correlationLo[j],
          causal.hasCausation[j],
          causal.causationHi[j],
          causal.causationLo[j]);
    }
    for (int name = 0; name < names; name++) {
      if (seen[name]) {
        SegmentSeal.Head head = seal.headByName[name];
        index.restoreHead(seal.names[name], head.streamSequence(), head.eventHash());
      }
    }
    return null;
  }
}
