package io.batpak.bench.harness;

import io.batpak.AppendReceipt;
import io.batpak.OpenReport;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.bench.harness.CrashShapes.Shape;
import io.batpak.engine.internal.index.Index;
import io.batpak.engine.internal.index.IndexCheckpoint;
import io.batpak.engine.internal.recovery.Recovery;
import io.batpak.fs.posix.PosixStoreFsProvider;
import io.batpak.port.StoreClock;
import io.batpak.port.StoreFs;
import io.batpak.spi.FsOptions;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * W8-open: one store of {@code openEvents} events, populated once and closed cleanly, then opened
 * ({@code Store.open} with the default configuration, mutable, as an application opens it) in four
 * shapes in the same run ({@link CrashShapes}): after the clean close (index checkpoint), without
 * the checkpoint (every seal), after a crash (no checkpoint, the newest segment unsealed: seals of
 * the older segments, a scan of the newest) and with no seal at all (a full scan). Every open is
 * checked: the events it restored equal the events written, and the index source and the split
 * between checkpoint, seals and scan are the ones the shape must give. Reports the median open per
 * shape, the ratios to the full scan, the checkpoint's bytes per event and the index's heap bytes
 * per event (a read-only {@link Recovery} into an {@link Index} held while the heap is measured).
 * batpak only. Not thread-safe: one run at a time.
 */
final class OpenTrials {
  /** The row of each shape, in the order they run. */
  static final Map<Shape, String> ROWS = new LinkedHashMap<>();

  static {
    ROWS.put(Shape.CLEAN_CLOSE, "W8-checkpoint");
    ROWS.put(Shape.NO_CHECKPOINT, "W8-footers");
    ROWS.put(Shape.CRASH, "W8-crash");
    ROWS.put(Shape.NEVER_SEALED, "W8-scan");
  }

  private static final String SYSTEM = Report.BATPAK;

  /**
   * Opens per shape at least (the first of a JVM runs before the JIT compiled the path, so the
   * median needs a few more than the other reads' {@code reopens}); the tiny mode keeps one.
   */
  private static final int OPENS = 5;

  private final Trials trials;
  private final Settings s;

  OpenTrials(Trials trials) {
    this.trials = trials;
    this.s = trials.settings();
  }

  /** What the opens of one shape measured. */
  private record Opens(Shape shape, double[] micros, OpenReport median, double indexBytesPerEvent) {
    double medianMicros() {
      return micros[micros.length / 2];
    }

    double slowestMicros() {
      return micros[micros.length - 1];
    }
  }

  /** Runs W8-open and returns its rows, already printed. */
  List<Result> rows() {
    List<Result> out = new ArrayList<>();
    Path dir = null;
    try {
      dir = trials.freshDir(SYSTEM, "open");
      long n = s.openEvents();
      populate(dir, n);
      long checkpointBytes = Files.size(dir.resolve(IndexCheckpoint.FILE));
      int segments = CrashShapes.segments(dir).size();
      trials
          .log()
          .printf(
              "          %-15s W8-open store: %d segments, %s of %d bytes (%.1f B per event)%n",
              SYSTEM,
              segments,
              IndexCheckpoint.FILE,
              checkpointBytes,
              checkpointBytes / (double) n);
      Map<Shape, Opens> measured = new LinkedHashMap<>();
      for (Shape shape : ROWS.keySet()) {
        measured.put(shape, opens(dir, shape, n, segments));
      }
      for (Opens o : measured.values()) {
        out.add(trials.report(row(o, measured, n, checkpointBytes)));
      }
    } catch (Throwable t) {
      for (String w : ROWS.values()) {
        if (out.stream().noneMatch(r -> r.workload().equals(w))) {
          out.add(trials.report(Result.failed(w, SYSTEM, Trials.describe(t))));
        }
      }
    } finally {
      Trials.deleteTree(dir);
    }
    return out;
  }

  private StoreConfig.Builder config(Path dir) {
    StoreConfig.Builder b = StoreConfig.builder(dir);
    if (s.openSegmentBytes() > 0) {
      b.segmentMaxBytes(s.openSegmentBytes());
    }
    return b;
  }

