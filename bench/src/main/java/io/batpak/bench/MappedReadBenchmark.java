package io.batpak.bench;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
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
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Point reads of events in sealed segments, through a memory mapping ({@code mapped=true}, ADR
 * 0030) or with {@code pread} ({@code mapped=false}, {@code StoreConfig.mappedReads(false)}), in
 * one run: a 100 k-event store of single-event frames (256-byte payloads) in 4 MiB segments,
 * reopened so that every event lies in a sealed segment, then {@link Store#get(EventId)} of random
 * events, from the page cache.
 *
 * <p>Run (after {@code mvn -B -o install -pl bench}):
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar MappedReadBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s
 * </pre>
 *
 * <p>Not thread-safe: one state per benchmark thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MappedReadBenchmark {
  /** Whether sealed segments are read through mappings. */
  @Param({"false", "true"})
  public boolean mapped;

  private static final int EVENTS = 100_000;

  private Path dir;
  private Store store;
  private EventId[] ids;
  private SplittableRandom random;

  /** Fills a VISIBLE store, closes it (sealing its last segment) and reopens it as configured. */
  @Setup(Level.Trial)
  public void fill() throws Exception {
    dir = Files.createTempDirectory("batpak-bench-mapped-");
    StoreConfig config =
        StoreConfig.builder(dir)
            .visible(1000, Duration.ofMillis(100))
            .segmentMaxBytes(4L << 20)
            .mappedReads(mapped)
            .build();
    Payloads p = Payloads.create(256, 42);
    SplittableRandom r = new SplittableRandom(42);
    List<EventId> out = new ArrayList<>(EVENTS);
    try (Store filling = Store.open(config)) {
      List<CompletableFuture<AppendReceipt>> pending = new ArrayList<>();
      for (int i = 0; i < EVENTS; i++) {
        pending.add(
            filling.submit(
                p.coordinate(p.zipf(r)),
                BatpakSystem.KIND,
                p.wrapped(i % Payloads.POOL),
                AppendOptions.defaults()));
        if (pending.size() == 1024 || i == EVENTS - 1) {
          for (CompletableFuture<AppendReceipt> f : pending) {
            out.add(f.get().eventId());
          }
          pending.clear();
        }
      }
    }
    store = Store.open(config);
    if (store.openReport().mappedReads() != mapped) {
      throw new IllegalStateException(
          "mapped=" + mapped + " but the store reports " + store.openReport().mappedReads());
    }
    ids = out.toArray(new EventId[0]);
    random = new SplittableRandom(7);
  }

  /** Closes the store and deletes its directory. */
  @TearDown(Level.Trial)
  public void close() throws IOException {
    store.close();
    BenchDirs.delete(dir);
  }

  /** Payload bytes of a random event in a sealed segment. */
  @Benchmark
  public int getPayload() {
    return store.get(ids[random.nextInt(ids.length)]).payload().size();
  }
}
