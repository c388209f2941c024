package io.batpak.engine;

import static org.apiguardian.api.API.Status.INTERNAL;

import io.batpak.CorruptStoreException;
import io.batpak.OpenReport;
import io.batpak.StoreIoException;
import io.batpak.StoreLockedException;
import io.batpak.engine.internal.EngineStore;
import io.batpak.engine.internal.format.SegmentHeader;
import io.batpak.engine.internal.index.Index;
import io.batpak.engine.internal.index.IndexCheckpoint;
import io.batpak.engine.internal.recovery.CompactionSettle;
import io.batpak.engine.internal.recovery.Recovery;
import io.batpak.engine.internal.segment.Journal;
import io.batpak.fs.spi.StoreFsResolver;
import io.batpak.port.FileHandle;
import io.batpak.port.LockMode;
import io.batpak.port.LockUnavailableException;
import io.batpak.port.RenameMode;
import io.batpak.port.StoreClock;
import io.batpak.port.StoreFs;
import io.batpak.port.StoreLock;
import io.batpak.port.SyncMode;
import io.batpak.spi.FsOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apiguardian.api.API;

/**
 * The explicit way out of a {@link CorruptStoreException}: cut the journal back to its last intact
 * frame. Opening a store never does this by itself (docs/architecture.md, decision 4); {@code
 * batpak repair} shows the {@link Plan} and asks before it calls {@link #apply}.
 *
 * <p>A repair cuts the damaged segment at the first bad frame and moves every later segment aside:
 * events after the damage are removed from the store, because their chains and sequences can no
 * longer be trusted. Nothing is destroyed: the damaged segment is copied and the later segments are
 * moved into a {@code repair-<micros>} folder in the store directory before anything is cut, and so
 * is the index checkpoint, which describes the journal before the repair.
 *
 * <p>Not thread-safe; the store must be closed (both methods take the directory's lock).
 *
 * @since 0.1
 */
@API(status = INTERNAL, since = "0.1")
public final class Repair {

  /**
   * What a repair would do.
   *
   * @param directory the store
   * @param damage why, or empty when the journal is intact
   * @param cutFile the file to cut, when there is damage: a segment, or the index checkpoint (set
   *     aside whole) when the journal no longer reaches it (ADR 0046)
   * @param cutOffset where it is cut
   * @param cutBytes how many bytes of it are cut
   * @param segmentsMovedAside later segments that are moved aside whole
   * @param choices the ways out, in words, the repair itself last; empty when intact
   */
  public record Plan(
      Path directory,
      Optional<String> damage,
      Optional<Path> cutFile,
      long cutOffset,
      long cutBytes,
      List<Path> segmentsMovedAside,
      List<String> choices) {

    /** Copies the lists. */
    public Plan {
      segmentsMovedAside = List.copyOf(segmentsMovedAside);
      choices = List.copyOf(choices);
    }

    /** Whether there is nothing to repair. */
    public boolean intact() {
      return damage.isEmpty();
    }
  }

  private Repair() {}

  /**
   * Scans the store in {@code directory} without changing it and plans the repair.
   *
   * @throws StoreLockedException if a store instance has it open
   * @throws StoreIoException on I/O failure
   */
  public static Plan plan(Path directory) {
    try (StoreFs fs = defaultFs()) {
      return plan(fs, directory);
    } catch (IOException e) {
      throw new StoreIoException("planning a repair of " + directory + " failed: " + e, e);
    }
  }

  /** {@link #plan(Path)} through a given backend. */
  @SuppressWarnings("try") // the lock is held for the scan's duration
  public static Plan plan(StoreFs fs, Path directory) throws IOException {
    Path dir = directory.toAbsolutePath().normalize();
    StoreLock lock;
    try {
      lock = lock(fs, dir, LockMode.SHARED);
    } catch (java.nio.file.NoSuchFileException e) {
      // Planning changes nothing, so it never creates the lock file: without one, scan unlocked.
      return scan(fs, dir);
    }
    try (lock) {
      return scan(fs, dir);
    }
  }

