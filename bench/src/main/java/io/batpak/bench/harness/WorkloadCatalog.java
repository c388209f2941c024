package io.batpak.bench.harness;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;

/**
 * Every workload of the harness, in the order they run against a system (docs/performance.md
 * describes each). Not thread-safe: the workloads share one {@link Trials}.
 */
final class WorkloadCatalog {
  /** The raw baselines. */
  private static final Set<String> RAW = Set.of("raw-disk", "raw-cpu");

  /** The systems compared on every append and read workload. */
  private static final Set<String> COMPARED =
      Set.of("batpak-durable", "sqlite", "h2", "axon", "axon-batpak", "rocksdb");

  private static final Set<String> VISIBLE = Set.of("batpak-visible");

  /**
   * The blocking-append workloads (W1, W2) also run with signed receipts (issue 12) and on three
   * replicated members (issue 18).
   */
  private static final Set<String> BLOCKING =
      Stream.concat(
              COMPARED.stream(),
              Stream.of("batpak-signed", "batpak-signed-per-event", ReplicatedSystem.NAME))
          .collect(Collectors.toUnmodifiableSet());

  /** W4 runs on the compared systems and on three replicated members (issue 18). */
  private static final Set<String> BATCHED =
      Stream.concat(COMPARED.stream(), Stream.of(ReplicatedSystem.NAME))
          .collect(Collectors.toUnmodifiableSet());

  /**
   * The compared systems' rows that batpak-replicated does not run, each with the reason its row
   * gives (n/a).
   */
  static final Map<String, String> NOT_REPLICATED = notReplicated();

  private static Map<String, String> notReplicated() {
    String scope = "issue 18 measures replicated W1, W2 and W4; ";
    String local =
        scope + "a member reads from its own local store, the engine batpak-durable's row measures";
    Map<String, String> m = new LinkedHashMap<>();
    m.put(
        "W2s",
        scope
            + "no pipelined append: a member's submit() runs blocking appends on one thread"
            + " (replication/README.md)");
    m.put("W4-64B", scope + "W4 (256 B) shows the batch path; other payload sizes not run");
    m.put("W4-1KiB", scope + "W4 (256 B) shows the batch path; other payload sizes not run");
    m.put("W5", local);
    m.put("W6", local);
    m.put(
        "W8", scope + "a member reopens its local store as batpak-durable does, then replays Raft");
    m.put("catch-up", new ReplicatedSystem().catchUpUnsupported());
    return Collections.unmodifiableMap(m);
  }

  private final Trials trials;
  private final AppendLoops loops;
  private final ReadTrials reads;
  private final BaselineTrials baselines;
  private final OpenTrials opens;
  private final CompactionTrials compactions;
  private final Payloads p256;

  private WorkloadCatalog(Trials trials) {
    this.trials = trials;
    this.loops = new AppendLoops(trials.settings());
    this.reads = new ReadTrials(trials);
    this.baselines = new BaselineTrials(trials);
    this.opens = new OpenTrials(trials);
    this.compactions = new CompactionTrials(trials, loops);
    this.p256 = trials.payloads256();
  }

  /** Every workload, in the order they run, sharing {@code trials}. */
  static List<Workload> all(Trials trials) {
    return new WorkloadCatalog(trials).workloads();
  }

