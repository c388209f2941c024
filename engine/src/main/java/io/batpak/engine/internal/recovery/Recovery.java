package io.batpak.engine.internal.recovery;

import io.batpak.CorruptStoreException;
import io.batpak.OpenReport;
import io.batpak.engine.internal.format.FrameCodec;
import io.batpak.engine.internal.format.SegmentHeader;
import io.batpak.engine.internal.format.SegmentSeal;
import io.batpak.engine.internal.index.Index;
import io.batpak.engine.internal.index.IndexCheckpoint;
import io.batpak.engine.internal.segment.Journal;
import io.batpak.port.FileHandle;
import io.batpak.port.StoreClock;
import io.batpak.port.StoreFs;
import io.batpak.port.SyncMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Loads the index on open (docs/architecture.md, decisions 4 and 9; docs/format.md "Opening a
 * store"), by the fastest path the directory allows, each giving the same index:
 *
 * <ol>
 *   <li>the index checkpoint, when it holds and agrees with the journal ({@link CheckpointStart});
 *   <li>then, for each segment after the checkpoint's watermark, its seal when the seal holds and
 *       agrees with the index so far ({@link SealLoad});
 *   <li>otherwise the segment's frames, each CRC-checked with its sequences and chain links ({@link
 *       FrameScan}).
 * </ol>
 *
 * <p>Only the newest unsealed segment may end in a torn tail: an incomplete frame, or bad frames
 * after which no CRC-valid frame proves the bytes durable. On a mutable open it is cut off and
 * synced; a read-only open leaves the file alone and stops reading at the same point. Anything else
 * that fails a check is a {@link CorruptStoreException} with the file, the offset and what was
 * expected. What was distrusted (a checkpoint, a seal) and why is in the report.
 */
public final class Recovery {
  private static final System.Logger LOG = System.getLogger(Recovery.class.getName());

  /**
   * What the open found.
   *
   * @param segments segment file names, oldest first
   * @param segmentEnds each segment's id and length, oldest first: what the journal opens over
   * @param codec the codec named by the segment headers, or empty for a new store
   * @param framesScanned frames read
   * @param tornTail the torn tail, if one was found
   * @param bytesChecked bytes run through a CRC while scanning frames, a measure of the work done:
   *     linear in the bytes of the segments scanned, whatever their damage
   * @param newest the newest segment, or null for a new store
   * @param load how the index was loaded
   * @param abandonedFence the fence a crash left open, which the load cancelled ({@code {first,
   *     end}} global sequences), or null
   * @param fenceFrames fence frames read
   */
  public record Result(
      List<String> segments,
      NavigableMap<Long, Long> segmentEnds,
      Optional<String> codec,
      long framesScanned,
      Optional<OpenReport.TornTail> tornTail,
      long bytesChecked,
      Newest newest,
      OpenReport.IndexLoad load,
      long[] abandonedFence,
      long fenceFrames) {}

  /**
   * The newest segment.
   *
   * @param id its number
   * @param base the global sequence of its first event
   * @param appendable whether appends may resume in it: a version this build writes, not sealed
   * @param beganInFence whether a visibility fence was open where it begins (then it is never
   *     sealed, ADR 0015)
   * @param compression the compression its header names ({@code none}, {@code lz4}, ...): appends
   *     resume in it only with the same setting, so each segment names what its appends used
   */
  public record Newest(
      long id, long base, boolean appendable, boolean beganInFence, String compression) {}

  private final StoreFs fs;
  private final Path directory;
  private final boolean mutable;
  private final Index index;
  private final StoreClock clock;
  private final boolean everyFrame;
  private final List<String> notes = new ArrayList<>();
  private final List<OpenReport.Phase> phases = new ArrayList<>();
  private long bytesChecked;
  private long frames;
  private long fromSeals;
  private long fromScan;

  /**
   * An older segment whose frames ended in bytes that hold no frame ({@link FrameScan#tornSeal}):
   * believed a torn seal only once the next segment's base proves no event missing, and only then
   * cut (on a mutable open).
   */
  private TornSeal pendingTornSeal;

