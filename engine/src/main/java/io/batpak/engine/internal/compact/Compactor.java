package io.batpak.engine.internal.compact;

import io.batpak.Bytes;
import io.batpak.CompactionConfig;
import io.batpak.CompactionResult;
import io.batpak.CorruptStoreException;
import io.batpak.StoredEvent;
import io.batpak.engine.internal.commit.Committer;
import io.batpak.engine.internal.format.EventRecord;
import io.batpak.engine.internal.format.FrameCodec;
import io.batpak.engine.internal.format.SegmentHeader;
import io.batpak.engine.internal.format.SegmentSeal;
import io.batpak.engine.internal.index.Index;
import io.batpak.engine.internal.index.IndexCheckpoint;
import io.batpak.engine.internal.read.EventQueries;
import io.batpak.engine.internal.segment.Journal;
import io.batpak.port.FileHandle;
import io.batpak.port.RenameMode;
import io.batpak.port.StoreClock;
import io.batpak.port.StoreFs;
import io.batpak.port.SyncMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Compacts sealed segments (docs/format.md, "Compaction"; {@link io.batpak.Store#compact}): plans
 * groups of consecutive immutable segments, and replaces each by one output in one atomic step.
 *
 * <ol>
 *   <li>The intent ({@link CompactionIntent}) is published.
 *   <li>The output is written beside the segments as {@code <last>.seg.compacting}: a version 3
 *       header naming the first segment it replaces, then every frame of the group in order. A
 *       frame whose events all stay is copied byte for byte; the others are split into runs of kept
 *       events (an events frame of the same records) and runs of removed ones (a {@link
 *       FrameCodec#TYPE_COMPACTED} frame: the same records without payloads). Frames of other types
 *       are copied as they are; seals are not (the output is read by a scan on open).
 *   <li>The output is synced.
 *   <li>With the commit lock held: the index checkpoint is removed (it describes the old segments)
 *       and the directory synced, the output is renamed over segment {@code last} and the directory
 *       synced (the switch), then the index moves the group's rows to the output.
 *   <li>The other replaced segments are removed, the directory synced, the intent removed.
 * </ol>
 *
 * A failure before the switch removes the output and the intent and leaves the store as it was; a
 * crash anywhere leaves a directory {@link CompactionSettle} finishes or undoes. One compaction at
 * a time.
 */
public final class Compactor {
  private final StoreFs fs;
  private final Path directory;
  private final Journal journal;
  private final Index index;
  private final Committer committer;
  private final StoreClock clock;
  private final String codecName;
  private final long segmentMaxBytes;
  private volatile boolean stopping;

  /** A compactor of {@code journal}'s sealed segments. */
  public Compactor(
      StoreFs fs,
      Path directory,
      Journal journal,
      Index index,
      Committer committer,
      StoreClock clock,
      String codecName,
      long segmentMaxBytes) {
    this.fs = fs;
    this.directory = directory;
    this.journal = journal;
    this.index = index;
    this.committer = committer;
    this.clock = clock;
    this.codecName = codecName;
    this.segmentMaxBytes = segmentMaxBytes;
  }

  /**
   * Makes a running compaction stop at its next frame (the store is closing) and waits until it
   * has; a compaction past its switch finishes its removals first.
   */
  public void stop() {
    stopping = true;
    synchronized (this) {
      // run() holds this monitor: taking it waits for a running compaction to return.
    }
  }

  /** Totals over the groups of one run. */
  private static final class Totals {
    int segmentsBefore;
    int segmentsAfter;
    long kept;
    long dropped;
    long tombstoned;
    long bytesBefore;
    long bytesAfter;
    long bytesToRead;
    long bytesRead;

    CompactionResult result(CompactionResult.Outcome outcome, String reason) {
      return new CompactionResult(
          outcome,
          reason,
          segmentsBefore,
          segmentsAfter,
          kept,
          dropped,
          tombstoned,
          bytesBefore,
          bytesAfter);
    }
  }

  /** Runs one compaction. */
  public synchronized CompactionResult run(CompactionConfig config) {
    List<List<Long>> groups = plan(config);
    Totals totals = new Totals();
    for (List<Long> g : groups) {
      for (long id : g) {
        totals.bytesToRead += journal.segments().getOrDefault(id, 0L);
      }
    }
    if (groups.isEmpty()) {
      return totals.result(
          CompactionResult.Outcome.SKIPPED,
          config.strategy() == CompactionConfig.Strategy.MERGE
              ? "no run of at least "
                  + config.minSegments()
                  + " sealed segments fits in segmentMaxBytes ("
                  + segmentMaxBytes
                  + " bytes)"
              : "no sealed segment (only the active one holds events)");
    }
    for (List<Long> group : groups) {
      Group g = new Group(group, config, totals);
      String failure = g.run();
      if (failure != null) {
        return totals.result(CompactionResult.Outcome.FAILED, failure);
      }
    }
    if (totals.segmentsBefore == 0) {
      return totals.result(
          CompactionResult.Outcome.SKIPPED, "every event of the sealed segments is kept");
    }
    return totals.result(CompactionResult.Outcome.PERFORMED, "");
  }

  /**
   * Groups of consecutive immutable segments (every segment before the active one), each within
   * {@code segmentMaxBytes} unless it is one segment, with at least {@code minSegments} for a
   * merge.
   */
  private List<List<Long>> plan(CompactionConfig config) {
    long active = journal.activeId();
    List<List<Long>> groups = new ArrayList<>();
    List<Long> current = new ArrayList<>();
    long bytes = 0;
    for (Map.Entry<Long, Long> e : journal.segments().entrySet()) {
      long id = e.getKey();
      if (id >= active) {
        break;
      }
      if (!current.isEmpty() && bytes + e.getValue() > segmentMaxBytes) {
        groups.add(current);
        current = new ArrayList<>();
        bytes = 0;
      }
      current.add(id);
      bytes += e.getValue();
    }
    if (!current.isEmpty()) {
      groups.add(current);
    }
    int min = config.strategy() == CompactionConfig.Strategy.MERGE ? config.minSegments() : 1;
    groups.removeIf(g -> g.size() < min);
    return groups;
  }

  /** One group of segments and its output. */
  private final class Group {
    final long first;
    final long last;
    final List<Long> ids;
    final CompactionConfig config;
    final boolean dryRun;
    final int firstRow;
    final int endRow;
    final long[] location;
    final int[] length;
    final int[] recordOffset;
    final byte[] disposition;
    final Path temp;
    final CompactionIntent intent;
    FileHandle out;
    long outPos;
    boolean changed;
    boolean renamed;
    int placed;
    long kept;
    long dropped;
    long tombstoned;
    long bytesBefore;

    final Totals totals;

    Group(List<Long> ids, CompactionConfig config, Totals totals) {
      this.totals = totals;
      this.ids = ids;
      this.first = ids.get(0);
      this.last = ids.get(ids.size() - 1);
      this.config = config;
      this.dryRun = config.dryRun();
      Index.View v = index.view();
      this.firstRow = v.firstRowFrom(first);
      this.endRow = v.firstRowFrom(last + 1);
      int rows = endRow - firstRow;
      this.location = new long[rows];
      this.length = new int[rows];
      this.recordOffset = new int[rows];
      this.disposition = new byte[rows];
      this.intent = new CompactionIntent(first, last);
      this.temp = directory.resolve(intent.tempName());
      this.changed = config.strategy() == CompactionConfig.Strategy.MERGE;
    }

    /** Runs the group; returns null, or the reason it failed. */
    String run() {
      String step = "publishing the compaction intent " + directory.resolve(CompactionIntent.FILE);
      try {
        if (!dryRun) {
          intent.publish(fs, directory);
          step = "creating " + temp;
          fs.deleteIfExists(temp);
          out = fs.create(temp);
          SegmentHeader header =
              SegmentHeader.compacted(
                  last, replacesFrom(), clock.wallMicros(), firstRow, codecName);
          byte[] h = header.encode();
          out.write(ByteBuffer.wrap(h), 0);
          outPos = h.length;
        }
        for (long id : ids) {
          step = "copying the frames of " + journal.path(id) + " to " + temp;
          copySegment(id);
        }
        if (!changed) {
          discard();
          return null;
        }
        if (dryRun) {
          add(outPos);
          return null;
        }
        step = "fsync of " + temp;
        out.sync(SyncMode.ALL);
        out.close();
        out = null;
        if (placed != location.length) {
          throw new IllegalStateException(
              "the frames of segments "
                  + first
                  + ".."
                  + last
                  + " hold "
                  + placed
                  + " events where the index has "
                  + location.length);
        }
        step = "switching to " + temp;
        long size = outPos;
        committer.whileQuiet(() -> switchTo(size));
        step = "removing the segments the output replaced";
        for (long id : ids) {
          if (id != last) {
            fs.deleteIfExists(journal.path(id));
          }
        }
        fs.syncDirectory(directory);
        step = "removing the compaction intent";
        fs.deleteIfExists(directory.resolve(CompactionIntent.FILE));
        fs.syncDirectory(directory);
        add(size);
        return null;
      } catch (IOException | RuntimeException e) {
        if (e instanceof CorruptStoreException c && !renamed) {
          discardQuietly(e);
          throw c;
        }
        if (!renamed) {
          discardQuietly(e);
          return step + " failed: " + e.getMessage() + "; the store is unchanged";
        }
        return step
            + " failed: "
            + e.getMessage()
            + "; the store is compacted, and the next open removes what is left over";
      }
    }

    /**
     * The first segment number the output replaces: that of segment {@code first}'s own header.
     * When {@code first} is itself an earlier compaction's output, the segments before it that the
     * earlier one replaced are gone, and the open accepts that gap only where the header after it
     * names its start.
     */
    private long replacesFrom() throws IOException {
      Path path = journal.path(first);
      try (FileHandle in = fs.openRead(path)) {
        byte[] head = new byte[(int) Math.min(in.size(), SegmentHeader.MAX_LENGTH)];
        in.read(ByteBuffer.wrap(head), 0);
        return Math.min(first, SegmentHeader.decode(head, path.toString()).firstSegmentId());
      }
    }

    private void add(long bytesAfter) {
      totals.segmentsBefore += ids.size();
      totals.segmentsAfter += 1;
      totals.kept += kept;
      totals.dropped += dropped;
      totals.tombstoned += tombstoned;
      totals.bytesBefore += bytesBefore;
      totals.bytesAfter += bytesAfter;
    }

    /**
     * The switch, with the commit lock held: no checkpoint of the old layout may outlive it, the
     * output takes segment {@code last}'s name ({@link #renamed} from then on: the output is the
     * store's), and the index follows.
     */
    private Void switchTo(long size) throws IOException {
      fs.deleteIfExists(directory.resolve(IndexCheckpoint.FILE));
      fs.syncDirectory(directory);
      fs.rename(temp, journal.path(last), RenameMode.REPLACE);
      renamed = true;
      index.beginRelocation();
      try {
        journal.replaced(first, last, size);
      } finally {
        for (int i = 0; i < location.length; i++) {
          index.relocate(
              firstRow + i, (int) last, location[i], length[i], recordOffset[i], disposition[i]);
        }
        index.endRelocation();
      }
      fs.syncDirectory(directory);
      return null;
    }

    /**
     * Removes the output and the intent. Also after the output was synced and closed: a failure at
     * the switch (the checkpoint's removal, the directory sync, the rename) leaves both behind
     * otherwise, a whole copy of the group, while the result says the store is unchanged.
     */
    private void discard() throws IOException {
      if (dryRun) {
        return; // nothing was written
      }
      if (out != null) {
        out.close();
        out = null;
      }
      fs.deleteIfExists(temp);
      fs.deleteIfExists(directory.resolve(CompactionIntent.FILE));
      fs.syncDirectory(directory);
    }

    private void discardQuietly(Exception failure) {
      try {
        discard();
      } catch (IOException | RuntimeException e) {
        failure.addSuppressed(e);
      }
    }

    /** Reads segment {@code id}'s frames in order and writes what stays of them. */
    private void copySegment(long id) throws IOException {
      Path path = journal.path(id);
      try (FileHandle in = fs.openRead(path)) {
        long size = in.size();
        bytesBefore += size;
        byte[] head = new byte[(int) Math.min(size, SegmentHeader.MAX_LENGTH)];
        in.read(ByteBuffer.wrap(head), 0);
        long pos = SegmentHeader.decode(head, path.toString()).length();
        byte[] prefix = new byte[FrameCodec.PREFIX];
        while (pos + FrameCodec.PREFIX <= size) {
          if (stopping) {
            throw new IOException("the store is closing");
          }
          in.read(ByteBuffer.wrap(prefix), pos);
          int bodyLength = FrameCodec.readInt(prefix, 0);
          if (bodyLength < 0 || pos + FrameCodec.PREFIX + bodyLength > size) {
            throw new CorruptStoreException(
                path.toString(), pos, "frame length", "a frame within the file", "" + bodyLength);
          }
          byte[] frame = new byte[FrameCodec.PREFIX + bodyLength];
          in.read(ByteBuffer.wrap(frame), pos);
          if (!FrameCodec.crcMatches(frame, 0, bodyLength)) {
            throw new CorruptStoreException(
                path.toString(), pos, "frame CRC32C", "a match over the stored body", "a mismatch");
          }
          if (SegmentSeal.isFooter(frame, FrameCodec.PREFIX)) {
            return; // the seal: the frames end here
          }
          copyFrame(frame, path.toString(), pos);
          pos += frame.length;
          totals.bytesRead += frame.length;
          config.progress().copied(totals.bytesRead, totals.bytesToRead);
        }
      }
    }

    private void copyFrame(byte[] frame, String file, long at) throws IOException {
      int type = frame[FrameCodec.PREFIX] & 0xFF;
      if (type != FrameCodec.TYPE_EVENTS && type != FrameCodec.TYPE_COMPACTED) {
        write(frame); // not an events frame (a fence's): kept as it is
        return;
      }
      int bodyLength = frame.length - FrameCodec.PREFIX;
      List<Integer> offsets = new ArrayList<>();
      List<EventRecord> records =
          FrameCodec.decodeBody(frame, FrameCodec.PREFIX, bodyLength, file, at, offsets);
      int was = type == FrameCodec.TYPE_EVENTS ? 0 : frame[FrameCodec.PREFIX + 1];
      int[] fate = new int[records.size()];
      boolean allStay = true;
      for (int i = 0; i < records.size(); i++) {
        fate[i] = was != 0 ? was : fate(records.get(i));
        allStay &= fate[i] == was;
        count(fate[i]);
      }
      if (allStay) {
        long frameAt = outPos;
        if (FrameCodec.durableEnd(frame, FrameCodec.PREFIX) > frameAt) {
          // Removed payloads before it moved it earlier than the durable end it records.
          FrameCodec.lowerDurableEnd(frame, frameAt);
        }
        for (int i = 0; i < records.size(); i++) {
          place(records.get(i), frameAt, frame.length, offsets.get(i), was);
        }
        write(frame);
        return;
      }
      changed = true;
      int from = 0;
      for (int i = 1; i <= records.size(); i++) {
        if (i == records.size() || fate[i] != fate[from]) {
          writeRun(records.subList(from, i), fate[from]);
          from = i;
        }
      }
    }

    /** 0 to keep the event, or what happens to it. */
    private int fate(EventRecord r) {
      if (config.strategy() == CompactionConfig.Strategy.MERGE) {
        return 0;
      }
      StoredEvent e = new StoredEvent(EventQueries.header(r, 0), Bytes.ofOwned(r.payload()));
      Predicate<StoredEvent> keep = config.keep();
      if (keep.test(e)) {
        return 0;
      }
      return config.strategy() == CompactionConfig.Strategy.RETAIN
          ? FrameCodec.DROPPED
          : FrameCodec.TOMBSTONED;
    }

    private void count(int fate) {
      if (fate == 0) {
        kept++;
      } else if (fate == FrameCodec.DROPPED) {
        dropped++;
      } else {
        tombstoned++;
      }
    }

    private void writeRun(List<EventRecord> run, int fate) throws IOException {
      int type = fate == 0 ? FrameCodec.TYPE_EVENTS : FrameCodec.TYPE_COMPACTED;
      int[] offsets = new int[run.size()];
      long size = FrameCodec.PREFIX + FrameCodec.BODY_HEADER;
      for (EventRecord r : run) {
        size += FrameCodec.recordSize(r);
      }
      ByteBuffer buf = ByteBuffer.allocate((int) size);
      long frameAt = outPos;
      FrameCodec.writeFrame(
          buf, type, fate, run.get(0).globalSequence(), frameAt, List.copyOf(run), offsets);
      buf.flip();
      byte[] frame = new byte[buf.remaining()];
      buf.get(frame);
      for (int i = 0; i < run.size(); i++) {
        place(run.get(i), frameAt, frame.length, offsets[i], fate);
      }
      write(frame);
    }

    private void place(EventRecord r, long frameAt, int frameLength, int offset, int fate) {
      int i = (int) (r.globalSequence() - firstRow);
      if (i < 0 || i >= location.length) {
        throw new IllegalStateException(
            "global sequence " + r.globalSequence() + " outside segments " + first + ".." + last);
      }
      placed++;
      location[i] = frameAt;
      length[i] = frameLength;
      recordOffset[i] = offset;
      disposition[i] = (byte) fate;
    }

    private void write(byte[] frame) throws IOException {
      if (!dryRun) {
        out.write(ByteBuffer.wrap(frame), outPos);
      }
      outPos += frame.length;
    }
  }
}