  /** Appends {@code n} events with {@code submit()}, 1024 outstanding, and closes the store. */
  private void populate(Path dir, long n) throws Exception {
    long t0 = System.nanoTime();
    EventGenerator g = new EventGenerator(trials.payloads256(), s.seed() + 11, 0, 1);
    Semaphore permits = new Semaphore(1024);
    AtomicReference<Throwable> error = new AtomicReference<>();
    long step = Math.max(1, n / 10);
    try (Store store = Store.open(config(dir).build())) {
      for (long i = 0; i < n && error.get() == null; i++) {
        permits.acquire();
        EventToAppend e = g.next();
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
        if ((i + 1) % step == 0) {
          trials
              .log()
              .printf(
                  "          %-15s W8-open populating: %d of %d events, %.0f s%n",
                  SYSTEM, i + 1, n, (System.nanoTime() - t0) / 1e9);
        }
      }
      if (!permits.tryAcquire(1024, 120, TimeUnit.SECONDS)) {
        throw new IllegalStateException("W8-open populate: appends outstanding after 120 s");
      }
      if (error.get() != null) {
        throw new IllegalStateException(
            "W8-open populate failed: " + Trials.describe(error.get()), error.get());
      }
    }
    trials
        .log()
        .printf(
            "          %-15s W8-open populated and closed %d events in %.1f s%n",
            SYSTEM, n, (System.nanoTime() - t0) / 1e9);
  }

  /** Opens the store in {@code shape} {@code reopens} times, preparing the shape before each. */
  private Opens opens(Path dir, Shape shape, long n, int segments) throws Exception {
    CrashShapes.prepare(dir, shape);
    // The tiny mode (the CI test) skips the heap measurement: its full GCs cost seconds there.
    double indexBytes = s.mode().equals("tiny") ? Double.NaN : indexBytesPerEvent(dir, n);
    WindowEvent window = WindowEvent.start(SYSTEM, ROWS.get(shape));
    int reopens = s.mode().equals("tiny") ? 1 : Math.max(OPENS, s.reopens());
    double[] micros = new double[reopens];
    OpenReport[] reports = new OpenReport[reopens];
    for (int i = 0; i < reopens; i++) {
      CrashShapes.prepare(dir, shape);
      System.gc();
      long a = System.nanoTime();
      Store store = Store.open(config(dir).build());
      micros[i] = (System.nanoTime() - a) / 1000.0;
      try {
        reports[i] = store.openReport();
        check(shape, reports[i], store.stats().eventCount(), n, segments);
      } finally {
        store.close();
      }
    }
    window.commit();
    Integer[] order = new Integer[reopens];
    for (int i = 0; i < reopens; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (x, y) -> Double.compare(micros[x], micros[y]));
    OpenReport median = reports[order[reopens / 2]];
    double[] sorted = micros.clone();
    Arrays.sort(sorted);
    OpenReport.IndexLoad l = median.indexLoad();
    trials
        .log()
        .printf(
            "          %-15s %-14s opens (µs) %s; median: %s, checkpoint %d, seals %d, scan %d,"
                + " phases %s%n",
            SYSTEM,
            ROWS.get(shape),
            Arrays.toString(Arrays.stream(micros).mapToLong(m -> (long) m).toArray()),
            l.source(),
            l.fromCheckpoint(),
            l.fromSeals(),
            l.fromScan(),
            l.phases());
    return new Opens(shape, sorted, median, indexBytes);
  }

  /** Throws unless the open restored {@code n} events by the path {@code shape} must take. */
  private static void check(Shape shape, OpenReport r, long count, long n, int segments) {
    OpenReport.IndexLoad l = r.indexLoad();
    OpenReport.IndexSource expected;
    boolean split;
    switch (shape) {
      case CLEAN_CLOSE:
        expected = OpenReport.IndexSource.CHECKPOINT;
        split = l.fromCheckpoint() == n && l.fromSeals() == 0 && l.fromScan() == 0;
        break;
      case NO_CHECKPOINT:
        expected = OpenReport.IndexSource.SEALS;
        split = l.fromCheckpoint() == 0 && l.fromSeals() == n && l.fromScan() == 0;
        break;
      case CRASH:
        expected = segments > 1 ? OpenReport.IndexSource.SEALS : OpenReport.IndexSource.SCAN;
        split =
            l.fromCheckpoint() == 0
                && l.fromScan() > 0
                && l.fromSeals() + l.fromScan() == n
                && (segments > 1) == (l.fromSeals() > 0);
        break;
      default:
        expected = OpenReport.IndexSource.SCAN;
        split = l.fromCheckpoint() == 0 && l.fromSeals() == 0 && l.fromScan() == n;
    }
    if (count != n || r.eventsRecovered() != n || l.source() != expected || !split) {
      throw new IllegalStateException(
          "W8-open "
              + shape
              + ": expected "
              + n
              + " events from "
              + expected
              + ", the open restored "
              + count
              + " ("
              + l
              + "; distrusted: "
              + l.distrusted()
              + ")");
    }
    if (!l.distrusted().isEmpty() || l.bytesCut() != 0) {
      throw new IllegalStateException(
          "W8-open " + shape + ": the open distrusted or cut something: " + l);
    }
  }