  private record TornSeal(Path path, String file, long at, long size) {}

  private FenceReplay fences;

  /**
   * The watermark of the self-consistent index checkpoint {@link #run} read, believed or not, or
   * null: no torn-tail cut reaches below it, and a repair sets the checkpoint aside when the
   * journal ends before it.
   */
  private CheckpointStart floor;

  /** Prepares an open that fills {@code index}, timing its phases on {@code clock}. */
  public Recovery(StoreFs fs, Path directory, boolean mutable, Index index, StoreClock clock) {
    this(fs, directory, mutable, index, clock, false);
  }

  /**
   * Prepares a load that fills {@code index}; with {@code everyFrame} it ignores the checkpoint and
   * the seals and reads every frame of every segment (what a repair plan needs).
   */
  public Recovery(
      StoreFs fs,
      Path directory,
      boolean mutable,
      Index index,
      StoreClock clock,
      boolean everyFrame) {
    this.fs = fs;
    this.directory = directory;
    this.mutable = mutable;
    this.index = index;
    this.clock = clock;
    this.everyFrame = everyFrame;
    this.fences = new FenceReplay(index);
  }

  /**
   * Whether the index checkpoint in {@code directory} proves frames durable that the journal whose
   * segment ends are {@code ends} no longer holds (what a repair then sets aside): the reason, or
   * empty. After {@link #run}, from the checkpoint it read.
   */
  public Optional<String> checkpointAhead(NavigableMap<Long, Long> ends) {
    if (floor == null) {
      return Optional.empty();
    }
    Long end = ends.get(floor.segment());
    if (end != null && end >= floor.offset()) {
      return Optional.empty();
    }
    return Optional.of(
        "the index checkpoint proves frames were synced to offset "
            + floor.offset()
            + " of "
            + directory.resolve(Journal.fileName(floor.segment()))
            + ", but "
            + (end == null ? "that segment is gone" : "it ends at " + end)
            + ": acknowledged events are missing");
  }

  /**
   * Refuses to take bytes of segment {@code id} from {@code end} on for a crash's torn tail when a
   * checkpoint proves frames there were synced: they are damage (ADR 0046).
   */
  private void refuseBelowTheFloor(long id, Path path, long end, OpenReport.TornTail torn) {
    if (floor == null || id > floor.segment() || (id == floor.segment() && end >= floor.offset())) {
      return;
    }
    throw new CorruptStoreException(
        path.toString(),
        end,
        "frame",
        "whole frames "
            + (id == floor.segment() ? "to offset " + floor.offset() : "to the segment's end")
            + " (the index checkpoint was written after they were synced)",
        torn.reason() + ", which a crash cannot leave there: acknowledged events are damaged");
  }

