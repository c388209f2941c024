package io.batpak.engine.internal.recovery;

import io.batpak.CorruptStoreException;
import io.batpak.engine.internal.format.FrameCodec;
import io.batpak.engine.internal.format.SegmentHeader;
import io.batpak.engine.internal.segment.FrameWindow;
import io.batpak.engine.internal.segment.Journal;
import io.batpak.port.FileHandle;
import io.batpak.port.StoreFs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Finishes or undoes a compaction a crash interrupted, before the index is loaded (docs/format.md,
 * "Compaction"). The directory says which: a compaction's output is renamed over the last segment
 * it replaces only once it is whole and durable, and its version 3 header names the first. So when
 * a segment's header names a first segment below its own number, every segment between is replaced:
 * a mutable open removes them (they hold nothing the output does not), a read-only open leaves them
 * and skips them. A leftover output being built ({@code .compacting}) is removed on a mutable open,
 * and the intent last.
 */
public final class CompactionSettle {
  private static final System.Logger LOG = System.getLogger(CompactionSettle.class.getName());

  /**
   * What was settled.
   *
   * @param replaced segments a finished compaction replaced that are still present (removed on a
   *     mutable open; to be skipped on a read-only one)
   * @param notes what was done, for the open report
   */
  public record Settled(Set<Long> replaced, List<String> notes) {}

  private CompactionSettle() {}

  /** Settles {@code directory}; with {@code mutable} false, changes nothing. */
  public static Settled settle(StoreFs fs, Path directory, boolean mutable) throws IOException {
    CompactionIntent.Read read = CompactionIntent.read(fs, directory);
    List<String> notes = new ArrayList<>();
    Set<Long> replaced = new TreeSet<>();
    if (read.intent() == null && read.damage() == null) {
      return new Settled(replaced, notes);
    }
    if (read.damage() != null) {
      notes.add("the compaction intent is damaged (" + read.damage() + "); every header was read");
    }
    List<Long> ids = new ArrayList<>();
    List<String> temps = new ArrayList<>();
    for (String name : fs.list(directory)) {
      long id = Journal.idOf(name);
      if (id > 0) {
        ids.add(id);
      } else if (name.endsWith(CompactionIntent.TEMP_SUFFIX)) {
        temps.add(name);
      }
    }
    ids.sort(null);
    Set<Long> present = new TreeSet<>(ids);
    List<Long> candidates =
        read.intent() != null && present.contains(read.intent().last())
            ? List.of(read.intent().last())
            : ids;
    for (long id : candidates) {
      Path output = directory.resolve(Journal.fileName(id));
      SegmentHeader h = header(fs, output);
      if (h == null || h.firstSegmentId() >= id) {
        continue;
      }
      List<Long> obsolete = new ArrayList<>();
      for (long old = h.firstSegmentId(); old < id; old++) {
        if (present.contains(old)) {
          obsolete.add(old);
        }
      }
      if (!obsolete.isEmpty()) {
        proveWhole(fs, output, h, directory.resolve(Journal.fileName(obsolete.get(0))), obsolete);
        replaced.addAll(obsolete);
      }
    }
    if (!replaced.isEmpty()) {
      notes.add(
          "a compaction had replaced segments "
              + replaced
              + "; they were "
              + (mutable ? "removed" : "skipped"));
    }
    if (!temps.isEmpty()) {
      notes.add(
          "an unfinished compaction output " + temps + (mutable ? " was removed" : " was left"));
    }
    if (mutable) {
      for (long old : replaced) {
        fs.deleteIfExists(directory.resolve(Journal.fileName(old)));
      }
      for (String t : temps) {
        fs.deleteIfExists(directory.resolve(t));
      }
      fs.syncDirectory(directory);
      fs.deleteIfExists(directory.resolve(CompactionIntent.FILE));
      fs.syncDirectory(directory);
    }
    for (String note : notes) {
      LOG.log(System.Logger.Level.WARNING, note);
    }
    return new Settled(mutable ? Set.of() : replaced, notes);
  }

  /** {@link CorruptStoreException#what()} of {@link #leftBehind}. */
  public static final String LEFT_BEHIND = "segments a compaction's output replaced, left behind";

