package io.batpak.engine.internal;

import io.batpak.OpenReport;
import io.batpak.StoreConfig;
import io.batpak.StoreIoException;
import io.batpak.StoreListener;
import io.batpak.StoreLockedException;
import io.batpak.engine.internal.commit.Committer;
import io.batpak.engine.internal.commit.WatermarkTracker;
import io.batpak.engine.internal.fence.VisibilityRanges;
import io.batpak.engine.internal.format.FrameCodec;
import io.batpak.engine.internal.index.Index;
import io.batpak.engine.internal.index.IndexCheckpoint;
import io.batpak.engine.internal.read.EventReader;
import io.batpak.engine.internal.recovery.Recovery;
import io.batpak.engine.internal.segment.IoFailures;
import io.batpak.engine.internal.segment.Journal;
import io.batpak.fs.spi.StoreFsResolver;
import io.batpak.port.LockMode;
import io.batpak.port.LockUnavailableException;
import io.batpak.port.StoreFs;
import io.batpak.port.StoreLock;
import io.batpak.spi.Codec;
import io.batpak.spi.FsOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * Opening a store, step by step, and nothing else: what it builds is handed to {@link EngineStore}
 * as one {@link OpenedStore}.
 */
final class StoreOpener {
  private static final System.Logger LOG = System.getLogger(StoreOpener.class.getName());

  private StoreOpener() {}

  /**
   * Everything an open store holds.
   *
   * @param ownsFs whether the store resolved its backend itself (and so closes it)
   * @param lock the directory lock, or null for a read-only open of a directory without a lock file
   * @param committer the commit pipeline, or null when read-only
   * @param completions the thread futures complete on, or null (read-only, or deterministic)
   * @param listener the configured listener, guarded ({@link ListenerGuard})
   */
  record OpenedStore(
      StoreConfig config,
      StoreFs fs,
      boolean ownsFs,
      StoreLock lock,
      Journal journal,
      Index index,
      EventReader reader,
      WatermarkTracker watermarks,
      Committer committer,
      CompletionThread completions,
      Codec codec,
      String codecName,
      Compressors compressors,
      OpenReport report,
      StoreListener listener) {}

