package io.batpak.engine.internal.recovery;

import io.batpak.engine.internal.format.SegmentHeader;
import io.batpak.engine.internal.segment.Journal;
import io.batpak.port.FileHandle;
import io.batpak.port.StoreFs;
import java.io.IOException;
import java.nio.ByteBuffer;
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
      SegmentHeader h = header(fs, directory.resolve(Journal.fileName(id)));
      if (h == null || h.firstSegmentId() >= id) {
        continue;
      }
      for (long old = h.firstSegmentId(); old < id; old++) {
        if (present.contains(old)) {
          replaced.add(old);
        }
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

  /** The header of {@code file}, or null if it cannot be read (recovery will say why). */
  private static SegmentHeader header(StoreFs fs, Path file) throws IOException {
    try (FileHandle h = fs.openRead(file)) {
      int n = (int) Math.min(h.size(), SegmentHeader.MAX_LENGTH);
      byte[] bytes = new byte[n];
      h.read(ByteBuffer.wrap(bytes), 0);
      return SegmentHeader.decode(bytes, file.toString());
    } catch (RuntimeException e) {
      return null;
    }
  }
}
