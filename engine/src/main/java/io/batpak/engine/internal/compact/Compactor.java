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
import io.batpak.engine.internal.recovery.CompactionIntent;
import io.batpak.engine.internal.recovery.CompactionSettle;
import io.batpak.engine.internal.segment.FrameWindow;
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
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

  /** Bytes read from a segment, and written to an output, at a time. */
  static final int WINDOW = 1 << 20;

  /** The longest wait of a paced compaction before it looks whether the store is closing. */
  static final long PACING_SLICE_NANOS = 50_000_000;

  /** Bytes of output a paced compaction writes between two syncs of its data. */
  static final long SYNC_EVERY = 8L << 20;

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
  private final class Totals {
    int segmentsBefore;
    int segmentsAfter;
    long kept;
    long dropped;
    long tombstoned;
    long bytesBefore;
    long bytesAfter;
    long bytesToRead;
    long bytesRead;
    long bytesWritten;
    boolean checkpointRemoved;
    final long startedNanos = clock.monoNanos();

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
    if (!config.dryRun() && committer != null) {
      String unsettled = settleLeftovers();
      if (unsettled != null) {
        return new Totals().result(CompactionResult.Outcome.FAILED, unsettled);
      }
    }
    List<List<Long>> groups;
    try {
      groups = plan(config);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("unreachable: planning reads memory only", e);
    }
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
    String failure = null;
    for (List<Long> group : groups) {
      failure = new Group(group, config, totals).run();
      if (failure != null) {
        break;
      }
    }
    if (totals.checkpointRemoved && committer != null) {
      // A switch removed the checkpoint of the old segments: write one of the new.
      committer.checkpointNow();
    }
    if (failure != null) {
      return totals.result(CompactionResult.Outcome.FAILED, failure);
    }
    if (totals.segmentsBefore == 0) {
      return totals.result(
          CompactionResult.Outcome.SKIPPED, "every event of the sealed segments is kept");
    }
    return totals.result(CompactionResult.Outcome.PERFORMED, "");
  }

  /**
   * Finishes what an earlier compaction of this session left with its intent, as the next open
   * would ({@link CompactionSettle}): after its switch, the segments its output replaced; before
   * it, an unfinished output it could not remove; then the intent. The intent is the only record of
   * replaced segments: a compaction that published its own over it would leave them unexplained
   * beside an output that replaces them, and the store would not open. Returns null, or why this
   * compaction does not start (the earlier intent is then kept, for the next try or the next open).
   *
   * @throws CorruptStoreException if the earlier output is not whole: its replaced segments are
   *     kept, and the next open refuses the store naming file and offset
   */
  private String settleLeftovers() {
    Path intentFile = directory.resolve(CompactionIntent.FILE);
    try {
      if (!fs.exists(intentFile)) {
        return null;
      }
      CompactionSettle.settle(fs, directory, true);
      return null;
    } catch (IOException | RuntimeException e) {
      if (e instanceof CorruptStoreException c) {
        throw c;
      }
      return "finishing what an earlier compaction left (the segments its output replaced, then "
          + intentFile
          + ") failed: "
          + e.getMessage()
          + "; nothing was compacted, and the next open finishes it";
    }
  }

  /**
   * Groups of consecutive immutable segments (every segment before the active one), each within
   * {@code segmentMaxBytes} unless it is one segment, with at least {@code minSegments} for a
   * merge.
   */
  private List<List<Long>> plan(CompactionConfig config) throws IOException {
    // With the commit lock held, no group is half written: every segment before both the active
    // one and the first holding an unpublished row (a group waiting for its fsync, or an open
    // fence) is immutable and wholly visible.
    long active =
        committer == null
            ? journal.firstWritableId() // read-only, a dry run: plan what a writer would do
            : committer.whileQuiet(
                () -> Math.min(journal.activeId(), index.firstUnpublishedSegment()));
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
    final ByteBuffer pending = ByteBuffer.allocate(WINDOW);
    final Map<Long, SegmentHeader> headers = new HashMap<>();
    long unsynced;
    boolean changed;
    boolean renamed;
    int headerLength;
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
      String step = "reading the header of " + journal.path(first);
      try {
        // An earlier compaction's output replaces from its own first segment: so does this one.
        long replacesFrom = headerOf(first).firstSegmentId();
        if (!dryRun) {
          step = "publishing the compaction intent " + directory.resolve(CompactionIntent.FILE);
          intent.publish(fs, directory);
          step = "creating " + temp;
          fs.deleteIfExists(temp);
          out = fs.create(temp);
        }
        byte[] h =
            SegmentHeader.compacted(
                    last, replacesFrom, clock.wallMicros(), firstRow, codecName, compressions())
                .encode();
        headerLength = h.length;
        write(h, 0, h.length);
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
        step = "writing " + temp;
        flush();
        step = "fsync of " + temp;
        out.sync(SyncMode.ALL);
        out.close();
        out = null;
        // Read it back before it replaces anything: a write the device tore silently is caught
        // here, while the old segments are still the store's.
        step = "reading back " + temp;
        CompactionSettle.FrameProblem torn = CompactionSettle.wholeFrames(fs, temp, headerLength);
        if (torn != null) {
          throw new IOException(
              "the output read back damaged at offset " + torn.offset() + ": " + torn.found());
        }
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
        committer.withoutCheckpoints(() -> switchTo(size));
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
     * The switch. With no checkpoint in flight (the caller holds the committer's checkpoint lock),
     * the checkpoint of the old layout is removed and the directory synced, so none outlives the
     * switch; then, with the commit lock held, the output takes segment {@code last}'s name ({@link
     * #renamed} from then on: the output is the store's) and the index follows; the directory sync
     * that makes the rename durable runs after appends resumed, before any replaced segment is
     * removed (a crash before it finds the old segments whole, holding the same bytes).
     */
    private Void switchTo(long size) throws IOException {
      totals.checkpointRemoved = true;
      fs.deleteIfExists(directory.resolve(IndexCheckpoint.FILE));
      fs.syncDirectory(directory);
      committer.whileQuiet(
          () -> {
            // The index moves before the rename: a reader opening segment last from here on would
            // find the output at the old rows' offsets, so it must see the move and wait for it.
            index.beginRelocation();
            try {
              fs.rename(temp, journal.path(last), RenameMode.REPLACE);
              renamed = true;
              relocate(size);
            } finally {
              index.endRelocation();
            }
            return null;
          });
      fs.syncDirectory(directory);
      return null;
    }

    /**
     * Moves the group's rows to the output, in the index and the journal. Commit lock held, inside
     * the index's relocation.
     */
    private void relocate(long size) throws IOException {
      try {
        // The old files' handles go first: a read still using one fails and reads again.
        journal.replaced(first, last, size);
      } finally {
        for (int i = 0; i < location.length; i++) {
          index.relocate(
              firstRow + i, (int) last, location[i], length[i], recordOffset[i], disposition[i]);
        }
      }
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

    /**
     * The compressions the replaced segments' headers name, in order and once each, joined by
     * {@code +}; {@code none} when none compressed (their frames are copied as they are).
     */
    private String compressions() throws IOException {
      Set<String> names = new LinkedHashSet<>();
      for (long id : ids) {
        for (String n : headerOf(id).compression().split("\\+")) {
          if (!n.equals("none")) {
            names.add(n);
          }
        }
      }
      return names.isEmpty() ? "none" : String.join("+", names);
    }

    /** The header of segment {@code id}, read once per group (segments of a group never change). */
    private SegmentHeader headerOf(long id) throws IOException {
      SegmentHeader h = headers.get(id);
      if (h == null) {
        Path path = journal.path(id);
        try (FileHandle in = fs.openRead(path)) {
          h = SegmentHeader.read(in, path.toString());
        }
        headers.put(id, h);
      }
      return h;
    }

    /**
     * Reads segment {@code id}'s frames in order, a window of {@link #WINDOW} bytes at a time, and
     * writes what stays of them.
     */
    private void copySegment(long id) throws IOException {
      Path path = journal.path(id);
      String file = path.toString();
      try (FileHandle in = fs.openRead(path)) {
        long size = in.size();
        bytesBefore += size;
        long pos = headerOf(id).length();
        FrameWindow window = new FrameWindow(WINDOW);
        window.open(in);
        while (pos < size) {
          if (stopping) {
            throw new IOException("the store is closing");
          }
          if (pos + FrameCodec.PREFIX > size) {
            throw new CorruptStoreException(
                file, pos, "frame prefix", "a whole prefix", "the end of the file");
          }
          if (!window.holds(pos, FrameCodec.PREFIX)) {
            window.load(pos, FrameCodec.PREFIX, size);
          }
          int bodyLength = FrameCodec.readInt(window.buf(), window.at(pos));
          if (bodyLength < 0
              || bodyLength > FrameCodec.MAX_BODY
              || pos + FrameCodec.PREFIX + bodyLength > size) {
            throw new CorruptStoreException(
                file, pos, "frame length", "a frame within the file", "" + bodyLength);
          }
          int total = FrameCodec.PREFIX + bodyLength;
          if (!window.holds(pos, total)) {
            window.load(pos, total, size);
          }
          int at = window.at(pos);
          if (!FrameCodec.crcMatches(window.buf(), at, bodyLength)) {
            throw new CorruptStoreException(
                file, pos, "frame CRC32C", "a match over the stored body", "a mismatch");
          }
          if (SegmentSeal.isFooter(window.buf(), at + FrameCodec.PREFIX)) {
            // The seal: the frames end here, and its bytes count as read.
            totals.bytesRead += size - pos;
            config.progress().copied(totals.bytesRead, totals.bytesToRead);
            return;
          }
          copyFrame(window.buf(), at, total, file, pos);
          pos += total;
          totals.bytesRead += total;
          config.progress().copied(totals.bytesRead, totals.bytesToRead);
        }
      }
    }

    private void copyFrame(byte[] buf, int at, int total, String file, long filePos)
        throws IOException {
      int body = at + FrameCodec.PREFIX;
      int type = buf[body] & 0xFF;
      if (type != FrameCodec.TYPE_EVENTS && type != FrameCodec.TYPE_COMPACTED) {
        // Not an events frame (a fence's): kept as it is, but for the durable end it records,
        // which removed payloads before it may have moved past where it now starts.
        if (FrameCodec.durableEnd(buf, body) > outPos) {
          FrameCodec.lowerDurableEnd(buf, at, total, outPos);
        }
        write(buf, at, total);
        return;
      }
      int was = type == FrameCodec.TYPE_EVENTS ? 0 : buf[body + 1];
      if (was != 0 || config.strategy() == CompactionConfig.Strategy.MERGE) {
        copyWhole(buf, at, total, was);
        return;
      }
      List<Integer> offsets = new ArrayList<>();
      List<EventRecord> records =
          FrameCodec.decodeBody(
              buf,
              body,
              total - FrameCodec.PREFIX,
              file,
              filePos,
              offsets,
              journal.decompressors());
      int[] fate = new int[records.size()];
      boolean allStay = true;
      for (int i = 0; i < records.size(); i++) {
        fate[i] = fate(records.get(i));
        allStay &= fate[i] == 0;
      }
      if (allStay) {
        copyWhole(buf, at, total, 0);
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

    /**
     * Copies a frame whose events all keep their disposition ({@code was}) byte for byte; its
     * records stay at the same offsets in it, so the index's record offsets stand.
     */
    private void copyWhole(byte[] buf, int at, int total, int was) throws IOException {
      int body = at + FrameCodec.PREFIX;
      long base = FrameCodec.readLong(buf, body + 4);
      int count = FrameCodec.readInt(buf, body + 12);
      long frameAt = outPos;
      if (FrameCodec.durableEnd(buf, body) > frameAt) {
        // Removed payloads before it moved it earlier than the durable end it records.
        FrameCodec.lowerDurableEnd(buf, at, total, frameAt);
      }
      Index.View v = index.view();
      for (int k = 0; k < count; k++) {
        long row = base + k;
        if (row < firstRow || row >= endRow) {
          throw new IllegalStateException(
              "global sequence " + row + " outside segments " + first + ".." + last);
        }
        place(row, frameAt, total, v.recordOffset((int) row), was);
        if (was == 0) {
          count(row, 0); // an event an earlier compaction removed is not counted again
        }
      }
      write(buf, at, total);
    }

    /** 0 to keep the event, or what happens to it. */
    private int fate(EventRecord r) {
      if (config.strategy() == CompactionConfig.Strategy.MERGE
          || index.cancelled().contains(r.globalSequence())) {
        // A cancelled fence's event is never shown to the predicate (nor to any reader): it stays.
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

    /**
     * Counts what happens to the event at {@code row}; a cancelled fence's event is not counted.
     */
    private void count(long row, int fate) {
      if (index.cancelled().contains(row)) {
        return;
      }
      if (fate == 0) {
        kept++;
      } else if (fate == FrameCodec.DROPPED) {
        dropped++;
      } else {
        tombstoned++;
      }
    }

    private void writeRun(List<EventRecord> run, int fate) throws IOException {
      for (EventRecord r : run) {
        count(r.globalSequence(), fate);
      }
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
        place(run.get(i).globalSequence(), frameAt, frame.length, offsets[i], fate);
      }
      write(frame, 0, frame.length);
    }

    private void place(long row, long frameAt, int frameLength, int offset, int fate) {
      int i = (int) (row - firstRow);
      if (i < 0 || i >= location.length) {
        throw new IllegalStateException(
            "global sequence " + row + " outside segments " + first + ".." + last);
      }
      placed++;
      location[i] = frameAt;
      length[i] = frameLength;
      recordOffset[i] = offset;
      disposition[i] = (byte) fate;
    }

    /** Appends bytes to the output, through a buffer of {@link #WINDOW} bytes. */
    private void write(byte[] bytes, int offset, int length) throws IOException {
      if (!dryRun) {
        if (pending.position() + length > pending.capacity()) {
          flush();
        }
        if (length > pending.capacity()) {
          out.write(ByteBuffer.wrap(bytes, offset, length), outPos);
          wrote(length);
        } else {
          pending.put(bytes, offset, length);
        }
      }
      outPos += length;
    }

    /** Writes the buffered bytes, which end at {@link #outPos}. */
    private void flush() throws IOException {
      if (pending.position() > 0) {
        pending.flip();
        int n = pending.remaining();
        out.write(pending, outPos - n);
        pending.clear();
        wrote(n);
      }
    }

    /**
     * Accounts for {@code n} bytes written to the output. A paced run then syncs the output's data
     * every {@link #SYNC_EVERY} bytes, so the final fsync never has a whole segment to write back
     * at once behind the appenders' fsyncs, and waits while it is ahead of its rate. An unpaced run
     * syncs once, at the end: each sync in between waits for the disk while nothing is written
     * (W9-merge measured twice as long with them).
     */
    private void wrote(int n) throws IOException {
      unsynced += n;
      totals.bytesWritten += n;
      if (config.maxBytesPerSecond() > 0 && unsynced >= SYNC_EVERY) {
        out.sync(SyncMode.DATA);
        unsynced = 0;
      }
      pace();
    }

    /**
     * Waits, in slices that notice a closing store, while the run's output is ahead of {@link
     * CompactionConfig#maxBytesPerSecond()} (measured from the run's start on the store's clock).
     */
    private void pace() throws IOException {
      long rate = config.maxBytesPerSecond();
      if (rate <= 0) {
        return;
      }
      long due = (long) (totals.bytesWritten * (1e9 / rate));
      long ahead;
      while ((ahead = due - (clock.monoNanos() - totals.startedNanos)) > 0) {
        if (stopping) {
          throw new IOException("the store is closing");
        }
        try {
          clock.sleepNanos(Math.min(ahead, PACING_SLICE_NANOS));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException(
              "interrupted while pacing the output to " + rate + " bytes per second", e);
        }
      }
    }
  }
}
