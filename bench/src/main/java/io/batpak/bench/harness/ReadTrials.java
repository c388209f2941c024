package io.batpak.bench.harness;

import io.batpak.AppendReceipt;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToIntFunction;
import org.HdrHistogram.Histogram;

/**
 * The read workloads: W5, W5-get, W6, W6-headers and W8 on one store populated once, and
 * W5-batchframe on the store W4 wrote. Not thread-safe: one run at a time.
 */
final class ReadTrials {
  private final Trials trials;
  private final Settings s;

  ReadTrials(Trials trials) {
    this.trials = trials;
    this.s = trials.settings();
  }

  /** Point reads of events stored in 256-event batch frames (the W4 store): batpak only. */
  Result batchFramePointReads(BatpakSystem sut, List<Object> keys) {
    if (keys.isEmpty()) {
      return Result.na("W5-batchframe", sut.name(), "no keys");
    }
    Trials.Outcome o =
        reads(sut.name(), "W5-batchframe", keys.size(), i -> sut.readPoint(keys.get(i)), 1);
    return Result.ok(
        "W5-batchframe",
        sut.name(),
        "get(id) of events appended by appendBatch(256) (one frame per batch)",
        o.measured(),
        o.seconds(),
        Trials.micros(o.latencyNanos(), 50),
        Trials.micros(o.latencyNanos(), 99),
        Map.of());
  }

  /** Reads {@code op} over random indexes below {@code bound}; {@code perOp} events per op. */
  private Trials.Outcome reads(
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
    return new Trials.Outcome(
        new EventChecksum(0, sink), measured, (lastEnd - measureStart) / 1e9, h, Map.of(), "");
  }

  /** Fills a store for the read workloads and returns the keys, plus what was sent. */
  private EventChecksum populate(SystemUnderTest sut, Payloads p, List<Object> keys)
      throws Exception {
    int n = s.populate();
    int hotEvery = Math.max(1, n / s.hotEvents());
    EventGenerator g = new EventGenerator(p, s.seed() + 7, 0, 1);
    long[] acc = new long[2];
    List<EventToAppend> pending = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      EventToAppend e = (i % hotEvery == 0 && g.hotSent() < s.hotEvents()) ? g.nextHot() : g.next();
      pending.add(e);
      acc[0]++;
      acc[1] += e.contribution();
    }
    if (sut.hasSubmit()) {
      Semaphore permits = new Semaphore(1024);
      AtomicReference<Throwable> error = new AtomicReference<>();
      List<Object> sync = Collections.synchronizedList(keys);
      for (EventToAppend e : pending) {
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
        throw new IllegalStateException("populate failed: " + Trials.describe(error.get()));
      }
    } else {
      for (int i = 0; i < pending.size(); i += AppendLoops.BATCH) {
        keys.addAll(
            sut.appendBatch(pending.subList(i, Math.min(pending.size(), i + AppendLoops.BATCH))));
      }
    }
    return new EventChecksum(acc[0], acc[1]);
  }

  /** W5, W6 and W8 on one populated store. */
  List<Result> readRows(SystemUnderTest sut) {
    String name = sut.name();
    List<String> names = new ArrayList<>(List.of("W5", "W6", "W8"));
    if (sut instanceof BatpakSystem) {
      names.addAll(List.of("W5-get", "W6-headers"));
    }
    List<Result> out = new ArrayList<>();
    Path dir = null;
    try {
      dir = trials.freshDir(name, "reads");
      sut.open(dir);
      List<Object> keys = new ArrayList<>();
      long t0 = System.nanoTime();
      EventChecksum sent = populate(sut, trials.payloads256(), keys);
      trials
          .log()
          .printf(
              "          %-15s populated %d events in %.1f s%n",
              name, sent.count(), (System.nanoTime() - t0) / 1e9);
      String hot = trials.payloads256().entity(Payloads.HOT);
      String unsupported = sut.pointReadUnsupported();
      if (unsupported != null) {
        out.add(trials.report(Result.na("W5", name, unsupported)));
      } else {
        out.add(
            trials.report(
                readRow(
                    "W5",
                    name,
                    "point read by id, hot (payload bytes)",
                    reads(
                        name, "W5", keys.size(), i -> call(() -> sut.readPoint(keys.get(i))), 1))));
      }
      if (sut instanceof BatpakSystem) {
        BatpakSystem b = (BatpakSystem) sut;
        out.add(
            trials.report(
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
          trials.report(
              readRow(
                  "W6",
                  name,
                  "stream read of one entity ("
                      + s.hotEvents()
                      + " events among "
                      + sent.count()
                      + "), payloads included; latency per stream",
                  reads(name, "W6", 1, i -> call(() -> sut.readStream(hot)), s.hotEvents()))));
      if (sut instanceof BatpakSystem) {
        BatpakSystem b = (BatpakSystem) sut;
        out.add(
            trials.report(
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
          trials.report(
              Result.ok(
                  "W8",
                  name,
                  sut.openAndCountHow()
                      + sent.count()
                      + " events from page cache ("
                      + opens.length
                      + " reopens; p50 = median open, p99 = slowest)",
                  sent.count(),
                  median / 1e6,
                  median,
                  opens[opens.length - 1],
                  Map.of())));
      String unfair = Trials.fairness(sut, sent);
      if (unfair != null) {
        out.replaceAll(r -> Result.failed(r.workload(), name, unfair));
        out.forEach(trials::report);
      }
    } catch (Throwable t) {
      for (String w : names) {
        if (out.stream().noneMatch(r -> r.workload().equals(w))) {
          out.add(trials.report(Result.failed(w, name, Trials.describe(t))));
        }
      }
    } finally {
      try {
        sut.close();
      } catch (Exception e) {
        trials.log().println("  (closing " + name + " failed: " + Trials.describe(e) + ")");
      }
      Trials.deleteTree(dir);
    }
    return out;
  }

  private static Result readRow(String workload, String system, String note, Trials.Outcome o) {
    return Result.ok(
        workload,
        system,
        note,
        o.measured(),
        o.seconds(),
        Trials.micros(o.latencyNanos(), 50),
        Trials.micros(o.latencyNanos(), 99),
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
}
