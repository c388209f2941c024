package io.batpak.engine.internal.projection;

import io.batpak.engine.internal.format.EventRecord;
import io.batpak.engine.internal.format.FrameCodec;
import io.batpak.engine.internal.index.Index;
import io.batpak.engine.internal.read.EventReader;
import io.batpak.engine.internal.segment.FrameWindow;
import io.batpak.engine.internal.segment.Journal;
import java.io.IOException;

/**
 * The replay fast path of one projection call: reads the frames the index names a window of segment
 * at a time ({@link Journal#load} into a {@link FrameWindow}) instead of one positional read per
 * frame, checks each frame's length and CRC32C (a batch frame once for all its events) and decodes
 * the one record, as {@link EventReader#locate} does. Whenever it is in doubt it hands the row to
 * {@link EventReader#locate}, the one read path, and stays there for the rest of the call: when a
 * compaction moves rows (the index's relocation counter), when a frame does not fit a window, and
 * when a frame fails a check (so damage is reported by the read path, with file and offset). Not
 * thread-safe: one per call.
 */
final class FrameWindows {
  /** Bytes read at a time. */
  static final int WINDOW = 1 << 20;

  private final Index index;
  private final Journal journal;
  private final EventReader reader;
  private final boolean payloads;
  private final long moves;
  private boolean fallback;

  private final FrameWindow window = new FrameWindow(WINDOW);
  private long segment = -1;
  private long checkedSegment = -1;
  private long checkedOffset = -1;

  /**
   * @param payloads whether the fold reads payloads; when not, a compressed payload is not
   *     decompressed (a headers-only fold pays nothing for compression)
   */
  FrameWindows(Index index, Journal journal, EventReader reader, boolean payloads) {
    this.index = index;
    this.journal = journal;
    this.reader = reader;
    this.payloads = payloads;
    this.moves = index.relocations();
    this.fallback = journal == null || (moves & 1) != 0;
  }

  /** The record at visible {@code row} of view {@code v}, with its frame's disposition. */
  EventReader.Located read(Index.View v, int row) {
    if (!fallback) {
      int frameLength = v.frameLength(row);
      if (frameLength <= WINDOW) {
        try {
          EventReader.Located l = fromWindow(v, row, frameLength);
          if (l != null && index.relocations() == moves) {
            return l;
          }
        } catch (IOException | RuntimeException e) {
          // the read path below reads it again and reports what is wrong
        }
      }
      fallback = true;
    }
    return payloads ? reader.locate(row) : reader.locateHeader(row);
  }

  private EventReader.Located fromWindow(Index.View v, int row, int frameLength)
      throws IOException {
    long seg = v.segment(row);
    long offset = v.frameOffset(row);
    if (seg != segment || !window.holds(offset, frameLength)) {
      segment = -1;
      journal.load(window, seg, offset, frameLength); // throws if the file ends inside the frame
      segment = seg;
    }
    byte[] buf = window.buf();
    int at = window.at(offset);
    if (seg != checkedSegment || offset != checkedOffset) {
      int bodyLength = FrameCodec.readInt(buf, at);
      if (bodyLength != frameLength - FrameCodec.PREFIX
          || !FrameCodec.crcMatches(buf, at, bodyLength)) {
        return null;
      }
      checkedSegment = seg;
      checkedOffset = offset;
    }
    EventRecord r =
        FrameCodec.decodeRecord(
            buf,
            at + FrameCodec.PREFIX,
            v.recordOffset(row),
            row,
            journal.decompressors(),
            () -> journal.path(seg).toString(),
            offset,
            payloads);
    if (r.idHi() != v.idHi(row) || r.idLo() != v.idLo(row)) {
      return null;
    }
    int type = buf[at + FrameCodec.PREFIX] & 0xFF;
    int disposition =
        type == FrameCodec.TYPE_COMPACTED ? buf[at + FrameCodec.PREFIX + 1] & 0xFF : 0;
    return new EventReader.Located(r, disposition);
  }
}
