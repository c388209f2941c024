package io.batpak.engine.internal.commit;

import io.batpak.engine.internal.format.EventRecord;
import io.batpak.engine.internal.format.SegmentSeal;
import io.batpak.engine.internal.index.Index;
import io.batpak.engine.internal.index.SegmentLinks;
import io.batpak.engine.internal.index.StreamState;
import io.batpak.engine.internal.segment.Journal;
import java.util.BitSet;
import java.util.List;

/**
 * The seal of the active segment, built from what the committer knows without reading the segment:
 * the index's rows from the segment's first event on, and the frames of the group in progress that
 * were written to it before a rotation (they are not in the index yet). Committer thread only.
 */
final class Seals {
  private Seals() {}

  /**
   * The seal of the journal's active segment, for a footer at its current end.
   *
   * @param unindexed frames written to the active segment and not yet in the index, in order
   * @return the seal, or null if the segment holds a cancelled event, began inside a fence, or a
   *     fence is open: a seal cannot describe a fence, so such a segment stays unsealed and its
   *     frames are read on open (ADR 0015)
   */
  static byte[] ofActive(Index index, Journal journal, List<GroupFrame> unindexed) {
    Index.View v = index.view();
    int from = (int) journal.activeBase();
    int to = index.size();
    // The segment's rows end here, sealed or not: the unindexed frames' rows are its last ones.
    int end = to;
    for (GroupFrame f : unindexed) {
      end += f.records.size();
    }
    SegmentSeal.Builder seal = new SegmentSeal.Builder(journal.activeBase(), end - from);
    SegmentLinks links = index.segmentLinks();
    if (index.fenceFrom() >= 0 || journal.activeBeganInFence()) {
      links.keepFrom(end);
      return null;
    }
    for (int row = from; row < to; row++) {
      if (v.cancelled(row)) {
        links.keepFrom(end);
        return null;
      }
    }
    for (int row = from; row < to; row++) {
      seal.add(
          v.idHi(row),
          v.idLo(row),
          index.streamName(v.stream(row)),
          index.scopeName(v.scope(row)),
          v.kind(row),
          v.streamSequence(row),
          v.frameOffset(row),
          v.frameLength(row),
          v.recordOffset(row));
    }
    BitSet streams = new BitSet();
    for (int row = from; row < to; row++) {
      streams.set(v.stream(row));
    }
    for (int id = streams.nextSetBit(0); id >= 0; id = streams.nextSetBit(id + 1)) {
      String entity = index.streamName(id);
      StreamState s = index.stream(entity);
      seal.head(entity, s.nextSequence() - 1, s.headHash());
    }
    for (GroupFrame f : unindexed) {
      for (int i = 0; i < f.records.size(); i++) {
        EventRecord r = f.records.get(i);
        seal.add(
            r.idHi(),
            r.idLo(),
            r.entity(),
            r.scope(),
            r.kind(),
            r.streamSequence(),
            f.offset,
            f.length,
            f.recordOffsets[i]);
        seal.head(r.entity(), r.streamSequence(), r.eventHash());
      }
    }
    // The links, when the index holds them for every row here (a version 1 footer), so that an
    // open need not read the frames for them.
    if (links.addTo(seal, from, to)) {
      for (GroupFrame f : unindexed) {
        for (EventRecord r : f.records) {
          seal.links(
              r.correlationHi() == r.idHi() && r.correlationLo() == r.idLo(),
              r.correlationHi(),
              r.correlationLo(),
              r.hasCausation(),
              r.causationHi(),
              r.causationLo());
        }
      }
    }
    links.keepFrom(end);
    return seal.encode(journal.activeSize());
  }
}
