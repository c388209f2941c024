package io.batpak.engine.internal.verify;

import io.batpak.CorruptStoreException;
import io.batpak.EventId;
import io.batpak.ReceiptVerification.Reason;
import io.batpak.StoreVerification;
import io.batpak.UnsupportedFormatException;
import io.batpak.VerificationProgress;
import io.batpak.engine.internal.format.FenceFrame;
import io.batpak.engine.internal.format.FrameCodec;
import io.batpak.engine.internal.format.SegmentHeader;
import io.batpak.engine.internal.format.SegmentSeal;
import io.batpak.engine.internal.index.Index;
import io.batpak.engine.internal.segment.FrameWindow;
import io.batpak.engine.internal.segment.IoFailures;
import io.batpak.engine.internal.segment.Journal;
import io.batpak.port.FileHandle;
import io.batpak.port.StoreFs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * {@link io.batpak.Store#verifyAll}: one sequential pass over the journal's segments, a window of
 * {@link FrameWindow#WINDOW} bytes at a time, that checks every frame up to the end of the last
 * event visible when it starts, and re-links every stream's chain (ADR 0020).
 *
 * <p>Per frame: length and CRC, body structure (type, flags, event count, each record's layout);
 * fence frames decoded; a seal's footer ends a segment's frames. Per event, in global order: that
 * the index places it here (the frame's global sequence, event id, stream, scope, kind, record
 * offset, frame length and disposition agree with the index row), its stream sequence (dense from
 * 0), its content hash recomputed from the payload, its previous hash equal to the stream
 * predecessor's event hash, and its event hash recomputed. Events of cancelled fences are never
 * visible and not checked (their frames are CRC-checked); dropped and tombstoned records of a
 * compaction are checked without a payload and counted.
 *
 * <p>The index guides the walk: when the frames on disk step past where the index places an event
 * (a damaged length, frames moved), the walk looks where the index says; a damaged frame makes its
 * events problems and the walk goes on at the next event the index places. So one damaged byte
 * costs the events of its frame (and the next link of their streams, which cannot be checked), not
 * the rest of the segment.
 *
 * <p>Memory: one window, reused arrays for its records, and a chain head per stream ({@link
 * ChainHeads}); nothing per event. Hashing runs on the caller's thread and {@code helpers} more
 * ({@link HashWorkers}). Not thread-safe: one instance per call. The caller keeps compaction from
 * replacing segments while it runs.
 */
public final class JournalVerification {
  private final Index index;
  private final Journal journal;
  private final StoreFs fs;
  private final int helpers;

  private final FrameWindow window = new FrameWindow();
  private final HashWorkers.Pending pending = new HashWorkers.Pending();
  private final RecordLayout layout = new RecordLayout();
  private final ChainHeads heads = new ChainHeads();
  private final List<StoreVerification.Problem> problems = new ArrayList<>();
  private byte[][] streamNames = new byte[64][];
  private byte[][] scopeNames = new byte[64][];
  private HashWorkers workers;
  private EventHasher detailHasher;

  private Index.View v;
  private int total;
  private long events;
  private int cursor;
  private long checked;
  private long problemCount;
  private long dropped;
  private long tombstoned;
  private String file;
  private VerificationProgress progress;

  /**
   * A verification of {@code journal}'s frames against {@code index}, reading through {@code fs}
   * with {@code helpers} hashing threads besides the caller's.
   */
  public JournalVerification(Index index, Journal journal, StoreFs fs, int helpers) {
    this.index = index;
    this.journal = journal;
    this.fs = fs;
    this.helpers = helpers;
  }

  /**
   * The hashing threads to use besides the caller's on this machine: one per further core, up to 3.
   */
  public static int defaultHelpers() {
    return Math.max(0, Math.min(Runtime.getRuntime().availableProcessors(), 4) - 1);
  }

  /**
   * Checks every event visible now, telling {@code progress} after each one, in global order.
   *
   * @throws io.batpak.StoreIoException if a segment cannot be read
   */
  public StoreVerification run(VerificationProgress progress) {
    this.progress = progress;
    this.v = index.view();
    this.total = v.size();
    if (total == 0) {
      return new StoreVerification(0, 0, 0, List.of());
    }
    this.events = total - index.cancelled().below(total).count();
    int last = total - 1;
    long lastSegment = v.segment(last);
    long lastEnd = v.frameOffset(last) + v.frameLength(last);
    try (HashWorkers w = new HashWorkers(helpers, journal.decompressors())) {
      workers = w;
      for (long segment : new ArrayList<>(journal.segments().keySet())) {
        if (segment > lastSegment) {
          break;
        }
        missing(segment, "its segment is missing from the journal");
        verifySegment(segment, segment == lastSegment ? lastEnd : Long.MAX_VALUE);
      }
      missing(Long.MAX_VALUE, "its segment is missing from the journal");
    }
    return new StoreVerification(
        events, heads.streams(), problemCount, problems, dropped, tombstoned);
  }

  /** Reports the rows not yet met whose segment is before {@code segment}. */
  private void missing(long segment, String why) {
    while (cursor < total && v.segment(cursor) < segment) {
      int row = cursor++;
      damaged(
          row,
          why
              + " (segment "
              + v.segment(row)
              + ", "
              + Journal.fileName(v.segment(row))
              + " at offset "
              + v.frameOffset(row)
              + ")");
    }
  }

  private void verifySegment(long segment, long limit) {
    Path path = journal.path(segment);
    file = path.toString();
    workers.segment(file);
    hasher().segment(file);
    try (FileHandle in = fs.openRead(path)) {
      long end = Math.min(limit, in.size());
      SegmentHeader header;
      try {
        header = SegmentHeader.read(in, file);
      } catch (CorruptStoreException | UnsupportedFormatException e) {
        for (; cursor < total && v.segment(cursor) == segment; cursor++) {
          damaged(cursor, "the header of its segment cannot be read (" + e.getMessage() + ")");
        }
        return;
      }
      window.open(in);
      long pos = header.length();
      while (true) {
        long next = nextPlaced(segment);
        if (pos > next) {
          pos = next; // the frames stepped past an event the index places: look where it says
        }
        if (pos >= end) {
          break;
        }
        pos = frame(segment, header, pos, end);
      }
      flush();
      for (; cursor < total && v.segment(cursor) == segment; cursor++) {
        damaged(
            cursor,
            "no frame of "
                + file
                + " at offset "
                + v.frameOffset(cursor)
                + " where the index places it: the segment's frames end at "
                + end);
      }
    } catch (IOException e) {
      throw IoFailures.of(
          "verifyAll could not read " + file + ": " + e.getMessage() + "; nothing was changed", e);
    }
  }

  /** The offset of the next row's frame if it lies in {@code segment}, else the largest long. */
  private long nextPlaced(long segment) {
    return cursor < total && v.segment(cursor) == segment ? v.frameOffset(cursor) : Long.MAX_VALUE;
  }

  /** Checks the frame at {@code pos}; returns where the walk goes on. */
  private long frame(long segment, SegmentHeader header, long pos, long end) throws IOException {
    if (pos + FrameCodec.PREFIX > end) {
      return damagedFrame(segment, pos, end, "a frame prefix cut by the end at " + end);
    }
    if (!window.holds(pos, FrameCodec.PREFIX)) {
      flush();
      window.load(pos, FrameCodec.PREFIX, end);
    }
    int bodyLength = FrameCodec.readInt(window.buf(), window.at(pos));
    if (bodyLength < FrameCodec.MIN_BODY || bodyLength > FrameCodec.MAX_BODY) {
      return damagedFrame(segment, pos, end, "an impossible frame length " + bodyLength);
    }
    int length = FrameCodec.PREFIX + bodyLength;
    if (pos + length > end) {
      return damagedFrame(
          segment, pos, end, "a frame of " + length + " bytes that runs past the end at " + end);
    }
    if (!window.holds(pos, length)) {
      flush();
      window.load(pos, length, end);
    }
    byte[] buf = window.buf();
    int at = window.at(pos);
    if (!FrameCodec.crcMatches(buf, at, bodyLength)) {
      return damagedFrame(segment, pos, end, "a CRC32C mismatch");
    }
    int body = at + FrameCodec.PREFIX;
    int type = buf[body] & 0xFF;
    boolean placedHere = nextPlaced(segment) == pos;
    if (SegmentSeal.isFooter(buf, body)) {
      if (placedHere) {
        return damagedFrame(segment, pos, end, "a seal's footer where the index places an event");
      }
      return end; // a seal's footer: the segment's frames end here
    }
    if (FenceFrame.isFence(buf, body)) {
      if (placedHere) {
        return damagedFrame(segment, pos, end, "a fence frame where the index places an event");
      }
      try {
        FenceFrame.decode(buf, body, bodyLength, file, pos);
      } catch (CorruptStoreException e) {
        return damagedFrame(segment, pos, end, "a malformed fence frame (" + e.getMessage() + ")");
      }
      return pos + length;
    }
    int flags = buf[body + 1] & 0xFF;
    int disposition;
    if (type == FrameCodec.TYPE_EVENTS && flags == 0) {
      disposition = 0;
    } else if (type == FrameCodec.TYPE_COMPACTED
        && (flags == FrameCodec.DROPPED || flags == FrameCodec.TOMBSTONED)) {
      if (header.version() < SegmentHeader.COMPACTED_VERSION) {
        return damagedFrame(
            segment, pos, end, "a compacted frame in a segment of version " + header.version());
      }
      disposition = flags;
    } else {
      return damagedFrame(segment, pos, end, "frame type " + type + " with flags " + flags);
    }
    int first = cursor;
    int placed = 0;
    while (first + placed < total
        && v.segment(first + placed) == segment
        && v.frameOffset(first + placed) == pos) {
      placed++;
    }
    if (placed == 0) {
      // An events frame the index places no event in: none of its events is visible (or it is not
      // where the index expects frames, and the walk will look where the index says).
      return pos + length;
    }
    long base = FrameCodec.readLong(buf, body + 4);
    int count = FrameCodec.readInt(buf, body + 12);
    if (count != placed) {
      return damagedFrame(
          segment,
          pos,
          end,
          "a frame of " + count + " events where the index places " + placed + " events");
    }
    int mark = pending.count;
    int p = body + FrameCodec.BODY_HEADER;
    int limit = body + bodyLength;
    for (int i = 0; i < count; i++) {
      String bad = layout.parse(buf, p, limit);
      if (bad != null) {
        pending.count = mark;
        return damagedFrame(segment, pos, end, "record " + i + " of the frame has " + bad);
      }
      pending.add(p, first + i, base + i, pos, length, p - body, disposition);
      p = layout.end;
    }
    if (p != limit) {
      pending.count = mark;
      return damagedFrame(
          segment,
          pos,
          end,
          "a body of " + bodyLength + " bytes whose records end at " + (p - body));
    }
    cursor = first + placed;
    return pos + length;
  }

  /**
   * The frame at {@code pos} cannot be read ({@code what}): every event the index places in it is a
   * problem. Returns where the walk goes on: the next frame the index places an event in.
   */
  private long damagedFrame(long segment, long pos, long end, String what) {
    flush();
    while (cursor < total && v.segment(cursor) == segment && v.frameOffset(cursor) == pos) {
      int row = cursor++;
      damaged(row, what + " in " + file + " at offset " + pos);
    }
    long next = nextPlaced(segment);
    return next == Long.MAX_VALUE ? end : next;
  }

  /** Row {@code row}'s event cannot be read: a problem, and its stream's next link is unknown. */
  private void damaged(int row, String detail) {
    if (v.cancelled(row)) {
      return; // a cancelled fence's event: never visible, never checked
    }
    int stream = v.stream(row);
    heads.advanceUnknown(stream, v.streamSequence(row));
    problem(row, Reason.FRAME_CORRUPT, detail);
    progress.checked(++checked, events);
  }

  /** Hashes the pending records, then checks them in order against the index and the chains. */
  private void flush() {
    int n = pending.count;
    if (n == 0) {
      return;
    }
    byte[] buf = window.buf();
    workers.hash(buf, pending, n);
    for (int i = 0; i < n; i++) {
      check(buf, i);
    }
    pending.count = 0;
  }

  private void check(byte[] buf, int i) {
    int row = pending.row[i];
    if (v.cancelled(row)) {
      return;
    }
    RecordLayout r = layout;
    r.parse(buf, pending.at[i], buf.length);
    int stream = v.stream(row);
    long framePos = pending.framePosition[i];
    String mismatch = placement(buf, r, row, stream, i);
    if (mismatch != null) {
      heads.advanceUnknown(stream, v.streamSequence(row));
      Reason reason =
          pending.globalSequence[i] != row ? Reason.GLOBAL_SEQUENCE_MISMATCH : Reason.FRAME_CORRUPT;
      problem(row, reason, mismatch + where(framePos));
      progress.checked(++checked, events);
      return;
    }
    int disposition = pending.disposition[i];
    if (disposition == FrameCodec.DROPPED) {
      dropped++;
    } else if (disposition == FrameCodec.TOMBSTONED) {
      tombstoned++;
    }
    long sequence = RecordLayout.u64(buf, r.kindAt + 2);
    long expected = heads.nextSequence(stream);
    int status = pending.status[i];
    Reason reason = null;
    String detail = null;
    if (sequence != expected || sequence != v.streamSequence(row)) {
      reason = Reason.STREAM_SEQUENCE_MISMATCH;
      detail =
          "stream sequence "
              + sequence
              + " where "
              + expected
              + " was expected (a stream counts from 0 without gaps; the index holds "
              + v.streamSequence(row)
              + ")";
    } else if ((status & EventHasher.CONTENT_BAD) != 0) {
      reason = Reason.CONTENT_HASH_MISMATCH;
      detail =
          "payload hashes to "
              + hexOrDamaged(hasher().contentHash(buf, r, framePos), hasher())
              + ", frame says "
              + hex(buf, r.hashesAt + 32);
    } else if (heads.unknown(stream)) {
      reason = Reason.FRAME_CORRUPT;
      detail = "the frame of the stream predecessor is damaged, so the chain cannot be checked";
    } else if (!heads.linksTo(stream, buf, r.hashesAt)) {
      reason = Reason.PREV_HASH_MISMATCH;
      detail =
          "stream predecessor hash is "
              + hex(heads.hash(stream))
              + ", frame says "
              + hex(buf, r.hashesAt);
    } else if ((status & EventHasher.EVENT_BAD) != 0) {
      reason = Reason.EVENT_HASH_MISMATCH;
      detail =
          "recomputed "
              + hex(hasher().eventHashOf(buf, r, pending.globalSequence[i]))
              + ", frame says "
              + hex(buf, r.hashesAt + 64);
    }
    heads.advance(stream, sequence, buf, r.hashesAt + 64);
    if (reason != null) {
      problem(row, reason, detail + where(framePos));
    }
    progress.checked(++checked, events);
  }

  /**
   * Null when the record is the event the index places at {@code row}, in the place it says; else
   * the first difference.
   */
  private String placement(byte[] buf, RecordLayout r, int row, int stream, int i) {
    long global = pending.globalSequence[i];
    if (global != row) {
      return "the frame the index places global sequence "
          + row
          + " in holds global sequence "
          + global;
    }
    long hi = RecordLayout.u64(buf, r.at + 4);
    long lo = RecordLayout.u64(buf, r.at + 12);
    if (hi != v.idHi(row) || lo != v.idLo(row)) {
      return "the frame holds event "
          + new EventId(hi, lo)
          + " where the index places "
          + new EventId(v.idHi(row), v.idLo(row));
    }
    byte[] name = streamName(stream);
    if (!Arrays.equals(name, 0, name.length, buf, r.entityAt, r.entityAt + r.entityLength)) {
      return "the frame names stream '"
          + new String(buf, r.entityAt, r.entityLength, StandardCharsets.UTF_8)
          + "' where the index holds '"
          + index.streamName(stream)
          + "'";
    }
    byte[] scope = scopeName(v.scope(row));
    if (!Arrays.equals(scope, 0, scope.length, buf, r.scopeAt, r.scopeAt + r.scopeLength)) {
      return "the frame names scope '"
          + new String(buf, r.scopeAt, r.scopeLength, StandardCharsets.UTF_8)
          + "' where the index holds '"
          + index.scopeName(v.scope(row))
          + "'";
    }
    int kind = RecordLayout.u16(buf, r.kindAt);
    if (kind != v.kind(row)) {
      return "the frame says kind " + kind + " where the index holds " + v.kind(row);
    }
    if (pending.frameLength[i] != v.frameLength(row)
        || pending.recordOffset[i] != v.recordOffset(row)
        || pending.disposition[i] != v.disposition(row)) {
      return "the frame's length, the record's offset in it and the frame's disposition are "
          + pending.frameLength[i]
          + ", "
          + pending.recordOffset[i]
          + " and "
          + pending.disposition[i]
          + " where the index holds "
          + v.frameLength(row)
          + ", "
          + v.recordOffset(row)
          + " and "
          + v.disposition(row);
    }
    return null;
  }

  private byte[] streamName(int stream) {
    if (stream >= streamNames.length) {
      streamNames = Arrays.copyOf(streamNames, Math.max(stream + 1, streamNames.length * 2));
    }
    byte[] name = streamNames[stream];
    if (name == null) {
      name = index.streamName(stream).getBytes(StandardCharsets.UTF_8);
      streamNames[stream] = name;
    }
    return name;
  }

  private byte[] scopeName(int scope) {
    if (scope >= scopeNames.length) {
      scopeNames = Arrays.copyOf(scopeNames, Math.max(scope + 1, scopeNames.length * 2));
    }
    byte[] name = scopeNames[scope];
    if (name == null) {
      name = index.scopeName(scope).getBytes(StandardCharsets.UTF_8);
      scopeNames[scope] = name;
    }
    return name;
  }

  private static String hexOrDamaged(byte[] hash, EventHasher hasher) {
    return hash == null
        ? "nothing (its compressed bytes do not decompress: " + hasher.damage() + ")"
        : hex(hash);
  }

  private EventHasher hasher() {
    if (detailHasher == null) {
      detailHasher = new EventHasher(journal.decompressors());
    }
    return detailHasher;
  }

  private String where(long framePos) {
    return " (the frame in " + file + " at offset " + framePos + ")";
  }

  private void problem(int row, Reason reason, String detail) {
    problemCount++;
    if (problems.size() < StoreVerification.PROBLEMS_KEPT) {
      problems.add(
          new StoreVerification.Problem(
              row,
              new EventId(v.idHi(row), v.idLo(row)),
              index.streamName(v.stream(row)),
              v.streamSequence(row),
              reason,
              detail));
    }
  }

  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  private static String hex(byte[] buf, int at) {
    return HexFormat.of().formatHex(buf, at, at + 32);
  }
}
