package io.batpak.bench.harness;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;

/**
 * The baselines batpak is divided by: raw-disk and raw-cpu at N frames per write (with and without
 * {@code force}), raw-disk over a pre-written file, and the raw-cpu thread hand-off. Checked by
 * file size, not by the fairness check. Not thread-safe: one run at a time.
 */
final class BaselineTrials {
  /** raw-disk and raw-cpu flush batch sizes (frames per write, and per fsync on raw-disk). */
  static final int[] RAW_N = {1, 8, 32, 64, 128, 256};

  private final Trials trials;
  private final Settings s;

  BaselineTrials(Trials trials) {
    this.trials = trials;
    this.s = trials.settings();
  }

  Result raw(String system, int n) {
    boolean disk = system.equals("raw-disk");
    String workload = "raw N=" + n;
    Path dir = null;
    try {
      dir = trials.freshDir(system, "n" + n);
      ByteBuffer group = RawDiskBaseline.group(trials.payloads256(), n);
      int frame = RawDiskBaseline.frameSize(trials.payloads256().size());
      long warm = System.nanoTime();
      long measureStart = warm + TimeUnit.MILLISECONDS.toNanos(s.warmupMillis());
      long end = measureStart + TimeUnit.MILLISECONDS.toNanos(s.measureMillis());
      Histogram h = new Histogram(3);
      long measured = 0;
      long lastEnd = measureStart;
      long position = 0;
      try (FileChannel ch = RawDiskBaseline.open(dir.resolve("raw.seg"))) {
        while (true) {
          long t0 = System.nanoTime();
          if (t0 >= end || measured >= s.maxEvents()) {
            break;
          }
          position += RawDiskBaseline.writeGroup(ch, group, position);
          if (disk) {
            ch.force(false);
          }
          long t1 = System.nanoTime();
          if (t0 >= measureStart) {
            h.recordValue(t1 - t0);
            measured += n;
            lastEnd = t1;
          }
        }
        if (ch.size() != position || position % frame != 0) {
          return Result.failed(workload, system, "file size " + ch.size() + " != " + position);
        }
      }
      return Result.ok(
          workload,
          system,
          n
              + " frames of "
              + frame
              + " B per write"
              + (disk ? " + force(false)" : ", no force")
              + "; latency per group",
          measured,
          (lastEnd - measureStart) / 1e9,
          Trials.micros(h, 50),
          Trials.micros(h, 99),
          Map.of("frameBytes", (double) frame));
    } catch (Throwable t) {
      return Result.failed(workload, system, Trials.describe(t));
    } finally {
      Trials.deleteTree(dir);
    }
  }

  /**
   * raw-disk N=1 over a file that was written full of zeros and synced first, so no append changes
   * the file's size or allocates blocks: {@code fdatasync} then has no metadata to commit. This is
   * not the engine's file policy (segments grow as they are appended to); it shows what a
   * preallocated, pre-written journal (as SQLite's reused WAL is) would gain.
   */
  Result rawPrewritten() {
    String workload = "raw N=1 prewritten";
    Path dir = null;
    try {
      dir = trials.freshDir("raw-disk", "prewritten");
      ByteBuffer group = RawDiskBaseline.group(trials.payloads256(), 1);
      int frame = RawDiskBaseline.frameSize(trials.payloads256().size());
      long size = 64L << 20;
      try (FileChannel ch = RawDiskBaseline.open(dir.resolve("raw.seg"))) {
        ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
        for (long pos = 0; pos < size; pos += zeros.capacity()) {
          zeros.clear();
          while (zeros.hasRemaining()) {
            ch.write(zeros, pos + zeros.position());
          }
        }
        ch.force(true);
        long warm = System.nanoTime();
        long measureStart = warm + TimeUnit.MILLISECONDS.toNanos(s.warmupMillis());
        long end = measureStart + TimeUnit.MILLISECONDS.toNanos(s.measureMillis());
        Histogram h = new Histogram(3);
        long measured = 0;
        long lastEnd = measureStart;
        long position = 0;
        while (position + frame <= size) {
          long t0 = System.nanoTime();
          if (t0 >= end || measured >= s.maxEvents()) {
            break;
          }
          position += RawDiskBaseline.writeGroup(ch, group, position);
          ch.force(false);
          long t1 = System.nanoTime();
          if (t0 >= measureStart) {
            h.recordValue(t1 - t0);
            measured++;
            lastEnd = t1;
          }
        }
        return Result.ok(
            workload,
            "raw-disk",
            "1 frame of "
                + frame
                + " B per write + force(false), over a file written full of zeros and synced"
                + " first (not the engine's file policy; for context)",
            measured,
            (lastEnd - measureStart) / 1e9,
            Trials.micros(h, 50),
            Trials.micros(h, 99),
            Map.of("frameBytes", (double) frame));
      }
    } catch (Throwable t) {
      return Result.failed(workload, "raw-disk", Trials.describe(t));
    } finally {
      Trials.deleteTree(dir);
    }
  }

  /** A blocking producer hands a future to another thread, which completes it. */
  Result handoff() {
    ArrayBlockingQueue<CompletableFuture<Long>> queue = new ArrayBlockingQueue<>(1024);
    AtomicReference<Boolean> stop = new AtomicReference<>(false);
    Thread worker =
        new Thread(
            () -> {
              try {
                while (!stop.get()) {
                  CompletableFuture<Long> f = queue.poll(10, TimeUnit.MILLISECONDS);
                  if (f != null) {
                    f.complete(1L);
                  }
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "bench-handoff");
    worker.start();
    try {
      long warm = System.nanoTime();
      long measureStart = warm + TimeUnit.MILLISECONDS.toNanos(s.warmupMillis());
      long end = measureStart + TimeUnit.MILLISECONDS.toNanos(s.measureMillis());
      Histogram h = new Histogram(3);
      long measured = 0;
      long lastEnd = measureStart;
      while (true) {
        long t0 = System.nanoTime();
        if (t0 >= end || measured >= s.maxEvents()) {
          break;
        }
        CompletableFuture<Long> f = new CompletableFuture<>();
        queue.put(f);
        f.get();
        long t1 = System.nanoTime();
        if (t0 >= measureStart) {
          h.recordValue(t1 - t0);
          measured++;
          lastEnd = t1;
        }
      }
      return Result.ok(
          "handoff",
          "raw-cpu",
          "producer -> ArrayBlockingQueue -> thread completes a CompletableFuture -> producer",
          measured,
          (lastEnd - measureStart) / 1e9,
          Trials.micros(h, 50),
          Trials.micros(h, 99),
          Map.of());
    } catch (Throwable t) {
      return Result.failed("handoff", "raw-cpu", Trials.describe(t));
    } finally {
      stop.set(true);
      try {
        worker.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
