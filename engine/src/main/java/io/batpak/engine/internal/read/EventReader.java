package io.batpak.engine.internal.read;

import io.batpak.CorruptStoreException;
import io.batpak.EventId;
import io.batpak.engine.internal.format.EventRecord;
import io.batpak.engine.internal.format.FrameCodec;
import io.batpak.engine.internal.index.Index;
import io.batpak.engine.internal.segment.IoFailures;
import io.batpak.engine.internal.segment.Journal;
import java.io.IOException;
import java.util.function.Supplier;

/**
 * The one read path from an index row to the stored event: the index says where the frame lies, the
 * journal reads and CRC-checks it, the frame codec decodes the one record. Readers use it for
 * visible rows; the sequencer uses it for the rows it added itself, to answer an idempotent retry.
 * Thread-safe.
 */
public final class EventReader {
  private final Index index;
  private final Journal journal;

  /** A reader of {@code journal}'s events through {@code index}. */
  public EventReader(Index index, Journal journal) {
    this.index = index;
    this.journal = journal;
  }

  /**
   * The event at {@code row}. The caller knows the row exists: a reader found it visible, or the
   * committer added it.
   *
   * @throws io.batpak.CorruptStoreException if the frame fails its checks
   * @throws io.batpak.StoreIoException if the read fails
   */
  public EventRecord read(int row) {
    return locate(row).record();
  }

  /**
   * A record and how compaction changed it (0, {@link FrameCodec#DROPPED} or {@link
   * FrameCodec#TOMBSTONED}), both taken from the one frame the record was read from: a disposition
   * read from the index before or after the read may belong to the other side of a compaction's
   * switch, and a record read from a compacted frame shown as a stored event is an event with an
   * empty payload that was never appended.
   *
   * @param record the record
   * @param disposition its frame's disposition
   */
  public record Located(EventRecord record, int disposition) {}

  /**
   * The event at {@code row} with its disposition ({@link Located}).
   *
   * @throws io.batpak.CorruptStoreException if the frame fails its checks
   * @throws io.batpak.StoreIoException if the read fails
   */
  public Located locate(int row) {
    return locate(row, true);
  }

  /**
   * The event at {@code row} as {@link #locate(int)}, for a read of its header only: a compressed
   * payload is not decompressed ({@link FrameCodec#decodeRecord(byte[], int, int, long,
   * io.batpak.engine.internal.format.Decompressors, String, long, boolean)}).
   */
  public Located locateHeader(int row) {
    return locate(row, false);
  }

  /** The name of segment {@code segment}, for an error: a path is built only when one is needed. */
  private Supplier<String> fileOf(long segment) {
    return () -> journal.path(segment).toString();
  }

  private Located locate(int row, boolean payload) {
    while (true) {
      long moves = index.relocations();
      Index.View v = index.view();
      RuntimeException failure;
      try {
        byte[] frame = journal.readFrame(v.segment(row), v.frameOffset(row), v.frameLength(row));
        EventRecord r =
            FrameCodec.decodeRecord(
                frame,
                FrameCodec.PREFIX,
                v.recordOffset(row),
                row,
                journal.decompressors(),
                fileOf(v.segment(row)),
                v.frameOffset(row),
                payload);
        if (r.idHi() == v.idHi(row) && r.idLo() == v.idLo(row)) {
          boolean compacted = (frame[FrameCodec.PREFIX] & 0xFF) == FrameCodec.TYPE_COMPACTED;
          return new Located(r, compacted ? frame[FrameCodec.PREFIX + 1] & 0xFF : 0);
        }
        failure =
            new CorruptStoreException(
                journal.path(v.segment(row)).toString(),
                v.frameOffset(row),
                "event id of the record at body offset " + v.recordOffset(row),
                new EventId(v.idHi(row), v.idLo(row)).toString(),
                new EventId(r.idHi(), r.idLo()).toString());
      } catch (IOException e) {
        failure =
            IoFailures.of(
                "reading the event at global sequence "
                    + row
                    + " from "
                    + journal.path(v.segment(row))
                    + " failed: "
                    + e.getMessage(),
                e);
      } catch (RuntimeException e) {
        failure = e;
      }
      // A compaction that moved the row while it was read (closing the file it was in) makes any
      // failure meaningless: read it again where it is now.
      long now = index.relocations();
      if (now == moves && (now & 1) == 0) {
        throw failure;
      }
      Thread.onSpinWait();
    }
  }
}
