package io.batpak.engine.internal.recovery;

import io.batpak.CorruptStoreException;
import io.batpak.OpenReport;
import io.batpak.engine.internal.format.FenceFrame;
import io.batpak.engine.internal.format.FrameCodec;
import io.batpak.engine.internal.format.SegmentHeader;
import io.batpak.engine.internal.format.SegmentSeal;
import io.batpak.engine.internal.index.Index;
import io.batpak.engine.internal.index.StreamState;
import io.batpak.port.FileHandle;
import io.batpak.port.ShortReadException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Sequential reading of one segment's frames through a sliding buffer, into the index: every frame
 * CRC-checked, its sequences and chain links checked against what came before (docs/format.md
 * "Recovery rules"). It reads up to {@code limit}: the file's size, or the offset of a seal's
 * footer when the seal's trailer holds but its footer could not be trusted.
 *
 * <p>Only a segment that may end in a torn tail ({@code tornTailAllowed}: the newest, unsealed)
 * ends at a bad frame that no later frame proves durable; anywhere else a bad frame is a {@link
 * CorruptStoreException}. A CRC-valid footer frame ends the frames ({@link #footerAt}).
 */
final class FrameScan {
  private final FileHandle handle;
  private final String file;
  private final boolean newest;
  private final boolean mutable;
  private final Index index;
  private final FenceReplay fences;
  private final long size;

  /** Whether the segment may hold compacted frames (its header is of version 3). */
  private boolean compactedFramesAllowed;

  /**
   * In an older segment of version 2 or later (one that may have been sealed): where the bytes that
   * hold no frame start, when its frames end in them; -1 otherwise.
   */
  long tornSeal = -1;

  private boolean tornSealAllowed;

  /** Lets an older segment end in bytes that hold no frame, the remains of a torn seal. */
  FrameScan allowTornSeal(boolean allowed) {
    tornSealAllowed = allowed;
    return this;
  }

  /** Lets the segment hold compacted frames: its header is of version 3. */
  FrameScan allowCompactedFrames(boolean allowed) {
    compactedFramesAllowed = allowed;
    return this;
  }

  private byte[] buf;
  private long bufStart;
  private int bufLength;
  long frames;
  long bytesChecked;
  OpenReport.TornTail torn;

  /** Where a CRC-valid footer frame starts, or -1 if the scan met none. */
  long footerAt = -1;

  FrameScan(
      FileHandle handle,
      String file,
      boolean tornTailAllowed,
      boolean mutable,
      Index index,
      FenceReplay fences,
      long limit) {
    this.fences = fences;
    this.handle = handle;
    this.file = file;
    this.newest = tornTailAllowed;
    this.mutable = mutable;
    this.index = index;
    this.size = limit;
  }

  /** Makes {@code [pos, pos+n)} available in {@code buf}; false if past the end of file. */
  boolean ensure(long pos, int n) throws IOException {
    if (pos + n > size) {
      return false;
    }
    if (pos >= bufStart && pos + n <= bufStart + bufLength) {
      return true;
    }
    if (buf == null) {
      buf = new byte[(int) Math.max(n, Math.min(1 << 20, size - pos))];
    }
    if (n > buf.length) {
      buf = new byte[Math.max(n, buf.length * 2)];
    }
    int want = (int) Math.min(buf.length, size - pos);
    read(buf, want, pos);
    bufStart = pos;
    bufLength = want;
    return pos + n <= bufStart + bufLength;
  }

  /** Reads {@code length} bytes at {@code pos} into {@code into}. */
  private void read(byte[] into, int length, long pos) throws IOException {
    try {
      handle.read(ByteBuffer.wrap(into, 0, length), pos);
    } catch (ShortReadException e) {
      // The file ended before the size it reported: that is a failed read, not evidence of a
      // torn tail, and must never make recovery cut or delete bytes it did not see.
      throw new IOException(
          file
              + " reported its end at offset "
              + (pos + e.bytesRead())
              + " while its size is "
              + size
              + "; refusing to treat the unread bytes as torn",
          e);
    }
  }

  int at(long pos) {
    return (int) (pos - bufStart);
  }

  /**
   * The segment's header, or null when it is the newest segment's header torn while the segment was
   * being created: a file no longer than a header that holds no CRC-valid frame anywhere
   * (docs/format.md, "Recovery"). A damaged header in front of frames is never torn.
   */
  SegmentHeader header() throws IOException {
    int n = (int) Math.min(size, SegmentHeader.MAX_LENGTH);
    byte[] first = new byte[n];
    if (n > 0) {
      read(first, n, 0);
    }
    try {
      return SegmentHeader.decode(first, file);
    } catch (CorruptStoreException e) {
      if (newest && size <= SegmentHeader.MAX_LENGTH && findValidFrame(0) < 0) {
        return null;
      }
      throw e;
    }
  }

  /**
   * Reads every frame from offset {@code from}; returns the end of the last valid one (the start of
   * the footer frame, if one was met).
   */
  long frames(long segmentId, long from) throws IOException {
    long pos = from;
    while (pos < size) {
      String problem = frameProblem(pos);
      if (problem != null) {
        if (!newest && tornSealAllowed && findValidFrame(pos) < 0) {
          // An older segment whose frames end in bytes that hold no frame: a seal a failed fsync
          // never made durable (the page cache kept it, an open believed it and started the next
          // segment, a power loss took it). No event can be in them: the next segment's base
          // global sequence, checked when it loads, proves none is missing.
          tornSeal = pos;
          return pos;
        }
        if (!newest) {
          throw new CorruptStoreException(
              file, pos, "frame", "a whole frame with a matching CRC32C", problem);
        }
        long[] evidence = durableClaimAfter(pos);
        if (evidence[0] > pos) {
          throw new CorruptStoreException(
              file,
              pos,
              "frame",
              "a whole frame with a matching CRC32C",
              problem
                  + ", yet the valid frame at offset "
                  + evidence[1]
                  + " records that the segment was durable up to "
                  + evidence[0]
                  + ", past this frame");
        }
        String reason =
            evidence[1] < 0
                ? problem
                : problem
                    + ", followed by frames that were never synced (the first at offset "
                    + evidence[1]
                    + ")";
        torn = new OpenReport.TornTail(file, pos, size - pos, reason, mutable);
        return pos;
      }
      int bodyLength = FrameCodec.readInt(buf, at(pos));
      int total = FrameCodec.PREFIX + bodyLength;
      ensure(pos, total);
      long framePos = pos;
      int bodyAt = at(pos) + FrameCodec.PREFIX;
      if (SegmentSeal.isFooter(buf, bodyAt)) {
        footerAt = pos;
        return pos;
      }
      if (FenceFrame.isFence(buf, bodyAt)) {
        checkDurableEnd(pos, bodyAt);
        fences.apply(FenceFrame.decode(buf, bodyAt, bodyLength, file, pos), file, pos);
        frames++;
        pos += total;
        continue;
      }
      long durableEnd = FrameCodec.durableEnd(buf, bodyAt);
      if (durableEnd < 0 || durableEnd > pos) {
        throw new CorruptStoreException(
            file, pos, "frame's recorded durable end", "0.." + pos, "" + durableEnd);
      }
      if (FrameCodec.readLong(buf, bodyAt + 4) != index.size()) {
        throw new CorruptStoreException(
            file,
            pos,
            "frame base global sequence",
            "" + index.size(),
            "" + FrameCodec.readLong(buf, bodyAt + 4));
      }
      FrameCodec.scanBody(
          buf,
          bodyAt,
          bodyLength,
          file,
          pos,
          v -> {
            if (v.disposition != 0 && !compactedFramesAllowed) {
              throw new CorruptStoreException(
                  file,
                  framePos,
                  "frame type",
                  "events ("
                      + FrameCodec.TYPE_EVENTS
                      + "): only a compaction's output (version 3)"
                      + " holds compacted frames",
                  "" + FrameCodec.TYPE_COMPACTED);
            }
            checkChain(v, framePos);
            index.add(
                v.idHi,
                v.idLo,
                v.entity,
                v.scope,
                v.kind,
                v.streamSequence,
                v.globalSequence,
                Arrays.copyOfRange(v.buffer, v.eventHashAt, v.eventHashAt + 32),
                (int) segmentId,
                framePos,
                total,
                v.recordOffset,
                v.disposition,
                v.correlationHi,
                v.correlationLo,
                v.hasCausation,
                v.causationHi,
                v.causationLo);
          });
      frames++;
      pos += total;
    }
    return pos;
  }

  private void checkDurableEnd(long pos, int bodyAt) {
    long durableEnd = FrameCodec.durableEnd(buf, bodyAt);
    if (durableEnd < 0 || durableEnd > pos) {
      throw new CorruptStoreException(
          file, pos, "frame's recorded durable end", "0.." + pos, "" + durableEnd);
    }
  }

  private void checkChain(FrameCodec.HeaderView v, long pos) {
    StreamState s = index.stream(v.entity);
    long expectedSeq = s == null ? 0 : s.nextSequence();
    byte[] expectedPrev = s == null ? FrameCodec.ZERO_HASH : s.headHash();
    if (v.streamSequence != expectedSeq) {
      throw new CorruptStoreException(
          file,
          pos,
          "stream sequence of '" + v.entity + "'",
          "" + expectedSeq,
          "" + v.streamSequence);
    }
    if (!Arrays.equals(expectedPrev, 0, 32, v.buffer, v.prevHashAt, v.prevHashAt + 32)) {
      throw new CorruptStoreException(
          file,
          pos,
          "previous hash of '" + v.entity + "' at stream sequence " + v.streamSequence,
          hex(expectedPrev),
          hex(Arrays.copyOfRange(v.buffer, v.prevHashAt, v.prevHashAt + 32)));
    }
  }

  /** Null if a whole, CRC-valid frame starts at {@code pos}; otherwise what is wrong. */
  String frameProblem(long pos) throws IOException {
    if (!ensure(pos, FrameCodec.PREFIX)) {
      return "an incomplete frame prefix (" + (size - pos) + " bytes before the end)";
    }
    int bodyLength = FrameCodec.readInt(buf, at(pos));
    if (bodyLength < FrameCodec.MIN_BODY || bodyLength > FrameCodec.MAX_BODY) {
      return "an impossible frame length " + bodyLength;
    }
    if (!ensure(pos, FrameCodec.PREFIX + bodyLength)) {
      return "a frame of "
          + (FrameCodec.PREFIX + bodyLength)
          + " bytes that runs past the end of the file";
    }
    bytesChecked += bodyLength;
    if (!FrameCodec.crcMatches(buf, at(pos), bodyLength)) {
      return "a CRC32C mismatch";
    }
    return null;
  }

  /**
   * The evidence about a bad frame at {@code bad}: the largest durable end recorded by any
   * CRC-valid frame after it, and where the first such frame is ({@code {-1, -1}} when there is
   * none). A crash can only damage bytes that were never synced, and every frame records how far
   * the segment was synced when it was written; so if a later frame says the segment was durable
   * past {@code bad}, the damage is not a torn write but corruption.
   */
  private long[] durableClaimAfter(long bad) throws IOException {
    long claim = -1;
    long first = -1;
    long p = findValidFrame(bad + 1);
    while (p >= 0) {
      first = first < 0 ? p : first;
      int bodyLength = FrameCodec.readInt(buf, at(p));
      ensure(p, FrameCodec.PREFIX + bodyLength);
      claim = Math.max(claim, FrameCodec.durableEnd(buf, at(p) + FrameCodec.PREFIX));
      long next = p + FrameCodec.PREFIX + bodyLength;
      p = next < size && frameProblem(next) == null ? next : findValidFrame(next + 1);
    }
    return new long[] {claim, first};
  }

  /**
   * The first offset at or after {@code from} where a whole, CRC-valid frame starts, or -1. Each
   * offset is first checked against what a frame written after the damage must look like (frame
   * type 1 with zero reserved bytes, a plausible event count, a durable end no later than the
   * frame), so random bytes almost never cost a CRC over a long candidate and the search stays
   * linear in the bytes it reads.
   */
  long findValidFrame(long from) throws IOException {
    for (long p = from; p + FrameCodec.PREFIX + FrameCodec.MIN_BODY <= size; p++) {
      if (plausibleFrameStart(p) && frameProblem(p) == null) {
        return p;
      }
    }
    return -1;
  }

  private boolean plausibleFrameStart(long p) throws IOException {
    if (!ensure(p, FrameCodec.PREFIX + FrameCodec.BODY_HEADER)) {
      return false;
    }
    int at = at(p);
    int bodyLength = FrameCodec.readInt(buf, at);
    if (bodyLength < FrameCodec.MIN_BODY
        || bodyLength > FrameCodec.MAX_BODY
        || p + FrameCodec.PREFIX + bodyLength > size) {
      return false;
    }
    int body = at + FrameCodec.PREFIX;
    boolean fence = FenceFrame.isFence(buf, body);
    if ((buf[body] != FrameCodec.TYPE_EVENTS && !fence)
        || buf[body + 1] != 0
        || buf[body + 2] != 0
        || buf[body + 3] != 0) {
      return false;
    }
    int count = FrameCodec.readInt(buf, body + 12);
    long durableEnd = FrameCodec.durableEnd(buf, body);
    if (fence) {
      return bodyLength == FrameCodec.MIN_BODY && durableEnd >= 0 && durableEnd <= p;
    }
    return count >= 1
        && count <= bodyLength / (FrameCodec.MIN_BODY - FrameCodec.BODY_HEADER)
        && durableEnd >= 0
        && durableEnd <= p;
  }

  private static String hex(byte[] b) {
    return java.util.HexFormat.of().formatHex(b);
  }
}