  /** Loads the index. */
  public Result run() throws IOException {
    CompactionSettle.Settled settled = CompactionSettle.settle(fs, directory, mutable);
    notes.addAll(settled.notes());
    List<Long> ids = segmentIds(settled.replaced());
    long started = clock.monoNanos();
    IndexCheckpoint.Loaded checkpoint = IndexCheckpoint.read(fs, directory);
    CheckpointStart start =
        everyFrame ? null : CheckpointStart.find(checkpoint, fs, directory, ids, index, notes);
    long fromCheckpoint = index.size();
    // A checkpoint not believed still proves its frames were synced: no torn tail lies below it.
    floor = CheckpointStart.floor(checkpoint);
    long afterCheckpoint = clock.monoNanos();
    phases.add(new OpenReport.Phase("checkpoint", (afterCheckpoint - started) / 1_000));
    if (!everyFrame) {
      index.reserve(expectedEvents(ids, start));
    }
    List<String> names = new ArrayList<>();
    String codec = null;
    Optional<OpenReport.TornTail> torn = Optional.empty();
    NavigableMap<Long, Long> ends = new TreeMap<>();
    Newest newest = null;
    for (int i = 0; i < ids.size(); i++) {
      long id = ids.get(i);
      Path path = directory.resolve(Journal.fileName(id));
      Segment seg;
      try (FileHandle h = fs.openRead(path)) {
        seg = new Segment(h, id, path, i == ids.size() - 1);
        seg.load(start, codec, ids.subList(0, i));
      }
      if (pendingTornSeal != null && seg.header != null) {
        cutTornSeal(pendingTornSeal); // this segment's base proved it held no event
        pendingTornSeal = null;
      }
      if (seg.tornSeal >= 0) {
        pendingTornSeal = new TornSeal(path, path.toString(), seg.tornSeal, seg.size);
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
      if (seg.torn != null) {
        refuseBelowTheFloor(id, path, seg.end, seg.torn);
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
      ends.put(id, seg.sealed ? seg.size : seg.end);
      names.add(path.getFileName().toString());
      newest =
          new Newest(
              id,
              seg.header.baseGlobalSequence(),
              !seg.sealed && seg.header.version() == SegmentHeader.VERSION,
              seg.beganInFence,
              seg.header.compression());
    }
    long[] abandoned = fences.finish();
    if (abandoned != null) {
      notes.add(
          "a visibility fence was open when the store last stopped; its global sequences "
              + abandoned[0]
              + " to "
              + (abandoned[1] - 1)
              + " were cancelled and are never visible");
    }
    if (pendingTornSeal != null) {
      // No later segment's base proves that the bytes held no event (the one after it was a
      // creation torn before its header): they stay what they look like, damage.
      throw new CorruptStoreException(
          pendingTornSeal.file(),
          pendingTornSeal.at(),
          "frame",
          "a whole frame with a matching CRC32C",
          "bytes that hold no frame, and no later segment proves that no event is in them");
    }
    index.publish();
    index.trimAfterLoad();
    phases.add(new OpenReport.Phase("segments", (clock.monoNanos() - afterCheckpoint) / 1_000));
    OpenReport.IndexSource source =
        start != null
            ? OpenReport.IndexSource.CHECKPOINT
            : fromSeals > 0 ? OpenReport.IndexSource.SEALS : OpenReport.IndexSource.SCAN;
    OpenReport.IndexLoad load =
        new OpenReport.IndexLoad(
            source,
            fromCheckpoint,
            fromSeals,
            fromScan,
            torn.map(OpenReport.TornTail::bytes).orElse(0L),
            notes,
            phases);
    for (String note : notes) {
      LOG.log(System.Logger.Level.WARNING, note);
    }
    return new Result(
        names,
        ends,
        Optional.ofNullable(codec),
        frames,
        torn,
        bytesChecked,
        newest,
        load,
        abandoned,
        fences.framesSeen());
  }

  /**
   * An older segment's frames end in bytes that hold no frame (a seal that never became durable),
   * and the next segment's base proved no event missing: reported, and on a mutable open cut off
   * and synced, so the segment ends at its last frame as if it had never been sealed.
   */
  private void cutTornSeal(TornSeal t) throws IOException {
    notes.add(
        t.file()
            + " ends in "
            + (t.size() - t.at())
            + " bytes after its last frame (offset "
            + t.at()
            + ") that hold no frame: a seal that never became durable"
            + (mutable ? "; cut off" : "; left as it is (read-only)"));
    if (mutable) {
      try (FileHandle w = fs.openWrite(t.path())) {
        w.truncate(t.at());
        w.sync(SyncMode.ALL);
      }
    }
  }

  /**
   * How many events the index will hold, from the event counts the seals after the checkpoint give
   * (read from their footers' first bytes) and, for segments without a seal, their size at the
   * seals' bytes per event; so the columns are allocated once. Only an estimate: a wrong one costs
   * memory or a copy, never correctness.
   */
  private int expectedEvents(List<Long> ids, CheckpointStart start) throws IOException {
    long sealedEvents = 0;
    long sealedBytes = 0;
    long unsealedBytes = 0;
    for (long id : ids) {
      if (start != null && id < start.segment()) {
        continue;
      }
      try (FileHandle h = fs.openRead(directory.resolve(Journal.fileName(id)))) {
        long size = h.size();
        Trailer t = Trailer.read(h, size, SegmentHeader.MIN_LENGTH);
        if (t.footerAt >= 0) {
          sealedEvents += t.announcedEvents;
          sealedBytes += t.footerAt;
        } else {
          unsealedBytes += size;
        }
      }
    }
    long estimate = index.size() + sealedEvents;
    if (sealedEvents > 0) {
      estimate += (long) (unsealedBytes * ((double) sealedEvents / Math.max(1, sealedBytes)));
    }
    // The counts are read before any CRC: a damaged one (or a trailer naming the wrong offset) may
    // say anything. No segment holds more events than its bytes can: an event takes at least the
    // smallest record, as in FrameScan's search for frames.
    long fit = (sealedBytes + unsealedBytes) / (FrameCodec.MIN_BODY - FrameCodec.BODY_HEADER);
    estimate = Math.min(estimate, index.size() + fit);
    return (int) Math.min(estimate + 1024, Index.MAX_EVENTS);
  }

  /**
   * The segment numbers in the directory, oldest first, without those a finished compaction
   * replaced ({@code replaced}); whether they follow each other is checked as each header is read.
   */
  private List<Long> segmentIds(Set<Long> replaced) throws IOException {
    List<Long> ids = new ArrayList<>();
    for (String name : fs.list(directory)) {
      long id = Journal.idOf(name);
      if (id > 0 && !replaced.contains(id)) {
        ids.add(id);
      }
    }
    ids.sort(null);
    return ids;
  }

  /** Loading one segment: its header, then its seal or its frames. */
  private final class Segment {
    final FileHandle handle;
    final long id;
    final Path path;
    final String file;
    final boolean newest;
    final long size;
    SegmentHeader header;
    long end;
    boolean sealed;
    boolean beganInFence;
    OpenReport.TornTail torn;
    long tornSeal = -1;

    Segment(FileHandle handle, long id, Path path, boolean newest) throws IOException {
      this.handle = handle;
      this.id = id;
      this.path = path;
      this.file = path.toString();
      this.newest = newest;
      this.size = handle.size();
    }

    /**
     * Reads the header and the frames past {@code start}.
     *
     * @param earlier the segments found before this one, oldest first
     */
    void load(CheckpointStart start, String codec, List<Long> earlier) throws IOException {
      beganInFence = index.fenceFrom() >= 0;
      header = new FrameScan(handle, file, newest, mutable, index, fences, size).header();
      long previous = earlier.isEmpty() ? 0 : earlier.get(earlier.size() - 1);
      if (header != null && header.firstSegmentId() <= previous) {
        // A compaction's output after segments it replaced, with no intent that said so.
        throw CompactionSettle.leftBehind(
            fs, directory, id, header, earlier, header.firstSegmentId());
      }
      if (header != null && header.firstSegmentId() != previous + 1) {
        // A segment is missing between them: only a compaction's output may follow a gap, and
        // only the gap its header says it replaced. Checked before the base global sequence, so
        // the error names the missing segment rather than the events it held.
        throw new CorruptStoreException(
            file,
            0,
            "segment numbering",
            "segment " + (previous + 1) + " (it is missing)",
            id
                + (header.firstSegmentId() != id
                    ? " (a compaction's output replacing segments from "
                        + header.firstSegmentId()
                        + ")"
                    : ""));
      }
      if (header == null) {
        torn =
            new OpenReport.TornTail(
                file,
                0,
                size,
                "a segment header that never became durable (no frame follows it)",
                mutable);
        return;
      }
      checkHeader(codec, start);
      if (start != null && id < start.segment()) {
        end = size; // wholly covered by the checkpoint
        sealed = true;
        return;
      }
      long from = start != null && id == start.segment() ? start.offset() : (long) header.length();
      Trailer trailer = readTrailer();
      if (trailer.footerAt == from) {
        // The checkpoint ends where this segment's frames end: its seal has nothing to add.
        end = from;
        sealed = true;
        return;
      }
      if (!everyFrame) {
        decodeSeal(trailer);
      }
      if (trailer.seal != null && index.fenceFrom() >= 0) {
        // A seal never describes a fence's events (ADR 0015); this one follows an open fence.
        notes.add(
            "the seal of "
                + file
                + " was ignored and its frames were read: a visibility fence is open where it"
                + " begins");
      } else if (trailer.seal != null) {
        long before = index.size();
        String why = SealLoad.apply(trailer.seal, index, from, (int) id, handle, file, notes);
        if (why == null) {
          fromSeals += index.size() - before;
          end = trailer.footerAt;
          sealed = true;
          return;
        }
        notes.add("the seal of " + file + " was ignored and its frames were read: " + why);
      } else if (trailer.problem != null) {
        notes.add(
            "the seal of " + file + " was ignored and its frames were read: " + trailer.problem);
      }
      // A sealed segment was synced whole before its seal was written: it has no torn tail.
      sealed = trailer.footerAt >= 0;
      FrameScan scan =
          new FrameScan(
                  handle,
                  file,
                  newest && !sealed,
                  mutable,
                  index,
                  fences,
                  sealed ? trailer.footerAt : size)
              .allowCompactedFrames(header.version() == SegmentHeader.COMPACTED_VERSION)
              .allowTornSeal(!newest && header.version() >= 2);
      long before = index.size();
      end = scan.frames(id, from);
      frames += scan.frames;
      bytesChecked += scan.bytesChecked;
      fromScan += index.size() - before;
      torn = scan.torn;
      tornSeal = scan.tornSeal;
      if (sealed && end != trailer.footerAt) {
        throw new CorruptStoreException(
            file, end, "end of frames", "the footer at " + trailer.footerAt, "offset " + end);
      }
      if (scan.footerAt >= 0 && !sealed) {
        footerWithoutTrailer();
      }
    }

    /**
     * The frames end in a whole footer frame, but no whole trailer ends the file. If the file ends
     * within the trailer's 16 bytes after the footer, the seal was torn while it was written (it
     * holds no event): in the newest segment that is a torn tail. Any more bytes after a seal are
     * corruption, never cut.
     */
    private void footerWithoutTrailer() throws IOException {
      byte[] prefix = new byte[4];
      handle.read(ByteBuffer.wrap(prefix), end);
      long trailerAt = end + FrameCodec.PREFIX + FrameCodec.readInt(prefix, 0);
      if (size > trailerAt + SegmentSeal.TRAILER) {
        throw new CorruptStoreException(
            file,
            trailerAt + SegmentSeal.TRAILER,
            "end of segment",
            "the end of the seal's trailer",
            (size - trailerAt - SegmentSeal.TRAILER) + " more bytes");
      }
      if (newest) {
        torn =
            new OpenReport.TornTail(
                file,
                end,
                size - end,
                "a seal whose trailer never became whole (it holds no event)",
                mutable);
      } else {
        sealed = true;
        notes.add(
            file
                + " has a footer at offset "
                + end
                + " but no valid trailer after it; its frames were read");
      }
    }

    private void checkHeader(String codec, CheckpointStart start) {
      if (header.segmentId() != id) {
        throw new CorruptStoreException(
            file, 12, "segment id in header", "" + id, "" + header.segmentId());
      }
      boolean covered = start != null && id <= start.segment();
      if (!covered && header.baseGlobalSequence() != index.size()) {
        if (pendingTornSeal != null) {
          // The bytes the previous segment ended in were not a torn seal: they hid events.
          throw new CorruptStoreException(
              pendingTornSeal.file(),
              pendingTornSeal.at(),
              "frame",
              "a whole frame with a matching CRC32C",
              "bytes that hold no frame, where "
                  + (header.baseGlobalSequence() - index.size())
                  + " events must lie (the next segment, "
                  + file
                  + ", starts at global sequence "
                  + header.baseGlobalSequence()
                  + ")");
        }
        throw new CorruptStoreException(
            file,
            28,
            "segment base global sequence",
            "" + index.size(),
            "" + header.baseGlobalSequence());
      }
      if (codec != null && !codec.equals(header.codec())) {
        throw new CorruptStoreException(file, 36, "segment codec", codec, header.codec());
      }
    }

    private Trailer readTrailer() throws IOException {
      return header.version() < 2 ? new Trailer() : Trailer.read(handle, size, header.length());
    }

    /** Reads and decodes the footer a trailer names; one that fails its checks is reported. */
    private void decodeSeal(Trailer t) throws IOException {
      if (t.footerAt < 0) {
        return;
      }
      byte[] footer = new byte[(int) (size - SegmentSeal.TRAILER - t.footerAt)];
      handle.read(ByteBuffer.wrap(footer), t.footerAt);
      try {
        t.seal = SegmentSeal.decode(footer, t.footerAt, header.baseGlobalSequence());
      } catch (SegmentSeal.Untrusted e) {
        t.problem = e.getMessage() + " (footer at offset " + t.footerAt + ")";
      }
    }
  }

  /**
   * What the end of a segment holds: where its footer starts (-1 if it has no trustworthy trailer)
   * and the event count the footer announces (not yet checked by any CRC), the decoded seal once
   * asked for, or why the trailer or seal cannot be used.
   */
  private static final class Trailer {
    long footerAt = -1;
    int announcedEvents;
    SegmentSeal seal;
    String problem;

    /**
     * Reads the trailer at the end of a segment of {@code size} bytes whose header takes {@code
     * headerLength}. A trailer whose magic holds but whose offset is impossible, or names no footer
     * ({@link #startsAFooter}), is no trailer, and is reported: the frames are then read up to the
     * real footer. The one reader of trailers, for loading and for estimating alike.
     */
    static Trailer read(FileHandle handle, long size, int headerLength) throws IOException {
      Trailer t = new Trailer();
      if (size < headerLength + FrameCodec.PREFIX + FrameCodec.MIN_BODY + SegmentSeal.TRAILER) {
        return t;
      }
      byte[] tail = new byte[SegmentSeal.TRAILER];
      handle.read(ByteBuffer.wrap(tail), size - SegmentSeal.TRAILER);
      long at = SegmentSeal.footerOffset(tail);
      long footerLength = size - SegmentSeal.TRAILER - at;
      if (at < headerLength
          || footerLength < FrameCodec.PREFIX + FrameCodec.MIN_BODY
          || footerLength > FrameCodec.PREFIX + FrameCodec.MAX_BODY) {
        if (at >= 0) {
          t.problem = "its trailer names an impossible footer offset " + at;
        }
        return t;
      }
      byte[] head = new byte[FrameCodec.PREFIX + 24];
      handle.read(ByteBuffer.wrap(head), at);
      if (!startsAFooter(head, at, footerLength)) {
        // A damaged offset: reading frames up to it would take intact frames for damage.
        t.problem = "its trailer names footer offset " + at + ", where no footer starts";
        return t;
      }
      t.footerAt = at;
      t.announcedEvents = Math.max(0, FrameCodec.readInt(head, FrameCodec.PREFIX + 12));
      return t;
    }

    /**
     * Whether the footer a trailer names starts at {@code at}, judged from its first bytes {@code
     * head}: its length fills the {@code footerLength} bytes up to the trailer, or it is a footer
     * frame that names {@code at} as its own offset. Either holds for a footer damaged elsewhere;
     * at an offset the trailer got wrong, neither does.
     */
    private static boolean startsAFooter(byte[] head, long at, long footerLength) {
      boolean fills = FrameCodec.readInt(head, 0) == footerLength - FrameCodec.PREFIX;
      boolean namesItself =
          head[FrameCodec.PREFIX] == SegmentSeal.TYPE_FOOTER
              && FrameCodec.readLong(head, FrameCodec.PREFIX + 16) == at;
      return fills || namesItself;
    }
  }
}
