package io.batpak.it.concurrency;

import io.batpak.AppendReceipt;
import io.batpak.Durability;
import io.batpak.EventHeader;
import io.batpak.EventId;
import io.batpak.EventKind;
import io.batpak.IdempotencyKey;
import io.batpak.QueueFullPolicy;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreClosedException;
import io.batpak.StoreConfig;
import io.batpak.StoreException;
import io.batpak.StoreTimeoutException;
import io.batpak.Watermark;
import io.batpak.Watermarks;
import io.batpak.engine.FrameLocation;
import io.batpak.fs.sim.CrashProfile;
import io.batpak.fs.sim.ErrorKind;
import io.batpak.fs.sim.FaultAction;
import io.batpak.fs.sim.FaultRule;
import io.batpak.fs.sim.FaultTrigger;
import io.batpak.fs.sim.FsOp;
import io.batpak.fs.sim.SimEntropy;
import io.batpak.fs.sim.SimStoreFs;
import io.batpak.port.StoreClock;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One run of the threaded-committer stress: a seed fixes the durability, the fault, its position,
 * the number of threads, the store's limits and every thread's operations; the threads then race
 * for real (so a seed replays the plan, not the interleaving). See {@link ThreadedStressIT} for the
 * properties; {@link #violations} lists every one that failed, each prefixed with its name.
 */
final class StressRun {
  static final EventKind KIND = EventKind.custom(2, 1);
  static final String[] SHARED = {"shared-0", "shared-1", "shared-2"};

  /** The fault of a run: {@code floorMod(seed, 8)}. */
  enum Fault {
    NONE,
    /** The simulator fails the k-th segment write with EIO, writing nothing. */
    FAILED_WRITE,
    /**
     * The simulator fails the k-th segment sync and drops the file's dirty pages, as Linux does.
     */
    FAILED_SYNC_DROPS_PAGES,
    /** The simulator fails the k-th segment sync with EIO and keeps the pages. */
    FAILED_SYNC_EIO,
    /** Every segment sync fails with EIO once {@code close()} starts: the final fsync fails. */
    FAILED_SYNC_ON_CLOSE,
    /** The k-th segment write or sync throws an unchecked {@link IllegalStateException}. */
    RUNTIME_EXCEPTION,
    /** The k-th segment write or sync throws {@link OutOfMemoryError}. */
    OUT_OF_MEMORY,
    /** The device fills up a few KiB after open ({@link FaultAction.NoSpaceQuota}). */
    FULL_DEVICE;

    String label() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  /** One API call of a worker and its outcome. */
  static final class Call {
    final int thread;
    final int index;
    final String kind;
    final List<String> entities = new ArrayList<>();
    final List<byte[]> payloads = new ArrayList<>();
    final List<IdempotencyKey> keys = new ArrayList<>();

    /** Whether this call retries a key the thread already had acknowledged. */
    boolean retryOf;

    AppendReceipt[] retried;
    volatile List<AppendReceipt> receipts;
    volatile Throwable failure;
    CompletableFuture<AppendReceipt> future;

    Call(int thread, int index, String kind) {
      this.thread = thread;
      this.index = index;
      this.kind = kind;
    }

    String describe() {
      return kind + " #" + index + " of thread " + thread + " on " + entities;
    }
  }

  final long seed;
  final Durability durability;
  final Fault fault;
  final int threads;
  final int opsPerThread;
  final long hangMillis;
  private final SplittableRandom plan;
  private final int faultAt;
  final boolean closeByWorker;
  final int closerThread;
  final int closerAt;
  final CrashProfile profile;

  /** Whether thread 0 pipelines long chains of {@code submit} instead of mixing calls. */
  final boolean pipeliner;

  /** The store's directory, named after the seed so its threads are too. */
  final Path dir;

  final List<String> violations = Collections.synchronizedList(new ArrayList<>());
  final List<Call> calls = new CopyOnWriteArrayList<>();
  final AtomicLong maxDurable = new AtomicLong();
  final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicReference<Throwable> closeOutcome = new AtomicReference<>();
  private final AtomicBoolean closeReturned = new AtomicBoolean();
  private final AtomicBoolean dumped = new AtomicBoolean();
  volatile long deadlineNanos;
  SimStoreFs sim;
  private StressFs fs;
  Store store;

  StressRun(long seed, long hangMillis) {
    this.seed = seed;
    this.hangMillis = hangMillis;
    this.dir = Path.of("/sim", "s" + Long.toUnsignedString(seed));
    this.fault = Fault.values()[(int) Math.floorMod(seed, 8L)];
    this.durability = Math.floorMod(seed / 8, 2L) == 0 ? Durability.DURABLE : Durability.VISIBLE;
    this.plan = new SplittableRandom(seed);
    this.threads = 2 + plan.nextInt(7);
    this.opsPerThread = 12 + plan.nextInt(24);
    this.faultAt = 3 + plan.nextInt(40);
    this.closeByWorker = plan.nextInt(3) == 0;
    this.closerThread = plan.nextInt(threads);
    this.closerAt = plan.nextInt(opsPerThread);
    this.profile = CrashProfile.values()[plan.nextInt(CrashProfile.values().length)];
    this.pipeliner = plan.nextInt(3) == 0;
  }

  String describe() {
    return "seed "
        + seed
        + " ("
        + durability
        + ", fault "
        + fault.label()
        + (fault == Fault.NONE || fault == Fault.FAILED_SYNC_ON_CLOSE ? "" : " at " + faultAt)
        + ", "
        + threads
        + " threads x "
        + opsPerThread
        + " calls"
        + (pipeliner ? ", thread 0 pipelines submits" : "")
        + (closeByWorker ? ", closed by thread " + closerThread + " at call " + closerAt : "")
        + ", crash "
        + profile
        + ")";
  }

  void violation(String property, String detail) {
    violations.add("[" + property + "] " + detail);
  }

  // ------------------------------------------------------------------------------------ run

  void run() throws Exception {
    sim = new SimStoreFs(seed);
    sim.createDirectories(dir.getParent());
    sim.syncAll();
    StressFs.Unchecked unchecked =
        fault == Fault.RUNTIME_EXCEPTION
            ? StressFs.Unchecked.RUNTIME_EXCEPTION
            : fault == Fault.OUT_OF_MEMORY
                ? StressFs.Unchecked.OUT_OF_MEMORY
                : StressFs.Unchecked.NONE;
    // The unchecked fault counts from open, whose segment creation makes two calls.
    fs = new StressFs(sim, seed, 0.3, unchecked, faultAt + 2L);
    store = Store.open(config());
    armSimFault();

    List<Thread> workers = new ArrayList<>();
    CountDownLatch go = new CountDownLatch(1);
    for (int t = 0; t < threads; t++) {
      int thread = t;
      Thread w =
          new Thread(
              () -> {
                try {
                  go.await();
                  new StressWorker(this, thread, new SplittableRandom(seed * 31 + thread)).run();
                } catch (Throwable e) {
                  violation(
                      "typed-outcome",
                      "worker " + thread + " died of an exception the store let through: " + e);
                }
              },
              "stress-worker-" + seed + "-" + t);
      w.setDaemon(true);
      workers.add(w);
      w.start();
    }
    deadlineNanos = System.nanoTime() + hangMillis * 1_000_000L;
    go.countDown();
    boolean hung = !joinAll(workers, hangMillis);
    List<String> timedOut = new ArrayList<>();
    for (Call c : calls) {
      if (c.failure instanceof TimeoutException) {
        timedOut.add(c.describe());
      }
    }
    if (hung || !timedOut.isEmpty()) {
      List<String> alive = new ArrayList<>();
      for (Thread w : workers) {
        if (w.isAlive()) {
          alive.add(w.getName());
        }
      }
      violation(
          "liveness",
          "within "
              + hangMillis
              + " ms of the start, "
              + timedOut.size()
              + " futures had not completed "
              + timedOut.subList(0, Math.min(8, timedOut.size()))
              + " and "
              + alive.size()
              + " worker threads had not returned "
              + alive
              + "\n"
              + threadDump());
    }
    if (!closed.get() && !hung) {
      checkVisibleCadence();
      checkReadableState();
    }
    if (!closed.get()) {
      closeStore();
    }
    checkAfterClose(workers);
    checkPerThreadOrder();
    checkRetries();
    checkTypedOutcomes();
    StressRecoveryCheck.check(this);
  }

  private StoreConfig config() {
    SplittableRandom r = new SplittableRandom(seed ^ 0xC0FFEEL);
    StoreConfig.Builder b =
        StoreConfig.builder(dir)
            .fs(fs)
            .clock(StoreClock.system())
            .entropy(new SimEntropy(seed))
            .codec("bytes")
            .segmentMaxBytes(r.nextBoolean() ? 4096 : 64 << 10)
            .maxGroupEvents(new int[] {1, 3, 64, 1024}[r.nextInt(4)])
            .queueCapacity(new int[] {2, 16, 4096}[r.nextInt(3)])
            .whenQueueFull(QueueFullPolicy.BLOCK, Duration.ofMillis(hangMillis))
            .closeTimeout(Duration.ofMillis(hangMillis / 2));
    if (durability == Durability.VISIBLE) {
      b.visible(r.nextBoolean() ? 3 : 1000, Duration.ofMillis(r.nextBoolean() ? 5 : 20));
    }
    return b.build();
  }

  private void armSimFault() throws IOException {
    String segments = dir + "/*.seg";
    switch (fault) {
      case FAILED_WRITE:
        sim.addFault(
            FaultRule.on(
                FsOp.WRITE,
                segments,
                FaultTrigger.nth(faultAt),
                new FaultAction.Fail(ErrorKind.IO)));
        break;
      case FAILED_SYNC_DROPS_PAGES:
        sim.addFault(
            FaultRule.on(
                FsOp.SYNC, segments, FaultTrigger.nth(faultAt), new FaultAction.FailedSync()));
        break;
      case FAILED_SYNC_EIO:
        sim.addFault(
            FaultRule.on(
                FsOp.SYNC,
                segments,
                FaultTrigger.nth(faultAt),
                new FaultAction.Fail(ErrorKind.IO)));
        break;
      case FULL_DEVICE:
        long used = 0;
        for (String name : sim.list(dir)) {
          used += sim.contentOf(dir.resolve(name)).length;
        }
        sim.addFault(
            FaultRule.on(
                FsOp.WRITE,
                FaultTrigger.always(),
                new FaultAction.NoSpaceQuota(used + 2048 + 256L * faultAt)));
        break;
      default:
        break;
    }
  }

  static RuntimeException rethrowable(Throwable e) {
    if (e instanceof RuntimeException re) {
      return re;
    }
    if (e instanceof Error err) {
      throw err;
    }
    return new IllegalStateException(e);
  }

  /**
   * Checks that the frame of event {@code id} lies within what a completed sync covered. The frame
   * is located through the store's index (no I/O); when the store has closed under the check, there
   * is nothing to locate it in and the check is skipped.
   */
  void checkCovered(String property, long global, EventId id, String what) {
    FrameLocation pos;
    try {
      pos = FrameLocation.of(store, id);
    } catch (StoreClosedException e) {
      return;
    }
    String path = dir.resolve(String.format("%010d.seg", pos.segmentId())).toString();
    long synced = fs.syncedSize(path);
    if (pos.offset() + pos.length() > synced) {
      violation(
          property,
          "event "
              + global
              + " at "
              + pos
              + " "
              + what
              + " before an fsync covering it returned: completed syncs of "
              + path
              + " cover "
              + synced
              + " bytes, its frame ends at "
              + (pos.offset() + pos.length()));
    }
  }

  // ----------------------------------------------------------------------------- checks

  /** VISIBLE mode: written events become durable within the sync interval without sync(). */
  private void checkVisibleCadence() {
    if (durability != Durability.VISIBLE) {
      return;
    }
    Watermarks w;
    try {
      w = store.watermarks();
    } catch (StoreClosedException e) {
      return;
    }
    if (w.written() == 0 || w.durable() >= w.written()) {
      return;
    }
    Duration bound = Duration.ofMillis(hangMillis);
    try {
      store.waitFor(Watermark.DURABLE, w.written() - 1, bound);
    } catch (StoreTimeoutException e) {
      violation(
          "visible-cadence",
          "VISIBLE mode left "
              + (w.written() - w.durable())
              + " written events unsynced for "
              + bound
              + " after the last append (visibleSyncInterval "
              + store.config().visibleSyncInterval()
              + "; watermarks "
              + w
              + " -> "
              + store.watermarks()
              + ")");
    } catch (StoreClosedException e) {
      // poisoned by the fault: the cadence no longer applies
    }
  }

  /** Before close: every event under the durable watermark was covered by a completed sync. */
  private void checkReadableState() {
    Watermarks w;
    List<EventHeader> all = new ArrayList<>();
    try {
      w = store.watermarks();
      maxDurable.accumulateAndGet(w.durable(), Math::max);
      for (long after = -1; ; ) {
        List<EventHeader> page = store.queryAfter(Region.all(), after, 500);
        if (page.isEmpty()) {
          break;
        }
        all.addAll(page);
        after = page.get(page.size() - 1).globalSequence();
      }
    } catch (StoreException e) {
      return; // a read of a frame whose pages a failed sync dropped; reported by the crash check
    }
    for (EventHeader h : all) {
      if (h.globalSequence() < w.durable()) {
        checkCovered(
            "durable-watermark",
            h.globalSequence(),
            h.eventId(),
            "is under the durable watermark " + w.durable());
      }
    }
  }

  void closeStore() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    fs.closing();
    if (fault == Fault.FAILED_SYNC_ON_CLOSE) {
      sim.addFault(
          FaultRule.on(
              FsOp.SYNC,
              dir + "/*.seg",
              FaultTrigger.always(),
              new FaultAction.Fail(ErrorKind.IO)));
    }
    Thread closer =
        new Thread(
            () -> {
              try {
                store.close();
              } catch (Throwable e) {
                closeOutcome.set(e);
              }
              closeReturned.set(true);
            },
            "stress-closer-" + seed);
    closer.setDaemon(true);
    closer.start();
    try {
      closer.join(hangMillis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!closeReturned.get()) {
      violation("liveness", "close() did not return within " + hangMillis + " ms\n" + threadDump());
      return;
    }
    if (!fs.failedSyncsWhileClosing.isEmpty() && closeOutcome.get() == null) {
      violation(
          "close",
          "close() returned normally although its final fsync failed: "
              + fs.failedSyncsWhileClosing);
    }
  }

  private void checkAfterClose(List<Thread> workers) throws InterruptedException {
    if (!closeReturned.get()) {
      return;
    }
    List<String> notDone = new ArrayList<>();
    for (Call c : calls) {
      if (c.future != null && !c.future.isDone()) {
        notDone.add(c.describe());
      }
    }
    if (!notDone.isEmpty()) {
      violation(
          "close",
          notDone.size()
              + " futures were not complete when close() returned, for example "
              + notDone.subList(0, Math.min(5, notDone.size())));
    }
    if (!joinAll(workers, hangMillis)) { // blocked appenders return once close() fails them
      List<String> alive = new ArrayList<>();
      for (Thread w : workers) {
        if (w.isAlive()) {
          alive.add(w.getName());
        }
      }
      violation(
          "liveness",
          "threads blocked in the store outlived close() by "
              + hangMillis
              + " ms: "
              + alive
              + "\n"
              + threadDump());
    }
    long until = System.nanoTime() + hangMillis * 1_000_000L;
    List<String> never = new ArrayList<>();
    for (Call c : calls) {
      if (c.future == null) {
        continue;
      }
      try {
        c.future.get(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        never.add(c.describe());
      } catch (ExecutionException e) {
        // completed with a failure: fine
      }
    }
    if (!never.isEmpty()) {
      violation(
          "liveness",
          never.size()
              + " futures never completed, even "
              + hangMillis
              + " ms after close() returned: "
              + never.subList(0, Math.min(8, never.size())));
    }
  }

  /** One thread's successful appends commit in call order. */
  private void checkPerThreadOrder() {
    Map<Integer, List<Call>> byThread = new HashMap<>();
    for (Call c : calls) {
      if (!c.retryOf && c.receipts != null) {
        byThread.computeIfAbsent(c.thread, k -> new ArrayList<>()).add(c);
      }
    }
    for (Map.Entry<Integer, List<Call>> e : byThread.entrySet()) {
      List<Call> mine = e.getValue();
      mine.sort((a, b) -> Integer.compare(a.index, b.index));
      for (int i = 1; i < mine.size(); i++) {
        Call prev = mine.get(i - 1);
        Call next = mine.get(i);
        long p = prev.receipts.get(0).globalSequence();
        long n = next.receipts.get(0).globalSequence();
        if (n <= p) {
          violation(
              "order",
              "thread "
                  + e.getKey()
                  + ": "
                  + next.describe()
                  + " committed at global sequence "
                  + n
                  + ", before its earlier "
                  + prev.describe()
                  + " at "
                  + p);
          break;
        }
      }
    }
  }

  /** A retry of an acknowledged keyed append returns the original receipt. */
  private void checkRetries() {
    for (Call c : calls) {
      if (c.retryOf && c.receipts != null) {
        AppendReceipt got = c.receipts.get(0);
        AppendReceipt want = c.retried[0];
        if (got.globalSequence() != want.globalSequence()
            || !got.eventId().equals(want.eventId())) {
          violation(
              "idempotent-retry",
              c.describe() + " returned " + got + " instead of the original receipt " + want);
        }
      }
    }
  }

  /** Every call ends with a receipt or a typed {@link StoreException}. */
  private void checkTypedOutcomes() {
    for (Call c : calls) {
      Throwable f = c.failure;
      if (f != null && !(f instanceof StoreException) && !(f instanceof TimeoutException)) {
        violation("typed-outcome", c.describe() + " failed with an untyped " + f);
      }
    }
  }

  // ----------------------------------------------------------------------------- helpers

  private static boolean joinAll(List<Thread> threads, long millis) throws InterruptedException {
    long deadline = System.nanoTime() + millis * 1_000_000L;
    for (Thread t : threads) {
      long left = deadline - System.nanoTime();
      if (left > 0) {
        t.join(Math.max(1, left / 1_000_000L));
      }
      if (t.isAlive()) {
        return false;
      }
    }
    return true;
  }

  /** The stacks of the store's and this run's threads (once per run; later calls say so). */
  private String threadDump() {
    if (!dumped.compareAndSet(false, true)) {
      return "(threads dumped above)";
    }
    StringBuilder out = new StringBuilder("thread dump:\n");
    boolean committer = false;
    for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
      String name = e.getKey().getName();
      String id = Long.toUnsignedString(seed);
      boolean ours =
          name.endsWith(" s" + id) || name.contains("-" + seed + "-") || name.endsWith("-" + seed);
      if (!ours) {
        continue;
      }
      committer |= name.startsWith("batpak-committer");
      out.append("  \"").append(name).append("\" ").append(e.getKey().getState()).append('\n');
      for (StackTraceElement f : e.getValue()) {
        out.append("      at ").append(f).append('\n');
      }
    }
    if (!committer) {
      out.append("  (no batpak-committer thread is alive: it died, or exited on close)\n");
    }
    return out.toString();
  }
}