  private List<Workload> workloads() {
    List<Workload> w = new ArrayList<>();
    for (int n : BaselineTrials.RAW_N) {
      w.add(
          Workload.of(
              "raw N=" + n,
              n
                  + " frames of the engine's frame size per positional write, then force(false)"
                  + " (raw-disk) or nothing (raw-cpu); latency per group",
              RAW,
              system -> List.of(trials.report(baselines.raw(system, n)))));
    }
    w.add(
        Workload.of(
            "raw N=1 prewritten",
            "raw-disk N=1 over a file written full of zeros and synced first; for context",
            Set.of("raw-disk"),
            system -> List.of(trials.report(baselines.rawPrewritten()))));
    w.add(
        Workload.of(
            "handoff",
            "producer -> queue -> thread completes a future -> producer; latency per round trip",
            Set.of("raw-cpu"),
            system -> List.of(trials.report(baselines.handoff()))));
    w.add(
        Workload.of(
            "W3-submit",
            "submit() from one thread, up to 1024 outstanding; latency submit to done",
            VISIBLE,
            system ->
                List.of(
                    trials.report(
                        trials.trial(
                            "W3-submit",
                            SystemUnderTest.named(system),
                            x -> loops.pipelined(x, p256, 1024),
                            null)))));
    w.add(
        Workload.of(
            "W3-blocking",
            "1 blocking producer; latency per append",
            VISIBLE,
            system ->
                List.of(
                    trials.report(
                        trials.trial(
                            "W3-blocking",
                            SystemUnderTest.named(system),
                            x -> loops.blocking(x, p256, 1),
                            null)))));
    w.add(blockingAppends("W1", 1));
    w.add(blockingAppends("W2-8", 8));
    w.add(blockingAppends("W2-32", 32));
    w.add(
        Workload.of(
            "W2s",
            "batpak: submit() from one thread, up to 256 outstanding; peers: a pool of up to 256"
                + " threads with blocking appends; latency submit to done",
            COMPARED,
            this::pipelinedOrPool));
    w.add(
        new Workload(
            "W4",
            "1 producer, appendBatch of 256 events of 256 B (one frame or transaction); latency per"
                + " batch; on batpak, then point reads of the events it stored (W5-batchframe)",
            BATCHED,
            List.of("W4", "W5-batchframe"),
            this::batchesThenBatchFrameReads));
    w.add(batches("W4-64B", trials.payloads64()));
    w.add(batches("W4-1KiB", trials.payloads1k()));
    w.add(
        new Workload(
            "reads",
            "one store of populate events: point reads (W5, W5-get), one entity's stream (W6,"
                + " W6-headers) and reopens (W8)",
            COMPARED,
            List.of("W5", "W6", "W8", "W5-get", "W6-headers"),
            system -> reads.readRows(SystemUnderTest.named(system))));
    w.add(
        Workload.of(
            "catch-up",
            "a tracking processor catching up: populate events over 10 k aggregates appended in"
                + " batches of 256, then EmbeddedEventStore.openStream(tail token) read to the head,"
                + " payloads deserialized; latency between deliveries",
            COMPARED,
            this::catchUp));
    w.add(
        new Workload(
            "W8-open",
            "one store of openEvents events (default store configuration) opened after a clean"
                + " close (index checkpoint), without the checkpoint (footers), after a crash (footers"
                + " + scan of the newest segment) and with no seal (full scan); latency per open",
            Set.of(Report.BATPAK),
            List.copyOf(OpenTrials.ROWS.values()),
            system -> opens.rows()));
    w.add(
        new Workload(
            "W9",
            "compaction: MERGE and RETAIN (odd global sequences dropped) of a store of many small"
                + " sealed segments in MB/s, beside a raw copy of the same files through the same"
                + " StoreFs (raw-disk-copy); W2-32 on a store with older sealed segments while a"
                + " thread compacts in a loop, unpaced (W9-append) and paced (W9-append-paced),"
                + " and without (W9-append-quiet)",
            Set.of(Report.BATPAK),
            CompactionTrials.ROWS,
            system -> compactions.rows()));
    w.add(
        new Workload(
            "not-replicated",
            "the compared systems' other rows, n/a on batpak-replicated with the reason",
            Set.of(ReplicatedSystem.NAME),
            List.copyOf(NOT_REPLICATED.keySet()),
            system -> {
              List<Result> out = new ArrayList<>();
              NOT_REPLICATED.forEach(
                  (row, why) -> {
                    if (trials.selected(row)) {
                      out.add(trials.report(Result.na(row, system, why)));
                    }
                  });
              return out;
            }));
    return w;
  }

