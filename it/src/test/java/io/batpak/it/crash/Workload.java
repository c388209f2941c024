package io.batpak.it.crash;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.ConcurrencyConflictException;
import io.batpak.Coordinate;
import io.batpak.EventHeader;
import io.batpak.EventKind;
import io.batpak.ExpectedVersion;
import io.batpak.IdempotencyConflictException;
import io.batpak.IdempotencyKey;
import io.batpak.OutcomeUnknownException;
import io.batpak.Payload;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StoreFullException;
import io.batpak.ValidationException;
import io.batpak.engine.FrameLocation;
import io.batpak.fs.sim.CrashProfile;
import io.batpak.fs.sim.SimEntropy;
import io.batpak.fs.sim.SimStoreClock;
import io.batpak.fs.sim.SimStoreFs;
import io.batpak.it.crash.History.Call;
import io.batpak.it.crash.History.Intent;
import io.batpak.it.crash.History.Type;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * A seeded workload: a mix of single appends, batches, CAS appends (several logical producers with
 * their own view of shared streams, interleaved on one thread), idempotent retries, key conflicts,
 * explicit syncs, and close-and-reopen, on a store with tiny (4 KiB) segments so it rotates often.
 * One seed fixes the kind, the fault and every choice, and, with the engine's deterministic mode
 * and the simulator, the whole history.
 */
final class Workload {
  /** The store directory inside the simulator. */
  static final Path DIR = Path.of("/sim/store");

  /** Weights of the steps, per kind. */
  enum Kind {
    MIXED(40, 20, 10, 3, 5, 4, 0, 0.4, 0.3, 0.15, false),
    BATCHES(20, 50, 8, 2, 5, 3, 0, 0.4, 0.2, 0.15, false),
    CAS(60, 10, 8, 2, 3, 3, 0, 0.2, 0.8, 0.1, false),
    IDEMPOTENT(35, 20, 30, 8, 3, 4, 0, 0.9, 0.3, 0.1, false),
    ROTATION(40, 25, 5, 0, 3, 3, 0, 0.3, 0.2, 0.5, false),
    /** Power losses in the middle of the run, after which the workload reopens and goes on. */
    POWER_LOSS(40, 20, 10, 3, 3, 2, 6, 0.5, 0.3, 0.2, false),
    /** {@code Durability.VISIBLE} with an fsync every 5 events, and power losses. */
    VISIBLE(40, 20, 10, 3, 4, 3, 4, 0.4, 0.3, 0.15, true),
    // The kinds below run only in SealCrashExplorerIT, which names them; the seeded explorer and
    // forSeed pick among the first CLASSIC kinds.
    /** Many clean closes: each seals the active segment and publishes the index checkpoint. */
    CLOSE(30, 20, 5, 0, 2, 15, 0, 0.3, 0.2, 0.3, false),
    /** A periodic index checkpoint every 4 KiB of journal, in 16 KiB segments. */
    CHECKPOINT(40, 25, 5, 0, 3, 1, 0, 0.3, 0.2, 0.4, false, 16384, 4096),
    /**
     * Clean closes (seal and checkpoint) and periodic checkpoints, then appends and power losses:
     * the opens load a checkpoint and then cut a torn tail or start a new segment.
     */
    CHECKPOINT_OPEN(35, 20, 0, 0, 2, 8, 8, 0.3, 0.2, 0.4, false, 16384, 4096);

    /** How many kinds (the first ones) the seeded explorer and {@link #forSeed} cycle through. */
    static final int CLASSIC = 7;

    /** VISIBLE mode fsyncs after this many events. */
    static final int VISIBLE_EVERY = 5;

    final int[] weights;
    final boolean visible;
    final double keyed;
    final double cas;
    final double big;

    /** The store's segment size. */
    final long segmentMaxBytes;

    /** Journal bytes between index checkpoints, or 0 for the default (only on close, here). */
    final long checkpointEveryBytes;

