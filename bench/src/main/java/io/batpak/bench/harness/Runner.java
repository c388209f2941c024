package io.batpak.bench.harness;

import io.batpak.AppendReceipt;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToIntFunction;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SynchronizedHistogram;

/**
 * Runs the workloads against one system at a time and checks after every trial that the system
 * holds exactly the events it acknowledged (count and checksum); a trial that fails the check is
 * reported as failed. Not thread-safe: one run at a time.
 */
final class Runner {
  /** Raw flush batch sizes (frames per fsync). */
  static final int[] RAW_N = {1, 8, 32, 64, 128, 256};

  /** Events per batch in W4 and when populating peers. */
  static final int BATCH = 256;

  private final Settings s;
  private final PrintStream log;
  private final Payloads p256;
  private final Payloads p64;
  private final Payloads p1k;
  private final long started = System.nanoTime();

  Runner(Settings s, PrintStream log) {
    this.s = s;
    this.log = log;
    this.p256 = Payloads.create(256, s.seed());
    this.p64 = Payloads.create(64, s.seed() + 1);
    this.p1k = Payloads.create(1024, s.seed() + 2);
  }

  /** The systems by name. */
  static Sut sut(String name) {
    switch (name) {
      case "batpak-durable":
        return new BatpakSut(false);
      case "batpak-visible":
        return new BatpakSut(true);
      case "sqlite":
        return JdbcSut.sqlite();
      case "h2":
        return JdbcSut.h2();
      case "axon":
        return new AxonSut();
      default:
        throw new IllegalArgumentException("unknown system: " + name);
    }
  }

  /**
   * Adds {@code r} and, for a batpak-durable row, the raw-disk baseline measured right after it at
   * the N it compares with (1 for W1, 256 for W4, the achieved events per fsync for W2), as system
   * {@code raw-disk-paired} under the same workload: seconds apart instead of minutes, so a
   * neighbour's burst of I/O is less likely to land on only one of the two.
   */
  private void paired(List<Result> out, Result r) {
    out.add(r);
    if (!r.ok() || !r.system().equals(Report.BATPAK) || !want("raw-disk-paired")) {
      return;
    }
    int n = Report.rawNFor(r);
    if (n <= 0) {
      return;
    }
    Result raw = raw("raw-disk", n);
    out.add(
        report(
            new Result(
                r.workload(),
                Report.PAIRED,
                raw.status(),
                raw.ok() ? "raw-disk N=" + n + " measured right after batpak's trial" : raw.note(),
                raw.events(),
                raw.seconds(),
                raw.p50Micros(),
                raw.p99Micros(),
                Map.of("n", (double) n))));
  }

  private boolean want(String workload) {
    return s.workloads().isEmpty() || s.workloads().contains(workload);
  }

