package io.batpak.bench.harness;

import io.batpak.bench.harness.Trials.Outcome;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SynchronizedHistogram;

/**
 * The measured loops of the append workloads: blocking producers (W1, W2, W3-blocking), one
 * pipelined submitter (W2s, W3-submit) and one batch appender (W4). Each runs for the warm-up and
 * the measured window of the settings and returns what it measured and what it sent, for the
 * fairness check. Stateless apart from the settings; one loop at a time.
 */
final class AppendLoops {
  /** Events per batch in W4 and when populating the peers' read stores. */
  static final int BATCH = 256;

  private final Settings s;

  AppendLoops(Settings s) {
    this.s = s;
  }

  /** {@code threads} producers, each appending one event at a time and waiting for it. */
  Outcome blocking(SystemUnderTest sut, Payloads p, int threads) throws Exception {
    long cpuStart = processCpuNanos();
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
                EventGenerator g = new EventGenerator(p, s.seed(), id, threads);
                Histogram h = hs[id];
                try {
                  while (error.get() == null) {
                    long t0 = System.nanoTime();
                    if (t0 >= end || measured[id] >= capPerThread) {
                      break;
                    }
                    EventToAppend e = g.next();
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
      throw new IllegalStateException(
          "a producer failed: " + Trials.describe(error.get()), error.get());
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
    // Process CPU (every thread, JIT and GC included) per event over the whole trial, warm-up
    // included: on a shared machine a steadier figure than throughput (issue 12's signing costs).
    long cpu = processCpuNanos() - cpuStart;
    Map<String, Double> extra = new LinkedHashMap<>();
    if (count > 0 && cpuStart > 0) {
      extra.put("processCpuMicrosPerEvent", Trials.round(cpu / 1000.0 / count, 2));
    }
    putMaxLatency(extra, all);
    return new Outcome(
        new EventChecksum(count, sum),
        n,
        (last - measureStart) / 1e9,
        all,
        extra,
        threads + " blocking producer" + (threads == 1 ? "" : "s"));
  }

  /** One thread submitting with up to {@code outstanding} appends in flight. */
  Outcome pipelined(SystemUnderTest sut, Payloads p, int outstanding) throws Exception {
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
    EventGenerator g = new EventGenerator(p, s.seed(), 0, 1);
    while (error.get() == null) {
      permits.acquire();
      long t0 = System.nanoTime();
      if (t0 >= end || measured.get() >= s.maxEvents()) {
        permits.release();
        break;
      }
      EventToAppend e = g.next();
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
      throw new IllegalStateException(
          "an append failed: " + Trials.describe(error.get()), error.get());
    }
    Histogram copy = new Histogram(3);
    copy.add(h);
    return new Outcome(
        new EventChecksum(count.get(), sum.get()),
        measured.get(),
        (lastEnd.get() - measureStart) / 1e9,
        copy,
        Map.of(),
        "submit() from one thread, up to "
            + outstanding
            + " outstanding; latency = submit to done");
  }

  /** One thread appending batches of {@link #BATCH} events, each one transaction or frame. */
  Outcome batches(SystemUnderTest sut, Payloads p, List<Object> keysOut) throws Exception {
    long warm = System.nanoTime();
    long measureStart = warm + TimeUnit.MILLISECONDS.toNanos(s.warmupMillis());
    long end = measureStart + TimeUnit.MILLISECONDS.toNanos(s.measureMillis());
    EventGenerator g = new EventGenerator(p, s.seed(), 0, 1);
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
      List<EventToAppend> batch = new ArrayList<>(BATCH);
      for (int i = 0; i < BATCH; i++) {
        batch.add(g.next());
      }
      List<Object> keys = sut.appendBatch(batch);
      long t1 = System.nanoTime();
      for (EventToAppend e : batch) {
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
      extra.put("cpuMicrosPerEvent", Trials.round(threadsCpu / 1000.0 / measured, 2));
      extra.put("processCpuMicrosPerEvent", Trials.round(cpu / 1000.0 / measured, 2));
    }
    putMaxLatency(extra, h);
    Map<String, Long> counters = sut.counters();
    if (counters.containsKey("writes") && count > 0) {
      extra.put(
          "writesPerBatch", Trials.round(counters.get("writes") / (double) (count / BATCH), 2));
    }
    return new Outcome(
        new EventChecksum(count, sum),
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

  /**
   * The longest measured append (W4: batch), in µs: a stall that p99 does not show, such as one
   * that holds every writer for a second once in a window (ADR 0044).
   */
  private static void putMaxLatency(Map<String, Double> extra, Histogram latencyNanos) {
    if (latencyNanos.getTotalCount() > 0) {
      extra.put("maxLatencyMicros", Trials.micros(latencyNanos, 100));
    }
  }
}
