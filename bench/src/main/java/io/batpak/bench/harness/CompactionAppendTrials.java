package io.batpak.bench.harness;

import static io.batpak.bench.harness.CompactionTrials.APPEND;
import static io.batpak.bench.harness.CompactionTrials.APPEND_PACED;
import static io.batpak.bench.harness.CompactionTrials.APPEND_QUIET;
import static io.batpak.bench.harness.CompactionTrials.PACED_BYTES_PER_SECOND;
import static io.batpak.bench.harness.CompactionTrials.posix;
import static io.batpak.bench.harness.CompactionTrials.scan;

import io.batpak.AppendOptions;
import io.batpak.CompactionConfig;
import io.batpak.CompactionResult;
import io.batpak.Coordinate;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.bench.harness.Trials.Outcome;
import io.batpak.port.StoreFs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;

/**
 * W9's append rows ({@link CompactionTrials} describes them): W2-32 on a store with older sealed
 * segments, quiet ({@code W9-append-quiet}), while a thread compacts in a loop ({@code W9-append}),
 * and while it compacts paced ({@code W9-append-paced}). batpak only. Not thread-safe: one run at a
 * time.
 */
final class CompactionAppendTrials {
  private static final String SYSTEM = Report.BATPAK;

  /** Entities of the older events W9-append's store starts with. */
  private static final String OLD = "w9-old-";

  /** How many rounds of W9-append's compaction loop drop all the older events. */
  private static final int SLICES = 64;

  private final Trials trials;
  private final AppendLoops loops;
  private final CompactionTrials.Sizes sizes;

  CompactionAppendTrials(Trials trials, AppendLoops loops, CompactionTrials.Sizes sizes) {
    this.trials = trials;
    this.loops = loops;
    this.sizes = sizes;
  }

  /** What one W9-append trial measured. */
  private record AppendRun(Outcome outcome, long syncs, long old, Compactions compactions) {
    double eventsPerSecond() {
      return outcome.measured() / outcome.seconds();
    }
  }

  /**
   * The W9-append rows: {@code rounds} rounds of one trial per row (quiet, compacting, paced), the
   * order rotated from one round to the next so that a drift in the machine's load weighs on all
   * three; each row pools its trials (events and seconds summed, latencies merged).
   */
  List<Result> rows() {
    int rounds = sizes.rounds();
    List<String> rows = List.of(APPEND_QUIET, APPEND, APPEND_PACED);
    Map<String, List<AppendRun>> runs = new LinkedHashMap<>();
    rows.forEach(row -> runs.put(row, new ArrayList<>()));
    try {
      for (int round = 0; round < rounds; round++) {
        for (int k = 0; k < rows.size(); k++) {
          String row = rows.get((round + k) % rows.size());
          AppendRun r = appendTrial(row);
          runs.get(row).add(r);
          trials
              .log()
              .printf(
                  "          %-15s %-15s round %d: %.0f events/s%s%n",
                  SYSTEM,
                  row,
                  round,
                  r.eventsPerSecond(),
                  row.equals(APPEND_QUIET)
                      ? ""
                      : Report.fmt(
                          " (%d compactions, %.1f MB)",
                          r.compactions().performed, r.compactions().bytes / 1e6));
        }
      }
    } catch (Throwable t) {
      List<Result> failed = new ArrayList<>();
      for (String row : rows) {
        failed.add(trials.report(Result.failed(row, SYSTEM, Trials.describe(t))));
      }
      return failed;
    }
    List<Result> out = new ArrayList<>();
    for (String row : rows) {
      out.add(trials.report(pooled(row, runs.get(row))));
    }
    return out;
  }

  private static Result pooled(String row, List<AppendRun> runs) {
    boolean compacting = !row.equals(APPEND_QUIET);
    long measured = 0;
    double seconds = 0;
    long sent = 0;
    long syncs = 0;
    long performed = 0;
    long bytes = 0;
    Histogram h = new Histogram(3);
    StringBuilder each = new StringBuilder();
    for (AppendRun r : runs) {
      measured += r.outcome().measured();
      seconds += r.outcome().seconds();
      sent += r.outcome().sent().count();
      syncs += r.syncs();
      performed += r.compactions().performed;
      bytes += r.compactions().bytes;
      h.add(r.outcome().latencyNanos());
      each.append(each.length() == 0 ? "" : ", ").append(Report.fmt("%.0f", r.eventsPerSecond()));
    }
    Map<String, Double> extra = new LinkedHashMap<>();
    if (syncs > 0) {
      extra.put("eventsPerFsync", Trials.round((double) sent / syncs, 1));
    }
    extra.put("trials", (double) runs.size());
    extra.put("olderEvents", (double) runs.get(0).old());
    if (compacting) {
      extra.put("compactions", (double) performed);
      extra.put("compactedMB", Trials.round(bytes / 1e6, 1));
    }
    return Result.ok(
        row,
        SYSTEM,
        "W2-32 (32 blocking producers) on a store with "
            + runs.get(0).old()
            + " older events in sealed segments"
            + (compacting
                ? ", while a thread compacts in a loop (RETAIN dropping the next 1/"
                    + SLICES
                    + " of the older events each round"
                    + (row.equals(APPEND_PACED)
                        ? ", output paced to " + (PACED_BYTES_PER_SECOND >> 20) + " MiB/s)"
                        : ")")
                : ", no compaction")
            + "; "
            + runs.size()
            + " trials pooled, alternating with the other rows' (events/s each: "
            + each
            + ")",
        measured,
        seconds,
        Trials.micros(h, 50),
        Trials.micros(h, 99),
        extra);
  }