  /**
   * The heap the index of the store in {@code dir} takes per event: a read-only {@link Recovery}
   * (the path the store's shape allows) into a new {@link Index}, held while the heap in use is
   * measured after full GCs, minus the heap before.
   */
  private static double indexBytesPerEvent(Path dir, long n) throws Exception {
    try (StoreFs fs = new PosixStoreFsProvider().open(FsOptions.defaults())) {
      long before = usedAfterGc();
      Index index = new Index();
      new Recovery(fs, dir, false, index, StoreClock.system()).run();
      long after = usedAfterGc();
      if (index.size() != n) {
        throw new IllegalStateException(
            "W8-open: the index loaded " + index.size() + " events, expected " + n);
      }
      return (after - before) / (double) n;
    }
  }

  /** The heap in use after full GCs (the least of four). */
  static long usedAfterGc() throws InterruptedException {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) {
      System.gc();
      Thread.sleep(100);
      used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
    return used;
  }

  private static Result row(Opens o, Map<Shape, Opens> all, long n, long checkpointBytes) {
    OpenReport.IndexLoad l = o.median().indexLoad();
    Map<String, Double> extra = new LinkedHashMap<>();
    double scan = all.get(Shape.NEVER_SEALED).medianMicros();
    extra.put("fastestMicros", Trials.round(o.micros()[0], 0));
    if (o.shape() != Shape.NEVER_SEALED) {
      extra.put("scanOverThis", Trials.round(scan / o.medianMicros(), 1));
    }
    if (o.shape() == Shape.CLEAN_CLOSE) {
      extra.put("checkpointBytesPerEvent", Trials.round(checkpointBytes / (double) n, 1));
    }
    if (o.shape() == Shape.CRASH) {
      double footers = all.get(Shape.NO_CHECKPOINT).medianMicros();
      double active = scan * l.fromScan() / (double) n;
      extra.put("activeSegmentEvents", (double) l.fromScan());
      extra.put("footersPlusActiveScanMicros", Trials.round(footers + active, 0));
    }
    if (!Double.isNaN(o.indexBytesPerEvent())) {
      extra.put("indexBytesPerEvent", Trials.round(o.indexBytesPerEvent(), 1));
    }
    extra.put("fromCheckpoint", (double) l.fromCheckpoint());
    extra.put("fromSeals", (double) l.fromSeals());
    extra.put("fromScan", (double) l.fromScan());
    long phased = 0;
    for (OpenReport.Phase p : l.phases()) {
      extra.put("phase_" + p.name() + "_micros", (double) p.micros());
      phased += p.micros();
    }
    extra.put("phase_other_micros", (double) Math.max(0, o.median().elapsedMicros() - phased));
    return Result.ok(
        ROWS.get(o.shape()),
        SYSTEM,
        note(o.shape())
            + " of "
            + n
            + " events, from page cache; "
            + o.micros().length
            + " opens (p50 = median, p99 = slowest); source "
            + l.source(),
        n,
        o.medianMicros() / 1e6,
        o.medianMicros(),
        o.slowestMicros(),
        extra);
  }

  private static String note(Shape shape) {
    switch (shape) {
      case CLEAN_CLOSE:
        return "Store.open after a clean close (index checkpoint)";
      case NO_CHECKPOINT:
        return "Store.open without index.ckpt, every segment sealed (footers only)";
      case CRASH:
        return "Store.open after a crash: no index.ckpt, newest segment unsealed (footers of the"
            + " older segments, scan of the newest)";
      default:
        return "Store.open without index.ckpt or any seal (full scan of every frame)";
    }
  }
}
