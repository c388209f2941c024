package io.batpak.engine.internal.recovery;

import io.batpak.CorruptStoreException;
import io.batpak.engine.internal.format.FrameCodec;
import io.batpak.engine.internal.index.Index;
import io.batpak.engine.internal.index.IndexCheckpoint;
import io.batpak.engine.internal.index.IndexImage;
import io.batpak.engine.internal.segment.Journal;
import io.batpak.port.FileHandle;
import io.batpak.port.StoreFs;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Where loading starts when the index checkpoint can be used: the checkpoint is read and, before it
 * is believed, checked against the journal. The frame of its last event must be where the
 * checkpoint says, whole, CRC-valid, holding that event with that event hash. A checkpoint that
 * fails any of this is distrusted (the reason goes to the open report) and the index is rebuilt.
 *
 * <p>But the checkpoint is written only after the frames it covers were synced (ADR 0013), so a
 * journal that no longer reaches its watermark (the segment gone, or ending before it) lost durable
 * events: that is damage, never a stale optimisation, and the open refuses it naming file and
 * offset (ADR 0046). A frame that is there but damaged is distrusted as before; its damage is found
 * where it lies, and no torn-tail cut may reach below the watermark ({@link #floor}).
 *
 * @param segment the segment the checkpoint's watermark is in
 * @param offset the watermark's offset in it: loading continues there
 */
record CheckpointStart(long segment, long offset) {

  /**
   * Installs the checkpoint {@code loaded} (read once by the caller, {@link IndexCheckpoint#read})
   * into the empty {@code index} if it can be used.
   *
   * @return where loading continues, or null (then {@code index} is untouched)
   */
  static CheckpointStart find(
      IndexCheckpoint.Loaded loaded,
      StoreFs fs,
      Path directory,
      List<Long> segments,
      Index index,
      List<String> notes)
      throws IOException {
    if (loaded instanceof IndexCheckpoint.Absent) {
      return null;
    }
    if (loaded instanceof IndexCheckpoint.Unusable u) {
      notes.add(distrusted(u.reason()));
      return null;
    }
    IndexCheckpoint.Usable usable = (IndexCheckpoint.Usable) loaded;
    if (selfConsistent(usable)) {
      requireJournalReaches(fs, directory, segments, usable);
    }
    String disagreement = disagreement(fs, directory, usable);
    if (disagreement != null) {
      notes.add(distrusted(directory.resolve(IndexCheckpoint.FILE) + ": " + disagreement));
      return null;
    }
    usable.image().installInto(index);
    return new CheckpointStart(usable.watermark().segment(), usable.watermark().offset());
  }

  /**
   * The watermark of a self-consistent checkpoint, whether or not it is believed: every frame
   * before it was durable when it was written, so no torn tail below it is a crash's. Null when
   * there is no such checkpoint.
   */
  static CheckpointStart floor(IndexCheckpoint.Loaded loaded) {
    if (loaded instanceof IndexCheckpoint.Usable u && selfConsistent(u)) {
      return new CheckpointStart(u.watermark().segment(), u.watermark().offset());
    }
    return null;
  }

  /** Whether the checkpoint's watermark is where its own last event's frame ends. */
  private static boolean selfConsistent(IndexCheckpoint.Usable usable) {
    IndexImage.Decoded image = usable.image();
    int last = image.rows() - 1;
    return image.segment(last) == usable.watermark().segment()
        && image.frameOffset(last) + image.frameLength(last) == usable.watermark().offset();
  }

  /**
   * Refuses a journal that no longer reaches the checkpoint's watermark: the watermark's segment
   * gone or ending before it, or an earlier segment ending before the last frame the checkpoint
   * places in it. Those frames were synced before the checkpoint was written.
   *
   * @throws CorruptStoreException naming the segment and where it ends
   */
  private static void requireJournalReaches(
      StoreFs fs, Path directory, List<Long> segments, IndexCheckpoint.Usable usable)
      throws IOException {
    IndexCheckpoint.Watermark w = usable.watermark();
    IndexImage.Decoded image = usable.image();
    java.util.Set<Long> present = new java.util.HashSet<>(segments);
    for (long id = image.segment(0); id <= w.segment(); id++) {
      long end = id == w.segment() ? w.offset() : image.lastFrameEnd(id);
      if (end <= 0) {
        continue; // the checkpoint places no frame in it (a compaction's output replaced it)
      }
      Path file = directory.resolve(Journal.fileName(id));
      long size = -1;
      if (present.contains(id)) {
        try (FileHandle h = fs.openRead(file)) {
          size = h.size();
        } catch (NoSuchFileException e) {
          size = -1;
        }
      }
      if (size < end) {
        throw new CorruptStoreException(
            file.toString(),
            Math.max(0, size),
            "journal behind the index checkpoint",
            "frames to offset "
                + end
                + " (the index checkpoint, written after they were synced, holds "
                + w.events()
                + " events through segment "
                + w.segment()
                + " offset "
                + w.offset()
                + ")",
            (size < 0 ? "no such segment" : "the segment ends at " + size)
                + ": acknowledged events are missing. Restore the store from a backup or a"
                + " replica; if its segments were restored on purpose from an older copy, 'batpak"
                + " repair' sets the checkpoint aside and the store opens with what they hold");
      }
    }
  }

  private static String distrusted(String reason) {
    return "the index checkpoint was not used and the index was rebuilt from the journal: "
        + reason;
  }

  /** Null if the checkpoint agrees with the journal, else how it does not. */
  private static String disagreement(StoreFs fs, Path directory, IndexCheckpoint.Usable usable)
      throws IOException {
    IndexCheckpoint.Watermark w = usable.watermark();
    IndexImage.Decoded image = usable.image();
    int last = image.rows() - 1;
    long frameEnd = image.frameOffset(last) + image.frameLength(last);
    if (image.segment(last) != w.segment() || frameEnd != w.offset()) {
      return "its watermark (segment "
          + w.segment()
          + ", offset "
          + w.offset()
          + ") is not where its last event lies (segment "
          + image.segment(last)
          + ", frame end "
          + frameEnd
          + ")";
    }
    // The journal reaches the watermark (requireJournalReaches): its last frame is there to read.
    Path file = directory.resolve(Journal.fileName(w.segment()));
    byte[] frame = new byte[image.frameLength(last)];
    try (FileHandle h = fs.openRead(file)) {
      h.read(ByteBuffer.wrap(frame), image.frameOffset(last));
    }
    int body = frame.length - FrameCodec.PREFIX;
    if (FrameCodec.readInt(frame, 0) != body || !FrameCodec.crcMatches(frame, 0, body)) {
      return "no whole, CRC-valid frame holds its last event at offset "
          + image.frameOffset(last)
          + " of "
          + file;
    }
    long lastGlobal = w.events() - 1;
    boolean[] matched = {false};
    try {
      FrameCodec.scanBody(
          frame,
          FrameCodec.PREFIX,
          body,
          file.toString(),
          image.frameOffset(last),
          v -> {
            if (v.recordOffset == image.recordOffset(last)
                && v.globalSequence == lastGlobal
                && Arrays.equals(
                    v.buffer, v.eventHashAt, v.eventHashAt + 32, w.lastEventHash(), 0, 32)) {
              matched[0] = true;
            }
          });
    } catch (CorruptStoreException e) {
      return "the frame at offset "
          + image.frameOffset(last)
          + " of "
          + file
          + ": "
          + e.getMessage();
    }
    return matched[0]
        ? null
        : "the journal's event at global sequence "
            + lastGlobal
            + " (offset "
            + image.frameOffset(last)
            + " of "
            + file
            + ") is not the one the checkpoint ends with: the hashes differ";
  }
}
