package io.batpak.it.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.CompactionConfig;
import io.batpak.CompactionResult;
import io.batpak.ConcurrencyConflictException;
import io.batpak.Coordinate;
import io.batpak.CopyReport;
import io.batpak.Cursor;
import io.batpak.EventKind;
import io.batpak.ExpectedVersion;
import io.batpak.FenceActiveException;
import io.batpak.FenceCancelledException;
import io.batpak.IdempotencyConflictException;
import io.batpak.IdempotencyKey;
import io.batpak.OutcomeUnknownException;
import io.batpak.ReadOnlyStoreException;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreClosedException;
import io.batpak.StoreConfig;
import io.batpak.StoreFullException;
import io.batpak.StoreIoException;
import io.batpak.StoredEvent;
import io.batpak.ValidationException;
import io.batpak.VisibilityFence;
import io.batpak.fs.sim.CrashProfile;
import io.batpak.fs.sim.ErrorKind;
import io.batpak.fs.sim.FaultAction;
import io.batpak.fs.sim.FaultRule;
import io.batpak.fs.sim.FaultTrigger;
import io.batpak.fs.sim.FsOp;
import io.batpak.fs.sim.OpRecord;
import io.batpak.fs.sim.SimEntropy;
import io.batpak.fs.sim.SimSeed;
import io.batpak.fs.sim.SimStoreClock;
import io.batpak.fs.sim.SimStoreFs;
import io.batpak.it.crash.LifetimeModel.Copy;
import io.batpak.it.crash.LifetimeModel.Ev;
import io.batpak.it.crash.LifetimeModel.State;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
 * The lifetime explorer: features meeting across failures and sessions. Each seed runs one store on
 * the simulator through several sessions. A session is a seeded random sequence of the public
 * {@link Store} API (single appends with and without expected versions and idempotency keys,
 * batches, idempotent retries and key conflicts, sync, compaction with each strategy and dry runs,
 * visibility fences that commit, cancel or are closed, a durable cursor that polls and saves its
 * position, snapshots and forks, reads) on 4 KiB segments, so segments roll and seal all the time.
 * At one seeded file system operation a fault hits (each kind the simulator offers on that
 * operation: EIO, ENOSPC, a short write, a failed fsync that drops or keeps the pages, a failed
 * directory fsync, a failed or short read), and the session goes on as an application would,
 * catching the typed exception. A session ends by a close, by a process restart (no close), by a
 * power loss between two calls with a random {@link CrashProfile}, or by a power loss in the middle
 * of a call. Then the store is reopened (sometimes read-only first) and judged by {@link
 * LifetimeModel}; the next session runs on that store. After the last session a clean session must
 * append, compact and close, and the snapshots and forks are opened and judged.
 *
 * <p>Torn writes (a write that reports success and stores garbage) are left out: the disk lies
 * there, and {@link CrashExplorerIT} and {@link CompactionCrashExplorerIT} judge them with their
 * own oracle. So are lying fsyncs.
 *
 * <p>Properties: {@code -Dbatpak.test.seed=N} (the base seed; a failing seed prints its replay),
 * {@code -Dbatpak.lifetime.runs=N} (how many seeds, default {@link #DEFAULT_SEEDS}), {@code
 * -Dbatpak.lifetime.sessions=N} (sessions per seed, default 4), {@code
 * -Dbatpak.lifetime.trace=true} (print each call of each seed).
 */
class LifetimeExplorerIT {
  static final long DEFAULT_SEED = 0x11FE71AE0001L;
  static final int DEFAULT_SEEDS = 400;
  static final Path DIR = Path.of("/sim/store");
  static final String CURSOR_ID = "life";
  static final EventKind KIND = EventKind.custom(0xC, 0x11F);
  static final long SEGMENT_MAX_BYTES = 4096;

  static String replay(long seed) {
    return "mvn -B -o verify -pl it -Dit.test=LifetimeExplorerIT -Dbatpak.lifetime.runs=1"
        + " -Dbatpak.test.seed="
        + seed;
  }

  @Test
  void explore() throws Exception {
    long base = SimSeed.resolve(DEFAULT_SEED);
    int seeds = Integer.getInteger("batpak.lifetime.runs", DEFAULT_SEEDS);
    int sessions = Integer.getInteger("batpak.lifetime.sessions", 4);
    boolean trace = Boolean.getBoolean("batpak.lifetime.trace");
    System.out.println("[lifetime] base seed " + base + ", " + seeds + " seeds: " + replay(base));
    long started = System.nanoTime();
    // The engine logs what it shrugs off (a failed checkpoint, say). Its typed failures and the
    // injected I/O errors are expected there; any other exception is a bug swallowed.
    java.util.logging.Logger batpak = java.util.logging.Logger.getLogger("io.batpak");
    List<String> swallowed = java.util.Collections.synchronizedList(new ArrayList<>());
    java.util.logging.Handler recorder =
        new java.util.logging.Handler() {
          @Override
          public void publish(java.util.logging.LogRecord r) {
            for (Throwable t = r.getThrown(); t != null; t = t.getCause()) {
              if (t instanceof io.batpak.StoreException
                  || t instanceof IOException
                  || t instanceof java.io.UncheckedIOException
                  || t instanceof io.batpak.fs.sim.SimulatedCrashException) {
                return;
              }
              if (t.getCause() == null) {
                swallowed.add(
                    "seed "
                        + SEED.get()
                        + ": "
                        + r.getMessage()
                        + ": "
                        + r.getThrown()
                        + " at "
                        + where(t)
                        + "; replay: "
                        + replay(SEED.get() == null ? base : SEED.get()));
              }
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    boolean parents = batpak.getUseParentHandlers();
    batpak.addHandler(recorder);
    batpak.setUseParentHandlers(Boolean.getBoolean("batpak.lifetime.log"));
    ExecutorService pool =
        Executors.newFixedThreadPool(Math.max(1, Runtime.getRuntime().availableProcessors()));
    List<Outcome> runs = new ArrayList<>();
    try {
      List<Future<Outcome>> futures = new ArrayList<>();
      for (int i = 0; i < seeds; i++) {
        long seed = base + i;
        futures.add(pool.submit(() -> Outcome.of(new Run(seed, sessions, trace).run())));
      }
      for (Future<Outcome> f : futures) {
        try {
          runs.add(f.get());
        } catch (ExecutionException e) {
          throw new AssertionError("a run threw (base seed " + base + ")", e.getCause());
        }
      }
    } finally {
      pool.shutdownNow();
      batpak.removeHandler(recorder);
      batpak.setUseParentHandlers(parents);
    }
    Map<String, Long> tally = new TreeMap<>();
    List<String> failures = new ArrayList<>();
    for (Outcome r : runs) {
      r.tally.forEach((k, n) -> tally.merge(k, n, Long::sum));
      if (!r.violations.isEmpty()) {
        String first = r.violations.get(0);
        failures.add(
            "seed "
                + r.seed
                + ": "
                + r.violations.size()
                + " violations, first: "
                + (first.length() > 300 ? first.substring(0, 300) + "..." : first)
                + "; replay: "
                + replay(r.seed));
        if (failures.size() <= 3) {
          System.out.println("[lifetime] seed " + r.seed + " trace:\n" + String.join("\n", r.log));
          for (String v : r.violations.subList(0, Math.min(10, r.violations.size()))) {
            System.out.println("[lifetime] VIOLATION seed " + r.seed + ": " + v);
          }
        }
      }
    }
    long millis = (System.nanoTime() - started) / 1_000_000;
    System.out.println("[lifetime] " + seeds + " seeds in " + millis + " ms; " + tally);
    synchronized (swallowed) {
      if (!swallowed.isEmpty()) {
        failures.add(
            swallowed.size()
                + " exceptions the engine logged and swallowed, first: "
                + swallowed.get(0));
      }
    }
    assertEquals(
        List.of(),
        failures.subList(0, Math.min(20, failures.size())),
        failures.size() + " of " + seeds + " seeds failed (base seed " + base + ")");
  }

  /**
   * What a finished run leaves for the report: its counts, its violations, and its trace only when
   * it has violations. The run itself (its simulated disk, its model, its store) is let go, so a
   * long run of many seeds holds one run per thread, not every disk it made.
   */
  record Outcome(long seed, Map<String, Long> tally, List<String> violations, List<String> log) {
    static Outcome of(Run r) {
      return new Outcome(
          r.seed, r.tally, List.copyOf(r.violations), r.violations.isEmpty() ? List.of() : r.log);
    }
  }

  /** The seed of the run, inherited by the threads its stores start (for the log's records). */
  static final InheritableThreadLocal<Long> SEED = new InheritableThreadLocal<>();

  static String where(Throwable t) {
    StackTraceElement[] st = t.getStackTrace();
    return st.length == 0 ? "?" : st[0].toString();
  }

  /** How a session ends. */
  enum End {
    CLOSE,
    RESTART,
    POWER_LOSS,
    CRASH_IN_CALL
  }

  /** One seed: the store's whole life. */
  static final class Run {
    final long seed;
    final int sessions;
    final boolean trace;
    final SplittableRandom rnd;
    final SimStoreFs fs;
    final LifetimeModel model = new LifetimeModel();
    final List<String> violations = new ArrayList<>();
    final List<String> log = new ArrayList<>();
    final Map<String, Long> tally = new TreeMap<>();
    int epoch;
    int copyCount;

    Store store;
    Cursor cursor;
    boolean poisoned;

    /** The session's fault, or null. */
    FaultAction fault;

    /** The operation the session's fault hits, or null. */
    FsOp faultOp;

    String session = "";

    Run(long seed, int sessions, boolean trace) {
      this.seed = seed;
      this.sessions = sessions;
      this.trace = trace;
      this.rnd = new SplittableRandom(seed);
      this.fs = SimStoreFs.builder().seed(seed).build();
    }

    void count(String what) {
      tally.merge(what, 1L, Long::sum);
    }

    void note(String line) {
      log.add("  " + session + " " + line);
      if (trace) {
        System.out.println("[lifetime " + seed + "] " + session + " " + line);
      }
    }

    void violation(String what) {
      violations.add(session + ": " + what);
      note("VIOLATION " + what);
    }

    StoreConfig config(boolean readOnly) {
      SimStoreClock clock = new SimStoreClock();
      clock.advance(Duration.ofHours(epoch));
      StoreConfig.Builder b =
          StoreConfig.builder(DIR)
              .fs(fs)
              .clock(clock)
              .entropy(new SimEntropy(seed ^ (0x9E3779B97F4A7C15L * (epoch + 1))))
              .deterministic(true)
              .segmentMaxBytes(SEGMENT_MAX_BYTES)
              .readOnly(readOnly);
      epoch++;
      return b.build();
    }

    Run run() {
      SEED.set(seed);
      try {
        SimSeed.run(seed, replay(seed), s -> life());
      } catch (Throwable t) {
        java.io.StringWriter w = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(w));
        violation("the explorer threw: " + w.toString().lines().limit(12).toList());
      }
      return this;
    }

    void life() {
      session = "open";
      store = Store.open(config(false));
      for (int s = 0; s < sessions && violations.isEmpty(); s++) {
        session = "s" + s;
        End end = runSession(s);
        session = "s" + s + "/reopen";
        reopenAndJudge(end);
      }
      if (violations.isEmpty()) {
        session = "final";
        finalSession();
      }
    }

    // --- one session ---

    End runSession(int s) {
      poisoned = false;
      End end = End.values()[pick(45, 20, 25, 10)];
      long before = fs.operationCount();
      String fault = installFault();
      long crashAt = -1;
      if (end == End.CRASH_IN_CALL) {
        crashAt = 1 + rnd.nextInt(400);
        // the power fails just before an operation, or just after one took effect
        fs.addFault(
            rnd.nextBoolean()
                ? FaultRule.crashBeforeNth(crashAt)
                : new FaultRule(
                    null, "**", FaultTrigger.nth(crashAt), new FaultAction.CrashAfter()));
      }
      note(
          "begins: fault " + fault + ", ends by " + end + (crashAt > 0 ? " at op " + crashAt : ""));
      int ops = 15 + rnd.nextInt(35);
      for (int i = 0; i < ops; i++) {
        step();
        if (fs.isFrozen()) {
          note("the power failed in that call");
          count("crash in a call");
          break;
        }
      }
      boolean fired = false;
      for (OpRecord r : fs.opLog()) {
        if (r.seq() > before && r.injected() && !r.op().equals("CRASH")) {
          fired = true;
        }
      }
      count(fault.equals("none") ? "no fault" : fired ? "fault fired" : "fault did not fire");
      if (fs.isFrozen()) {
        fs.clearFaults();
        CrashProfile p = CrashProfile.values()[rnd.nextInt(CrashProfile.values().length)];
        fs.crash(p);
        note("crashed with " + p);
        store = null;
        cursor = null;
        return End.CRASH_IN_CALL;
      }
      fs.clearFaults();
      if (end == End.CRASH_IN_CALL) {
        end = End.POWER_LOSS;
      }
      switch (end) {
        case CLOSE -> {
          closeCursor();
          try {
            store.close();
            note("closed");
            if (poisoned) {
              violation("a poisoned store closed silently");
            }
          } catch (OutcomeUnknownException e) {
            note("close: " + e.getClass().getSimpleName());
            for (Ev m : model.events.values()) {
              if (m.state == State.FENCED) {
                m.state = State.CANCELLED; // close cancels an open fence
              }
            }
          } catch (RuntimeException e) {
            note("close threw " + e);
          }
          fenceEndsByClose();
        }
        case RESTART -> {
          fs.restart();
          note("process restart");
        }
        default -> {
          CrashProfile p = CrashProfile.values()[rnd.nextInt(CrashProfile.values().length)];
          fs.crash(p);
          note("power loss, " + p);
        }
      }
      count("end " + end);
      store = null;
      cursor = null;
      return end;
    }

    void fenceEndsByClose() {
      for (Ev m : model.events.values()) {
        if (m.state == State.FENCED) {
          m.state = State.CANCELLED;
        }
      }
    }

    int pick(int... weights) {
      int sum = 0;
      for (int w : weights) {
        sum += w;
      }
      int r = rnd.nextInt(sum);
      for (int i = 0; i < weights.length; i++) {
        r -= weights[i];
        if (r < 0) {
          return i;
        }
      }
      return weights.length - 1;
    }

    /**
     * Whether the session's fault is a short read: the file seems to end early, and a read of a
     * frame the index places there reports damage (Journal.readAndCheck: "bytes the journal counted
     * on are gone, which is damage, not an I/O failure to retry"), which is then no bug.
     */
    boolean shortRead() {
      return fault instanceof FaultAction.ShortRead;
    }

    /** One seeded fault, or none, counted from now. */
    String installFault() {
      fault = null;
      faultOp = null;
      if (rnd.nextInt(10) == 0) {
        return "none";
      }
      FsOp op;
      FaultAction action;
      int nth;
      switch (pick(30, 25, 8, 12, 4, 4, 4, 3, 3)) {
        case 0 -> {
          op = FsOp.WRITE;
          action =
              List.of(
                      new FaultAction.Fail(ErrorKind.IO),
                      new FaultAction.Fail(ErrorKind.NO_SPACE),
                      new FaultAction.ShortWrite(1 + rnd.nextInt(40)))
                  .get(rnd.nextInt(3));
          nth = 1 + rnd.nextInt(60);
        }
        case 1 -> {
          op = FsOp.SYNC;
          action =
              List.of(
                      new FaultAction.Fail(ErrorKind.IO),
                      new FaultAction.FailedSync(),
                      new FaultAction.FailedSyncKeepsPages())
                  .get(rnd.nextInt(3));
          nth = 1 + rnd.nextInt(40);
        }
        case 2 -> {
          op = FsOp.DIR_SYNC;
          action =
              rnd.nextBoolean() ? new FaultAction.Fail(ErrorKind.IO) : new FaultAction.FailedSync();
          nth = 1 + rnd.nextInt(10);
        }
        case 3 -> {
          op = FsOp.READ;
          action =
              rnd.nextBoolean()
                  ? new FaultAction.Fail(ErrorKind.IO)
                  : new FaultAction.ShortRead(rnd.nextInt(20));
          nth = 1 + rnd.nextInt(80);
        }
        case 4 -> {
          op = FsOp.CREATE;
          action = new FaultAction.Fail(rnd.nextBoolean() ? ErrorKind.IO : ErrorKind.NO_SPACE);
          nth = 1 + rnd.nextInt(6);
        }
        case 5 -> {
          op = FsOp.RENAME;
          action = new FaultAction.Fail(ErrorKind.IO);
          nth = 1 + rnd.nextInt(5);
        }
        case 6 -> {
          op = FsOp.DELETE;
          action = new FaultAction.Fail(ErrorKind.IO);
          nth = 1 + rnd.nextInt(5);
        }
        case 7 -> {
          op = FsOp.TRUNCATE;
          action = new FaultAction.Fail(ErrorKind.IO);
          nth = 1 + rnd.nextInt(3);
        }
        default -> {
          op = rnd.nextBoolean() ? FsOp.LINK : FsOp.COPY;
          action = new FaultAction.Fail(rnd.nextBoolean() ? ErrorKind.IO : ErrorKind.NO_SPACE);
          nth = 1 + rnd.nextInt(3);
        }
      }
      fs.addFault(FaultRule.on(op, "**", FaultTrigger.nth(nth), action));
      fault = action;
      faultOp = op;
      return action + " on " + op + " #" + nth;
    }

    void step() {
      switch (pick(30, 12, 6, 2, 4, 8, 6, 6, 4, 2, 1, 5, 3, 4)) {
        case 0 -> appendOne();
        case 1 -> batch();
        case 2 -> retry();
        case 3 -> keyConflict();
        case 4 -> sync();
        case 5 -> compact();
        case 6 -> fence();
        case 7 -> poll();
        case 8 -> checkpoint();
        case 9 -> copy(false);
        case 10 -> copy(true);
        case 11 -> read();
        case 12 -> cleanReopen();
        default -> submits();
      }
    }

    String entity() {
      return rnd.nextInt(3) == 0 ? "temp-" + rnd.nextInt(3) : "order-" + rnd.nextInt(4);
    }

    Ev newEvent(String entity, boolean keyed, int group, boolean single) {
      int tag = model.nextTag++;
      byte[] payload = new byte[20 + rnd.nextInt(rnd.nextInt(8) == 0 ? 900 : 200)];
      rnd.nextBytes(payload);
      ByteBuffer.wrap(payload).putInt(tag);
      IdempotencyKey key = keyed ? IdempotencyKey.of(rnd.nextLong(), rnd.nextLong()) : null;
      Ev e = new Ev(tag, entity, payload, key, group, single);
      model.events.put(tag, e);
      return e;
    }

    static AppendOptions options(Ev e) {
      return e.key == null
          ? AppendOptions.defaults()
          : AppendOptions.defaults().withIdempotencyKey(e.key);
    }

    /** Whether {@code e} is a definite failure: nothing written. */
    static boolean definite(RuntimeException e) {
      return e instanceof ValidationException
          || e instanceof ConcurrencyConflictException
          || e instanceof IdempotencyConflictException
          || e instanceof StoreFullException
          || e instanceof StoreClosedException
          || e instanceof ReadOnlyStoreException
          || e instanceof FenceActiveException
          || e instanceof FenceCancelledException;
    }

    void failed(List<Ev> es, RuntimeException ex, String what) {
      String name = ex.getClass().getSimpleName();
      count(what + " " + name);
      boolean def = definite(ex) && !fs.isFrozen();
      for (Ev e : es) {
        e.state = def ? State.FAILED : State.UNCERTAIN;
        e.why = what + ": " + name;
      }
      note(what + " " + tags(es) + " threw " + name + ": " + shortMsg(ex));
      if (ex instanceof OutcomeUnknownException) {
        poisoned = true;
      }
    }

    static String shortMsg(RuntimeException ex) {
      String m = String.valueOf(ex.getMessage());
      return m.length() > 160 ? m.substring(0, 160) + "..." : m;
    }

    static String tags(List<Ev> es) {
      StringBuilder b = new StringBuilder();
      for (Ev e : es) {
        b.append(b.length() == 0 ? "" : ",").append(e.tag).append('@').append(e.entity);
      }
      return "[" + b + "]";
    }

    boolean fenceOpen() {
      for (Ev e : model.events.values()) {
        if (e.state == State.FENCED) {
          return true;
        }
      }
      return false;
    }

    void appendOne() {
      String entity = entity();
      int how = rnd.nextInt(20);
      Ev e = newEvent(entity, rnd.nextInt(5) < 2, -1, true);
      AppendOptions o = options(e);
      boolean wrong = false;
      if (how < 5 && !model.anyUncertain()) {
        long next = model.nextSequence(entity);
        o =
            o.withExpectedVersion(
                next == 0 ? ExpectedVersion.noStream() : ExpectedVersion.exactly(next - 1));
      } else if (how == 5 && !model.anyUncertain()) {
        wrong = true;
        o = o.withExpectedVersion(ExpectedVersion.exactly(model.nextSequence(entity) + 3));
      }
      try {
        AppendReceipt r = store.append(Coordinate.of(entity, "s"), KIND, Bytes.of(e.payload), o);
        e.state = State.ACKED;
        e.receipt = r;
        count("append ok");
        note("append " + e.tag + "@" + entity + " -> gs " + r.globalSequence());
        if (wrong) {
          violation("an append with a wrong expected version succeeded: " + e);
        }
        if (poisoned) {
          violation("an append succeeded on a poisoned store: " + e);
        }
      } catch (RuntimeException ex) {
        failed(List.of(e), ex, "append");
        if (ex instanceof ConcurrencyConflictException && !wrong) {
          violation("an append with the model's expected version conflicted: " + e + " " + ex);
        }
      }
    }

    void batch() {
      int n = 2 + rnd.nextInt(3);
      int group = model.nextGroup++;
      List<Ev> es = new ArrayList<>();
      List<BatchItem> items = new ArrayList<>();
      boolean keyed = rnd.nextInt(3) == 0; // on every item or on none
      for (int i = 0; i < n; i++) {
        Ev e = newEvent(entity(), keyed, group, false);
        es.add(e);
        items.add(
            BatchItem.of(Coordinate.of(e.entity, "s"), KIND, Bytes.of(e.payload))
                .withOptions(options(e)));
      }
      boolean outbox = rnd.nextInt(4) == 0;
      try {
        List<AppendReceipt> rs;
        if (outbox) {
          try (io.batpak.Outbox o = store.outbox()) {
            for (BatchItem item : items) {
              o.stage(item);
            }
            rs = o.flush();
          }
        } else {
          rs = store.appendBatch(items);
        }
        for (int i = 0; i < n; i++) {
          es.get(i).state = State.ACKED;
          es.get(i).receipt = rs.get(i);
        }
        count(outbox ? "outbox ok" : "batch ok");
        note(
            (outbox ? "outbox " : "batch ")
                + tags(es)
                + " -> gs "
                + rs.get(0).globalSequence()
                + "..");
      } catch (RuntimeException ex) {
        failed(es, ex, outbox ? "outbox" : "batch");
      }
    }

    /** Pipelined appends: several submits, then their futures, each its own outcome. */
    void submits() {
      int n = 2 + rnd.nextInt(3);
      List<Ev> es = new ArrayList<>();
      List<java.util.concurrent.CompletableFuture<AppendReceipt>> fs2 = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Ev e = newEvent(entity(), rnd.nextBoolean(), -1, true);
        try {
          fs2.add(
              store.submit(Coordinate.of(e.entity, "s"), KIND, Bytes.of(e.payload), options(e)));
          es.add(e);
        } catch (RuntimeException ex) {
          failed(List.of(e), ex, "submit");
        }
      }
      for (int i = 0; i < es.size(); i++) {
        Ev e = es.get(i);
        try {
          e.receipt = fs2.get(i).join();
          e.state = State.ACKED;
          count("submit ok");
          note("submit " + e.tag + "@" + e.entity + " -> gs " + e.receipt.globalSequence());
        } catch (java.util.concurrent.CompletionException ex) {
          RuntimeException cause =
              ex.getCause() instanceof RuntimeException r ? r : new RuntimeException(ex.getCause());
          failed(List.of(e), cause, "submit");
        }
      }
    }

    Ev anyKeyed() {
      List<Ev> keyed = new ArrayList<>();
      for (Ev e : model.events.values()) {
        if (e.state == State.ACKED && e.key != null && e.single) {
          keyed.add(e);
        }
      }
      return keyed.isEmpty() ? null : keyed.get(rnd.nextInt(keyed.size()));
    }

    /** Retries an acknowledged keyed append: the original receipt, nothing appended. */
    void retry() {
      Ev e = anyKeyed();
      if (e == null) {
        appendOne();
        return;
      }
      try {
        AppendReceipt r =
            store.append(Coordinate.of(e.entity, "s"), KIND, Bytes.of(e.payload), options(e));
        count("retry ok");
        note("retry " + e.tag + " -> gs " + r.globalSequence());
        if (r.globalSequence() != e.receipt.globalSequence()
            || !r.eventId().equals(e.receipt.eventId())) {
          violation("the retry of " + e + " returned " + r + ", not its receipt " + e.receipt);
        }
      } catch (RuntimeException ex) {
        count("retry " + ex.getClass().getSimpleName());
        note("retry " + e.tag + " threw " + ex.getClass().getSimpleName() + ": " + shortMsg(ex));
        if (ex instanceof OutcomeUnknownException) {
          poisoned = true;
        }
        if (ex instanceof IdempotencyConflictException
            || ex instanceof ConcurrencyConflictException) {
          violation("the retry of " + e + " threw " + ex);
        }
      }
    }

    /** The key of an acknowledged event with other content: refused, nothing written. */
    void keyConflict() {
      Ev old = anyKeyed();
      if (old == null) {
        appendOne();
        return;
      }
      Ev e = newEvent(old.entity, false, -1, false);
      try {
        AppendReceipt r =
            store.append(
                Coordinate.of(e.entity, "s"),
                KIND,
                Bytes.of(e.payload),
                AppendOptions.defaults().withIdempotencyKey(old.key));
        e.state = State.ACKED;
        e.receipt = r;
        violation("key " + old.key + " of " + old + " reused for other content: " + r);
      } catch (RuntimeException ex) {
        failed(List.of(e), ex, "key conflict");
        if (!(ex instanceof IdempotencyConflictException) && !poisoned && !fs.isFrozen()) {
          note("(the key conflict met another failure first)");
        }
      }
    }

    void sync() {
      try {
        store.sync();
        count("sync ok");
        note("sync");
        if (poisoned) {
          violation("sync succeeded on a poisoned store");
        }
      } catch (RuntimeException ex) {
        count("sync " + ex.getClass().getSimpleName());
        note("sync threw " + ex.getClass().getSimpleName());
        if (ex instanceof OutcomeUnknownException) {
          poisoned = true;
        }
      }
    }

    void compact() {
      int which = rnd.nextInt(3);
      boolean dry = rnd.nextInt(6) == 0;
      CompactionConfig c =
          switch (which) {
            case 0 -> CompactionConfig.merge();
            case 1 -> CompactionConfig.retain(LifetimeExplorerIT::kept);
            default -> CompactionConfig.tombstone(LifetimeExplorerIT::kept);
          };
      String label = List.of("merge", "retain", "tombstone").get(which) + (dry ? " (dry)" : "");
      if (!dry && which == 1) {
        model.retainTried = true;
      }
      if (!dry && which == 2) {
        model.tombstoneTried = true;
      }
      long[] before = dry ? counts() : null;
      try {
        CompactionResult r = store.compact(c.dryRun(dry));
        count("compact " + label + " " + r.outcome());
        note("compact " + label + " -> " + r);
        if (!dry && r.outcome() != CompactionResult.Outcome.SKIPPED) {
          model.droppedAtLeast += r.eventsDropped();
          model.tombstonedAtLeast += r.eventsTombstoned();
        }
        if (!dry
            && which != 0
            && (r.outcome() == CompactionResult.Outcome.FAILED || fs.isFrozen())) {
          model.countsExact = false;
        }
        long[] after = dry ? counts() : null;
        if (dry && !fs.isFrozen() && before[0] >= 0 && after[0] >= 0) {
          if (!java.util.Arrays.equals(before, after)) {
            violation(
                "a dry run changed the store: events (stats, read) "
                    + java.util.Arrays.toString(before)
                    + " before, "
                    + java.util.Arrays.toString(after)
                    + " after");
          }
        }
      } catch (RuntimeException ex) {
        count("compact " + label + " " + ex.getClass().getSimpleName());
        if (!dry && which != 0) {
          model.countsExact = false;
        }
        note("compact " + label + " threw " + ex.getClass().getSimpleName() + ": " + shortMsg(ex));
        if (ex instanceof OutcomeUnknownException) {
          poisoned = true;
        }
        if (ex instanceof io.batpak.CorruptStoreException && !fs.isFrozen() && !shortRead()) {
          violation("compaction reported corruption on a disk that never lied: " + ex);
        }
      }
    }

    long[] counts() {
      try {
        return new long[] {store.stats().eventCount(), LifetimeModel.all(store).size()};
      } catch (RuntimeException e) {
        note("counting met " + e.getClass().getSimpleName() + ": " + shortMsg(e));
        return new long[] {-1};
      }
    }

    void fence() {
      int group = model.nextGroup++;
      model.fenceGroups.add(group);
      VisibilityFence f;
      try {
        f = store.beginFence();
      } catch (RuntimeException ex) {
        count("beginFence " + ex.getClass().getSimpleName());
        note("beginFence threw " + ex.getClass().getSimpleName());
        if (ex instanceof OutcomeUnknownException) {
          poisoned = true;
        }
        return;
      }
      List<Ev> es = new ArrayList<>();
      int n = 1 + rnd.nextInt(3);
      for (int i = 0; i < n && !fs.isFrozen(); i++) {
        if (rnd.nextBoolean()) {
          Ev e = newEvent(entity(), false, group, false);
          try {
            e.receipt = f.append(Coordinate.of(e.entity, "s"), KIND, Bytes.of(e.payload));
            e.state = State.FENCED;
            note(
                "fenced append " + e.tag + "@" + e.entity + " -> gs " + e.receipt.globalSequence());
          } catch (RuntimeException ex) {
            failed(List.of(e), ex, "fenced append");
          }
          es.add(e);
        } else {
          List<Ev> b =
              List.of(
                  newEvent(entity(), false, group, false), newEvent(entity(), false, group, false));
          List<BatchItem> items = new ArrayList<>();
          for (Ev e : b) {
            items.add(BatchItem.of(Coordinate.of(e.entity, "s"), KIND, Bytes.of(e.payload)));
          }
          try {
            List<AppendReceipt> rs = f.appendBatch(items);
            for (int j = 0; j < b.size(); j++) {
              b.get(j).receipt = rs.get(j);
              b.get(j).state = State.FENCED;
            }
            note("fenced batch " + tags(b));
          } catch (RuntimeException ex) {
            failed(b, ex, "fenced batch");
          }
          es.addAll(b);
        }
        if (rnd.nextInt(4) == 0 && !fs.isFrozen()) {
          Ev o = newEvent(entity(), false, -1, true);
          try {
            store.append(Coordinate.of(o.entity, "s"), KIND, Bytes.of(o.payload));
            o.state = State.ACKED;
            violation("an ordinary append went through an open fence: " + o);
          } catch (RuntimeException ex) {
            failed(List.of(o), ex, "append during a fence");
          }
        }
      }
      if (fs.isFrozen()) {
        return; // the fence stays open: the reopen cancels it
      }
      int end = pick(60, 25, 15);
      try {
        if (end == 0) {
          f.commit();
          for (Ev e : es) {
            if (e.state == State.FENCED) {
              e.state = State.ACKED;
            } else if (e.state == State.UNCERTAIN) {
              violation("a fence committed after its append failed: " + e);
            }
          }
          count("fence committed");
          note("fence " + tags(es) + " committed");
        } else if (end == 1) {
          f.cancel();
          cancel(es);
          count("fence cancelled");
          note("fence " + tags(es) + " cancelled");
        } else {
          f.close();
          cancel(es);
          count("fence closed");
          note("fence " + tags(es) + " closed without a commit");
        }
      } catch (RuntimeException ex) {
        String name = ex.getClass().getSimpleName();
        count("fence end " + name);
        note("fence " + tags(es) + " end " + end + " threw " + name + ": " + shortMsg(ex));
        if (ex instanceof OutcomeUnknownException) {
          poisoned = true;
        }
        boolean maybeCommitted =
            end == 0 && (ex instanceof OutcomeUnknownException || fs.isFrozen());
        for (Ev e : es) {
          if (e.state == State.FENCED || e.state == State.UNCERTAIN) {
            e.state = maybeCommitted ? State.UNCERTAIN : State.CANCELLED;
            e.why = "fence end: " + name;
          }
        }
        if (end != 0 || !maybeCommitted) {
          // a failed cancel, or a commit that cannot have written its frame: the fence is
          // cancelled (now or by the reopen); if the store is still usable, close it
          try {
            f.close();
          } catch (RuntimeException ignored) {
            // poisoned
          }
        }
      }
    }

    void cancel(List<Ev> es) {
      for (Ev e : es) {
        if (e.state == State.FENCED || e.state == State.UNCERTAIN) {
          e.state = State.CANCELLED;
        }
      }
    }

    void poll() {
      try {
        if (cursor == null) {
          cursor = store.cursor(Region.all(), CURSOR_ID);
          note("cursor opened at " + cursor.position());
        }
        List<StoredEvent> got = cursor.pollBatch(1 + rnd.nextInt(30));
        count("poll ok");
        for (StoredEvent e : got) {
          if (e.header().kind().equals(EventKind.TOMBSTONE)) {
            continue;
          }
          Ev m = model.events.get(LifetimeModel.tagOf(e.payload().toByteArray()));
          if (m == null || m.state == State.FAILED || m.state == State.CANCELLED) {
            violation("the cursor delivered " + e.header().globalSequence() + ", model " + m);
          }
        }
        note("polled " + got.size() + ", cursor at " + cursor.position());
      } catch (RuntimeException ex) {
        count("poll " + ex.getClass().getSimpleName());
        note("poll threw " + ex.getClass().getSimpleName() + ": " + shortMsg(ex));
        if (ex instanceof io.batpak.CorruptStoreException && !fs.isFrozen() && !shortRead()) {
          violation("a poll reported corruption on a disk that never lied: " + ex);
        }
      }
    }

    void checkpoint() {
      if (cursor == null) {
        poll();
        return;
      }
      long p = cursor.position();
      try {
        cursor.checkpoint();
        model.cursorAllowed = new java.util.TreeSet<>(List.of(p));
        model.cursorUnsynced = false;
        count("checkpoint ok");
        note("cursor checkpoint at " + p);
      } catch (RuntimeException ex) {
        count("checkpoint " + ex.getClass().getSimpleName());
        note(
            "checkpoint at " + p + " threw " + ex.getClass().getSimpleName() + ": " + shortMsg(ex));
        // Cursor.checkpoint: after a StoreIoException the previous checkpoint is in place, unless
        // the step that failed came after the rename (the directory's fsync): then either.
        if (!(ex instanceof StoreIoException) || fs.isFrozen() || faultOp == FsOp.DIR_SYNC) {
          model.cursorAllowed.add(p);
          model.cursorUnsynced = true;
        }
      }
    }

    void closeCursor() {
      if (cursor != null) {
        cursor.close();
        cursor = null;
      }
    }

    void copy(boolean fork) {
      Path dest = Path.of("/sim/copy-" + (copyCount++));
      java.util.Set<Integer> acked = model.acked();
      int firstAfter = model.nextTag;
      String what = (fork ? "fork " : "snapshot ") + dest + " in " + session;
      try {
        CopyReport r = fork ? store.fork(dest) : store.snapshot(dest);
        model.copies.add(new Copy(dest, fork, acked, firstAfter, what));
        count((fork ? "fork" : "snapshot") + " ok");
        note(what + " at watermark " + r.watermark());
        if (poisoned) {
          violation("a copy succeeded on a poisoned store");
        }
      } catch (RuntimeException ex) {
        count((fork ? "fork " : "snapshot ") + ex.getClass().getSimpleName());
        note(what + " threw " + ex.getClass().getSimpleName() + ": " + shortMsg(ex));
        if (ex instanceof OutcomeUnknownException) {
          poisoned = true;
        }
        if (fs.isFrozen()) {
          // a power loss in the call: nothing published unless the rename was durable; if the
          // copy is there, it must be whole
          model.copies.add(new Copy(dest, fork, acked, firstAfter, what + " (crashed, optional)"));
        } else if (!String.valueOf(ex.getMessage()).contains("rename")) {
          model.unpublished.add(dest + " (" + what + ": " + ex.getClass().getSimpleName() + ")");
        } else {
          model.copies.add(new Copy(dest, fork, acked, firstAfter, what + " (renamed, optional)"));
        }
      }
    }

    /**
     * A close and an open within the session (each open starts a segment, each close seals one:
     * small sealed segments a merge can join). A close that fails ends nothing: the open judges.
     */
    void cleanReopen() {
      closeCursor();
      try {
        store.close();
        note("closed for a reopen");
        if (poisoned) {
          violation("a poisoned store closed silently");
        }
      } catch (RuntimeException e) {
        count("reopen's close " + e.getClass().getSimpleName());
        note("reopen's close threw " + e.getClass().getSimpleName() + ": " + shortMsg(e));
      }
      fenceEndsByClose();
      if (fs.isFrozen()) {
        return;
      }
      try {
        store = Store.open(config(false));
        count("reopen in a session");
      } catch (RuntimeException e) {
        if (fs.isFrozen()) {
          return;
        }
        // the session's fault hit the open: a second open without it must work
        note("the open in the session threw " + e.getClass().getSimpleName() + ": " + shortMsg(e));
        count("open in a session " + e.getClass().getSimpleName());
        fs.clearFaults();
        store = Store.open(config(false));
      }
      poisoned = false;
      if (faultOp == FsOp.READ) {
        // A read fault still armed would meet the oracle's reads (a short read is damage to a
        // reader, and verifyReceipt reports it as such): the reopen after the session judges.
        return;
      }
      try {
        for (String x : model.check(store, true, true)) {
          violation("reopen in the session: " + x);
        }
      } catch (StoreIoException | io.batpak.CorruptStoreException e) {
        // the session's fault (still armed) hit the oracle's reads: the typed error reads report
        if (e instanceof io.batpak.CorruptStoreException && !shortRead()) {
          throw e;
        }
        note("the oracle's reads met the fault: " + shortMsg(e));
      } catch (RuntimeException e) {
        if (!fs.isFrozen()) {
          throw e;
        }
      }
    }

    /** Read-your-writes: an acknowledged event reads back (or compaction reached it). */
    void read() {
      List<Ev> acked = new ArrayList<>();
      for (Ev e : model.events.values()) {
        if (e.state == State.ACKED) {
          acked.add(e);
        }
      }
      if (acked.isEmpty()) {
        return;
      }
      Ev e = acked.get(rnd.nextInt(acked.size()));
      try {
        StoredEvent got = store.get(e.receipt.eventId());
        count("read ok");
        if (!got.header().kind().equals(EventKind.TOMBSTONE)
            && !java.util.Arrays.equals(got.payload().toByteArray(), e.payload)) {
          violation("read of " + e + " returned other bytes");
        }
      } catch (io.batpak.EventNotFoundException ex) {
        count("read not found");
        if (!e.temp() || !model.retainTried) {
          violation("read of acknowledged " + e + ": " + ex);
        }
      } catch (RuntimeException ex) {
        count("read " + ex.getClass().getSimpleName());
        note("read " + e.tag + " threw " + ex.getClass().getSimpleName() + ": " + shortMsg(ex));
        if (ex instanceof io.batpak.CorruptStoreException && !fs.isFrozen() && !shortRead()) {
          violation("a read reported corruption on a disk that never lied: " + ex);
        }
      }
    }

    // --- reopen and judge ---

    void reopenAndJudge(End end) {
      if (rnd.nextInt(3) == 0) {
        try (Store ro = Store.open(config(true))) {
          count("read-only reopen");
          for (String v : model.check(ro, false, true)) {
            violation("read-only reopen after " + end + ": " + v);
          }
        } catch (RuntimeException e) {
          violation("read-only reopen after " + end + " refused: " + e);
        }
      }
      try {
        store = Store.open(config(false));
      } catch (RuntimeException e) {
        violation("reopen after " + end + " refused: " + e);
        return;
      }
      count("reopen");
      note(
          "reopened: "
              + store
                  .openReport()
                  .tornTail()
                  .map(t -> "torn tail cut " + t)
                  .orElse("no torn tail"));
      try {
        for (String v : model.check(store, true, true)) {
          violation("reopen after " + end + ": " + v);
        }
        // The disk never lied: the whole store checks out.
        io.batpak.StoreVerification all = store.verifyAll(io.batpak.VerificationProgress.none());
        if (!all.problems().isEmpty()) {
          violation("verifyAll after " + end + ": " + all.problems());
        }
        // and a compaction can still read every sealed segment (a dry run reads, writes nothing)
        CompactionResult dry =
            store.compact(CompactionConfig.retain(LifetimeExplorerIT::kept).dryRun(true));
        if (dry.outcome() == CompactionResult.Outcome.FAILED) {
          violation("a dry-run retain after " + end + " failed: " + dry);
        }
      } catch (RuntimeException e) {
        violation("the oracle's reads failed after " + end + ": " + e);
      }
    }

    /** A clean session: append, compact, close; reopen and judge; then the copies. */
    void finalSession() {
      try {
        for (int i = 0; i < 3; i++) {
          Ev e = newEvent(entity(), false, -1, true);
          e.receipt = store.append(Coordinate.of(e.entity, "s"), KIND, Bytes.of(e.payload));
          e.state = State.ACKED;
        }
        CompactionResult r = store.compact(CompactionConfig.merge());
        if (r.outcome() == CompactionResult.Outcome.FAILED) {
          violation("the clean session's compaction failed: " + r);
        }
        model.retainTried = true;
        r = store.compact(CompactionConfig.retain(LifetimeExplorerIT::kept));
        if (r.outcome() == CompactionResult.Outcome.FAILED) {
          violation("the clean session's retain failed: " + r);
        } else if (r.outcome() == CompactionResult.Outcome.PERFORMED) {
          model.droppedAtLeast += r.eventsDropped();
        }
        store.close();
        store = null;
      } catch (RuntimeException e) {
        violation("the clean session failed: " + e);
        return;
      }
      try (Store s = Store.open(config(false))) {
        for (String v : model.check(s, true, true)) {
          violation("after the clean session: " + v);
        }
      } catch (RuntimeException e) {
        violation("reopen after the clean session: " + e);
      }
      judgeCopies();
    }

    void judgeCopies() {
      for (String u : model.unpublished) {
        Path p = Path.of(u.substring(0, u.indexOf(' ')));
        try {
          if (fs.exists(p)) {
            violation("a copy whose call failed was published: " + u);
          }
        } catch (IOException e) {
          violation("exists " + p + ": " + e);
        }
      }
      for (Copy c : model.copies) {
        try {
          if (!fs.exists(c.dest())) {
            if (!c.what().contains("optional")) {
              violation(c.what() + ": gone");
            }
            continue;
          }
        } catch (IOException e) {
          violation("exists " + c.dest() + ": " + e);
          continue;
        }
        count("copy judged");
        StoreConfig cfg =
            StoreConfig.builder(c.dest())
                .fs(fs)
                .deterministic(true)
                .segmentMaxBytes(SEGMENT_MAX_BYTES)
                .readOnly(!c.fork())
                .build();
        try (Store s = Store.open(cfg)) {
          judgeCopy(s, c);
          if (c.fork()) {
            s.append(Coordinate.of("order-fork", "s"), KIND, Bytes.of(new byte[] {0, 0, 0, 0}));
          }
        } catch (RuntimeException e) {
          violation(c.what() + ": refused to open or failed: " + e);
        }
      }
    }

    void judgeCopy(Store s, Copy c) {
      java.util.Map<Integer, io.batpak.EventHeader> seen = new java.util.HashMap<>();
      for (io.batpak.EventHeader h : LifetimeModel.all(s)) {
        if (h.kind().equals(EventKind.TOMBSTONE)) {
          continue;
        }
        byte[] p = s.get(h.eventId()).payload().toByteArray();
        int tag = LifetimeModel.tagOf(p);
        Ev m = model.events.get(tag);
        seen.put(tag, h);
        if (m == null || tag >= c.firstTagAfter()) {
          violation(
              c.what() + ": holds " + (m == null ? "a phantom " + tag : m) + ", appended later");
        } else if (m.state != State.ACKED) {
          violation(c.what() + ": holds " + m);
        } else if (!java.util.Arrays.equals(p, m.payload)) {
          violation(c.what() + ": " + m + " has other bytes");
        }
      }
      for (int tag : c.ackedAtCall()) {
        Ev m = model.events.get(tag);
        if (!seen.containsKey(tag) && !m.temp()) {
          violation(c.what() + ": lacks " + m + ", acknowledged before the call");
        }
      }
    }
  }

  /** The compaction predicate: every stream but the {@code temp-} ones is kept. */
  static boolean kept(StoredEvent e) {
    return !e.header().coordinate().entity().startsWith("temp-");
  }
}