  /**
   * The catch-up row: {@code populate} events (100 k at --quick, 1 M at --full) appended in
   * batches, then read from the tail token to the head as a tracking processor does. The read must
   * deliver exactly the events written: their count, the last event's global index ({@code populate
   * - 1}) and the sum of their aggregate sequence numbers; then the trial's fairness check scans
   * the store. A system without a tracking read reports n/a with the reason.
   */
  private List<Result> catchUp(String system) {
    SystemUnderTest sut = SystemUnderTest.named(system);
    String unsupported = sut.catchUpUnsupported();
    if (unsupported != null) {
      return List.of(trials.report(Result.na("catch-up", system, unsupported)));
    }
    int n = trials.settings().populate();
    return List.of(
        trials.report(
            trials.trial(
                "catch-up",
                sut,
                x -> {
                  EventGenerator g = new EventGenerator(p256, trials.settings().seed() + 11, 0, 1);
                  List<EventToAppend> batch = new ArrayList<>(AppendLoops.BATCH);
                  long sum = 0;
                  long sequences = 0;
                  long p0 = System.nanoTime();
                  for (int i = 0; i < n; i++) {
                    EventToAppend e = g.next();
                    sum += e.contribution();
                    sequences += e.version();
                    batch.add(e);
                    if (batch.size() == AppendLoops.BATCH || i == n - 1) {
                      x.appendBatch(batch);
                      batch.clear();
                    }
                  }
                  double preload = (System.nanoTime() - p0) / 1e9;
                  Histogram h = new Histogram(3);
                  WindowEvent window = WindowEvent.start(system, "catch-up read");
                  long r0 = System.nanoTime();
                  SystemUnderTest.CatchUp c = x.catchUp(n, h);
                  double seconds = (System.nanoTime() - r0) / 1e9;
                  window.commit();
                  if (c.events() != n
                      || c.lastPosition() != n - 1
                      || c.sequenceSum() != sequences) {
                    throw new IllegalStateException(
                        "catch-up delivered "
                            + c
                            + ", expected "
                            + n
                            + " events, last global index "
                            + (n - 1)
                            + ", sequence sum "
                            + sequences);
                  }
                  return new Trials.Outcome(
                      new EventChecksum(n, sum),
                      c.events(),
                      seconds,
                      h,
                      Map.of("preloadSeconds", Trials.round(preload, 1)),
                      "tracking read of "
                          + n
                          + " events (10 k aggregates) from the tail token to the head through"
                          + " EmbeddedEventStore.openStream, payloads deserialized; count, last"
                          + " global index and sequence sum checked");
                },
                null)));
  }

  private Workload blockingAppends(String id, int threads) {
    return Workload.of(
        id,
        threads
            + " producer thread"
            + (threads == 1 ? "" : "s")
            + ", blocking appends; latency"
            + " per append",
        BLOCKING,
        system ->
            withPairedBaseline(
                trials.report(
                    trials.trial(
                        id,
                        SystemUnderTest.named(system),
                        x -> loops.blocking(x, p256, threads),
                        null))));
  }

  private Workload batches(String id, Payloads p) {
    return Workload.of(
        id,
        "1 producer, appendBatch of 256 events of " + p.size() + " B; latency per batch",
        COMPARED,
        system ->
            List.of(
                trials.report(
                    trials.trial(
                        id,
                        SystemUnderTest.named(system),
                        x -> loops.batches(x, p, new ArrayList<>()),
                        null))));
  }

  private List<Result> pipelinedOrPool(String system) {
    SystemUnderTest sut = SystemUnderTest.named(system);
    if (sut.hasSubmit()) {
      return withPairedBaseline(
          trials.report(trials.trial("W2s", sut, x -> loops.pipelined(x, p256, 256), null)));
    }
    int threads = sut.maxConcurrentWriters() > 0 ? Math.min(256, sut.maxConcurrentWriters()) : 256;
    Result r = trials.trial("W2s", sut, x -> loops.blocking(x, p256, threads), null);
    return List.of(
        trials.report(
            r.ok()
                ? Trials.withNote(
                    r,
                    "no pipelined append: a pool of "
                        + threads
                        + " threads with blocking calls"
                        + (threads < 256
                            ? " (H2 refuses a 256th open transaction: at most 255)"
                            : ""))
                : r));
  }

  private List<Result> batchesThenBatchFrameReads(String system) {
    SystemUnderTest sut = SystemUnderTest.named(system);
    List<Result> out = new ArrayList<>();
    List<Object> batchKeys = new ArrayList<>();
    Result r =
        trials.report(
            trials.trial(
                "W4",
                sut,
                x -> loops.batches(x, p256, batchKeys),
                sut instanceof BatpakSystem
                    ? x ->
                        out.add(
                            trials.report(reads.batchFramePointReads((BatpakSystem) x, batchKeys)))
                    : null));
    out.addAll(withPairedBaseline(r));
    return out;
  }

  /**
   * {@code r} and, for a batpak-durable row, the raw-disk baseline measured right after it at the N
   * it compares with (1 for W1, 256 for W4, the achieved events per fsync for W2), as system {@code
   * raw-disk-paired} under the same workload: seconds apart instead of minutes, so a neighbour's
   * burst of I/O is less likely to land on only one of the two.
   */
  private List<Result> withPairedBaseline(Result r) {
    if (!r.ok() || !r.system().equals(Report.BATPAK) || !trials.selected(Report.PAIRED)) {
      return List.of(r);
    }
    int n = Report.rawNFor(r);
    if (n <= 0) {
      return List.of(r);
    }
    Result raw = baselines.raw("raw-disk", n);
    return List.of(
        r,
        trials.report(
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
}
