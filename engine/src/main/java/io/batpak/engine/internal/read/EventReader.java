package io.batpak.engine.internal.read;

import io.batpak.CorruptStoreException;
import io.batpak.EventId;
import io.batpak.engine.internal.format.Blake3;
import io.batpak.engine.internal.format.EventRecord;
import io.batpak.engine.internal.format.FrameCodec;
import io.batpak.engine.internal.index.Index;
import io.batpak.engine.internal.segment.IoFailures;
import io.batpak.engine.internal.segment.Journal;
import java.io.IOException;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * The one read path from an index row to the stored event: the index says where the frame lies, the
 * journal reads and CRC-checks it, the frame codec decodes the one record. Readers use it for
 * visible rows; the sequencer uses it for the rows it added itself, to answer an idempotent retry.
 *
 * <p>A batch frame (more than one record) is checked whole once per layout of the journal ({@link
 * CheckedFrames}); a later read of one of its events reads only that event's record, or takes it
 * from the frame this thread read last (ADR 0029), and checks its event and content hashes and, for
 * a record read alone, that its bytes are exactly the writer's for what they decode to. Whenever
 * that short read is in doubt (the record does not parse, its id is not the row's, a hash differs,
 * a byte is not the writer's, its payload is compressed, a compaction moved rows meanwhile) the
 * whole frame is read and checked again, so damage is still reported with file and offset.
 * Thread-safe.
 */
public final class EventReader {
  private final Index index;
  private final Journal journal;
  private final CheckedFrames checked;

  /** A reader of {@code journal}'s events through {@code index}. */
  public EventReader(Index index, Journal journal) {
    this(index, journal, true);
  }

  /**
   * A reader of {@code journal}'s events through {@code index}.
   *
   * @param recordReads whether an event of a batch frame checked before is read by its record alone
   *     (ADR 0029); false reads and checks its whole frame every time, as every read did before
   *     (tests compare the two)
   */
  public EventReader(Index index, Journal journal, boolean recordReads) {
    this.index = index;
    this.journal = journal;
    this.checked = recordReads ? new CheckedFrames() : null;
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
        Located known =
            checked != null && (moves & 1) == 0 ? fromCheckedFrame(v, row, moves, payload) : null;
        if (known != null) {
          return known;
        }
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
          int disposition = compacted ? frame[FrameCodec.PREFIX + 1] & 0xFF : 0;
          rememberChecked(v, row, moves, disposition);
          return new Located(r, disposition);
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

  /**
   * Remembers the frame of visible {@code row}, just read whole and checked, if it holds other
   * records too and no compaction switch began or ended during the read.
   */
  private void rememberChecked(Index.View v, int row, long moves, int disposition) {
    if (checked == null || (moves & 1) != 0 || row >= v.size()) {
      return;
    }
    int bodyLength = v.frameLength(row) - FrameCodec.PREFIX;
    boolean batch =
        v.recordOffset(row) != FrameCodec.BODY_HEADER || recordEnd(v, row) != bodyLength;
    if (batch && index.relocations() == moves) {
      checked.remember(moves, CheckedFrames.key(v.segment(row), v.frameOffset(row)), disposition);
    }
  }

  /**
   * The event at {@code row} read from a frame checked before in this layout: from the frame this
   * thread read last if it is that one, else by reading the record's bytes alone. Null when the
   * frame is not known checked or anything is in doubt: the caller then reads the whole frame.
   */
  private Located fromCheckedFrame(Index.View v, int row, long moves, boolean payload) {
    int segment = v.segment(row);
    long offset = v.frameOffset(row);
    int disposition = checked.disposition(moves, CheckedFrames.key(segment, offset));
    if (disposition < 0) {
      return null;
    }
    int start = v.recordOffset(row);
    byte[] bytes = journal.keptFrame(segment, offset, v.frameLength(row));
    boolean alone = bytes == null; // else the thread's copy of the frame, checked whole
    int bodyOffset = FrameCodec.PREFIX;
    int recordOffset = start;
    EventRecord r;
    try {
      if (alone) {
        bytes =
            journal.readUnchecked(
                segment, offset + FrameCodec.PREFIX + start, recordEnd(v, row) - start);
        bodyOffset = 0;
        recordOffset = 0;
      }
      r =
          FrameCodec.decodeRecord(
              bytes,
              bodyOffset,
              recordOffset,
              row,
              journal.decompressors(),
              fileOf(segment),
              offset,
              payload);
    } catch (IOException | RuntimeException e) {
      return null; // the whole frame's read reports what is wrong
    }
    boolean same = r.idHi() == v.idHi(row) && r.idLo() == v.idLo(row);
    return same
            && intact(r)
            && (!alone || FrameCodec.isEncodingOf(r, bytes, 0, bytes.length))
            && index.relocations() == moves
        ? new Located(r, disposition)
        : null;
  }

  /**
   * Whether every field of {@code r} read without its frame's CRC is as written: its stored event
   * hash is the hash of its header fields, previous hash and content hash, and its content hash the
   * hash of its payload (the bytes that spell them are checked by {@link FrameCodec#isEncodingOf}).
   * A compressed payload is never taken this way (a bit flipped in compressed bytes can leave the
   * payload they decompress to unchanged, so only the frame's CRC finds it): its frame is read and
   * checked whole.
   */
  private static boolean intact(EventRecord r) {
    if (r.compressedPayload() != null) {
      return false;
    }
    Blake3 blake3 = HASHER.get();
    byte[] content = blake3.hash(r.payload(), 0, r.payload().length);
    return Arrays.equals(content, r.contentHash())
        && Arrays.equals(FrameCodec.eventHash(blake3, r.prevHash(), r), r.eventHash());
  }

  /** Each reading thread's hasher for {@link #intact}. */
  private static final ThreadLocal<Blake3> HASHER = ThreadLocal.withInitial(Blake3::new);

  /** How many batch frames this reader knows checked (for tests). */
  int checkedFrames() {
    return checked == null ? 0 : checked.size();
  }

  /**
   * Where the record of {@code row} ends in its frame's body: where the next row's record starts if
   * the next row is in the same frame, else at the body's end.
   */
  private static int recordEnd(Index.View v, int row) {
    int next = row + 1;
    if (next < v.size()
        && v.segment(next) == v.segment(row)
        && v.frameOffset(next) == v.frameOffset(row)
        && v.recordOffset(next) > v.recordOffset(row)) {
      return v.recordOffset(next);
    }
    return v.frameLength(row) - FrameCodec.PREFIX;
  }
}
