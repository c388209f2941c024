package io.batpak.engine.internal.commit;

import io.batpak.engine.internal.format.EventRecord;
import java.util.List;

/**
 * One frame of a group: the records the sequencer built for one append (a single event, or an
 * atomic batch), and where the group writer put them. Confined to the committing thread.
 */
final class GroupFrame {
  final AppendRequest request;
  final List<EventRecord> records;
  final int[] recordOffsets;
  long segment;
  long offset;
  int length;

  GroupFrame(AppendRequest request, List<EventRecord> records) {
    this.request = request;
    this.records = records;
    this.recordOffsets = new int[records.size()];
  }
}