    Kind(
        int append,
        int batch,
        int retry,
        int keyConflict,
        int sync,
        int reopen,
        int powerLoss,
        double keyed,
        double cas,
        double big,
        boolean visible) {
      this(
          append,
          batch,
          retry,
          keyConflict,
          sync,
          reopen,
          powerLoss,
          keyed,
          cas,
          big,
          visible,
          4096,
          0);
    }

    Kind(
        int append,
        int batch,
        int retry,
        int keyConflict,
        int sync,
        int reopen,
        int powerLoss,
        double keyed,
        double cas,
        double big,
        boolean visible,
        long segmentMaxBytes,
        long checkpointEveryBytes) {
      this.weights = new int[] {append, batch, retry, keyConflict, sync, reopen, powerLoss};
      this.visible = visible;
      this.keyed = keyed;
      this.cas = cas;
      this.big = big;
      this.segmentMaxBytes = segmentMaxBytes;
      this.checkpointEveryBytes = checkpointEveryBytes;
    }

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  static final int PRODUCERS = 3;

  final long seed;
  final Kind kind;
  final Fault fault;
  final int steps;

  Workload(long seed, Kind kind, Fault fault, int steps) {
    this.seed = seed;
    this.kind = kind;
    this.fault = fault;
    this.steps = steps;
  }

  /** The explorer's workload for {@code seed}: kind and fault follow from the seed. */
  static Workload forSeed(long seed, int steps) {
    Kind k = Kind.values()[(int) ((seed & 0xFF) % Kind.CLASSIC)];
    return new Workload(seed, k, Fault.forSeed(seed), steps);
  }

  static Kind kind(String label) {
    return Kind.valueOf(label.toUpperCase(Locale.ROOT));
  }

  @Override
  public String toString() {
    return "workload[seed=" + seed + ", " + kind.label() + ", fault=" + fault.spec() + "]";
  }

  /** The configuration a workload's store runs with. */
  StoreConfig config(SimStoreFs fs, SimStoreClock clock, SimEntropy entropy) {
    StoreConfig.Builder b = StoreConfig.builder(DIR);
    if (kind.visible) {
      b.visible(Kind.VISIBLE_EVERY, Duration.ofMillis(50));
    }
    if (kind.checkpointEveryBytes > 0) {
      b.checkpointEveryBytes(kind.checkpointEveryBytes);
    }
    return b.fs(fs)
        .clock(clock)
        .entropy(entropy)
        .deterministic(true)
        .segmentMaxBytes(kind.segmentMaxBytes)
        .build();
  }

  /** A plain deterministic configuration for reopening after a crash. */
  static StoreConfig plainConfig(SimStoreFs fs, long seed) {
    return StoreConfig.builder(DIR)
        .fs(fs)
        .clock(new SimStoreClock())
        .entropy(new SimEntropy(seed))
        .deterministic(true)
        .build();
  }

  /** Runs the workload on a fresh simulator; with {@code snapshots}, one after every change. */
  History run(boolean snapshots) {
    SimStoreFs fs = SimStoreFs.builder().seed(seed).recordSnapshots(snapshots).build();
    fs.setFaultPlan(fault.plan());
    return new Runner(fs).go();
  }

  /** Runs the workload on {@code fs} (whose fault plan is already set). */
  History run(SimStoreFs fs) {
    return new Runner(fs).go();
  }

  private final class Runner {
    final SimStoreFs fs;
    final SimStoreClock clock = new SimStoreClock();
    final SimEntropy entropy;
    final SplittableRandom rnd;
    final List<Intent> intents = new ArrayList<>();
    final List<Call> calls = new ArrayList<>();
    final List<String> violations = new ArrayList<>();

    /** The model: next stream sequence of each stream, from receipts (and the store on reopen). */
    final Map<String, Long> next = new HashMap<>();

    /** Each producer's possibly stale view of the next stream sequence. */
    final List<Map<String, Long>> views = new ArrayList<>();

    final TreeSet<String> entities = new TreeSet<>();
    Store store;
    boolean poisoned;
    int tag;
    int epoch;

    Runner(SimStoreFs fs) {
      this.fs = fs;
      this.entropy = new SimEntropy(seed ^ 0x5DEECE66DL);
      this.rnd = new SplittableRandom(seed);
      for (int p = 0; p < PRODUCERS; p++) {
        views.add(new HashMap<>());
      }
    }

