package io.batpak.engine.internal.recovery;

import io.batpak.CorruptStoreException;
import io.batpak.OpenReport;
import io.batpak.engine.internal.format.FrameCodec;
import io.batpak.engine.internal.format.SegmentHeader;
import io.batpak.engine.internal.index.Index;
import io.batpak.engine.internal.index.StreamState;
import io.batpak.engine.internal.segment.Journal;
import io.batpak.port.FileHandle;
import io.batpak.port.ShortReadException;
import io.batpak.port.StoreFs;
import io.batpak.port.SyncMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Rebuilds the index from the segments on open (docs/architecture.md, decision 4). Every frame is
 * CRC-checked and its sequences and chain links are checked against what came before (stored event
 * hashes are trusted once the CRC holds; {@code batpak verify} re-hashes).
 *
 * <p>Only the newest segment may end in a torn tail: an incomplete frame, or bad frames after which
 * no CRC-valid frame follows. On a mutable open it is cut off and synced; a read-only open leaves
 * the file alone and stops reading at the same point. Anything else that fails a check is a {@link
 * CorruptStoreException} with the file, the offset and what was expected.
 */
public final class Recovery {
  private static final System.Logger LOG = System.getLogger(Recovery.class.getName());

  /**
   * What the scan found.
   *
   * @param segments segment file names, oldest first
   * @param segmentEnds each segment's id and valid length, oldest first: what the journal opens
   *     over
   * @param codec the codec named by the segment headers, or empty for a new store
   * @param framesScanned frames read
   * @param tornTail the torn tail, if one was found
   * @param bytesChecked bytes run through a CRC, a measure of the work done: linear in the bytes of
   *     the segments, whatever their damage
   */
  public record Result(
      List<String> segments,
      NavigableMap<Long, Long> segmentEnds,
      Optional<String> codec,
      long framesScanned,
      Optional<OpenReport.TornTail> tornTail,
      long bytesChecked) {}

  private final StoreFs fs;
  private final Path directory;
  private final boolean mutable;
  private final Index index;
  private long bytesChecked;

  /** Prepares a scan that fills {@code index}. */
  public Recovery(StoreFs fs, Path directory, boolean mutable, Index index) {
    this.fs = fs;
    this.directory = directory;
    this.mutable = mutable;
    this.index = index;
  }

  /** Scans every segment. */
  public Result run() throws IOException {
    List<Long> ids = new ArrayList<>();
    for (String name : fs.list(directory)) {
      long id = Journal.idOf(name);
      if (id > 0) {
        ids.add(id);
      }
    }
    ids.sort(null);
    List<String> names = new ArrayList<>();
    String codec = null;
    long frames = 0;
    Optional<OpenReport.TornTail> torn = Optional.empty();
    NavigableMap<Long, Long> ends = new TreeMap<>();
    for (int i = 0; i < ids.size(); i++) {
      long id = ids.get(i);
      boolean newest = i == ids.size() - 1;
      Path path = directory.resolve(Journal.fileName(id));
      if (i > 0 && id != ids.get(i - 1) + 1) {
        throw new CorruptStoreException(
            path.toString(), 0, "segment numbering", "segment " + (ids.get(i - 1) + 1), "" + id);
      }
      SegmentScan seg;
      try (FileHandle h = fs.openRead(path)) {
        seg = scanSegment(h, id, path, newest, codec);
      }
      if (seg.header == null) {
        // Only possible for the newest segment: its creation was torn before the header became
        // durable, so it holds no events.
        torn = Optional.of(seg.torn);
        if (mutable) {
          LOG.log(System.Logger.Level.WARNING, "removing {0}: {1}", path, seg.torn.reason());
          fs.deleteIfExists(path);
          fs.syncDirectory(directory);
        }
        continue;
      }
      codec = seg.header.codec();
      frames += seg.frames;
      if (seg.torn != null) {
        torn = Optional.of(seg.torn);
        if (mutable) {
          LOG.log(
              System.Logger.Level.WARNING,
              "cutting the torn tail of {0} at offset {1} ({2} bytes): {3}",
              path,
              seg.end,
              seg.torn.bytes(),
              seg.torn.reason());
          try (FileHandle w = fs.openWrite(path)) {
            w.truncate(seg.end);
            w.sync(SyncMode.ALL);
          }
        }
      }
      ends.put(id, seg.end);
      names.add(path.getFileName().toString());
    }
    index.publish();
    return new Result(names, ends, Optional.ofNullable(codec), frames, torn, bytesChecked);
  }