  private static Plan scan(StoreFs fs, Path dir) throws IOException {
    try {
      Index index = new Index();
      Recovery recovery = new Recovery(fs, dir, false, index, StoreClock.system(), true);
      Recovery.Result result = recovery.run();
      if (result.tornTail().isPresent()) {
        OpenReport.TornTail t = result.tornTail().get();
        return new Plan(
            dir,
            Optional.of("torn tail: " + t.reason()),
            Optional.of(Path.of(t.file())),
            t.offset(),
            t.bytes(),
            List.of(),
            List.of(
                "cut the torn tail: it holds no acknowledged event (opening the store read-write"
                    + " does the same)"));
      }
      Optional<String> ahead = recovery.checkpointAhead(result.segmentEnds());
      if (ahead.isPresent()) {
        Path checkpoint = dir.resolve(IndexCheckpoint.FILE);
        long size;
        try (FileHandle h = fs.openRead(checkpoint)) {
          size = h.size();
        }
        return new Plan(
            dir,
            ahead,
            Optional.of(checkpoint),
            0,
            size,
            List.of(),
            List.of(
                "restore the store from a backup or a replica, if you have one (nothing is lost)",
                "let repair set "
                    + IndexCheckpoint.FILE
                    + " aside: the store then opens with the "
                    + index.size()
                    + " events the journal holds, and the ones only the checkpoint proved stay"
                    + " lost; the file is kept in a repair-<micros> folder"));
      }
      return new Plan(dir, Optional.empty(), Optional.empty(), 0, 0, List.of(), List.of());
    } catch (CorruptStoreException e) {
      if (e.what().equals(CompactionSettle.LEFT_BEHIND)) {
        return leftBehind(fs, dir, e);
      }
      Path file = Path.of(e.file());
      long size;
      try (FileHandle h = fs.openRead(file)) {
        size = h.size();
      }
      List<Path> later = new ArrayList<>();
      long damaged = Journal.idOf(file.getFileName().toString());
      for (String name : fs.list(dir)) {
        long id = Journal.idOf(name);
        if (id > damaged) {
          later.add(dir.resolve(name));
        }
      }
      // A damaged header cannot be cut behind: the segment goes aside whole, frames and all.
      boolean header = e.what().startsWith("segment header");
      long cut = header ? 0 : e.offset();
      List<String> choices = new ArrayList<>();
      choices.add(
          "restore "
              + file.getFileName()
              + (later.isEmpty() ? "" : " and the segments after it")
              + " from a backup or a replica, if you have one (nothing is lost)");
      if (header) {
        choices.add(
            "keep the store as it is and salvage by hand: only the segment header is damaged, so"
                + " the "
                + Math.max(0, size - SegmentHeader.MAX_LENGTH)
                + "+ bytes of frames behind it may be intact (docs/format.md describes both)");
      }
      choices.add(
          "let repair "
              + (header
                  ? "move " + file.getFileName() + " aside whole"
                  : "cut " + file.getFileName() + " at offset " + cut)
              + (later.isEmpty() ? "" : " and move the " + later.size() + " later segments aside")
              + ": their events leave the store; every byte is kept in a repair-<micros> folder");
      return new Plan(
          dir, Optional.of(e.getMessage()), Optional.of(file), cut, size - cut, later, choices);
    }
  }

  /**
   * The plan for segments a compaction's output replaced, left behind without its intent ({@link
   * CompactionSettle#leftBehind}, which proved the output whole): move them aside, the oldest as
   * the "cut" file (cut at 0: moved aside whole). Every event stays in the store, in the output.
   */
  private static Plan leftBehind(StoreFs fs, Path dir, CorruptStoreException e) throws IOException {
    Path output = Path.of(e.file());
    long outputId = Journal.idOf(output.getFileName().toString());
    long from;
    try (FileHandle h = fs.openRead(output)) {
      from = SegmentHeader.read(h, output.toString()).firstSegmentId();
    }
    List<Path> obsolete = new ArrayList<>();
    for (String name : fs.list(dir)) {
      long id = Journal.idOf(name);
      if (id >= from && id < outputId) {
        obsolete.add(dir.resolve(name));
      }
    }
    obsolete.sort(null);
    Path oldest = obsolete.get(0);
    long size;
    try (FileHandle h = fs.openRead(oldest)) {
      size = h.size();
    }
    return new Plan(
        dir,
        Optional.of(e.getMessage()),
        Optional.of(oldest),
        0,
        size,
        obsolete.subList(1, obsolete.size()),
        List.of(
            "let repair move "
                + obsolete.stream().map(p -> p.getFileName().toString()).toList()
                + " aside: "
                + output.getFileName()
                + ", a compaction's output proven whole, holds every event they hold, so none"
                + " leaves the store; every byte is kept in a repair-<micros> folder"));
  }