  /**
   * One W2-32 trial on a fresh store with older sealed segments, with or without the compaction
   * loop; checks that the producers' events are all there and the older ones the loop kept.
   *
   * @throws IllegalStateException if a check fails or the loop failed
   */
  private AppendRun appendTrial(String row) throws Exception {
    boolean compacting = !row.equals(APPEND_QUIET);
    CompactionTrials.Sizes z = sizes;
    BatpakSystem sut = new BatpakSystem(false);
    Path dir = null;
    Thread loop = null;
    Compactions c = new Compactions();
    try {
      dir = trials.freshDir(SYSTEM, row);
      long old;
      try (StoreFs fs = posix()) {
        old = populateOld(fs, dir, z.oldSegments(), z.oldPer());
      }
      sut.resetCounters();
      sut.open(dir);
      Store store = sut.store();
      if (compacting) {
        long rate = row.equals(APPEND_PACED) ? PACED_BYTES_PER_SECOND : 0;
        loop = new Thread(() -> c.run(store, old, rate), "bench-w9-compaction");
        loop.start();
      }
      WindowEvent window = WindowEvent.start(SYSTEM, row);
      Outcome o = loops.blocking(sut, trials.payloads256(), 32);
      window.commit();
      c.stop = true;
      if (loop != null) {
        loop.join();
        loop = null;
      }
      if (c.error.get() != null) {
        throw new IllegalStateException(
            row + ": the compaction loop failed: " + Trials.describe(c.error.get()), c.error.get());
      }
      EventChecksum held = scan(store, h -> !h.entity().startsWith(OLD));
      if (!held.equals(o.sent())) {
        throw new IllegalStateException(
            row
                + ": fairness check failed: acknowledged "
                + o.sent()
                + " but the store holds "
                + held);
      }
      long oldLeft = scan(store, h -> h.entity().startsWith(OLD)).count();
      if (oldLeft != old - c.dropped) {
        throw new IllegalStateException(
            row
                + ": the store holds "
                + oldLeft
                + " older events; "
                + old
                + " were appended and the compactions dropped "
                + c.dropped);
      }
      return new AppendRun(o, sut.counters().get("syncs"), old, c);
    } finally {
      c.stop = true;
      if (loop != null) {
        try {
          loop.join();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      try {
        sut.close();
      } catch (Exception e) {
        trials.log().println("  (closing " + SYSTEM + " failed: " + Trials.describe(e) + ")");
      }
      Trials.deleteTree(dir);
    }
  }

  /** The compaction loop of W9-append: its rounds and what they did. */
  private static final class Compactions {
    volatile boolean stop;
    final AtomicReference<Throwable> error = new AtomicReference<>();
    long performed;
    long bytes;
    long dropped;

    void run(Store store, long old, long bytesPerSecond) {
      long slice = Math.max(1, old / SLICES);
      try {
        for (int round = 1; !stop; round++) {
          long boundary = Math.min(old, round * slice);
          CompactionResult r =
              store.compact(
                  CompactionConfig.retain(
                          e ->
                              !e.header().entity().startsWith(OLD)
                                  || e.header().globalSequence() >= boundary)
                      .maxBytesPerSecond(bytesPerSecond));
          if (r.outcome() == CompactionResult.Outcome.FAILED) {
            throw new IllegalStateException("compaction failed: " + r.reason());
          }
          if (r.outcome() == CompactionResult.Outcome.PERFORMED) {
            performed++;
            bytes += r.bytesBefore();
            // The older events hold global sequences 0 .. old - 1, so a performed round leaves
            // exactly those from the boundary on. (r.eventsDropped() counts again the events an
            // earlier round dropped, whose records the round copied, so it is not summed.)
            dropped = boundary;
          }
        }
      } catch (Throwable t) {
        error.compareAndSet(null, t);
      }
    }
  }

  /**
   * Fills {@code dir} with {@code segments} sealed segments of {@code per} events of entities
   * {@code w9-old-*} (no expected version), one open/append/close cycle each; returns how many.
   */
  private long populateOld(StoreFs fs, Path dir, int segments, int per) throws Exception {
    Payloads p = trials.payloads256();
    long n = 0;
    for (int c = 0; c < segments; c++) {
      try (Store store = Store.open(StoreConfig.builder(dir).fs(fs).build())) {
        Semaphore permits = new Semaphore(1024);
        AtomicReference<Throwable> error = new AtomicReference<>();
        for (int k = 0; k < per && error.get() == null; k++) {
          permits.acquire();
          store
              .submit(
                  Coordinate.of(OLD + (n % 1000), "w9"),
                  BatpakSystem.KIND,
                  p.wrapped((int) (n % Payloads.POOL)),
                  AppendOptions.defaults())
              .whenComplete(
                  (r, x) -> {
                    if (x != null) {
                      error.compareAndSet(null, x);
                    }
                    permits.release();
                  });
          n++;
        }
        if (!permits.tryAcquire(1024, 120, TimeUnit.SECONDS) || error.get() != null) {
          throw new IllegalStateException(
              "W9 populate failed: "
                  + (error.get() == null ? "appends outstanding" : Trials.describe(error.get())),
              error.get());
        }
      }
    }
    return n;
  }
}
