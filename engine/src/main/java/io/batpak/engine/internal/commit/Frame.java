package io.batpak.engine.internal.commit;

import io.batpak.engine.internal.format.EventRecord;
import java.util.List;

/** One prepared frame of a group: its appends' records, and where the group writer put it. */
final class Frame {
  final Pending pending;
  final List<EventRecord> records;
  long segment;
  long offset;
  int length;
  final int[] recordOffsets;

  Frame(Pending pending, List<EventRecord> records) {
    this.pending = pending;
    this.records = records;
    this.recordOffsets = new int[records.size()];
  }
}
