package io.batpak.engine.internal.segment;

import io.batpak.CorruptStoreException;
import io.batpak.engine.internal.format.Decompressors;
import io.batpak.engine.internal.format.FrameCodec;
import io.batpak.engine.internal.format.SegmentHeader;
import io.batpak.engine.internal.index.Index;
import io.batpak.port.FileHandle;
import io.batpak.port.ShortReadException;
import io.batpak.port.StoreClock;
import io.batpak.port.StoreFs;
import io.batpak.port.SyncMode;
import io.batpak.port.UnsupportedFsOperationException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The segment files of one store directory: the active segment the committer appends to, the full
 * ones before it, and positional reads of frames for readers. Every byte and every sync goes
 * through {@link StoreFs}.
 *
 * <p>It owns the segment lifecycle: it opens over what recovery found, creates the first segment of
 * a new store, resumes the newest one or, when that one is sealed, starts the next ({@link
 * #openForAppends}); it appends and syncs, and seals the active segment when it is full, before
 * starting the next ({@link #rotate}), and on a clean close ({@link #seal}). A sealed segment is
 * never written again. Writes, syncs, sealing and rotation come from the committer only (one at a
 * time); reads from any thread.
 *
 * <p>Reads of a segment that is never written again (every one before the first writable one) go
 * through a memory mapping of its valid bytes when the backend offers mappings and the
 * configuration allows them ({@link MappedSegment}, ADR 0030). The active segment's durable bytes
 * are read through mappings of whole, aligned chunks that a completed sync covers ({@link
 * ChunkMappedSegment}, ADR 0031); its newest bytes, and every segment without a mapping, are read
 * with {@code pread}.
 */
public final class Journal implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(Journal.class.getName());

  private static final Pattern NAME = Pattern.compile("(\\d{10})\\.seg");

  private final StoreFs fs;
  private final Path directory;
  private final SyncMode syncMode;
  private final StoreClock clock;
  private final String codecName;
  private final String compressionName;
  private final Decompressors decompressors;
  private final int headerLength;
  private final ConcurrentSkipListMap<Long, Long> sizes = new ConcurrentSkipListMap<>();
  private final Map<Long, FileHandle> readers = new ConcurrentHashMap<>();
  private final boolean newestAppendable;
  private final long newestBase;

  /** Whether sealed segments are read through mappings; false after the backend refused one. */
  private volatile boolean mapping;

  /** Segments from this id on may still be written, so they are mapped only in durable chunks. */
  private volatile long firstMutable;

  /** The size of a mapped chunk of a segment that may still grow. */
  private final int chunkBytes;

  /** The active segment and how many of its bytes a completed sync covers; null before appends. */
  private volatile Durable durableMark;

  /** The chunk-mapped read handle of the active segment, once a reader opened one. */
  private volatile ChunkMappedSegment activeChunks;

  private record Durable(long segment, long length) {}

  private FileHandle active;
  private long activeId;
  private long activeBase;
  private long activeSize;
  private long syncedSize;
  private boolean activeSealed;

  /** Whether the active segment began inside a visibility fence (ADR 0015). */
  private boolean activeBeganInFence;

  private long appendedBytes;

  /**
   * A journal over the segments recovery found in {@code directory}.
   *
   * @param segments each segment's id and valid length, as recovery left them
   * @param newestAppendable whether appends may resume in the newest segment (it is not sealed, and
   *     of the format version this build writes)
   * @param newestBase the global sequence of the newest segment's first event
   * @param clock stamps the header of each segment this journal creates
   * @param codecName the payload codec each new segment's header names
   * @param compressionName the compressor each new segment's header names ({@code none} or the one
   *     appends use)
   * @param decompressors decompresses the compressed payloads readers find
   * @param mappedReads whether to read segments through mappings (the configuration allows them and
   *     the backend offers them)
   * @param segmentMaxBytes the configured segment size, which sets the size of a mapped chunk of
   *     the active segment
   */
  public Journal(
      StoreFs fs,
      Path directory,
      SyncMode syncMode,
      Map<Long, Long> segments,
      boolean newestAppendable,
      long newestBase,
      StoreClock clock,
      String codecName,
      String compressionName,
      Decompressors decompressors,
      boolean mappedReads,
      long segmentMaxBytes) {
    this.fs = fs;
    this.newestAppendable = newestAppendable;
    this.newestBase = newestBase;
    this.directory = directory;
    this.syncMode = syncMode;
    this.clock = clock;
    this.codecName = codecName;
    this.compressionName = compressionName;
    this.decompressors = decompressors;
    sizes.putAll(segments);
    this.mapping = mappedReads;
    this.firstMutable = firstWritableId();
    this.chunkBytes = ChunkMappedSegment.chunkBytesFor(segmentMaxBytes);
    this.headerLength = SegmentHeader.of(0, 0, 0, codecName, compressionName).length();
  }

  /** The file name of segment {@code id}. */
  public static String fileName(long id) {
    return String.format("%010d.seg", id);
  }

  /** The segment id of a file name, or -1 if it is not a segment. */
  public static long idOf(String name) {
    Matcher m = NAME.matcher(name);
    return m.matches() ? Long.parseLong(m.group(1)) : -1;
  }

  /** Decompresses the compressed payloads of this journal's frames (each names its compressor). */
  public Decompressors decompressors() {
    return decompressors;
  }

  /** The path of segment {@code id}. */
  public Path path(long id) {
    return directory.resolve(fileName(id));
  }

  /**
   * Makes the journal appendable: a new store gets its first segment; a store whose newest segment
   * is sealed (or of an older format version) gets the next one, whose first event will have global
   * sequence {@code nextGlobal}; otherwise the newest segment becomes the active one.
   *
   * <p>Either way the newest segment and its directory entry are synced first: a process killed
   * before a sync leaves what it wrote in the page cache, where recovery reads it as if it were
   * durable (a seal written but not yet synced looks whole; so does a new segment whose directory
   * entry was not yet synced). Nothing may be built on such bytes before they are durable: a
   * segment started after an unsynced seal would make the sealed segment an older one, and a power
   * loss could then tear its seal where no torn tail is allowed, so the store would not open; and
   * appends acknowledged in a segment whose entry is not durable could vanish with it.
   */
  public void openForAppends(long nextGlobal) throws IOException {
    if (sizes.isEmpty()) {
      create(1, 0);
      return;
    }
    long id = sizes.lastKey();
    if (!newestAppendable) {
      // Sealed: synced through a read handle, since a sealed segment is never opened for writing.
      try (FileHandle sealed = fs.openRead(path(id))) {
        sealed.sync(SyncMode.ALL);
      }
      fs.syncDirectory(directory);
      activeId = id;
      startNext(nextGlobal);
      return;
    }
    active = fs.openWrite(path(id));
    activeId = id;
    activeBase = newestBase;
    activeSize = sizes.get(id);
    sync();
    fs.syncDirectory(directory);
  }

  /**
   * Seals the active segment and starts the next one, whose first event has global sequence {@code
   * baseGlobal}: the active segment's frames are synced, its seal is written after them and synced
   * ({@link #seal}), then the new segment is created with its header durable and its directory
   * entry synced. A failure names the step that failed.
   *
   * @param seal the active segment's seal, for a footer at {@link #activeSize()}; or null to leave
   *     it unsealed (its frames are then read on open), as for a segment a fence touched (ADR 0015)
   * @throws RotationFailed if a step fails; the pipeline must poison (frames of the group may
   *     already sit in the previous segment, and a failed sync is never "nothing happened")
   */
  public void rotate(long baseGlobal, byte[] seal) throws RotationFailed {
    long oldId = activeId;
    try {
      sync();
    } catch (IOException e) {
      throw new RotationFailed(
          "fsync of " + path(oldId) + " before rotating to a new segment failed", e);
    }
    try {
      if (seal != null) {
        seal(seal);
      }
    } catch (IOException e) {
      throw new RotationFailed("sealing " + path(oldId) + " before rotating failed", e);
    }
    startNext(baseGlobal);
  }

  /**
   * Writes {@code seal} (a footer frame and its trailer) after the active segment's frames and
   * syncs it; the segment takes no more appends. Its frames must be synced already, so a crash can
   * tear only the seal, never what it describes.
   *
   * @throws IOException if the write or the sync fails (after a failed write the segment may end in
   *     part of a seal, which the next open cuts off as a torn tail; after a failed sync the seal
   *     is cut off here, as its bytes may stay readable in this boot but never reach the disk)
   */
  public void seal(byte[] seal) throws IOException {
    if (syncedSize != activeSize) {
      throw new IllegalStateException(
          "sealing " + path(activeId) + " with " + (activeSize - syncedSize) + " bytes unsynced");
    }
    long unsealed = activeSize;
    activeSealed = true;
    append(ByteBuffer.wrap(seal));
    try {
      active.sync(SyncMode.ALL);
    } catch (IOException e) {
      // The seal's pages may stay readable though never written (fsyncgate): an open in this boot
      // would take the segment as sealed, and after a power loss find a hole where the seal was.
      // Cut the seal off again: the segment is as a crash before the seal leaves it.
      activeSealed = false;
      try {
        truncateActive(unsealed);
      } catch (IOException | RuntimeException cut) {
        e.addSuppressed(cut);
      }
      throw e;
    }
    synced(activeSize);
  }

  /**
   * Records that the active segment began inside a visibility fence: its seal could not be loaded
   * on its own (the fence's begin frame lies before it), so it is never sealed (ADR 0015).
   */
  public void beganInFence() {
    activeBeganInFence = true;
  }

  /** Whether the active segment began inside a visibility fence. */
  public boolean activeBeganInFence() {
    return activeBeganInFence;
  }

  /** Whether the active segment is sealed (a clean close sealed it). */
  public boolean activeSealed() {
    return activeSealed;
  }

  /** Whether the active segment holds a frame. */
  public boolean activeHasFrames() {
    return activeSize > headerLength;
  }

  /** The global sequence of the active segment's first event. */
  public long activeBase() {
    return activeBase;
  }

  /** The size of every segment together. */
  public long totalBytes() {
    long total = 0;
    for (long size : sizes.values()) {
      total += size;
    }
    return total;
  }

  /** Bytes appended since this journal opened, seals included. */
  public long appendedBytes() {
    return appendedBytes;
  }

  private void startNext(long baseGlobal) throws RotationFailed {
    long id = activeId + 1;
    if (id > Index.MAX_SEGMENT_ID) {
      throw new RotationFailed(
          "rotating to segment " + id + " failed",
          new IOException(
              "segment number "
                  + id
                  + " is past the index's limit of "
                  + Index.MAX_SEGMENT_ID
                  + "; raise segmentMaxBytes"));
    }
    try {
      create(id, baseGlobal);
    } catch (IOException e) {
      throw new RotationFailed("creating segment " + path(id) + " failed", e);
    }
  }

  /** A rotation step failed; {@link #getMessage()} names the step, the cause says why. */
  public static final class RotationFailed extends IOException {
    private static final long serialVersionUID = 1L;

    RotationFailed(String step, IOException cause) {
      super(step, cause);
    }

    @Override
    public synchronized IOException getCause() {
      return (IOException) super.getCause();
    }
  }

  /** The length of a segment header this journal writes: a segment holding only it is empty. */
  public int headerLength() {
    return headerLength;
  }

  /**
   * Creates segment {@code id}, writes its header and makes both the file and its directory entry
   * durable, then makes it the active segment. The previous active segment, if any, is synced
   * already.
   */
  private void create(long id, long baseGlobal) throws IOException {
    SegmentHeader header =
        SegmentHeader.of(id, clock.wallMicros(), baseGlobal, codecName, compressionName);
    Path p = path(id);
    FileHandle h = fs.create(p);
    String step = "writing the header of " + p;
    try {
      byte[] bytes = header.encode();
      h.write(ByteBuffer.wrap(bytes), 0);
      step = "fsync of " + p;
      h.sync(SyncMode.ALL);
      step = "fsync of directory " + directory + " after creating " + p.getFileName();
      fs.syncDirectory(directory);
    } catch (IOException | RuntimeException e) {
      IOException failed = new IOException(step + " failed: " + e.getMessage(), e);
      try {
        h.close();
      } catch (IOException suppressed) {
        failed.addSuppressed(suppressed);
      }
      try {
        // A half-made segment must not block the next attempt, and its removal must be as
        // durable as its creation may have been.
        fs.deleteIfExists(p);
        fs.syncDirectory(directory);
      } catch (IOException suppressed) {
        failed.addSuppressed(suppressed);
      }
      throw failed;
    }
    FileHandle old = active;
    active = h;
    activeId = id;
    firstMutable = id;
    activeBase = baseGlobal;
    activeSealed = false;
    activeBeganInFence = false;
    activeSize = header.length();
    activeChunks = null;
    synced(activeSize);
    sizes.put(id, activeSize);
    if (old != null) {
      old.close();
    }
  }

  /**
   * On a journal opened without appends (read-only): the first segment a writer would append to,
   * the newest one when it can resume there, else the next. Every segment before it is immutable.
   */
  public long firstWritableId() {
    if (sizes.isEmpty()) {
      return 1;
    }
    return newestAppendable ? sizes.lastKey() : sizes.lastKey() + 1;
  }

  /** The active segment's id. */
  public long activeId() {
    return activeId;
  }

  /** The active segment's size. */
  public long activeSize() {
    return activeSize;
  }

  /**
   * Writes {@code buffer}'s remaining bytes at the end of the active segment.
   *
   * @return the offset they were written at
   */
  public long append(ByteBuffer buffer) throws IOException {
    long at = activeSize;
    int n = buffer.remaining();
    active.write(buffer, at);
    activeSize = at + n;
    appendedBytes += n;
    sizes.put(activeId, activeSize);
    return at;
  }

  /** Syncs the active segment's content. */
  public void sync() throws IOException {
    long size = activeSize;
    active.sync(syncMode);
    synced(size);
  }

  /**
   * Records that a completed sync covers the active segment's first {@code size} bytes: they are
   * final, so the active segment's readers may map the whole chunks among them.
   */
  private void synced(long size) {
    syncedSize = size;
    durableMark = new Durable(activeId, size);
    ChunkMappedSegment chunks = activeChunks;
    if (chunks == null && readers.get(activeId) instanceof ChunkMappedSegment opened) {
      chunks = opened; // opened by a reader before appends began
      activeChunks = opened;
    }
    if (chunks != null) {
      chunks.durableTo(size);
    }
  }

  /** How many bytes of the active segment are known durable (covered by a completed sync). */
  public long syncedSize() {
    return syncedSize;
  }

  /**
   * Cuts the active segment back to {@code size}, never below its synced length, and syncs it
   * (after a failed write). The synced bytes stay: readers may have mapped them.
   *
   * @throws IllegalStateException if {@code size} is below the synced length
   */
  public void truncateActive(long size) throws IOException {
    if (size < syncedSize) {
      throw new IllegalStateException(
          "cutting "
              + path(activeId)
              + " back to "
              + size
              + " bytes, below its "
              + syncedSize
              + " synced bytes");
    }
    active.truncate(size);
    active.sync(SyncMode.ALL);
    activeSize = size;
    sizes.put(activeId, size);
  }

  /** Segment ids and sizes, oldest first. */
  public java.util.NavigableMap<Long, Long> segments() {
    return java.util.Collections.unmodifiableNavigableMap(sizes);
  }

  /**
   * Frames at least this large (batches) are kept per thread after a read, so reading the events of
   * one batch one by one reads and checks the frame once, not once per event.
   */
  static final int CACHED_FRAME_MIN = 8 << 10;

  /** Frames above this size are not kept, so a thread never pins a huge batch. */
  static final int CACHED_FRAME_MAX = 1 << 20;

  /** The last large frame each thread read. */
  private final ThreadLocal<CachedFrame> lastLargeFrame = new ThreadLocal<>();

  private record CachedFrame(long replacements, long segment, long offset, byte[] frame) {}

  /** How many times compaction replaced segments: a frame cached before belongs to an old file. */
  private volatile long replacements;

  /**
   * Loads {@code window} with raw bytes of segment {@code segment} from {@code offset}: at least
   * {@code n}, up to the window's size or the file's end; unchecked, for a reader that walks many
   * frames of a segment in order and checks each itself (projections).
   *
   * @throws IOException if the read fails or the file ends before {@code offset + n}
   */
  public void load(FrameWindow window, long segment, long offset, int n) throws IOException {
    FileHandle h = reader(segment);
    window.open(h);
    window.load(offset, n, Math.max(offset + n, h.size()));
  }

  /**
   * Reads and CRC-checks the frame at {@code offset} of segment {@code segment}. The returned array
   * may be shared with later reads of the same frame by this thread: do not modify it.
   *
   * @return the whole frame, prefix included
   * @throws CorruptStoreException if the CRC or length does not match
   */
  public byte[] readFrame(long segment, long offset, int length) throws IOException {
    boolean large = length >= CACHED_FRAME_MIN && length <= CACHED_FRAME_MAX;
    byte[] kept = large ? keptFrame(segment, offset, length) : null;
    if (kept != null) {
      return kept;
    }
    long before = replacements;
    byte[] frame = readAndCheck(segment, offset, length);
    if (large) {
      lastLargeFrame.set(new CachedFrame(before, segment, offset, frame));
    }
    return frame;
  }

  private byte[] readAndCheck(long segment, long offset, int length) throws IOException {
    FileHandle h = reader(segment);
    byte[] frame = new byte[length];
    try {
      h.read(ByteBuffer.wrap(frame), offset);
    } catch (ShortReadException e) {
      // The index places a whole frame here (its seal, the checkpoint or a scan said so), but the
      // file ends inside it: bytes the journal counted on are gone, which is damage, not an I/O
      // failure to retry.
      throw new CorruptStoreException(
          path(segment).toString(),
          offset,
          "frame",
          "a whole frame of " + length + " bytes",
          "the end of the file " + e.bytesRead() + " bytes into it");
    }
    int bodyLength = FrameCodec.readInt(frame, 0);
    if (bodyLength != length - FrameCodec.PREFIX) {
      throw new CorruptStoreException(
          path(segment).toString(),
          offset,
          "frame length",
          Integer.toString(length - FrameCodec.PREFIX),
          Integer.toString(bodyLength));
    }
    if (!FrameCodec.crcMatches(frame, 0, bodyLength)) {
      throw new CorruptStoreException(
          path(segment).toString(),
          offset,
          "frame CRC32C",
          "a match over the stored body",
          "a mismatch");
    }
    return frame;
  }

  private FileHandle reader(long segment) throws IOException {
    FileHandle h = readers.get(segment);
    if (h != null) {
      return h;
    }
    synchronized (readers) {
      h = readers.get(segment);
      if (h == null) {
        h = open(segment);
        readers.put(segment, h);
      }
      return h;
    }
  }

  /** Whether sealed segments are read through mappings (for the open report). */
  public boolean mappedReads() {
    return mapping;
  }

  /**
   * Opens segment {@code segment} for reads: mapped when it is never written again and mappings are
   * on, else a plain read handle. Called with the readers' lock held, so the size it maps is the
   * one {@link #replaced} left.
   *
   * @throws CorruptStoreException if the file is shorter than the bytes the journal counts on
   * @throws IOException if the open or the mapping fails; the message names the file
   */
  private FileHandle open(long segment) throws IOException {
    FileHandle h = fs.openRead(path(segment));
    Long size = sizes.get(segment);
    if (!mapping || size == null) {
      return h;
    }
    if (segment >= firstMutable || size > Integer.MAX_VALUE) {
      return chunkMapped(h, segment, size);
    }
    try {
      return new MappedSegment(h, h.map(0, (int) (long) size));
    } catch (UnsupportedFsOperationException e) {
      refused(h.path(), e);
      return h;
    } catch (ShortReadException e) {
      closeQuietly(h, e);
      throw new CorruptStoreException(
          path(segment).toString(),
          e.bytesRead(),
          "segment",
          "a sealed segment of " + size + " bytes",
          "the end of the file after " + e.bytesRead() + " bytes");
    } catch (IOException | RuntimeException e) {
      closeQuietly(h, e);
      throw new IOException(
          "mapping " + path(segment) + " (" + size + " bytes) for reads failed: " + e.getMessage(),
          e);
    }
  }

  /**
   * A chunk-mapped handle of segment {@code segment}, which may still grow: the active segment's
   * first synced bytes are final; any other segment's valid bytes are (a read-only journal's
   * newest, or one the writer left meanwhile, whose synced length is at least its valid length).
   */
  private FileHandle chunkMapped(FileHandle h, long segment, long size) {
    Durable mark = durableMark;
    boolean active = mark != null && mark.segment() == segment;
    long durable = active ? mark.length() : mark == null || segment < mark.segment() ? size : 0;
    ChunkMappedSegment chunks = new ChunkMappedSegment(h, chunkBytes, durable, this::refused);
    if (active) {
      activeChunks = chunks;
      Durable now = durableMark; // a sync meanwhile may have missed the handle
      if (now.segment() == segment) {
        chunks.durableTo(now.length());
      }
    }
    return chunks;
  }

  /**
   * The backend announced mappings but refused one: every segment opened from now on is read with
   * pread, and the refusal is logged once.
   */
  private void refused(Path path, UnsupportedFsOperationException e) {
    if (!mapping) {
      return;
    }
    mapping = false;
    LOG.log(
        System.Logger.Level.WARNING,
        "the "
            + fs.name()
            + " backend announced memory-mapped reads but refused to map "
            + path
            + " ("
            + e.getMessage()
            + "); this store reads every segment with pread from now on",
        e);
  }

  private static void closeQuietly(FileHandle h, Exception failure) {
    try {
      h.close();
    } catch (IOException suppressed) {
      failure.addSuppressed(suppressed);
    }
  }

  /**
   * Compaction: segments {@code first} to {@code last} were replaced by the one now named {@code
   * last}, of {@code size} bytes (already durable and renamed into place). Their read handles are
   * closed; a reader that was using one fails and, seeing the index's relocation counter move,
   * reads again from the new segment. Called with the commit lock held.
   */
  public void replaced(long first, long last, long size) throws IOException {
    IOException failed = null;
    synchronized (readers) {
      replacements = replacements + 1;
      for (long id = first; id <= last; id++) {
        FileHandle h = readers.remove(id);
        if (h != null) {
          try {
            h.close();
          } catch (IOException e) {
            failed = failed == null ? e : failed;
          }
        }
        if (id < last) {
          sizes.remove(id);
        }
      }
      sizes.put(last, size);
    }
    if (failed != null) {
      throw failed;
    }
  }

  /** Closes every handle. */
  @Override
  public void close() throws IOException {
    IOException first = null;
    for (FileHandle h : readers.values()) {
      try {
        h.close();
      } catch (IOException e) {
        first = first == null ? e : first;
      }
    }
    readers.clear();
    if (active != null) {
      try {
        active.close();
      } catch (IOException e) {
        first = first == null ? e : first;
      }
      active = null;
    }
    if (first != null) {
      throw first;
    }
  }

  // --- reads of part of a frame (issue 15, reads) ---

  /**
   * Reads {@code length} raw bytes of segment {@code segment} from {@code offset}, unchecked: for a
   * reader that checks them itself ({@code EventReader} reads one record of a batch frame this way
   * and checks the record's hashes).
   *
   * @throws ShortReadException if the file ends before {@code offset + length}
   * @throws IOException if the read fails
   */
  public byte[] readUnchecked(long segment, long offset, int length) throws IOException {
    byte[] bytes = new byte[length];
    reader(segment).read(ByteBuffer.wrap(bytes), offset);
    return bytes;
  }

  /**
   * The frame at {@code offset} of segment {@code segment} if this thread's last {@link #readFrame}
   * of a large frame read it and kept it (checked, in the current files), else null; reads nothing.
   * Do not modify the array.
   */
  public byte[] keptFrame(long segment, long offset, int length) {
    CachedFrame c = lastLargeFrame.get();
    return c != null
            && c.replacements() == replacements
            && c.segment() == segment
            && c.offset() == offset
            && c.frame().length == length
        ? c.frame()
        : null;
  }
}