    History go() {
      open();
      for (int step = 0; step < steps && !fs.isFrozen(); step++) {
        clock.advance(Duration.ofMillis(1 + rnd.nextInt(20)));
        if (store == null) {
          open();
          continue;
        }
        if (poisoned && rnd.nextInt(3) == 0) {
          reopen();
          continue;
        }
        switch (pick()) {
          case 0:
            single();
            break;
          case 1:
            batch();
            break;
          case 2:
            retry();
            break;
          case 3:
            keyConflict();
            break;
          case 4:
            sync();
            break;
          case 5:
            reopen();
            break;
          default:
            powerLoss();
        }
      }
      if (!fs.isFrozen() && store != null) {
        close();
      }
      return new History(
          Workload.this,
          intents,
          calls,
          fs.recordedSnapshots(),
          fs.opLog(),
          fs.digest(),
          fs.stateChangingOperationCount(),
          fs.isFrozen(),
          violations);
    }

    int pick() {
      int total = 0;
      for (int w : kind.weights) {
        total += w;
      }
      int r = rnd.nextInt(total);
      for (int i = 0; i < kind.weights.length; i++) {
        r -= kind.weights[i];
        if (r < 0) {
          return i;
        }
      }
      return 0;
    }

    String entity(int producer) {
      String e =
          rnd.nextInt(3) == 0 ? "shared-" + rnd.nextInt(2) : "p" + producer + "-s" + rnd.nextInt(3);
      entities.add(e);
      return e;
    }

    Intent intent(String entity, boolean keyed) {
      int t = tag++;
      int len = rnd.nextDouble() < kind.big ? 500 + rnd.nextInt(1500) : 8 + rnd.nextInt(120);
      char[] filler = new char[len];
      for (int i = 0; i < len; i++) {
        filler[i] = (char) ('a' + rnd.nextInt(26));
      }
      Intent in =
          new Intent(
              t,
              Coordinate.of(entity, "crash"),
              EventKind.custom(1, 1 + rnd.nextInt(5)),
              Intent.payload(t, new String(filler)),
              keyed ? IdempotencyKey.of(seed, t) : null);
      intents.add(in);
      return in;
    }

    ExpectedVersion expectation(int producer, String entity) {
      if (rnd.nextDouble() >= kind.cas) {
        return ExpectedVersion.any();
      }
      long view = views.get(producer).getOrDefault(entity, 0L);
      return view == 0 ? ExpectedVersion.noStream() : ExpectedVersion.exactly(view - 1);
    }

    void single() {
      int producer = rnd.nextInt(PRODUCERS);
      String entity = entity(producer);
      Intent in = intent(entity, rnd.nextDouble() < kind.keyed);
      ExpectedVersion ev = expectation(producer, entity);
      AppendOptions opts = options(in, ev);
      Call c = new Call(calls.size(), Type.APPEND, List.of(in));
      Boolean conflict = in.key == null ? !ev.matches(next.getOrDefault(entity, 0L)) : null;
      invoke(
          c,
          () -> List.of(store.append(in.coordinate, in.kind, Bytes.of(in.payload), opts)),
          producer,
          conflict);
      remember(c, List.of(opts));
    }

    void batch() {
      int producer = rnd.nextInt(PRODUCERS);
      int n = 2 + rnd.nextInt(5);
      boolean keyed = rnd.nextDouble() < kind.keyed;
      List<Intent> list = new ArrayList<>();
      List<AppendOptions> opts = new ArrayList<>();
      List<BatchItem> items = new ArrayList<>();
      Map<String, Long> local = new HashMap<>();
      boolean conflict = false;
      for (int i = 0; i < n; i++) {
        String entity = entity(producer);
        Intent in = intent(entity, keyed);
        ExpectedVersion ev = i == 0 ? expectation(producer, entity) : ExpectedVersion.any();
        long at = local.getOrDefault(entity, next.getOrDefault(entity, 0L));
        conflict |= !ev.matches(at);
        local.put(entity, at + 1);
        AppendOptions o = options(in, ev);
        BatchItem item =
            new BatchItem(in.coordinate, in.kind, Payload.raw(Bytes.of(in.payload)), o, -1);
        if (i > 0 && rnd.nextInt(3) == 0) {
          item = item.causedBy(i - 1);
        }
        list.add(in);
        opts.add(o);
        items.add(item);
      }
      Call c = new Call(calls.size(), Type.BATCH, List.copyOf(list));
      invoke(c, () -> store.appendBatch(items), producer, keyed ? null : conflict);
      remember(c, opts);
      batches.put(c.index, items);
    }

