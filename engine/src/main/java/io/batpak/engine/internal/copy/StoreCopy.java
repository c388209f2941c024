package io.batpak.engine.internal.copy;

import io.batpak.CopyReport;
import io.batpak.CopyReport.Sharing;
import io.batpak.StoreFullException;
import io.batpak.StoreIoException;
import io.batpak.ValidationException;
import io.batpak.engine.internal.artifact.CompressionDictionaries;
import io.batpak.engine.internal.index.IndexCheckpoint;
import io.batpak.engine.internal.segment.Journal;
import io.batpak.port.FileHandle;
import io.batpak.port.FsCapabilities;
import io.batpak.port.NoSpaceException;
import io.batpak.port.RenameMode;
import io.batpak.port.StoreEntropy;
import io.batpak.port.StoreFs;
import io.batpak.port.SymlinkRefusedException;
import io.batpak.port.SyncMode;
import io.batpak.port.UnsupportedFsOperationException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Builds and publishes a copy of a store directory at a cut (docs/operations.md, "Backups:
 * snapshot" and "Forks"; ADR 0014): every segment of the cut into a temporary sibling of the
 * destination, the newest one up to its cut length only, every file and the directory synced, the
 * directory renamed to the destination ({@link RenameMode#NO_REPLACE}) and the parent synced. A
 * failure before the rename removes the temporary directory (best effort; what could not be removed
 * is named in the exception) and publishes nothing.
 *
 * <p>A {@link Mode#FORK} shares every segment but the newest (sealed, never written again) by
 * reflink where {@link FsCapabilities#reflinks()} and the file system allow, else by hard link
 * where {@link FsCapabilities#hardLinks()} and the file system allow, else copies it. A {@link
 * Mode#SNAPSHOT} copies every segment. The index checkpoint ({@code index.ckpt}) is carried, shared
 * in a fork and copied in a snapshot, when its watermark lies within the cut (ADR 0045), so the
 * copy opens from it instead of reading every seal; one published after the cut is left out. The
 * zstd dictionary files ({@code zstd-<id>.dict}, ADR 0026) are copied whole: payloads name them and
 * nothing can rebuild them. No other authority file is copied (cursor checkpoints, fences and
 * compaction intents describe the source's life, not the cut's).
 *
 * <p>Touches the disk only through {@link StoreFs}. Not thread-safe; one instance per call.
 */
public final class StoreCopy {
  private static final System.Logger LOG = System.getLogger(StoreCopy.class.getName());

  /** How much one read of a segment copies. */
  static final int CHUNK = 1 << 20;

  /** Which kind of copy. */
  public enum Mode {
    /** Every segment copied: a backup independent of the source's files. */
    SNAPSHOT,
    /** Sealed segments shared (reflink, hard link) where possible: a second writer's start. */
    FORK;

    String word() {
      return this == SNAPSHOT ? "snapshot" : "fork";
    }
  }

  /**
   * The journal at one watermark.
   *
   * @param watermark every event whose global sequence is below it is in the cut segments
   * @param segments segment id to the length to copy, oldest first; the last is the newest
   */
  public record Cut(long watermark, NavigableMap<Long, Long> segments) {
    /** Freezes the map. */
    public Cut {
      segments = java.util.Collections.unmodifiableNavigableMap(new TreeMap<>(segments));
    }

    /** A cut of {@code sizes} (segment id to length), with the newest one's length replaced. */
    public static Cut of(long watermark, Map<Long, Long> sizes, long newestLength) {
      TreeMap<Long, Long> m = new TreeMap<>(sizes);
      if (!m.isEmpty()) {
        m.put(m.lastKey(), newestLength);
      }
      return new Cut(watermark, m);
    }
  }

  private final StoreFs fs;
  private final Path source;
  private final StoreEntropy entropy;
  private final Mode mode;

  /**
   * A copier of the store in {@code source}.
   *
   * @param fs the store's backend
   * @param source the store's directory
   * @param entropy names the temporary directory
   * @param mode snapshot or fork
   */
  public StoreCopy(StoreFs fs, Path source, StoreEntropy entropy, Mode mode) {
    this.fs = Objects.requireNonNull(fs, "fs");
    this.source = source.toAbsolutePath().normalize();
    this.entropy = Objects.requireNonNull(entropy, "entropy");
    this.mode = Objects.requireNonNull(mode, "mode");
  }

  /**
   * Checks {@code dest} before anything is cut or created, and returns it absolute and normalised.
   *
   * @throws ValidationException if it is the source, inside it, exists, or has no parent directory
   * @throws StoreIoException if the checks cannot be made
   */
  public Path checkDestination(Path dest) {
    Path d = dest.toAbsolutePath().normalize();
    String what = mode.word() + " destination " + d;
    if (d.equals(source)) {
      throw new ValidationException(
          what + " is the store's own directory; name a new directory outside it");
    }
    if (d.startsWith(source)) {
      throw new ValidationException(
          what + " lies inside the store's directory " + source + "; name one outside it");
    }
    if (source.startsWith(d)) {
      throw new ValidationException(
          what + " contains the store's directory " + source + "; name a new directory");
    }
    Path parent = d.getParent();
    if (parent == null) {
      throw new ValidationException(what + " has no parent directory; name a new directory");
    }
    try {
      if (fs.exists(d)) {
        throw new ValidationException(
            what
                + " already exists (a file, a directory or a symbolic link); a "
                + mode.word()
                + " never replaces or writes through anything: remove it or name a new directory");
      }
      if (!fs.exists(parent)) {
        throw new ValidationException(
            what + ": its parent directory " + parent + " does not exist; create it first");
      }
    } catch (IOException e) {
      throw new StoreIoException(what + ": checking it failed: " + e.getMessage(), e);
    }
    return d;
  }

  /**
   * Copies {@code cut} to {@code dest} (already checked) and publishes it.
   *
   * @throws ValidationException if {@code dest} appeared meanwhile (nothing published)
   * @throws StoreFullException if the device filled (nothing published)
   * @throws StoreIoException if another step failed
   */
  public CopyReport copy(Cut cut, Path dest) {
    Path d = dest.toAbsolutePath().normalize();
    Path parent = d.getParent();
    Path temp = temporaryDirectory(d);
    List<CopyReport.Segment> done = new ArrayList<>();
    String step = "creating the temporary directory " + temp;
    try {
      fs.createDirectories(temp);
      for (Map.Entry<Long, Long> e : cut.segments().entrySet()) {
        long id = e.getKey();
        long length = e.getValue();
        boolean newest = id == cut.segments().lastKey();
        Path from = source.resolve(Journal.fileName(id));
        Path to = temp.resolve(Journal.fileName(id));
        step = "copying " + from + " to " + to;
        Sharing sharing =
            newest || mode == Mode.SNAPSHOT
                ? copyPrefix(from, to, length)
                : share(from, to, length);
        done.add(new CopyReport.Segment(length, sharing));
      }
      for (String name : fs.list(source)) {
        if (CompressionDictionaries.isDictionary(name)) {
          step = "copying the dictionary file " + source.resolve(name);
          copyWhole(source.resolve(name), temp.resolve(name));
        }
      }
      step = "carrying the index checkpoint " + source.resolve(IndexCheckpoint.FILE);
      carryCheckpoint(cut, temp);
      step = "fsync of the temporary directory " + temp;
      fs.syncDirectory(temp);
      step = "renaming " + temp + " to " + d;
      fs.rename(temp, d, RenameMode.NO_REPLACE);
    } catch (IOException | RuntimeException e) {
      throw failed(step, temp, d, e);
    }
    try {
      fs.syncDirectory(parent);
    } catch (IOException e) {
      throw new StoreIoException(
          "the "
              + mode.word()
              + " was renamed to "
              + d
              + " complete, but the fsync of its parent directory "
              + parent
              + " failed: a crash may still take the name away. Sync or check the device; the"
              + " directory itself is a complete store. Cause: "
              + e.getMessage(),
          e);
    }
    return new CopyReport(d, cut.watermark(), done);
  }

  /** A fresh sibling name for the temporary directory, one no entry has. */
  private Path temporaryDirectory(Path d) {
    for (int attempt = 0; ; attempt++) {
      String n = Long.toHexString(entropy.nextLong() & 0xFFFF_FFFF_FFFFL);
      Path t = d.resolveSibling("." + d.getFileName() + ".batpak-tmp-" + n);
      try {
        if (!fs.exists(t)) {
          return t;
        }
      } catch (IOException e) {
        throw new StoreIoException(
            "checking the temporary directory " + t + " failed: " + e.getMessage(), e);
      }
      if (attempt == 16) {
        throw new StoreIoException(
            "no free name for a temporary directory beside " + d + " after 16 random tries");
      }
    }
  }

  /** Shares a sealed segment: reflink, else hard link, else copy. */
  private Sharing share(Path from, Path to, long length) throws IOException {
    long size;
    try (FileHandle h = fs.openRead(from)) {
      size = h.size();
    }
    if (size != length) {
      // The file holds bytes past what the store counts (a tail recovery left beside a sealed
      // successor): sharing would carry them along, so copy what counts.
      return copyPrefix(from, to, length);
    }
    Sharing linked = link(from, to);
    return linked != null ? linked : copyPrefix(from, to, length);
  }

  /**
   * Gives {@code from}, a file never written again, the second name {@code to}: a reflink (synced)
   * where {@link FsCapabilities#reflinks()} and the file system allow, else a hard link where
   * {@link FsCapabilities#hardLinks()} and the file system allow; null (nothing at {@code to}) if
   * neither would.
   */
  private Sharing link(Path from, Path to) throws IOException {
    FsCapabilities caps = fs.capabilities();
    if (caps.reflinks()) {
      try {
        fs.reflink(from, to);
        try (FileHandle h = fs.openWrite(to)) {
          h.sync(SyncMode.ALL);
        }
        return Sharing.REFLINK;
      } catch (UnsupportedFsOperationException e) {
        LOG.log(System.Logger.Level.DEBUG, "reflink refused, trying a hard link: {0}", e);
      }
    }
    if (caps.hardLinks()) {
      try {
        // The content is durable already (a sealed segment was synced when it was sealed, an
        // authority file when it was published); the new entry becomes durable with the
        // temporary directory's sync.
        fs.link(from, to);
        return Sharing.HARD_LINK;
      } catch (UnsupportedFsOperationException e) {
        LOG.log(System.Logger.Level.DEBUG, "hard link refused, copying: {0}", e);
      }
    }
    return null;
  }

  /**
   * Carries the source's index checkpoint into {@code temp} if its watermark lies within {@code
   * cut}: shared in a fork (as a sealed segment is), copied in a snapshot. A checkpoint is only
   * ever published whole under its name by a rename, never written in place, so the file shared or
   * copied is one whole checkpoint, and the watermark is read from that file itself. One that lies
   * past the cut (the committer published it after the cut was taken), or whose header cannot be
   * read, is removed again: the copy then opens from its seals and frames. The copy's open checks a
   * carried checkpoint against its journal before believing it, as any open does.
   */
  private void carryCheckpoint(Cut cut, Path temp) throws IOException {
    Path from = source.resolve(IndexCheckpoint.FILE);
    if (!fs.exists(from)) {
      return;
    }
    Path to = temp.resolve(IndexCheckpoint.FILE);
    if (mode == Mode.SNAPSHOT || link(from, to) == null) {
      copyWhole(from, to);
    }
    IndexCheckpoint.Watermark w = IndexCheckpoint.peekWatermark(fs, to);
    Long length = w == null ? null : cut.segments().get(w.segment());
    if (w == null || length == null || w.offset() > length || w.events() > cut.watermark()) {
      LOG.log(
          System.Logger.Level.DEBUG,
          "the index checkpoint of {0} is not carried into the {1}: {2}",
          source,
          mode.word(),
          w == null
              ? "its header could not be read"
              : "its watermark (" + w.events() + " events) lies past the cut");
      fs.deleteIfExists(to);
    }
  }

  /**
   * Copies a file that is never written in place whole, through one handle: a zstd dictionary
   * (payloads in the copy name it, and nothing can rebuild it; it is published before any frame
   * names it, so every dictionary the cut's frames name is there) or the index checkpoint.
   */
  private void copyWhole(Path from, Path to) throws IOException {
    try (FileHandle in = fs.openRead(from)) {
      copyPrefix(in, to, in.size());
    }
  }

  /** Copies the first {@code length} bytes of {@code from} into the new file {@code to}, synced. */
  private Sharing copyPrefix(Path from, Path to, long length) throws IOException {
    try (FileHandle in = fs.openRead(from)) {
      return copyPrefix(in, to, length);
    }
  }

  /** Copies the first {@code length} bytes of {@code in} into the new file {@code to}, synced. */
  private Sharing copyPrefix(FileHandle in, Path to, long length) throws IOException {
    try (FileHandle out = fs.create(to)) {
      ByteBuffer buf = ByteBuffer.allocateDirect((int) Math.min(CHUNK, Math.max(1, length)));
      long at = 0;
      while (at < length) {
        int n = (int) Math.min(buf.capacity(), length - at);
        buf.clear().limit(n);
        in.read(buf, at);
        buf.flip();
        out.write(buf, at);
        at += n;
      }
      out.sync(SyncMode.ALL);
    }
    return Sharing.COPY;
  }

  /** The exception for a failure at {@code step}, after removing {@code temp}. */
  private RuntimeException failed(String step, Path temp, Path dest, Throwable e) {
    String cleanup = removeTemporary(temp, e);
    String what =
        "the " + mode.word() + " to " + dest + " failed at " + step + "; nothing was published (";
    if (e instanceof FileAlreadyExistsException || e instanceof SymlinkRefusedException) {
      ValidationException x =
          new ValidationException(
              what
                  + cleanup
                  + "): "
                  + dest
                  + " appeared meanwhile; a "
                  + mode.word()
                  + " never replaces anything. Remove it or name a new directory",
              e);
      return x;
    }
    if (e instanceof NoSpaceException) {
      return new StoreFullException(
          what + cleanup + "): the device is full. Free space and try again. " + e.getMessage(), e);
    }
    if (e instanceof RuntimeException r) {
      return r; // a typed store failure, or a bug: kept as it is
    }
    return new StoreIoException(what + cleanup + "): " + e.getMessage(), e);
  }

  /**
   * Removes {@code temp} and what is in it, then syncs its parent; returns a short account for the
   * message, and adds what failed to {@code primary} as suppressed.
   */
  private String removeTemporary(Path temp, Throwable primary) {
    try {
      if (!fs.exists(temp)) {
        return "no temporary directory was left";
      }
      for (String name : fs.list(temp)) {
        fs.deleteIfExists(temp.resolve(name));
      }
      fs.deleteDirectory(temp);
      fs.syncDirectory(temp.getParent());
      return "the temporary directory " + temp + " was removed";
    } catch (IOException | RuntimeException cleanup) {
      primary.addSuppressed(cleanup);
      return "the temporary directory "
          + temp
          + " could not be removed ("
          + cleanup.getMessage()
          + "); remove it by hand";
    }
  }
}