  /**
   * Opens the store {@code config} describes: resolves the backend, creates the directory durably
   * (mutable opens), takes the lock, recovers the index, chooses the codec, opens the journal for
   * appends and starts the committer. On failure everything taken so far is released.
   */
  static OpenedStore open(StoreConfig config) {
    long started = config.clock().monoNanos();
    FrameCodec.checkBatchLimit(config.maxBatchBytes());
    StoreFsResolver.Resolution resolution =
        config.fs().isPresent()
            ? StoreFsResolver.resolve(config.fs().get())
            : StoreFsResolver.resolve(
                config.fsBackend().orElse(null), StoreOpener.class.getClassLoader());
    StoreFs fs;
    try {
      fs = resolution.open(FsOptions.defaults());
    } catch (IOException e) {
      throw new StoreIoException(
          "opening filesystem backend " + resolution.name() + " failed: " + e.getMessage(), e);
    }
    boolean ownsFs = config.fs().isEmpty();
    Path dir = config.directory().toAbsolutePath().normalize();
    StoreListener listener = ListenerGuard.of(config.listener(), dir.toString());
    StoreLock lock = null;
    Journal journal = null;
    try {
      boolean mutable = !config.readOnly();
      if (mutable) {
        createDurably(fs, dir);
      } else if (!fs.exists(dir)) {
        throw new StoreIoException(
            "cannot open " + dir + " read-only: the directory does not exist");
      }
      lock = takeLock(fs, dir, mutable);
      Index index = new Index();
      Recovery.Result found = new Recovery(fs, dir, mutable, index, config.clock()).run();
      List<OpenReport.Phase> phases = new ArrayList<>(found.load().phases());
      List<String> notes = new ArrayList<>(found.load().distrusted());
      checkVisibilityRanges(fs, dir, index, mutable, notes);
      String codecName = Codecs.chooseName(config, found.codec());
      Codec codec = Codecs.find(codecName);
      Compressors compressors = Compressors.open(config, fs, dir, mutable);
      Recovery.Newest newest = found.newest();
      journal =
          new Journal(
              fs,
              dir,
              config.syncMode(),
              found.segmentEnds(),
              // A changed compression setting starts a new segment, which names it.
              newest != null
                  && newest.appendable()
                  && newest.compression().equals(compressors.writerName()),
              newest == null ? 0 : newest.base(),
              config.clock(),
              codecName,
              compressors.writerName(),
              compressors,
              config.mappedReads() && fs.capabilities().mappedReads(),
              config.segmentMaxBytes());
      EventReader reader = new EventReader(index, journal);
      WatermarkTracker progress = new WatermarkTracker(config.clock(), index.size());
      CompletionThread completions = null;
      Committer committer = null;
      if (mutable) {
        completions =
            config.deterministic()
                ? null
                : new CompletionThread("batpak-completions " + dir.getFileName(), config.clock());
        Executor exec = completions == null ? Runnable::run : completions;
        long beforeJournal = config.clock().monoNanos();
        journal.openForAppends(index.size());
        // Only the active segment's links are kept for its seal: forget the older rows a scan gave.
        index.segmentLinks().keepFrom((int) journal.activeBase());
        if (newest != null && newest.beganInFence() && journal.activeId() == newest.id()) {
          journal.beganInFence();
        }
        phases.add(
            new OpenReport.Phase("journal", (config.clock().monoNanos() - beforeJournal) / 1_000));
        committer =
            new Committer(
                config,
                index,
                journal,
                reader,
                progress,
                exec,
                () -> IndexCheckpoint.stage(fs, dir, index).file()::publish);
        committer.onFenceCancelled(() -> publishVisibilityRanges(fs, dir, index));
        committer.reportTo(listener);
        if (found.abandonedFence() != null) {
          committer.cancelAbandonedFence(found.abandonedFence()[0], found.abandonedFence()[1]);
        }
        if (!config.deterministic()) {
          committer.start("batpak-committer " + dir.getFileName());
        }
      }
      OpenReport report =
          new OpenReport(
              fs.name(),
              resolution.explanation(),
              !mutable,
              codecName,
              found.segments(),
              index.size(),
              found.framesScanned(),
              found.tornTail(),
              (config.clock().monoNanos() - started) / 1_000,
              new OpenReport.IndexLoad(
                  found.load().source(),
                  found.load().fromCheckpoint(),
                  found.load().fromSeals(),
                  found.load().fromScan(),
                  found.load().bytesCut(),
                  notes,
                  phases),
              journal.mappedReads());
      LOG.log(
          System.Logger.Level.DEBUG,
          () ->
              "opened "
                  + dir
                  + (mutable ? " read-write" : " read-only")
                  + ": backend "
                  + report.backend()
                  + " ("
                  + report.backendReason()
                  + "), codec "
                  + report.codec()
                  + ", "
                  + report.eventsRecovered()
                  + " events, index from "
                  + report.indexLoad().source()
                  + ", "
                  + report.framesScanned()
                  + " frames scanned, "
                  + report.elapsedMicros()
                  + " microseconds");
      return new OpenedStore(
          config,
          fs,
          ownsFs,
          lock,
          journal,
          index,
          reader,
          progress,
          committer,
          completions,
          codec,
          codecName,
          compressors,
          report,
          listener);
    } catch (IOException e) {
      closeQuietly(journal, lock, ownsFs ? fs : null);
      Path file = fileInTheWay(dir, e);
      if (file != null) {
        throw IoFailures.of(
            "cannot open the store in "
                + dir
                + ": "
                + file
                + " is a file, not a directory; name a directory (a missing one is created), or"
                + " move the file away",
            e);
      }
      throw IoFailures.of("opening the store in " + dir + " failed: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(journal, lock, ownsFs ? fs : null);
      throw e;
    }
  }

  /**
   * Checks {@code visibility.ranges} against the cancelled ranges the journal gave (ADR 0015): what
   * was missing, damaged or disagreeing goes to {@code notes} and the log; a mutable open rewrites
   * it. A failure to rewrite is logged only: the journal's fence frames hold the ranges.
   */
  private static void checkVisibilityRanges(
      StoreFs fs, Path dir, Index index, boolean mutable, List<String> notes) {
    int before = notes.size();
    try {
      VisibilityRanges.reconcile(fs, dir, index.cancelled(), index.size(), mutable, notes);
    } catch (IOException e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "rewriting "
              + dir.resolve(VisibilityRanges.FILE)
              + " failed; the journal holds the ranges",
          e);
    }
    for (String note : notes.subList(before, notes.size())) {
      LOG.log(System.Logger.Level.WARNING, note);
    }
  }

