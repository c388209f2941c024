package io.batpak.bench;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.CausationId;
import io.batpak.CorrelationId;
import io.batpak.EventId;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.bench.harness.BatpakSystem;
import io.batpak.bench.harness.Payloads;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The causal walks (issue 12) on a store of 101 000 events in the page cache, against a same-run
 * baseline, {@link Store#get(EventId)} of random events of the same store: {@code walkAncestors}
 * per hop (walks of 64 ancestors in streams of about 1 000 events), {@code consequences} per result
 * (1 000 causes with 100 consequences each, spread over the store), {@code correlated} per result
 * (pages of 100 of a 100-event saga) and {@code walkCauses} per hop (chains of 16 causes). 256-byte
 * payloads, one event per frame (group-committed {@code submit()}s), a {@code VISIBLE} store.
 *
 * <p>Run (after {@code mvn -B -o install -pl bench -am -DskipTests}):
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar CausalWalkBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s -prof gc
 * </pre>
 *
 * <p>Not thread-safe: one state per benchmark thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CausalWalkBenchmark {
  private static final int CAUSES = 1_000;
  private static final int PER_CAUSE = 100;
  private static final int STREAMS = 100;
  private static final int HOPS = 64;
  private static final int CHAIN = 16;

  private Path dir;
  private Store store;
  private EventId[] causes;
  private CorrelationId[] sagas;
  private EventId[] all;
  private EventId[] deep;
  private EventId[] chainEnds;
  private SplittableRandom random;

  /** Fills the store. */
  @Setup(Level.Trial)
  public void fill() throws Exception {
    dir = Files.createTempDirectory("batpak-bench-causal-");
    store = Store.open(StoreConfig.builder(dir).visible(1000, Duration.ofMillis(100)).build());
    Payloads p = Payloads.create(256, 42);
    List<EventId> out = new ArrayList<>();
    List<EventId> roots = new ArrayList<>();
    // The causes, each starting its own saga (correlation = its own id).
    for (AppendReceipt r : submitAll(p, CAUSES, i -> AppendOptions.defaults(), out)) {
      roots.add(r.eventId());
    }
    causes = roots.toArray(new EventId[0]);
    sagas = new CorrelationId[CAUSES];
    for (int i = 0; i < CAUSES; i++) {
      sagas[i] = CorrelationId.of(causes[i]);
    }
    // Their consequences, interleaved: event i is caused by cause i % CAUSES, in its saga.
    List<AppendReceipt> effects =
        submitAll(
            p,
            CAUSES * PER_CAUSE,
            i ->
                AppendOptions.defaults()
                    .withCausation(CausationId.of(causes[i % CAUSES]))
                    .withCorrelation(sagas[i % CAUSES]),
            out);
    // Chains of causes: 16 hops from each of the last 100 effects.
    List<EventId> ends = new ArrayList<>();
    for (int c = 0; c < 100; c++) {
      EventId prev = effects.get(effects.size() - 1 - c).eventId();
      for (int h = 0; h < CHAIN; h++) {
        prev =
            store
                .append(
                    p.coordinate(h),
                    BatpakSystem.KIND,
                    p.wrapped(h),
                    AppendOptions.defaults().withCausation(CausationId.of(prev)))
                .eventId();
      }
      ends.add(prev);
    }
    chainEnds = ends.toArray(new EventId[0]);
    store.sync();
    all = out.toArray(new EventId[0]);
    // Events with at least HOPS predecessors in their stream: those of the last half.
    deep =
        effects.subList(effects.size() / 2, effects.size()).stream()
            .map(AppendReceipt::eventId)
            .toArray(EventId[]::new);
    random = new SplittableRandom(7);
  }

  private List<AppendReceipt> submitAll(
      Payloads p, int n, java.util.function.IntFunction<AppendOptions> options, List<EventId> ids)
      throws Exception {
    List<AppendReceipt> receipts = new ArrayList<>(n);
    List<CompletableFuture<AppendReceipt>> pending = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      pending.add(
          store.submit(
              p.coordinate(i % STREAMS),
              BatpakSystem.KIND,
              p.wrapped(i % Payloads.POOL),
              options.apply(i)));
      if (pending.size() == 1024 || i == n - 1) {
        for (CompletableFuture<AppendReceipt> f : pending) {
          AppendReceipt r = f.get();
          receipts.add(r);
          ids.add(r.eventId());
        }
        pending.clear();
      }
    }
    return receipts;
  }

  /** Closes the store and deletes its directory. */
  @TearDown(Level.Trial)
  public void close() throws IOException {
    store.close();
    BenchDirs.delete(dir);
  }

  /** Baseline: one random event by id (one lookup, one read). */
  @Benchmark
  public int get() {
    return store.get(all[random.nextInt(all.length)]).payload().size();
  }

  /** Per hop: a walk of 64 ancestors, each read and its link verified. */
  @Benchmark
  @OperationsPerInvocation(HOPS)
  public int walkAncestorsPerHop() {
    return store.walkAncestors(deep[random.nextInt(deep.length)], HOPS).ancestors().size();
  }

  /** Per result: the 100 consequences of a random cause. */
  @Benchmark
  @OperationsPerInvocation(PER_CAUSE)
  public int consequencesPerResult() {
    return store.consequences(causes[random.nextInt(causes.length)]).size();
  }

  /** Per result: a page of the 101 events of a random saga. */
  @Benchmark
  @OperationsPerInvocation(PER_CAUSE)
  public int correlatedPerResult() {
    return store.correlated(sagas[random.nextInt(sagas.length)], -1, PER_CAUSE).size();
  }

  /** Per hop: a walk up 17 causes: 15 of the chain, the effect it started from, and its root. */
  @Benchmark
  @OperationsPerInvocation(CHAIN + 1)
  public int walkCausesPerHop() {
    return store.walkCauses(chainEnds[random.nextInt(chainEnds.length)]).causes().size();
  }
}