  /** Runs every workload that applies to {@code system}. */
  List<Result> run(String system) {
    List<Result> out = new ArrayList<>();
    switch (system) {
      case "raw-disk":
      case "raw-cpu":
        for (int n : RAW_N) {
          if (want("raw N=" + n)) {
            out.add(report(raw(system, n)));
          }
        }
        if (system.equals("raw-disk") && want("raw N=1 prewritten")) {
          out.add(report(rawPrewritten()));
        }
        if (system.equals("raw-cpu") && want("handoff")) {
          out.add(report(handoff()));
        }
        return out;
      case "batpak-visible":
        {
          Sut sut = sut(system);
          if (want("W3-submit")) {
            out.add(report(trial("W3-submit", sut, x -> pipelined(x, p256, 1024), null)));
          }
          if (want("W3-blocking")) {
            out.add(report(trial("W3-blocking", sut, x -> blocking(x, p256, 1), null)));
          }
          return out;
        }
      default:
        break;
    }
    Sut sut = sut(system);
    if (want("W1")) {
      paired(out, report(trial("W1", sut, x -> blocking(x, p256, 1), null)));
    }
    if (want("W2-8")) {
      paired(out, report(trial("W2-8", sut, x -> blocking(x, p256, 8), null)));
    }
    if (want("W2-32")) {
      paired(out, report(trial("W2-32", sut, x -> blocking(x, p256, 32), null)));
    }
    if (!want("W2s")) {
      // skipped
    } else if (sut.hasSubmit()) {
      paired(out, report(trial("W2s", sut, x -> pipelined(x, p256, 256), null)));
    } else {
      int threads =
          sut.maxConcurrentWriters() > 0 ? Math.min(256, sut.maxConcurrentWriters()) : 256;
      Result r = trial("W2s", sut, x -> blocking(x, p256, threads), null);
      out.add(
          report(
              r.ok()
                  ? withNote(
                      r,
                      "no pipelined append: a pool of "
                          + threads
                          + " threads with blocking calls"
                          + (threads < 256
                              ? " (H2 refuses a 256th open transaction: at most 255)"
                              : ""))
                  : r));
    }
    List<Object> batchKeys = new ArrayList<>();
    if (want("W4") || want("W5-batchframe")) {
      paired(
          out,
          report(
              trial(
                  "W4",
                  sut,
                  x -> batches(x, p256, batchKeys),
                  sut instanceof BatpakSut
                      ? x -> out.add(report(batchFramePointReads((BatpakSut) x, batchKeys)))
                      : null)));
    }
    if (want("W4-64B")) {
      out.add(report(trial("W4-64B", sut, x -> batches(x, p64, new ArrayList<>()), null)));
    }
    if (want("W4-1KiB")) {
      out.add(report(trial("W4-1KiB", sut, x -> batches(x, p1k, new ArrayList<>()), null)));
    }
    if (want("W5") || want("W6") || want("W8") || want("W5-get") || want("W6-headers")) {
      out.addAll(reads(sut));
    }
    return out;
  }

  private static Result withNote(Result r, String note) {
    return new Result(
        r.workload(),
        r.system(),
        r.status(),
        note,
        r.events(),
        r.seconds(),
        r.p50Micros(),
        r.p99Micros(),
        r.extra());
  }

  private Result report(Result r) {
    double t = (System.nanoTime() - started) / 1e9;
    if (r.ok()) {
      log.printf(
          "[%6.1fs] %-15s %-14s %12.0f ev/s  p50 %9.1f µs  p99 %9.1f µs%s%n",
          t,
          r.system(),
          r.workload(),
          r.eventsPerSecond(),
          r.p50Micros(),
          r.p99Micros(),
          r.extra().isEmpty() ? "" : "  " + r.extra());
    } else {
      log.printf(
          "[%6.1fs] %-15s %-14s %s: %s%n", t, r.system(), r.workload(), r.status(), r.note());
    }
    log.flush();
    return r;
  }

  // ---------------------------------------------------------------------------------------------
  // Trials

  /** What a workload body measured and what it sent. */
  record Outcome(
      Check sent,
      long measured,
      double seconds,
      Histogram latencyNanos,
      Map<String, Double> extra,
      String note) {}

  interface Body {
    Outcome run(Sut sut) throws Exception;
  }

  interface After {
    void run(Sut sut) throws Exception;
  }

  private Path freshDir(String system, String workload) throws IOException {
    Files.createDirectories(s.work());
    return Files.createTempDirectory(s.work(), system + "-" + workload + "-");
  }

