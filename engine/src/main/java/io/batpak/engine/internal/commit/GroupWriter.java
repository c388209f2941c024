package io.batpak.engine.internal.commit;

import io.batpak.StoreConfig;
import io.batpak.engine.internal.format.FenceFrame;
import io.batpak.engine.internal.format.FrameCodec;
import io.batpak.engine.internal.index.Index;
import io.batpak.engine.internal.segment.Journal;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The group writer: encodes a group's frames into one buffer and writes it with one positional
 * write per segment touched, asking the journal to rotate before a frame that would overflow the
 * active segment (never inside one: a batch is one frame), with the seal of the segment it leaves
 * ({@link Seals}). Each {@link GroupFrame} learns its segment, offset, length and record offsets
 * from the encoder. Used by the committer with its commit lock held; not thread-safe.
 */
final class GroupWriter {
  private final StoreConfig config;
  private final Journal journal;
  private final Index index;
  private ByteBuffer buffer = ByteBuffer.allocate(1 << 20);

  /** The frames of the group being written that sit in the active segment (for its seal). */
  private final List<GroupFrame> inActive = new ArrayList<>();

  GroupWriter(StoreConfig config, Journal journal, Index index) {
    this.config = config;
    this.journal = journal;
    this.index = index;
  }

  /**
   * Encodes and writes every frame.
   *
   * @throws Journal.RotationFailed if a rotation failed (the pipeline must poison)
   * @throws IOException if a write failed ({@link io.batpak.port.NoSpaceException} for a full
   *     device)
   */
  void write(List<GroupFrame> frames) throws IOException {
    buffer.clear();
    long chunkStart = journal.activeSize();
    inActive.clear();
    for (int i = 0; i < frames.size(); i++) { // indexed: no iterator per group
      GroupFrame f = frames.get(i);
      int size = FrameCodec.frameSize(f.records);
      long end = chunkStart + buffer.position();
      if (end + size > config.segmentMaxBytes() && end > journal.headerLength()) {
        flush();
        journal.rotate(f.records.get(0).globalSequence(), Seals.ofActive(index, journal, inActive));
        if (index.fenceFrom() >= 0) {
          journal.beganInFence();
        }
        inActive.clear();
        chunkStart = journal.activeSize();
      }
      ensureCapacity(size);
      int at = buffer.position();
      FrameCodec.writeFrame(
          buffer,
          f.records.get(0).globalSequence(),
          journal.syncedSize(),
          f.records,
          f.recordOffsets);
      f.segment = journal.activeId();
      f.offset = chunkStart + at;
      f.length = size;
      inActive.add(f);
    }
    inActive.clear(); // never pin a group's payloads until the next one
    flush();
  }

  /**
   * Writes one fence frame ({@link FenceFrame}), rotating first if it would overflow the active
   * segment.
   *
   * @throws Journal.RotationFailed if a rotation failed (the pipeline must poison)
   * @throws IOException if the write failed
   */
  void writeFence(int type, long first, int count) throws IOException {
    buffer.clear();
    long end = journal.activeSize();
    if (end + FenceFrame.LENGTH > config.segmentMaxBytes() && end > journal.headerLength()) {
      journal.rotate(index.size(), Seals.ofActive(index, journal, List.of()));
      if (index.fenceFrom() >= 0) {
        journal.beganInFence();
      }
    }
    FenceFrame.write(buffer, type, first, count, journal.syncedSize());
    flush();
  }

  private void flush() throws IOException {
    buffer.flip();
    if (buffer.hasRemaining()) {
      journal.append(buffer);
    }
    buffer.clear();
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