  /**
   * Carries out {@code plan}: copies the damaged segment and moves later segments into a new {@code
   * repair-<micros>} folder, cuts the damaged segment, and syncs everything. Checks first that the
   * store still looks as planned.
   *
   * @return the folder holding what was cut, or empty when there was nothing to do
   * @throws IllegalStateException if the store changed since the plan
   * @throws StoreLockedException if a store instance has it open
   */
  public static Optional<Path> apply(Plan plan, long nowMicros) {
    try (StoreFs fs = defaultFs()) {
      return apply(fs, plan, nowMicros);
    } catch (IOException e) {
      throw new StoreIoException("repair of " + plan.directory() + " failed: " + e, e);
    }
  }

  /** {@link #apply(Plan, long)} through a given backend. */
  /** Writes the first {@code length} bytes of {@code from} into the new file {@code to}. */
  private static void copyPrefix(StoreFs fs, Path from, Path to, long length) throws IOException {
    try (FileHandle in = fs.openRead(from);
        FileHandle out = fs.create(to)) {
      java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate((int) Math.min(1 << 20, length));
      long at = 0;
      while (at < length) {
        int n = (int) Math.min(buf.capacity(), length - at);
        buf.clear().limit(n);
        in.read(buf, at);
        buf.flip();
        out.write(buf, at);
        at += n;
      }
    }
  }

  @SuppressWarnings("try") // the lock is held for the repair's duration
  public static Optional<Path> apply(StoreFs fs, Plan plan, long nowMicros) throws IOException {
    Path dir = plan.directory();
    try (StoreLock lock = lock(fs, dir, LockMode.EXCLUSIVE)) {
      Plan now = scan(fs, dir);
      if (!now.equals(plan)) {
        throw new IllegalStateException(
            "the store in " + dir + " changed since the repair was planned; plan again");
      }
      if (plan.intact()) {
        return Optional.empty();
      }
      Path aside = dir.resolve("repair-" + nowMicros);
      fs.createDirectories(aside);
      Path file = plan.cutFile().orElseThrow();
      Path copy = aside.resolve(file.getFileName() + ".before-repair");
      fs.copy(file, copy);
      try (FileHandle h = fs.openWrite(copy)) {
        h.sync(SyncMode.ALL);
      }
      for (Path p : plan.segmentsMovedAside()) {
        fs.rename(p, aside.resolve(p.getFileName()), RenameMode.NO_REPLACE);
      }
      // The index checkpoint describes the journal before the repair: set it aside too (the next
      // open rebuilds the index and writes a new one).
      Path checkpoint = dir.resolve(IndexCheckpoint.FILE);
      if (!file.equals(checkpoint) && fs.exists(checkpoint)) {
        fs.rename(checkpoint, aside.resolve(IndexCheckpoint.FILE), RenameMode.NO_REPLACE);
      }
      fs.syncDirectory(aside);
      fs.syncDirectory(dir);
      if (plan.cutOffset() == 0) {
        fs.deleteIfExists(file);
        fs.syncDirectory(dir);
      } else {
        // Never truncate the segment in place: a fork may share its file by hard link (ADR 0014),
        // and a sealed segment is never written again. The kept prefix goes into a new file that
        // replaces the name (publish: synced, renamed, directory synced).
        Path kept = dir.resolve(file.getFileName() + ".repair-cut.tmp");
        fs.deleteIfExists(kept);
        copyPrefix(fs, file, kept, plan.cutOffset());
        fs.publish(kept, file, SyncMode.ALL);
      }
      return Optional.of(aside);
    }
  }

  private static StoreLock lock(StoreFs fs, Path dir, LockMode mode) throws IOException {
    try {
      return fs.lock(dir.resolve(EngineStore.LOCK_FILE), mode);
    } catch (LockUnavailableException e) {
      throw new StoreLockedException(
          dir + " is open in a store instance; close it before repairing (" + e.getMessage() + ")",
          e);
    }
  }

  private static StoreFs defaultFs() throws IOException {
    return StoreFsResolver.resolve(null, Repair.class.getClassLoader()).open(FsOptions.defaults());
  }
}
