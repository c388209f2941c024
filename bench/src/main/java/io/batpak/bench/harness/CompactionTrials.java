package io.batpak.bench.harness;

import io.batpak.AppendReceipt;
import io.batpak.CompactionConfig;
import io.batpak.CompactionResult;
import io.batpak.EventHeader;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.fs.posix.PosixStoreFsProvider;
import io.batpak.port.FileHandle;
import io.batpak.port.StoreFs;
import io.batpak.port.SyncMode;
import io.batpak.spi.FsOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * W9, compaction. {@code W9-merge} and {@code W9-retain}: one store of many small sealed segments
 * (one per open/append/close cycle, 256-byte JSON payloads, one event per frame), cloned for each
 * round; per round a raw copy of the same segment files into one file through the same {@code
 * posix} {@link StoreFs} (1 MiB reads and writes, then an fsync of the file and of the directory:
 * row {@code raw-disk-copy}), then {@link Store#compact} of the clone, MERGE or RETAIN dropping the
 * events with an odd global sequence (about half), timed alone (the open before it is not). MB/s =
 * the bytes of the segments compacted ÷ the time. Every compaction is checked: it replaced every
 * sealed segment, its bytes before are the bytes the copy copied, and the store then holds exactly
 * the events that were appended (merge) or kept (retain), by count and checksum.
 *
 * <p>{@code W9-append} and {@code W9-append-quiet}: the W2-32 workload (32 blocking producers,
 * {@code batpak-durable}) on a store that already holds sealed segments of older events, with and
 * without a thread that compacts in a loop while the producers run: each round a RETAIN that drops
 * the next 1/64 of the older events, so every round rewrites the sealed segments and switches to
 * the output; {@code W9-append-paced} the same loop with each compaction's output paced to {@link
 * #PACED_BYTES_PER_SECOND} ({@link CompactionConfig#maxBytesPerSecond}). The trials run in rounds
 * of one of each (the order rotated each round) and each row pools its trials; the ratio of a
 * compacting row to the quiet one is the cost of compaction to appends. Both trials check that the
 * producers' events are all there (count and checksum) and that the older events left are those the
 * rounds kept. batpak only. Not thread-safe: one run at a time.
 */
final class CompactionTrials {
  static final String MERGE = "W9-merge";
  static final String RETAIN = "W9-retain";
  static final String APPEND_QUIET = "W9-append-quiet";
  static final String APPEND = "W9-append";
  static final String APPEND_PACED = "W9-append-paced";

  /** The rows, in the order they are reported. */
  static final List<String> ROWS = List.of(MERGE, RETAIN, APPEND_QUIET, APPEND, APPEND_PACED);

  /** The write rate of {@code W9-append-paced}'s compactions ({@link CompactionConfig}). */
  static final long PACED_BYTES_PER_SECOND = 32L << 20;

  /** The system of the raw copy's rows. */
  static final String COPY = "raw-disk-copy";

  private static final String SYSTEM = Report.BATPAK;

  private static final int CHUNK = 1 << 20;

  private final Trials trials;
  private final Settings s;
  private final AppendLoops loops;

  /** How the mode sizes the stores. */
  record Sizes(int segments, int perSegment, int rounds, int oldSegments, int oldPer) {}

  CompactionTrials(Trials trials, AppendLoops loops) {
    this.trials = trials;
    this.s = trials.settings();
    this.loops = loops;
  }

  Sizes sizes() {
    return switch (s.mode()) {
      case "tiny" -> new Sizes(4, 60, 1, 3, 60);
      case "full" -> new Sizes(192, 2000, 5, 48, 2000);
      default -> new Sizes(64, 1500, 3, 24, 1500);
    };
  }

  /** Runs W9 and returns its rows, already printed. */
  List<Result> rows() {
    List<Result> out = new ArrayList<>();
    boolean mergeOrRetain = trials.selected(MERGE) || trials.selected(RETAIN) || selectedAll();

    try {
      if (mergeOrRetain) {
        out.addAll(throughput());
      }
    } catch (Throwable t) {
      for (String w : List.of(MERGE, RETAIN)) {
        if (out.stream().noneMatch(r -> r.workload().equals(w) && r.system().equals(SYSTEM))) {
          out.add(trials.report(Result.failed(w, SYSTEM, Trials.describe(t))));
        }
      }
    }
    if (trials.selected(APPEND)
        || trials.selected(APPEND_QUIET)
        || trials.selected(APPEND_PACED)
        || selectedAll()) {
      out.addAll(new CompactionAppendTrials(trials, loops, sizes()).rows());
    }
    return out;
  }

  private boolean selectedAll() {
    return s.workloads().isEmpty() || s.workloads().contains("W9");
  }

  // ---------------------------------------------------------------------------------------------
  // W9-merge, W9-retain

  /** What one populated store holds: the contribution of each event, in global order. */
  private record Populated(long[] contributions) {
    EventChecksum all() {
      return kept(gs -> true);
    }

    EventChecksum kept(java.util.function.LongPredicate keep) {
      long n = 0;
      long sum = 0;
      for (int i = 0; i < contributions.length; i++) {
        if (keep.test(i)) {
          n++;
          sum += contributions[i];
        }
      }
      return new EventChecksum(n, sum);
    }
  }

  private List<Result> throughput() throws Exception {
    Sizes z = sizes();
    Path base = trials.freshDir(SYSTEM, "W9");
    List<Result> out = new ArrayList<>();
    try (StoreFs fs = posix()) {
      Path template = base.resolve("template");
      long t0 = System.nanoTime();
      Populated p = populate(fs, template, z.segments(), z.perSegment());
      List<Path> sealed = sealedSegments(template);
      long bytes = 0;
      for (Path f : sealed) {
        bytes += Files.size(f);
      }
      trials
          .log()
          .printf(
              "          %-15s W9 store: %d sealed segments, %d events, %.1f MB, populated in %.1f"
                  + " s%n",
              SYSTEM,
              sealed.size(),
              p.contributions().length,
              bytes / 1e6,
              (System.nanoTime() - t0) / 1e9);
      if (trials.selected(MERGE) || selectedAll()) {
        out.addAll(strategy(fs, base, template, p, MERGE));
      }
      if (trials.selected(RETAIN) || selectedAll()) {
        out.addAll(strategy(fs, base, template, p, RETAIN));
      }
    } finally {
      Trials.deleteTree(base);
    }
    return out;
  }

  /** The rounds of one strategy: a raw copy, then the compaction, on a fresh clone each. */
  private List<Result> strategy(StoreFs fs, Path base, Path template, Populated p, String row)
      throws Exception {
    int rounds = sizes().rounds();
    double[] copyNanos = new double[rounds];
    double[] compactNanos = new double[rounds];
    CompactionResult last = null;
    long copied = 0;
    WindowEvent window = WindowEvent.start(SYSTEM, row);
    for (int r = 0; r < rounds; r++) {
      Path d = base.resolve(row + "-" + r);
      clone(template, d);
      List<Path> sealed = sealedSegments(d);
      Path copy = d.resolve("raw-copy.tmp");
      long a = System.nanoTime();
      copied = rawCopy(fs, copy, sealed);
      copyNanos[r] = System.nanoTime() - a;
      fs.deleteIfExists(copy);
      try (Store store = Store.open(StoreConfig.builder(d).fs(fs).build())) {
        CompactionConfig config =
            row.equals(MERGE)
                ? CompactionConfig.merge()
                : CompactionConfig.retain(e -> e.header().globalSequence() % 2 == 0);
        long b = System.nanoTime();
        last = store.compact(config);
        compactNanos[r] = System.nanoTime() - b;
        check(row, last, sealed.size(), copied, p);
        if (r == 0) {
          EventChecksum expected = row.equals(MERGE) ? p.all() : p.kept(gs -> gs % 2 == 0);
          EventChecksum held = scan(store, h -> true);
          if (!held.equals(expected)) {
            throw new IllegalStateException(
                row + ": after the compaction the store holds " + held + ", expected " + expected);
          }
        }
      }
      trials
          .log()
          .printf(
              "          %-15s %-14s round %d: copy %.1f MB/s, compaction %.1f MB/s (%.2f ×)%n",
              SYSTEM,
              row,
              r,
              copied / (copyNanos[r] / 1e9) / 1e6,
              copied / (compactNanos[r] / 1e9) / 1e6,
              copyNanos[r] / compactNanos[r]);
      Trials.deleteTree(d);
    }
    window.commit();
    long events = last.eventsKept() + last.eventsDropped() + last.eventsTombstoned();
    double[] copySorted = copyNanos.clone();
    double[] compactSorted = compactNanos.clone();
    Arrays.sort(copySorted);
    Arrays.sort(compactSorted);
    double copyMedian = copySorted[rounds / 2];
    double compactMedian = compactSorted[rounds / 2];
    Map<String, Double> extra = new LinkedHashMap<>();
    extra.put("MBps", Trials.round(copied / (compactMedian / 1e9) / 1e6, 1));
    extra.put("copyMBps", Trials.round(copied / (copyMedian / 1e9) / 1e6, 1));
    extra.put("overCopy", Trials.round(copyMedian / compactMedian, 2));
    extra.put("bytesBefore", (double) last.bytesBefore());
    extra.put("bytesAfter", (double) last.bytesAfter());
    extra.put("segmentsBefore", (double) last.segmentsBefore());
    extra.put("segmentsAfter", (double) last.segmentsAfter());
    extra.put("eventsDropped", (double) last.eventsDropped());
    Map<String, Double> copyExtra = new LinkedHashMap<>();
    copyExtra.put("MBps", extra.get("copyMBps"));
    copyExtra.put("bytes", (double) copied);
    String what =
        row.equals(MERGE)
            ? "Store.compact(merge())"
            : "Store.compact(retain(odd global sequences dropped))";
    List<Result> out = new ArrayList<>();
    out.add(
        trials.report(
            Result.ok(
                row,
                SYSTEM,
                what
                    + " of "
                    + last.segmentsBefore()
                    + " sealed segments ("
                    + copied
                    + " bytes, "
                    + events
                    + " events) into "
                    + last.segmentsAfter()
                    + "; "
                    + rounds
                    + " rounds (p50 = median, p99 = slowest compaction); events/s = events ÷"
                    + " median",
                events,
                compactMedian / 1e9,
                compactMedian / 1000,
                compactSorted[rounds - 1] / 1000,
                extra)));
    out.add(
        trials.report(
            Result.ok(
                row,
                COPY,
                "the same segment files copied into one file through the same posix StoreFs"
                    + " (1 MiB reads and writes, fsync of the file and the directory), right"
                    + " before each compaction; events/s = the compaction's events ÷ median copy",
                events,
                copyMedian / 1e9,
                copyMedian / 1000,
                copySorted[rounds - 1] / 1000,
                copyExtra)));
    return out;
  }

  /** Throws unless the compaction replaced every sealed segment and read what the copy read. */
  private static void check(String row, CompactionResult r, int sealed, long copied, Populated p) {
    long events = p.contributions().length;
    long dropped = row.equals(MERGE) ? 0 : events / 2;
    boolean ok =
        r.outcome() == CompactionResult.Outcome.PERFORMED
            && r.segmentsBefore() == sealed
            && r.bytesBefore() == copied
            && r.eventsKept() + r.eventsDropped() == events
            && r.eventsDropped() == dropped
            && r.eventsTombstoned() == 0;
    if (!ok) {
      throw new IllegalStateException(
          row
              + ": expected a compaction of "
              + sealed
              + " sealed segments of "
              + copied
              + " bytes and "
              + events
              + " events, "
              + dropped
              + " dropped; got "
              + r);
    }
  }

  /**
   * Fills {@code dir} with {@code segments} sealed segments of {@code perSegment} events each (one
   * open/append/close cycle per segment, {@code submit()} with 1024 outstanding), then opens and
   * closes it once more so the header-only active segment an open starts exists already.
   */
  private Populated populate(StoreFs fs, Path dir, int segments, int perSegment) throws Exception {
    EventGenerator g = new EventGenerator(trials.payloads256(), s.seed() + 19, 0, 1);
    long[] contributions = new long[segments * perSegment];
    int i = 0;
    for (int c = 0; c < segments; c++) {
      try (Store store = Store.open(StoreConfig.builder(dir).fs(fs).build())) {
        Semaphore permits = new Semaphore(1024);
        AtomicReference<Throwable> error = new AtomicReference<>();
        for (int k = 0; k < perSegment && error.get() == null; k++) {
          permits.acquire();
          EventToAppend e = g.next();
          contributions[i++] = e.contribution();
          CompletableFuture<AppendReceipt> f =
              store.submit(
                  e.source().coordinate(e.entity()),
                  BatpakSystem.KIND,
                  e.source().wrapped(e.payload()),
                  BatpakSystem.at(e.version()));
          f.whenComplete(
              (r, x) -> {
                if (x != null) {
                  error.compareAndSet(null, x);
                }
                permits.release();
              });
        }
        if (!permits.tryAcquire(1024, 120, TimeUnit.SECONDS) || error.get() != null) {
          throw new IllegalStateException(
              "W9 populate failed: "
                  + (error.get() == null ? "appends outstanding" : Trials.describe(error.get())),
              error.get());
        }
      }
    }
    Store.open(StoreConfig.builder(dir).fs(fs).build()).close();
    return new Populated(contributions);
  }

  /** The segments of a closed store a compaction reads: every one but the newest (active). */
  private static List<Path> sealedSegments(Path dir) throws IOException {
    List<Path> all = CrashShapes.segments(dir);
    return all.subList(0, Math.max(0, all.size() - 1));
  }

  /** Copies the store in {@code from} to {@code to} and syncs every file (not measured). */
  private static void clone(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (var files = Files.list(from)) {
      for (Path f : files.toList()) {
        if (f.getFileName().toString().startsWith(".")) {
          continue; // the lock file
        }
        Path t = to.resolve(f.getFileName());
        Files.copy(f, t);
        try (FileChannel ch = FileChannel.open(t, StandardOpenOption.WRITE)) {
          ch.force(true);
        }
      }
    }
  }

  /**
   * Copies {@code segments} into the new file {@code target} through {@code fs}: 1 MiB reads and
   * writes, then an fsync of the file and of its directory.
   *
   * @return the bytes copied
   */
  private static long rawCopy(StoreFs fs, Path target, List<Path> segments) throws IOException {
    ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK);
    long at = 0;
    try (FileHandle out = fs.create(target)) {
      for (Path segment : segments) {
        try (FileHandle in = fs.openRead(segment)) {
          long size = in.size();
          for (long pos = 0; pos < size; pos += CHUNK) {
            int n = (int) Math.min(CHUNK, size - pos);
            buf.clear().limit(n);
            in.read(buf, pos);
            buf.flip();
            out.write(buf, at);
            at += n;
          }
        }
      }
      out.sync(SyncMode.ALL);
    }
    fs.syncDirectory(target.getParent());
    return at;
  }

  // ---------------------------------------------------------------------------------------------

  /** The {@code posix} backend every W9 store is on. */
  static StoreFs posix() throws IOException {
    return new PosixStoreFsProvider().open(FsOptions.defaults());
  }

  /** Count and checksum of the events {@code which} accepts, read back with their payloads. */
  static EventChecksum scan(Store store, Predicate<EventHeader> which) {
    EventChecksum.Accumulator acc = new EventChecksum.Accumulator();
    long after = -1;
    while (true) {
      List<EventHeader> page = store.queryAfter(Region.all(), after, 4096);
      if (page.isEmpty()) {
        return acc.result();
      }
      for (EventHeader h : page) {
        if (which.test(h)) {
          acc.add(h.entity(), h.streamSequence(), store.get(h.eventId()).payload().toByteArray());
        }
        after = h.globalSequence();
      }
    }
  }
}
