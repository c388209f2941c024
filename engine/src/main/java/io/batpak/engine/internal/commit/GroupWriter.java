package io.batpak.engine.internal.commit;

import io.batpak.StoreConfig;
import io.batpak.engine.internal.format.FrameCodec;
import io.batpak.engine.internal.format.SegmentHeader;
import io.batpak.engine.internal.index.Index;
import io.batpak.engine.internal.segment.Journal;
import io.batpak.port.StoreClock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The group writer: encodes a group's frames into one buffer, writes it with one positional write
 * per segment touched, and rotates before a frame that would overflow the active segment (never
 * inside one: a batch is one frame). Each {@link Frame} learns its segment, offset, length and
 * record offsets from the encoding. Used by the committer with its commit lock held; not
 * thread-safe.
 */
final class GroupWriter {
  /** A failure of a step that must poison even when its errno says the device is full. */
  static final class MustPoison extends IOException {
    private static final long serialVersionUID = 1L;

    MustPoison(String what, IOException cause) {
      super(what, cause);
    }
  }

  private final StoreConfig config;
  private final Journal journal;
  private final StoreClock clock;
  private final String codecName;
  private final int segmentHeaderLength;
  private ByteBuffer buffer = ByteBuffer.allocate(1 << 20);

  GroupWriter(StoreConfig config, Journal journal, String codecName) {
    this.config = config;
    this.journal = journal;
    this.clock = config.clock();
    this.codecName = codecName;
    this.segmentHeaderLength = SegmentHeader.of(0, 0, 0, codecName).length();
  }

  /**
   * Encodes every frame and writes them, rotating before a frame that would overflow the active
   * segment (never inside one: a batch is one frame).
   */
  void write(List<Frame> frames) throws IOException {
    buffer.clear();
    long chunkStart = journal.activeSize();
    for (Frame f : frames) {
      int size = FrameCodec.frameSize(f.records);
      long projected = chunkStart + buffer.position() + size;
      boolean segmentHasFrames = chunkStart + buffer.position() > segmentHeaderLength;
      if (projected > config.segmentMaxBytes() && segmentHasFrames) {
        flush();
        rotate(f.records.get(0).globalSequence());
        chunkStart = journal.activeSize();
      }
      ensureCapacity(size);
      int at = buffer.position();
      FrameCodec.writeFrame(
          buffer, f.records.get(0).globalSequence(), journal.syncedSize(), f.records);
      f.segment = journal.activeId();
      f.offset = chunkStart + at;
      f.length = size;
      // Each record starts with its length: walk them instead of sizing every record again.
      int pos = at + FrameCodec.PREFIX + FrameCodec.BODY_HEADER;
      for (int i = 0; i < f.records.size(); i++) {
        f.recordOffsets[i] = pos - at - FrameCodec.PREFIX;
        pos += 4 + buffer.getInt(pos);
      }
    }
    flush();
  }

  private SegmentHeader header(long id, long base) {
    return SegmentHeader.of(id, clock.wallMicros(), base, codecName);
  }

  private void flush() throws IOException {
    buffer.flip();
    if (buffer.hasRemaining()) {
      journal.append(buffer);
    }
    buffer.clear();
  }

  /**
   * Syncs the active segment, then creates the next one (file and directory entry durable). Every
   * failure here poisons, even one whose errno says the device is full: frames of the group may
   * already sit in the previous segment, and a failed sync is never "nothing happened".
   */
  private void rotate(long baseGlobal) throws IOException {
    long oldId = journal.activeId();
    try {
      journal.sync();
    } catch (IOException e) {
      throw new MustPoison(
          "fsync of " + journal.path(oldId) + " before rotating to a new segment failed", e);
    }
    long id = oldId + 1;
    if (id > Index.MAX_SEGMENT_ID) {
      throw new MustPoison(
          "rotating to segment " + id + " failed",
          new IOException(
              "segment number "
                  + id
                  + " is past the index's limit of "
                  + Index.MAX_SEGMENT_ID
                  + "; raise segmentMaxBytes"));
    }
    try {
      journal.create(id, header(id, baseGlobal));
    } catch (IOException e) {
      throw new MustPoison("creating segment " + journal.path(id) + " failed", e);
    }
  }

  /** Creates the first segment of a new store. */
  /** Creates the first segment of a new store. */
  void createFirstSegment(long id, long baseGlobal) throws IOException {
    journal.create(id, header(id, baseGlobal));
  }

  private void ensureCapacity(int more) {
    if (buffer.remaining() < more) {
      int need = buffer.position() + more;
      ByteBuffer bigger = ByteBuffer.allocate(Math.max(need, buffer.capacity() * 2));
      buffer.flip();
      bigger.put(buffer);
      buffer = bigger;
    }
  }
}
