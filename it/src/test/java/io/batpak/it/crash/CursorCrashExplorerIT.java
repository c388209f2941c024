package io.batpak.it.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.Cursor;
import io.batpak.CursorWorker;
import io.batpak.CursorWorkerConfig;
import io.batpak.EventKind;
import io.batpak.IdempotencyKey;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StoredEvent;
import io.batpak.fs.sim.CrashProfile;
import io.batpak.fs.sim.FaultRule;
import io.batpak.fs.sim.OpRecord;
import io.batpak.fs.sim.SimEntropy;
import io.batpak.fs.sim.SimSeed;
import io.batpak.fs.sim.SimSnapshot;
import io.batpak.fs.sim.SimStoreClock;
import io.batpak.fs.sim.SimStoreFs;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The crash-point explorer for cursor workers. A seeded workload opens a store on the simulator,
 * appends events (single appends and batches, some keyed, some outside the worker's region), then
 * runs a {@link CursorWorker} over {@link #REGION} that records every delivery, until it has saved
 * a checkpoint past the last event, and closes. The session runs once cleanly to count its file
 * system operations; then, for every operation k, the same session runs with a power loss just
 * before operation k, the disk is crashed with every {@link CrashProfile}, the store reopened and a
 * second worker on the same checkpoint id run to the end. Judged:
 *
 * <ul>
 *   <li>the store opens and the checkpoint is readable (a crash never leaves a damaged one);
 *   <li>the checkpoint never goes back past the last one the first run saved (known from the
 *       handler: batch n is handed over only after batch n−1's checkpoint was saved), and never
 *       claims an event whose handler had not returned;
 *   <li>the second run delivers nothing before the checkpoint it resumed from;
 *   <li>at least once: every acknowledged event of the region is delivered in one run or the other;
 *   <li>a redelivered event is the same event: id, payload bytes, content and event hash.
 * </ul>
 *
 * Deterministic: the appends run before the worker starts, and the test thread reads no file while
 * the worker runs (it watches the applied watermark), so one seed gives one operation sequence.
 * Property: {@code -Dbatpak.test.seed=N}.
 */
class CursorCrashExplorerIT {
  static final long DEFAULT_SEED = 0xC0250FL;
  static final Path DIR = Path.of("/sim/cursor");
  static final Region REGION = Region.entity("order");
  static final String ID = "explorer";
  static final EventKind KIND = EventKind.custom(0xC, 0x2C1);

  static String replay(long seed) {
    return "mvn -B verify -pl it -Dit.test=CursorCrashExplorerIT -Dbatpak.test.seed=" + seed;
  }

  /** One append (or batch item) of the workload: its tag (payload's first four bytes). */
  record Ev(int tag, String entity, byte[] payload, IdempotencyKey key) {
    boolean inRegion() {
      return entity.startsWith("order");
    }
  }

  /** The workload: appends in groups (a group of more than one is one batch). */
  static final class Workload {
    final long seed;
    final List<List<Ev>> groups = new ArrayList<>();
    final int batchSize;

    Workload(long seed) {
      this.seed = seed;
      SplittableRandom r = new SplittableRandom(seed);
      int tag = 1;
      int n = 10 + r.nextInt(4);
      for (int g = 0; g < n; g++) {
        List<Ev> group = new ArrayList<>();
        int size = r.nextInt(4) == 0 ? 2 + r.nextInt(2) : 1;
        for (int i = 0; i < size; i++) {
          boolean last = g == n - 1 && i == size - 1;
          String entity =
              last || r.nextInt(4) != 0 ? "order:" + r.nextInt(3) : "temp-" + r.nextInt(2);
          byte[] payload = new byte[8 + r.nextInt(60)];
          r.nextBytes(payload);
          ByteBuffer.wrap(payload).putInt(tag);
          IdempotencyKey key =
              r.nextBoolean() ? IdempotencyKey.of(r.nextLong(), r.nextLong()) : null;
          group.add(new Ev(tag++, entity, payload, key));
        }
        groups.add(group);
      }
      batchSize = 2 + r.nextInt(3);
    }

    StoreConfig config(SimStoreFs fs, int epoch) {
      SimStoreClock clock = new SimStoreClock();
      clock.advance(Duration.ofHours(epoch));
      return StoreConfig.builder(DIR)
          .fs(fs)
          .clock(clock)
          .entropy(new SimEntropy(seed ^ (0x9E3779B97F4A7C15L * (epoch + 1))))
          .deterministic(true)
          .segmentMaxBytes(4096)
          .build();
    }
  }

  static int tagOf(StoredEvent e) {
    byte[] p = e.payload().toByteArray();
    return p.length < 4 ? -1 : ByteBuffer.wrap(p, 0, 4).getInt();
  }

  /** What one run of a worker saw. */
  static final class Run {
    final List<StoredEvent> delivered = new ArrayList<>();

    /** The last global sequence covered by a checkpoint known to be saved; -1 for none. */
    long savedKnown = -1;

    /** The last global sequence of a batch whose handler returned; -1 for none. */
    long handled = -1;

    private long previousBatchEnd = -1;

    synchronized void batch(List<StoredEvent> b) {
      if (previousBatchEnd >= 0) {
        savedKnown = previousBatchEnd; // batch n starts only after batch n-1's checkpoint
      }
      delivered.addAll(b);
    }

    synchronized void returned(List<StoredEvent> b) {
      previousBatchEnd = b.get(b.size() - 1).header().globalSequence();
      handled = previousBatchEnd;
    }
  }

  /** What the first session did. */
  static final class Session {
    final Map<Integer, AppendReceipt> acked = new TreeMap<>();
    final Run run = new Run();
    boolean finished;
  }

  static Session session(Workload w, SimStoreFs fs) {
    Session s = new Session();
    Store store;
    try {
      store = Store.open(w.config(fs, 0));
    } catch (RuntimeException e) {
      return s;
    }
    try {
      long target = -1;
      for (List<Ev> g : w.groups) {
        List<AppendReceipt> receipts;
        try {
          if (g.size() == 1) {
            Ev e = g.get(0);
            AppendOptions o =
                e.key() == null
                    ? AppendOptions.defaults()
                    : AppendOptions.defaults().withIdempotencyKey(e.key());
            receipts =
                List.of(
                    store.append(Coordinate.of(e.entity(), "s"), KIND, Bytes.of(e.payload()), o));
          } else {
            List<BatchItem> items = new ArrayList<>();
            for (Ev e : g) {
              items.add(BatchItem.of(Coordinate.of(e.entity(), "s"), KIND, Bytes.of(e.payload())));
            }
            receipts = store.appendBatch(items);
          }
        } catch (RuntimeException e) {
          return s; // the power failed
        }
        for (int i = 0; i < g.size(); i++) {
          s.acked.put(g.get(i).tag(), receipts.get(i));
          if (g.get(i).inRegion()) {
            target = Math.max(target, receipts.get(i).globalSequence());
          }
        }
      }
      CursorWorker worker;
      try {
        worker =
            store.cursorWorker(
                REGION,
                ID,
                CursorWorkerConfig.defaults().withBatchSize(w.batchSize).withMaxRestarts(0),
                b -> {
                  s.run.batch(b);
                  s.run.returned(b);
                });
      } catch (RuntimeException e) {
        return s;
      }
      waitFor(store, worker, target);
      worker.stop();
      try {
        worker.join();
        s.finished = worker.position() == target;
      } catch (RuntimeException e) {
        // the power failed under the worker
      }
      return s;
    } finally {
      try {
        store.close();
      } catch (RuntimeException e) {
        // the power failed
      }
    }
  }

  /** Until the applied watermark passes {@code target} or the worker ended (no file read). */
  static void waitFor(Store store, CursorWorker worker, long target) {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (worker.isRunning() && store.watermarks().applied() <= target) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the worker did not finish within a minute");
      }
      Thread.onSpinWait();
      try {
        Thread.sleep(0, 100_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  static boolean isFsOp(String name) {
    return CompactionCrashExplorerIT.isFsOp(name);
  }

  /** The tallies of one crash point. */
  static final class Tally {
    long crashPoints;
    long reopens;
    long redelivered;
    final List<String> violations = new ArrayList<>();

    void add(Tally o) {
      crashPoints += o.crashPoints;
      reopens += o.reopens;
      redelivered += o.redelivered;
      violations.addAll(o.violations);
    }
  }

  @Test
  void explore() throws Exception {
    long base = SimSeed.resolve(DEFAULT_SEED);
    System.out.println("[cursor] base seed " + base + ", replay with: " + replay(base));
    long started = System.nanoTime();
    ExecutorService pool =
        Executors.newFixedThreadPool(Math.max(1, Runtime.getRuntime().availableProcessors()));
    Tally total = new Tally();
    int seeds = 3;
    List<Integer> opCounts = new ArrayList<>();
    try {
      List<Future<Tally>> futures = new ArrayList<>();
      for (int i = 0; i < seeds; i++) {
        Workload w = new Workload(base + i);
        SimStoreFs fs = SimStoreFs.builder().seed(w.seed).build();
        SimSnapshot empty = fs.snapshot();
        long before = fs.operationCount();
        Session clean = session(w, fs);
        String where = "seed " + w.seed + " (" + replay(w.seed) + ")";
        assertTrue(clean.finished, where + ": the clean session did not deliver everything");
        List<OpRecord> ops = new ArrayList<>();
        for (OpRecord r : fs.opLog()) {
          if (r.seq() > before && isFsOp(r.op())) {
            ops.add(r);
          }
        }
        opCounts.add(ops.size());
        Tally t = new Tally();
        judge(w, fs, clean, where + " clean", t);
        assertEquals(List.of(), t.violations, where);
        for (int k = 1; k <= ops.size() + 1; k++) {
          int kk = k;
          futures.add(pool.submit(() -> crashPoint(w, empty, ops, kk)));
        }
      }
      for (Future<Tally> f : futures) {
        try {
          total.add(f.get());
        } catch (ExecutionException e) {
          throw new AssertionError("a run failed (base seed " + base + ")", e.getCause());
        }
      }
    } finally {
      pool.shutdownNow();
    }
    System.out.println(
        "[cursor] operations per session "
            + opCounts
            + ", "
            + total.crashPoints
            + " crashed disks judged (each crash point x "
            + CrashProfile.values().length
            + " profiles), "
            + total.reopens
            + " reopens judged, "
            + total.redelivered
            + " events delivered again after a crash, "
            + total.violations.size()
            + " violations, in "
            + (System.nanoTime() - started) / 1_000_000
            + " ms");
    for (String v : total.violations.subList(0, Math.min(20, total.violations.size()))) {
      System.out.println("[cursor] VIOLATION " + v);
    }
    assertEquals(
        List.of(),
        total.violations.subList(0, Math.min(20, total.violations.size())),
        total.violations.size() + " violations (base seed " + base + ")");
    assertTrue(total.crashPoints > 0);
  }

  static Tally crashPoint(Workload w, SimSnapshot empty, List<OpRecord> ops, int k) {
    Tally t = new Tally();
    SimStoreFs fs = SimStoreFs.fromSnapshot(empty);
    fs.addFault(FaultRule.crashBeforeNth(k));
    Session s = session(w, fs);
    fs.clearFaults();
    String where = "seed " + w.seed + " crash before op " + k;
    if (k > ops.size()) {
      if (fs.isFrozen()) {
        t.violations.add(where + ": the session has more operations than its clean run");
      }
      return t;
    }
    if (!fs.isFrozen()) {
      t.violations.add(where + " (" + ops.get(k - 1) + "): the crash did not fire");
      return t;
    }
    SimSnapshot frozen = fs.snapshot();
    for (CrashProfile profile : CrashProfile.values()) {
      t.crashPoints++;
      fs.restore(frozen);
      fs.crash(profile);
      judge(w, fs, s, where + " (" + ops.get(k - 1) + ") profile " + profile, t);
    }
    return t;
  }

  /** Reopens, checks the checkpoint, runs a second worker to the end, checks both runs. */
  static void judge(Workload w, SimStoreFs fs, Session s, String where, Tally t) {
    t.reopens++;
    Run second = new Run();
    try (Store store = Store.open(w.config(fs, 1))) {
      long resumed;
      try (Cursor c = store.cursor(REGION, ID)) {
        resumed = c.position();
      } catch (RuntimeException e) {
        t.violations.add(where + ": the checkpoint cannot be read: " + e);
        return;
      }
      if (resumed < s.run.savedKnown) {
        t.violations.add(
            where
                + ": resumed at "
                + resumed
                + ", behind the saved checkpoint "
                + s.run.savedKnown);
      }
      if (resumed > s.run.handled) {
        t.violations.add(
            where + ": resumed at " + resumed + ", past the last handled event " + s.run.handled);
      }
      long target = -1;
      try (Cursor all = store.cursor(REGION)) {
        while (true) {
          List<StoredEvent> b = all.pollBatch(100);
          if (b.isEmpty()) {
            break;
          }
          target = b.get(b.size() - 1).header().globalSequence();
        }
      }
      CursorWorker worker =
          store.cursorWorker(
              REGION,
              ID,
              CursorWorkerConfig.defaults().withBatchSize(w.batchSize),
              b -> {
                second.batch(b);
                second.returned(b);
              });
      waitFor(store, worker, target);
      worker.stop();
      worker.join();
      if (!second.delivered.isEmpty()
          && second.delivered.get(0).header().globalSequence() <= resumed) {
        t.violations.add(
            where
                + ": the second run delivered "
                + second.delivered.get(0).header().globalSequence()
                + ", at or before the checkpoint "
                + resumed);
      }
    } catch (RuntimeException e) {
      t.violations.add(where + ": the reopen or the second run failed: " + e);
      return;
    }
    Map<Integer, StoredEvent> first = new TreeMap<>();
    for (StoredEvent e : s.run.delivered) {
      first.put(tagOf(e), e);
    }
    Map<Integer, StoredEvent> both = new TreeMap<>(first);
    for (StoredEvent e : second.delivered) {
      StoredEvent before = first.get(tagOf(e));
      if (before != null) {
        t.redelivered++;
        if (!before.header().equals(e.header())
            || !Arrays.equals(before.payload().toByteArray(), e.payload().toByteArray())) {
          t.violations.add(
              where
                  + ": event "
                  + tagOf(e)
                  + " was delivered again as another event: "
                  + before
                  + " then "
                  + e);
        }
      }
      both.put(tagOf(e), e);
    }
    for (List<Ev> g : w.groups) {
      for (Ev e : g) {
        AppendReceipt r = s.acked.get(e.tag());
        if (r == null || !e.inRegion()) {
          continue;
        }
        StoredEvent got = both.get(e.tag());
        if (got == null) {
          t.violations.add(where + ": acknowledged event " + e.tag() + " was never delivered");
        } else if (!got.header().eventId().equals(r.eventId())
            || !got.header().eventHash().equals(r.eventHash())) {
          t.violations.add(where + ": event " + e.tag() + " delivered differs from its receipt");
        }
      }
    }
  }
}