    final Map<Integer, List<AppendOptions>> options = new HashMap<>();
    final Map<Integer, List<BatchItem>> batches = new HashMap<>();
    final List<Call> keyedCalls = new ArrayList<>();

    void remember(Call c, List<AppendOptions> opts) {
      options.put(c.index, opts);
      if (c.intents.get(0).key != null) {
        keyedCalls.add(c);
      }
    }

    AppendOptions options(Intent in, ExpectedVersion ev) {
      AppendOptions o = AppendOptions.defaults().withExpectedVersion(ev);
      return in.key == null ? o : o.withIdempotencyKey(in.key);
    }

    /** Retries an earlier keyed call whole: same intents, same options. */
    void retry() {
      if (keyedCalls.isEmpty()) {
        single();
        return;
      }
      Call original = keyedCalls.get(rnd.nextInt(keyedCalls.size()));
      Call c = new Call(calls.size(), Type.RETRY, original.intents);
      List<AppendOptions> opts = options.get(original.index);
      if (original.type == Type.BATCH) {
        List<BatchItem> items = batches.get(original.index);
        invoke(c, () -> store.appendBatch(items), -1, null);
      } else {
        Intent in = original.intents.get(0);
        invoke(
            c,
            () -> List.of(store.append(in.coordinate, in.kind, Bytes.of(in.payload), opts.get(0))),
            -1,
            null);
      }
      Call acked = honest() ? firstAcked(original.intents) : null;
      if (acked != null && c.ok() && !sameEvents(acked.receipts, c.receipts)) {
        violations.add(
            "retry "
                + c
                + " of acknowledged "
                + acked
                + " returned different receipts: "
                + acked.receipts
                + " then "
                + c.receipts);
      }
      if (acked != null && (c.neverWrites || c.undoneOnReturn) && !poisoned) {
        violations.add("retry " + c + " of acknowledged " + acked + " failed: " + c.error);
      }
    }

    /** Whether the disk is honest (acknowledged stays acknowledged), so in-run rules apply. */
    boolean honest() {
      return fault.mode() == Fault.Mode.HONEST;
    }

    /**
     * The first call that acknowledged exactly {@code list} and still binds: in VISIBLE mode only
     * with no power loss since (it may not have been durable).
     */
    Call firstAcked(List<Intent> list) {
      for (Call k : calls) {
        if (k.ok() && k.intents.equals(list) && (!kind.visible || k.epoch == epoch)) {
          return k;
        }
      }
      return null;
    }

    boolean sameEvents(List<AppendReceipt> a, List<AppendReceipt> b) {
      if (a.size() != b.size()) {
        return false;
      }
      for (int i = 0; i < a.size(); i++) {
        AppendReceipt x = a.get(i);
        AppendReceipt y = b.get(i);
        if (!x.eventId().equals(y.eventId())
            || x.globalSequence() != y.globalSequence()
            || x.streamSequence() != y.streamSequence()
            || !x.eventHash().equals(y.eventHash())) {
          return false;
        }
      }
      return true;
    }