  /** Publishes {@code visibility.ranges} from the index (after a cancel frame is durable). */
  private static void publishVisibilityRanges(StoreFs fs, Path dir, Index index) {
    try {
      VisibilityRanges.publish(
          fs, dir, new VisibilityRanges.Content(index.size(), index.cancelled()));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * Creates {@code dir} and any missing parents, and syncs the parent of each directory it created,
   * so the store's directory entry is as durable as the first segment in it. For a directory that
   * exists but holds no segment, the parents are synced again (see below).
   */
  private static void createDurably(StoreFs fs, Path dir) throws IOException {
    Path existing = dir;
    while (existing != null && !fs.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == dir) {
      if (hasSegments(fs, dir)) {
        return;
      }
      // A store without segments may be the leftover of an open that created these directories
      // and failed before their entries were durable (a failed directory fsync): "exists" is not
      // "survives a crash". Treat the store directory and every ancestor that holds nothing but
      // the path to it as created by such an open, and sync their parents again.
      Path top = dir;
      while (top.getParent() != null
          && top.getParent().getParent() != null
          && fs.list(top.getParent()).equals(List.of(top.getFileName().toString()))) {
        top = top.getParent();
      }
      existing = top.getParent();
      if (existing == null) {
        return;
      }
    } else {
      fs.createDirectories(dir);
    }
    for (Path created = dir; created != null && !created.equals(existing); ) {
      Path parent = created.getParent();
      fs.syncDirectory(parent);
      created = parent;
    }
  }

  private static boolean hasSegments(StoreFs fs, Path dir) throws IOException {
    for (String name : fs.list(dir)) {
      if (Journal.idOf(name) > 0) {
        return true;
      }
    }
    return false;
  }

  /**
   * Takes the directory's lock: exclusive for a mutable open (creating the lock file), shared for a
   * read-only one. A read-only open never creates the lock file (it changes nothing on disk, and
   * read-only media refuse it): when there is none, it proceeds without a lock, which only a writer
   * opening the directory at the same time could notice. Returns null then.
   */
  /**
   * The store directory, or one of its ancestors, when {@code e} says it is a regular file (the
   * backend's NotDirectoryException or FileAlreadyExistsException names it); else null.
   */
  private static Path fileInTheWay(Path dir, IOException e) {
    String name =
        e instanceof java.nio.file.NotDirectoryException
                || e instanceof java.nio.file.FileAlreadyExistsException
            ? ((java.nio.file.FileSystemException) e).getFile()
            : null;
    if (name == null) {
      return null;
    }
    Path file = Path.of(name).toAbsolutePath().normalize();
    return dir.startsWith(file) ? file : null;
  }

  private static StoreLock takeLock(StoreFs fs, Path dir, boolean mutable) throws IOException {
    Path lockFile = dir.resolve(EngineStore.LOCK_FILE);
    try {
      return fs.lock(lockFile, mutable ? LockMode.EXCLUSIVE : LockMode.SHARED);
    } catch (java.nio.file.NoSuchFileException e) {
      if (mutable) {
        throw e;
      }
      LOG.log(
          System.Logger.Level.INFO,
          "{0} has no lock file; opening it read-only without a lock (a read-only open never"
              + " creates one)",
          dir);
      return null;
    } catch (LockUnavailableException e) {
      throw new StoreLockedException(
          dir
              + " is in use by another store instance (in this process or another one) that"
              + " holds "
              + lockFile
              + "; close it first"
              + (mutable ? ", or open read-only to share it with other readers" : "")
              + ". ("
              + e.getMessage()
              + ")",
          e);
    }
  }

  private static void closeQuietly(Journal journal, StoreLock lock, StoreFs fs) {
    for (AutoCloseable c : new AutoCloseable[] {journal, lock, fs}) {
      if (c != null) {
        try {
          c.close();
        } catch (Exception ignored) {
          // Already failing; the original exception is what the caller needs.
        }
      }
    }
  }
}