  /**
   * The open's error for segments a compaction replaced that are still present with no intent to
   * say so (nothing the store does leaves them: the intent of a compaction that failed after its
   * switch stays until they are removed). The open does not remove them on the header's word alone,
   * but they are provably redundant once the output proves whole, and {@code batpak repair} then
   * moves them aside.
   *
   * @param outputId the output's segment number
   * @param h its header
   * @param before the segment numbers found before it, oldest first
   * @param from the first segment it replaces
   * @throws CorruptStoreException (thrown, not returned) if the output does not prove whole
   */
  public static CorruptStoreException leftBehind(
      StoreFs fs, Path directory, long outputId, SegmentHeader h, List<Long> before, long from)
      throws IOException {
    List<Long> obsolete = new ArrayList<>();
    for (long id : before) {
      if (id >= from) {
        obsolete.add(id);
      }
    }
    Path output = directory.resolve(Journal.fileName(outputId));
    proveWhole(fs, output, h, directory.resolve(Journal.fileName(obsolete.get(0))), obsolete);
    return new CorruptStoreException(
        output.toString(),
        0,
        LEFT_BEHIND,
        "no segment from "
            + from
            + " to "
            + (outputId - 1)
            + " beside this compaction's output, which replaces them (no "
            + CompactionIntent.FILE
            + " says they are left over)",
        "segments "
            + obsolete
            + ", every event of which the output, proven whole, holds: 'batpak repair' moves them"
            + " aside");
  }

  /**
   * Before segments a compaction replaced are removed (or skipped), their replacement must prove it
   * holds them: it starts at the global sequence the first of them starts at, and it is whole,
   * every frame to its end passing its CRC. Otherwise nothing is removed and the open fails: the
   * old segments may be the only intact copy (docs/architecture.md, decision 14).
   */
  private static void proveWhole(
      StoreFs fs, Path output, SegmentHeader h, Path firstReplaced, List<Long> obsolete)
      throws IOException {
    String kept = "; segments " + obsolete + " it replaced are kept. Run 'batpak repair'";
    SegmentHeader old = header(fs, firstReplaced);
    if (old == null
        || (old.firstSegmentId() == h.firstSegmentId()
            && old.baseGlobalSequence() != h.baseGlobalSequence())) {
      throw new CorruptStoreException(
          output.toString(),
          28,
          "base global sequence of a compaction's output",
          (old == null ? "a readable header in " + firstReplaced : "" + old.baseGlobalSequence())
              + kept,
          "" + h.baseGlobalSequence());
    }
    FrameProblem problem = wholeFrames(fs, output, h.length());
    if (problem != null) {
      throw new CorruptStoreException(
          output.toString(),
          problem.offset(),
          "frame of a compaction's output",
          "a whole frame" + kept,
          problem.found());
    }
  }

  /**
   * The first frame that is not whole or fails its CRC.
   *
   * @param offset where it starts
   * @param found what was found there
   */
  public record FrameProblem(long offset, String found) {}

  /**
   * Whether {@code file} holds whole frames from {@code from} to its end, each passing its CRC:
   * null if it does, else the first that does not. The compactor asks it of its output before the
   * switch, an open before it removes what an output replaced.
   */
  public static FrameProblem wholeFrames(StoreFs fs, Path file, long from) throws IOException {
    try (FileHandle in = fs.openRead(file)) {
      long size = in.size();
      long pos = from;
      FrameWindow window = new FrameWindow(1 << 20); // one pread per MiB, not two per frame
      window.open(in);
      while (pos < size) {
        if (pos + FrameCodec.PREFIX > size) {
          return new FrameProblem(pos, "the end of the file inside a frame's prefix");
        }
        if (!window.holds(pos, FrameCodec.PREFIX)) {
          window.load(pos, FrameCodec.PREFIX, size);
        }
        int bodyLength = FrameCodec.readInt(window.buf(), window.at(pos));
        if (bodyLength < FrameCodec.MIN_BODY
            || bodyLength > FrameCodec.MAX_BODY
            || pos + FrameCodec.PREFIX + bodyLength > size) {
          return new FrameProblem(pos, "a frame length of " + bodyLength);
        }
        int total = FrameCodec.PREFIX + bodyLength;
        if (!window.holds(pos, total)) {
          window.load(pos, total, size);
        }
        if (!FrameCodec.crcMatches(window.buf(), window.at(pos), bodyLength)) {
          return new FrameProblem(pos, "a CRC32C mismatch");
        }
        pos += total;
      }
      return null;
    }
  }

  /** The header of {@code file}, or null if it cannot be read (recovery will say why). */
  private static SegmentHeader header(StoreFs fs, Path file) throws IOException {
    try (FileHandle h = fs.openRead(file)) {
      return SegmentHeader.read(h, file.toString());
    } catch (RuntimeException e) {
      return null;
    }
  }
}
