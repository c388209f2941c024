package io.batpak.replication;

import io.batpak.Store;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Puts a snapshot into a member's store directory (ADR 0038): the crash-safe swap of the store for
 * a copy of the snapshot's (sealed segments hard-linked where the file system allows), the member's
 * own cursor checkpoints carried into the copy, and the recovery of a swap a crash interrupted.
 * {@link MemberSnapshots} keeps the snapshots themselves.
 *
 * <p>Stateless; {@link SnapshotReconciler} calls it on Ratis's start and apply threads, one call at
 * a time for a member.
 */
final class SnapshotInstall {
  /** The folder of a store's cursor checkpoint files ({@code Store#cursor(Region, String)}). */
  static final String CURSORS = "cursors";

  private SnapshotInstall() {}

  /**
   * Checks every store file of {@code s} against its recorded CRC, then syncs the files and
   * directories: done before a snapshot found on disk at start is installed into the store, since
   * the member cannot tell what happened to the files while it was down. (A snapshot fetched just
   * now was checked and synced by the fetch, ADR 0043.)
   *
   * @throws IOException naming the first file that is missing, of another size or CRC
   */
  static void verifyAndSync(MemberSnapshots.Snapshot s) throws IOException {
    MemberSnapshots.read(s.dir(), true);
    for (MemberSnapshots.StoreFile f : s.files()) {
      MemberSnapshots.fsync(s.store().resolve(f.path()), false);
    }
    MemberSnapshots.fsync(s.dir().resolve(MemberSnapshots.META), false);
    for (Path p : MemberSnapshots.directoriesOf(s.store())) {
      MemberSnapshots.fsync(p, true);
    }
    MemberSnapshots.fsync(s.dir(), true);
    Path parent = s.dir().getParent();
    if (parent != null) {
      MemberSnapshots.fsync(parent, true);
    }
  }

  /**
   * Replaces the store directory {@code storeDir} by a copy of snapshot {@code s}'s store,
   * crash-safely: the copy is built in {@code <storeDir>.snapshot-install} (store files hard-linked
   * where the file system allows, the newest segment and the index checkpoint always copied) and
   * synced; then {@code storeDir} is renamed to {@code <storeDir>.snapshot-replaced}, the copy to
   * {@code storeDir}, the parent synced, and the replaced store removed. The member's cursor
   * checkpoints go into the copy ({@link #carryCheckpoints}). {@link #recoverSwap} finishes or
   * undoes an interrupted swap on the next start.
   */
  static void installInto(MemberSnapshots.Snapshot s, Path storeDir) throws IOException {
    Path parent = Objects.requireNonNull(storeDir.toAbsolutePath().getParent(), "parent");
    Path building = sibling(storeDir, ".snapshot-install");
    Path replaced = sibling(storeDir, ".snapshot-replaced");
    MemberSnapshots.deleteTree(building);
    Files.createDirectories(building);
    String newestSegment = newestSegment(s.files());
    for (MemberSnapshots.StoreFile f : s.files()) {
      Path from = s.store().resolve(f.path());
      Path to = building.resolve(f.path());
      Path toParent = to.getParent();
      if (toParent != null) {
        Files.createDirectories(toParent);
      }
      boolean shareable = f.path().matches("\\d{10}\\.seg") && !f.path().equals(newestSegment);
      if (shareable) {
        try {
          Files.createLink(to, from);
        } catch (IOException | UnsupportedOperationException e) {
          Files.copy(from, to);
        }
      } else {
        Files.copy(from, to);
      }
      MemberSnapshots.fsync(to, false);
    }
    carryCheckpoints(storeDir, building);
    for (Path p : MemberSnapshots.directoriesOf(building)) {
      MemberSnapshots.fsync(p, true);
    }
    MemberSnapshots.fsync(parent, true);
    MemberSnapshots.deleteTree(replaced);
    if (Files.exists(storeDir)) {
      Files.move(storeDir, replaced, StandardCopyOption.ATOMIC_MOVE);
    }
    Files.move(building, storeDir, StandardCopyOption.ATOMIC_MOVE);
    MemberSnapshots.fsync(parent, true);
    MemberSnapshots.deleteTree(replaced);
    MemberSnapshots.fsync(parent, true);
  }

  /**
   * Copies the member's own cursor checkpoint files ({@code cursors/<id>.ckpt}, the layout {@link
   * Store#cursor(io.batpak.Region, String)} documents) from {@code storeDir} into the store being
   * built, each synced: a snapshot carries the leader's events, never its readers' positions, and a
   * worker or cursor on this member resumes after its own checkpoint. The positions stay right: the
   * snapshot's store holds every event of the member's journal, at the same global sequences.
   */
  private static void carryCheckpoints(Path storeDir, Path building) throws IOException {
    Path from = storeDir.resolve(CURSORS);
    if (!Files.isDirectory(from, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Path to = Files.createDirectories(building.resolve(CURSORS));
    try (Stream<Path> files = Files.list(from)) {
      for (Path f : files.toList()) {
        if (Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          Path copy = to.resolve(String.valueOf(f.getFileName()));
          Files.copy(f, copy, StandardCopyOption.REPLACE_EXISTING);
          MemberSnapshots.fsync(copy, false);
        }
      }
    }
  }

  /**
   * Finishes what an interrupted {@link #installInto} left: when the store directory is missing but
   * the replaced one exists, the crash came between the two renames, and the old store goes back
   * (the snapshot is then installed again, since the old store is behind it); leftover build and
   * replaced directories are removed.
   *
   * @return a sentence saying what was done, or null when there was nothing to do
   */
  static @Nullable String recoverSwap(Path storeDir) throws IOException {
    Path building = sibling(storeDir, ".snapshot-install");
    Path replaced = sibling(storeDir, ".snapshot-replaced");
    String done = null;
    if (!Files.exists(storeDir) && Files.isDirectory(replaced)) {
      Files.move(replaced, storeDir, StandardCopyOption.ATOMIC_MOVE);
      done = "a snapshot install was interrupted between its renames; the old store is back";
    }
    if (Files.exists(building)) {
      MemberSnapshots.deleteTree(building);
      done = done == null ? "removed an unfinished snapshot install" : done;
    }
    if (Files.exists(replaced)) {
      MemberSnapshots.deleteTree(replaced);
      done = done == null ? "removed the store a finished snapshot install replaced" : done;
    }
    if (done != null) {
      Path parent = storeDir.toAbsolutePath().getParent();
      if (parent != null) {
        MemberSnapshots.fsync(parent, true);
      }
    }
    return done;
  }

  private static Path sibling(Path dir, String suffix) {
    return dir.resolveSibling(dir.getFileName() + suffix);
  }

  private static @Nullable String newestSegment(List<MemberSnapshots.StoreFile> files) {
    String newest = null;
    for (MemberSnapshots.StoreFile f : files) {
      if (f.path().matches("\\d{10}\\.seg") && (newest == null || f.path().compareTo(newest) > 0)) {
        newest = f.path();
      }
    }
    return newest;
  }
}