    /** Reuses an earlier single append's key with a different payload. */
    void keyConflict() {
      Call original = null;
      for (int tries = 0; tries < 4 && !keyedCalls.isEmpty(); tries++) {
        Call k = keyedCalls.get(rnd.nextInt(keyedCalls.size()));
        if (k.type == Type.APPEND) {
          original = k;
          break;
        }
      }
      if (original == null) {
        single();
        return;
      }
      Intent was = original.intents.get(0);
      int t = tag++;
      Intent in =
          new Intent(
              t,
              was.coordinate,
              was.kind,
              Intent.payload(t, "conflicting content " + rnd.nextInt(1000)),
              was.key);
      intents.add(in);
      Call c = new Call(calls.size(), Type.KEY_CONFLICT, List.of(in));
      invoke(
          c,
          () ->
              List.of(
                  store.append(
                      in.coordinate,
                      in.kind,
                      Bytes.of(in.payload),
                      AppendOptions.defaults().withIdempotencyKey(in.key))),
          -1,
          null);
      boolean committed = honest() && firstAcked(original.intents) != null;
      if (committed && !poisoned && c.ok()) {
        violations.add(
            "key conflict "
                + c
                + " succeeded, but key "
                + was.key
                + " was committed by "
                + original);
      }
    }

    void sync() {
      Call c = new Call(calls.size(), Type.SYNC, List.of());
      calls.add(c);
      c.start = fs.stateChangingOperationCount();
      try {
        store.sync();
      } catch (RuntimeException e) {
        c.error = e.getClass().getSimpleName();
      }
      finish(c);
      if (poisoned && c.error == null && !c.crashed) {
        violations.add("sync " + c + " succeeded on a poisoned store");
      }
      if ("OutcomeUnknownException".equals(c.error) && !c.crashed) {
        poisoned = true;
      }
    }

    /**
     * A power loss (or, one time in four, a process crash that keeps the page cache) between two
     * calls; the store is abandoned and reopened.
     */
    void powerLoss() {
      Call c = new Call(calls.size(), Type.CRASH, List.of());
      calls.add(c);
      c.start = fs.stateChangingOperationCount();
      int how = rnd.nextInt(4);
      if (how == 3) {
        fs.restart();
      } else {
        fs.crash(CrashProfile.values()[how]);
      }
      store = null;
      epoch++;
      c.end = fs.stateChangingOperationCount();
      open();
    }

    void reopen() {
      close();
      if (!fs.isFrozen()) {
        open();
      }
    }

    void close() {
      Call c = new Call(calls.size(), Type.CLOSE, List.of());
      calls.add(c);
      c.start = fs.stateChangingOperationCount();
      try {
        store.close();
      } catch (RuntimeException e) {
        c.error = e.getClass().getSimpleName();
      }
      store = null;
      finish(c);
    }

    void open() {
      Call c = new Call(calls.size(), Type.OPEN, List.of());
      calls.add(c);
      c.start = fs.stateChangingOperationCount();
      try {
        store = Store.open(config(fs, clock, entropy));
        c.damage = store.openReport().tornTail().orElse(null);
        c.recovered = store.stats().eventCount();
        poisoned = false;
      } catch (RuntimeException e) {
        c.error = e.getClass().getSimpleName() + ": " + e.getMessage();
        store = null;
      }
      finish(c);
      next.clear();
      for (String e : entities) {
        long n = latest(e);
        if (n > 0) {
          next.put(e, n);
        }
      }
    }

    /** The next stream sequence of {@code entity} as the store says, or 0 if it cannot say. */
    long latest(String entity) {
      if (store == null) {
        return 0;
      }
      try {
        Optional<EventHeader> h = store.latest(entity);
        return h.map(x -> x.streamSequence() + 1).orElse(0L);
      } catch (RuntimeException e) {
        return 0; // a corrupting fault may have damaged the frame; the model stays unsure
      }
    }

    /**
     * Where the frames of {@code receipts} lie now (reads the store's index only: no operation on
     * the simulator); null for one the store cannot locate.
     */
    List<FrameLocation> locate(List<AppendReceipt> receipts) {
      List<FrameLocation> out = new ArrayList<>(receipts.size());
      for (AppendReceipt r : receipts) {
        FrameLocation f = null;
        try {
          f = FrameLocation.of(store, r.eventId());
        } catch (RuntimeException e) {
          // Not visible (yet) or the store is closed: unknown, so no cut can excuse its loss.
        }
        out.add(f);
      }
      return out;
    }