  static void deleteTree(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException e) {
                  // best effort
                }
              });
    } catch (IOException e) {
      // best effort
    }
  }

  private Result trial(String workload, Sut sut, Body body, After after) {
    Path dir = null;
    try {
      dir = freshDir(sut.name(), workload);
      if (sut instanceof BatpakSut) {
        ((BatpakSut) sut).resetCounters();
      }
      sut.open(dir);
      WindowEvent window = WindowEvent.start(sut.name(), workload);
      Outcome o = body.run(sut);
      window.commit();
      String unfair = fairness(sut, o.sent());
      if (unfair != null) {
        return Result.failed(workload, sut.name(), unfair);
      }
      Map<String, Double> extra = new LinkedHashMap<>(o.extra());
      Map<String, Long> counters = sut.counters();
      if (counters.containsKey("syncs") && counters.get("syncs") > 0) {
        extra.put("eventsPerFsync", round((double) o.sent().count() / counters.get("syncs"), 1));
      }
      if (after != null) {
        after.run(sut);
      }
      return Result.ok(
          workload,
          sut.name(),
          o.note(),
          o.measured(),
          o.seconds(),
          micros(o.latencyNanos(), 50),
          micros(o.latencyNanos(), 99),
          extra);
    } catch (Throwable t) {
      return Result.failed(workload, sut.name(), describe(t));
    } finally {
      try {
        sut.close();
      } catch (Exception e) {
        log.println("  (closing " + sut.name() + " failed: " + describe(e) + ")");
      }
      deleteTree(dir);
    }
  }

  static String describe(Throwable t) {
    String m = t.getClass().getSimpleName() + ": " + t.getMessage();
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (root != t) {
      m += " (cause: " + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
    }
    return m.length() > 400 ? m.substring(0, 400) + "…" : m;
  }

  /** Null when the system holds exactly what it acknowledged, else what differs. */
  private static String fairness(Sut sut, Check sent) throws Exception {
    Check held = sut.scan();
    if (held.equals(sent)) {
      return null;
    }
    return "fairness check failed: acknowledged "
        + sent.count()
        + " events (checksum "
        + Long.toHexString(sent.checksum())
        + ") but the system holds "
        + held.count()
        + " (checksum "
        + Long.toHexString(held.checksum())
        + ")";
  }

  static double micros(Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1000.0;
  }

  static double round(double v, int digits) {
    double f = Math.pow(10, digits);
    return Math.round(v * f) / f;
  }

  // ---------------------------------------------------------------------------------------------
  // Append bodies

  /** {@code threads} producers, each appending one event at a time and waiting for it. */
  private Outcome blocking(Sut sut, Payloads p, int threads) throws Exception {
    long warm = System.nanoTime();
    long measureStart = warm + TimeUnit.MILLISECONDS.toNanos(s.warmupMillis());
    long end = measureStart + TimeUnit.MILLISECONDS.toNanos(s.measureMillis());
    long capPerThread = Math.max(1, s.maxEvents() / threads);
    AtomicReference<Throwable> error = new AtomicReference<>();
    Histogram[] hs = new Histogram[threads];
    long[] counts = new long[threads];
    long[] sums = new long[threads];
    long[] measured = new long[threads];
    long[] lastEnd = new long[threads];
    Thread[] ts = new Thread[threads];
    for (int i = 0; i < threads; i++) {
      int id = i;
      hs[i] = new Histogram(3);
      ts[i] =
          new Thread(
              () -> {
                Gen g = new Gen(p, s.seed(), id, threads);
                Histogram h = hs[id];
                try {
                  while (error.get() == null) {
                    long t0 = System.nanoTime();
                    if (t0 >= end || measured[id] >= capPerThread) {
                      break;
                    }
                    Ev e = g.next();
                    sut.append(e);
                    long t1 = System.nanoTime();
                    counts[id]++;
                    sums[id] += e.contribution();
                    if (t0 >= measureStart) {
                      h.recordValue(t1 - t0);
                      measured[id]++;
                      lastEnd[id] = t1;
                    }
                  }
                } catch (Throwable t) {
                  error.compareAndSet(null, t);
                }
              },
              "bench-producer-" + i);
      ts[i].start();
    }
    for (Thread t : ts) {
      t.join();
    }
    if (error.get() != null) {
      throw new IllegalStateException("a producer failed: " + describe(error.get()), error.get());
    }
    Histogram all = new Histogram(3);
    long n = 0;
    long count = 0;
    long sum = 0;
    long last = measureStart;
    for (int i = 0; i < threads; i++) {
      all.add(hs[i]);
      n += measured[i];
      count += counts[i];
      sum += sums[i];
      last = Math.max(last, lastEnd[i]);
    }
    return new Outcome(
        new Check(count, sum),
        n,
        (last - measureStart) / 1e9,
        all,
        Map.of(),
        threads + " blocking producer" + (threads == 1 ? "" : "s"));
  }

  /** One thread submitting with up to {@code outstanding} appends in flight. */
  private Outcome pipelined(Sut sut, Payloads p, int outstanding) throws Exception {
    long warm = System.nanoTime();
    long measureStart = warm + TimeUnit.MILLISECONDS.toNanos(s.warmupMillis());
    long end = measureStart + TimeUnit.MILLISECONDS.toNanos(s.measureMillis());
    Semaphore permits = new Semaphore(outstanding);
    AtomicReference<Throwable> error = new AtomicReference<>();
    SynchronizedHistogram h = new SynchronizedHistogram(3);
    AtomicLong count = new AtomicLong();
    AtomicLong sum = new AtomicLong();
    AtomicLong measured = new AtomicLong();
    AtomicLong lastEnd = new AtomicLong(measureStart);
    Gen g = new Gen(p, s.seed(), 0, 1);
    while (error.get() == null) {
      permits.acquire();
      long t0 = System.nanoTime();
      if (t0 >= end || measured.get() >= s.maxEvents()) {
        permits.release();
        break;
      }
      Ev e = g.next();
      CompletableFuture<?> f;
      try {
        f = sut.submit(e);
      } catch (RuntimeException x) {
        permits.release();
        error.compareAndSet(null, x);
        break;
      }
      f.whenComplete(
          (r, x) -> {
            long t1 = System.nanoTime();
            if (x != null) {
              error.compareAndSet(null, x);
            } else {
              count.incrementAndGet();
              sum.addAndGet(e.contribution());
              if (t0 >= measureStart) {
                h.recordValue(t1 - t0);
                measured.incrementAndGet();
                lastEnd.accumulateAndGet(t1, Math::max);
              }
            }
            permits.release();
          });
    }
    if (!permits.tryAcquire(outstanding, 60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("appends still outstanding 60 s after the end");
    }
    if (error.get() != null) {
      throw new IllegalStateException("an append failed: " + describe(error.get()), error.get());
    }
    Histogram copy = new Histogram(3);
    copy.add(h);
    return new Outcome(
        new Check(count.get(), sum.get()),
        measured.get(),
        (lastEnd.get() - measureStart) / 1e9,
        copy,
        Map.of(),
        "submit() from one thread, up to "
            + outstanding
            + " outstanding; latency = submit to done");
  }

  /** One thread appending batches of {@link #BATCH} events, each one transaction or frame. */
  private Outcome batches(Sut sut, Payloads p, List<Object> keysOut) throws Exception {
    long warm = System.nanoTime();
    long measureStart = warm + TimeUnit.MILLISECONDS.toNanos(s.warmupMillis());
    long end = measureStart + TimeUnit.MILLISECONDS.toNanos(s.measureMillis());
    Gen g = new Gen(p, s.seed(), 0, 1);
    Histogram h = new Histogram(3);
    long count = 0;
    long sum = 0;
    long measured = 0;
    long lastEnd = measureStart;
    long batchesMeasured = 0;
    long cpuStart = -1;
    long threadsCpuStart = -1;
    while (true) {
      long t0 = System.nanoTime();
      if (t0 >= end || measured >= s.maxEvents()) {
        break;
      }
      if (t0 >= measureStart && cpuStart < 0) {
        cpuStart = processCpuNanos();
        threadsCpuStart = javaThreadsCpuNanos();
      }
      List<Ev> batch = new ArrayList<>(BATCH);
      for (int i = 0; i < BATCH; i++) {
        batch.add(g.next());
      }
      List<Object> keys = sut.appendBatch(batch);
      long t1 = System.nanoTime();
      for (Ev e : batch) {
        sum += e.contribution();
      }
      count += BATCH;
      if (keysOut.size() < 100_000) {
        keysOut.addAll(keys);
      }
      if (t0 >= measureStart) {
        h.recordValue(t1 - t0);
        measured += BATCH;
        batchesMeasured++;
        lastEnd = t1;
      }
    }
    long cpu = processCpuNanos() - cpuStart;
    long threadsCpu = javaThreadsCpuNanos() - threadsCpuStart;
    Map<String, Double> extra = new LinkedHashMap<>();
    if (measured > 0 && cpuStart >= 0) {
      extra.put("cpuMicrosPerEvent", round(threadsCpu / 1000.0 / measured, 2));
      extra.put("processCpuMicrosPerEvent", round(cpu / 1000.0 / measured, 2));
    }
    Map<String, Long> counters = sut.counters();
    if (counters.containsKey("writes") && count > 0) {
      extra.put("writesPerBatch", round(counters.get("writes") / (double) (count / BATCH), 2));
    }
    return new Outcome(
        new Check(count, sum),
        measured,
        (lastEnd - measureStart) / 1e9,
        h,
        extra,
        "1 producer, " + BATCH + " events of " + p.size() + " B per batch; latency per batch");
  }

  /** CPU time of every live Java thread (producers, committer, completions; not GC or JIT). */
  static long javaThreadsCpuNanos() {
    java.lang.management.ThreadMXBean t = ManagementFactory.getThreadMXBean();
    long sum = 0;
    for (long id : t.getAllThreadIds()) {
      long c = t.getThreadCpuTime(id);
      if (c > 0) {
        sum += c;
      }
    }
    return sum;
  }

  static long processCpuNanos() {
    java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean) {
      return ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime();
    }
    return 0;
  }

  // ---------------------------------------------------------------------------------------------
  // Reads

  /** Point reads of events stored in 256-event batch frames (the W4 store): batpak only. */
  private Result batchFramePointReads(BatpakSut sut, List<Object> keys) {
    if (keys.isEmpty()) {
      return Result.na("W5-batchframe", sut.name(), "no keys");
    }
    Outcome o = reads(sut.name(), "W5-batchframe", keys.size(), i -> sut.readPoint(keys.get(i)), 1);
    return Result.ok(
        "W5-batchframe",
        sut.name(),
        "readRaw of events appended by appendBatch(256) (one frame per batch)",
        o.measured(),
        o.seconds(),
        micros(o.latencyNanos(), 50),
        micros(o.latencyNanos(), 99),
        Map.of());
  }

  /** Reads {@code op} over random indexes below {@code bound}; {@code perOp} events per op. */
  private Outcome reads(
      String system, String workload, int bound, ToIntFunction<Integer> op, int perOp) {
    WindowEvent window = WindowEvent.start(system, workload);
    long warm = System.nanoTime();
    long measureStart = warm + TimeUnit.MILLISECONDS.toNanos(s.warmupMillis() / 2);
    long end = measureStart + TimeUnit.MILLISECONDS.toNanos(s.measureMillis() / 2);
    SplittableRandom r = new SplittableRandom(s.seed());
    Histogram h = new Histogram(3);
    long measured = 0;
    long lastEnd = measureStart;
    long sink = 0;
    while (true) {
      long t0 = System.nanoTime();
      if (t0 >= end || measured >= s.maxEvents()) {
        break;
      }
      sink += op.applyAsInt(r.nextInt(bound));
      long t1 = System.nanoTime();
      if (t0 >= measureStart) {
        h.recordValue(t1 - t0);
        measured += perOp;
        lastEnd = t1;
      }
    }
    window.commit();
    return new Outcome(
        new Check(0, sink), measured, (lastEnd - measureStart) / 1e9, h, Map.of(), "");
  }

  /** Fills a store for the read workloads and returns the keys, plus what was sent. */
  private Check populate(Sut sut, Payloads p, List<Object> keys) throws Exception {
    int n = s.populate();
    int hotEvery = Math.max(1, n / s.hotEvents());
    Gen g = new Gen(p, s.seed() + 7, 0, 1);
    long[] acc = new long[2];
    List<Ev> pending = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Ev e = (i % hotEvery == 0 && g.hotSent() < s.hotEvents()) ? g.nextHot() : g.next();
      pending.add(e);
      acc[0]++;
      acc[1] += e.contribution();
    }
    if (sut.hasSubmit()) {
      Semaphore permits = new Semaphore(1024);
      AtomicReference<Throwable> error = new AtomicReference<>();
      List<Object> sync = Collections.synchronizedList(keys);
      for (Ev e : pending) {
        permits.acquire();
        if (error.get() != null) {
          permits.release();
          break;
        }
        sut.submit(e)
            .whenComplete(
                (r, x) -> {
                  if (x != null) {
                    error.compareAndSet(null, x);
                  } else {
                    sync.add(((AppendReceipt) r).eventId());
                  }
                  permits.release();
                });
      }
      if (!permits.tryAcquire(1024, 120, TimeUnit.SECONDS)) {
        throw new IllegalStateException("populate: appends outstanding after 120 s");
      }
      if (error.get() != null) {
        throw new IllegalStateException("populate failed: " + describe(error.get()));
      }
    } else {
      for (int i = 0; i < pending.size(); i += BATCH) {
        keys.addAll(sut.appendBatch(pending.subList(i, Math.min(pending.size(), i + BATCH))));
      }
    }
    return new Check(acc[0], acc[1]);
  }

  /** W5, W6 and W8 on one populated store. */
  private List<Result> reads(Sut sut) {
    String name = sut.name();
    List<String> names = new ArrayList<>(List.of("W5", "W6", "W8"));
    if (sut instanceof BatpakSut) {
      names.addAll(List.of("W5-get", "W6-headers"));
    }
    List<Result> out = new ArrayList<>();
    Path dir = null;
    try {
      dir = freshDir(name, "reads");
      sut.open(dir);
      List<Object> keys = new ArrayList<>();
      long t0 = System.nanoTime();
      Check sent = populate(sut, p256, keys);
      log.printf(
          "          %-15s populated %d events in %.1f s%n",
          name, sent.count(), (System.nanoTime() - t0) / 1e9);
      String hot = p256.entity(Payloads.HOT);
      String unsupported = sut.pointReadUnsupported();
      if (unsupported != null) {
        out.add(report(Result.na("W5", name, unsupported)));
      } else {
        out.add(
            report(
                readRow(
                    "W5",
                    name,
                    "point read by id, hot (payload bytes)",
                    reads(
                        name, "W5", keys.size(), i -> call(() -> sut.readPoint(keys.get(i))), 1))));
      }
      if (sut instanceof BatpakSut) {
        BatpakSut b = (BatpakSut) sut;
        out.add(
            report(
                readRow(
                    "W5-get",
                    name,
                    "get(id, BenchEvent.class): read and decode with the json codec",
                    reads(name, "W5-get", keys.size(), i -> b.readPointDecoded(keys.get(i)), 1))));
      }
      int hotCount = call(() -> sut.readStream(hot));
      if (hotCount != s.hotEvents()) {
        throw new IllegalStateException(
            "the hot stream has " + hotCount + " events, expected " + s.hotEvents());
      }
      out.add(
          report(
              readRow(
                  "W6",
                  name,
                  "stream read of one entity ("
                      + s.hotEvents()
                      + " events among "
                      + sent.count()
                      + "), payloads included; latency per stream",
                  reads(name, "W6", 1, i -> call(() -> sut.readStream(hot)), s.hotEvents()))));
      if (sut instanceof BatpakSut) {
        BatpakSut b = (BatpakSut) sut;
        out.add(
            report(
                readRow(
                    "W6-headers",
                    name,
                    "stream(entity): headers only; latency per stream",
                    reads(name, "W6-headers", 1, i -> b.readStreamHeaders(hot), s.hotEvents()))));
      }
      WindowEvent window = WindowEvent.start(name, "W8");
      double[] opens = new double[s.reopens()];
      for (int i = 0; i < opens.length; i++) {
        sut.close();
        long a = System.nanoTime();
        long c = sut.openAndCount(dir);
        opens[i] = (System.nanoTime() - a) / 1000.0;
        if (c != sent.count()) {
          throw new IllegalStateException("reopen counted " + c + " events, expected " + sent);
        }
      }
      window.commit();
      Arrays.sort(opens);
      double median = opens[opens.length / 2];
      out.add(
          report(
              Result.ok(
                  "W8",
                  name,
                  (sut instanceof BatpakSut
                          ? "Store.open (full scan: CRC of every frame, index rebuilt) of "
                          : "open + SELECT count(*) (no scan of the rows) of ")
                      + sent.count()
                      + " events from page cache ("
                      + opens.length
                      + " reopens; p50 = median open, p99 = slowest)",
                  sent.count(),
                  median / 1e6,
                  median,
                  opens[opens.length - 1],
                  Map.of())));
      String unfair = fairness(sut, sent);
      if (unfair != null) {
        out.replaceAll(r -> Result.failed(r.workload(), name, unfair));
        out.forEach(this::report);
      }
    } catch (Throwable t) {
      for (String w : names) {
        if (out.stream().noneMatch(r -> r.workload().equals(w))) {
          out.add(report(Result.failed(w, name, describe(t))));
        }
      }
    } finally {
      try {
        sut.close();
      } catch (Exception e) {
        log.println("  (closing " + name + " failed: " + describe(e) + ")");
      }
      deleteTree(dir);
    }
    return out;
  }

  private static Result readRow(String workload, String system, String note, Outcome o) {
    return Result.ok(
        workload,
        system,
        note,
        o.measured(),
        o.seconds(),
        micros(o.latencyNanos(), 50),
        micros(o.latencyNanos(), 99),
        Map.of());
  }

  interface IntCall {
    int call() throws Exception;
  }

  private static int call(IntCall c) {
    try {
      return c.call();
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Baselines

  private Result raw(String system, int n) {
    boolean disk = system.equals("raw-disk");
    String workload = "raw N=" + n;
    Path dir = null;
    try {
      dir = freshDir(system, "n" + n);
      ByteBuffer group = Raw.group(p256, n);
      int frame = Raw.frameSize(p256.size());
      long warm = System.nanoTime();
      long measureStart = warm + TimeUnit.MILLISECONDS.toNanos(s.warmupMillis());
      long end = measureStart + TimeUnit.MILLISECONDS.toNanos(s.measureMillis());
      Histogram h = new Histogram(3);
      long measured = 0;
      long lastEnd = measureStart;
      long position = 0;
      try (FileChannel ch = Raw.open(dir.resolve("raw.seg"))) {
        while (true) {
          long t0 = System.nanoTime();
          if (t0 >= end || measured >= s.maxEvents()) {
            break;
          }
          position += Raw.writeGroup(ch, group, position);
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
          micros(h, 50),
          micros(h, 99),
          Map.of("frameBytes", (double) frame));
    } catch (Throwable t) {
      return Result.failed(workload, system, describe(t));
    } finally {
      deleteTree(dir);
    }
  }

  /**
   * raw-disk N=1 over a file that was written full of zeros and synced first, so no append changes
   * the file's size or allocates blocks: {@code fdatasync} then has no metadata to commit. This is
   * not the engine's file policy (segments grow as they are appended to); it shows what a
   * preallocated, pre-written journal (as SQLite's reused WAL is) would gain.
   */
  private Result rawPrewritten() {
    String workload = "raw N=1 prewritten";
    Path dir = null;
    try {
      dir = freshDir("raw-disk", "prewritten");
      ByteBuffer group = Raw.group(p256, 1);
      int frame = Raw.frameSize(p256.size());
      long size = 64L << 20;
      try (FileChannel ch = Raw.open(dir.resolve("raw.seg"))) {
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
          position += Raw.writeGroup(ch, group, position);
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
            micros(h, 50),
            micros(h, 99),
            Map.of("frameBytes", (double) frame));
      }
    } catch (Throwable t) {
      return Result.failed(workload, "raw-disk", describe(t));
    } finally {
      deleteTree(dir);
    }
  }

  /** A blocking producer hands a future to another thread, which completes it. */
  private Result handoff() {
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
          micros(h, 50),
          micros(h, 99),
          Map.of());
    } catch (Throwable t) {
      return Result.failed("handoff", "raw-cpu", describe(t));
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