  /** What scanning one segment found. */
  private static final class SegmentScan {
    SegmentHeader header;
    long end;
    long frames;
    OpenReport.TornTail torn;
  }

  private SegmentScan scanSegment(FileHandle h, long id, Path path, boolean newest, String codec)
      throws IOException {
    SegmentScan result = new SegmentScan();
    Scan scan = new Scan(h, path.toString(), newest);
    SegmentHeader header = scan.header();
    if (header == null) {
      result.torn =
          new OpenReport.TornTail(
              path.toString(),
              0,
              h.size(),
              "a segment header that never became durable (no frame follows it)",
              mutable);
      return result;
    }
    if (header.segmentId() != id) {
      throw new CorruptStoreException(
          path.toString(), 12, "segment id in header", "" + id, "" + header.segmentId());
    }
    if (header.baseGlobalSequence() != index.size()) {
      throw new CorruptStoreException(
          path.toString(),
          28,
          "segment base global sequence",
          "" + index.size(),
          "" + header.baseGlobalSequence());
    }
    if (codec != null && !codec.equals(header.codec())) {
      throw new CorruptStoreException(path.toString(), 36, "segment codec", codec, header.codec());
    }
    result.header = header;
    result.end = scan.frames(id, header.length());
    result.frames = scan.frames;
    result.torn = scan.torn;
    return result;
  }

  /** Sequential reading of one segment through a sliding buffer. */
  private final class Scan {
    private final FileHandle handle;
    private final String file;
    private final boolean newest;
    private final long size;
    private byte[] buf = new byte[1 << 20];
    private long bufStart;
    private int bufLength;
    long frames;
    OpenReport.TornTail torn;

    Scan(FileHandle handle, String file, boolean newest) throws IOException {
      this.handle = handle;
      this.file = file;
      this.newest = newest;
      this.size = handle.size();
    }

    /** Makes {@code [pos, pos+n)} available in {@code buf}; false if past the end of file. */
    boolean ensure(long pos, int n) throws IOException {
      if (pos + n > size) {
        return false;
      }
      if (pos >= bufStart && pos + n <= bufStart + bufLength) {
        return true;
      }
      if (n > buf.length) {
        buf = new byte[Math.max(n, buf.length * 2)];
      }
      int want = (int) Math.min(buf.length, size - pos);
      try {
        handle.read(ByteBuffer.wrap(buf, 0, want), pos);
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
      bufStart = pos;
      bufLength = want;
      return pos + n <= bufStart + bufLength;
    }

    int at(long pos) {
      return (int) (pos - bufStart);
    }

    /**
     * The segment's header, or null when it is the newest segment's header torn while the segment
     * was being created: a file no longer than a header that holds no CRC-valid frame anywhere
     * (docs/format.md, "Recovery"). A damaged header in front of frames is never torn.
     */
    SegmentHeader header() throws IOException {
      int n = (int) Math.min(size, SegmentHeader.MAX_LENGTH);
      byte[] first = new byte[n];
      if (n > 0) {
        ensure(0, n);
        System.arraycopy(buf, at(0), first, 0, n);
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

    /** Reads every frame; returns the end of the last valid one. */
    long frames(long segmentId, int headerLength) throws IOException {
      long pos = headerLength;
      while (pos < size) {
        String problem = frameProblem(pos);
        if (problem != null) {
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
                  v.recordOffset);
            });
        frames++;
        pos += total;
      }
      return pos;
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
    private String frameProblem(long pos) throws IOException {
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
    private long findValidFrame(long from) throws IOException {
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
      if (buf[body] != FrameCodec.TYPE_EVENTS
          || buf[body + 1] != 0
          || buf[body + 2] != 0
          || buf[body + 3] != 0) {
        return false;
      }
      int count = FrameCodec.readInt(buf, body + 12);
      long durableEnd = FrameCodec.durableEnd(buf, body);
      return count >= 1
          && count <= bodyLength / (FrameCodec.MIN_BODY - FrameCodec.BODY_HEADER)
          && durableEnd >= 0
          && durableEnd <= p;
    }
  }

  private static String hex(byte[] b) {
    return java.util.HexFormat.of().formatHex(b);
  }
}