    void finish(Call c) {
      c.epoch = epoch;
      c.end = fs.stateChangingOperationCount();
      c.crashed = fs.isFrozen();
      if (store != null && !c.crashed) {
        c.durableAfter = store.watermarks().durable();
      }
    }

    /**
     * Makes call {@code c}, records its outcome, checks the in-run rules (poison; CAS conflicts as
     * the model predicts them on an honest run) and updates the model and the producer's view.
     */
    void invoke(Call c, Body body, int producer, Boolean predictedConflict) {
      calls.add(c);
      c.start = fs.stateChangingOperationCount();
      RuntimeException failure = null;
      try {
        c.receipts = List.copyOf(body.get());
      } catch (RuntimeException e) {
        failure = e;
        c.error = e.getClass().getSimpleName();
        c.neverWrites =
            e instanceof ConcurrencyConflictException
                || e instanceof IdempotencyConflictException
                || e instanceof ValidationException;
        c.undoneOnReturn = e instanceof StoreFullException;
      }
      finish(c);
      if (c.receipts != null) {
        c.frames = locate(c.receipts);
      }
      if (c.crashed) {
        return;
      }
      if (failure != null && !(failure instanceof io.batpak.StoreException)) {
        violations.add(c + " threw an unexpected " + failure);
      }
      if (poisoned && !(failure instanceof OutcomeUnknownException)) {
        violations.add(
            c
                + " on a poisoned store did not throw OutcomeUnknownException: "
                + (failure == null ? "it succeeded" : failure.toString()));
      }
      if (failure instanceof OutcomeUnknownException) {
        poisoned = true;
      }
      boolean honest = fault.spec().equals("none");
      if (honest && !poisoned && predictedConflict != null) {
        boolean conflicted = failure instanceof ConcurrencyConflictException;
        if (conflicted != predictedConflict) {
          violations.add(
              c
                  + (predictedConflict
                      ? " should have failed its expected version"
                      : " failed its expected version: " + failure)
                  + " (model: "
                  + next
                  + ")");
        }
      }
      if (failure instanceof ConcurrencyConflictException && producer >= 0) {
        for (Intent in : c.intents) {
          views.get(producer).put(in.coordinate.entity(), latest(in.coordinate.entity()));
        }
      }
      if (c.receipts == null) {
        return;
      }
      if (c.receipts.size() != c.intents.size()) {
        violations.add(c + " returned " + c.receipts.size() + " receipts");
        return;
      }
      for (int i = 0; i < c.intents.size(); i++) {
        Intent in = c.intents.get(i);
        AppendReceipt r = c.receipts.get(i);
        if (in.id == null) {
          in.id = r.eventId();
        } else if (!in.id.equals(r.eventId())) {
          violations.add(c + " item " + i + " has id " + r.eventId() + ", expected " + in.id);
        }
        String e = in.coordinate.entity();
        next.merge(e, r.streamSequence() + 1, Math::max);
        if (producer >= 0) {
          views.get(producer).put(e, r.streamSequence() + 1);
        }
        if (!kind.visible && honest() && c.durableAfter <= r.globalSequence()) {
          violations.add(
              c
                  + " returned receipt @"
                  + r.globalSequence()
                  + " before it was durable: "
                  + c.durableAfter);
        }
      }
      if (kind.visible && honest() && !poisoned) {
        io.batpak.Watermarks wm = store.watermarks();
        if (wm.written() - wm.durable() >= Kind.VISIBLE_EVERY) {
          violations.add(
              c
                  + ": VISIBLE mode with an fsync every "
                  + Kind.VISIBLE_EVERY
                  + " events left "
                  + (wm.written() - wm.durable())
                  + " events unsynced ("
                  + wm
                  + ")");
        }
      }
    }
  }

  /** A store call that returns receipts. */
  @FunctionalInterface
  interface Body {
    List<AppendReceipt> get();
  }

  static String hex(byte[] b) {
    return b.length > 24 ? Arrays.toString(Arrays.copyOf(b, 24)) + "..." : Arrays.toString(b);
  }
}
