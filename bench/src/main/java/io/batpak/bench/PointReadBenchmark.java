package io.batpak.bench;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.BatchItem;
import io.batpak.EventId;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.bench.harness.BatpakSystem;
import io.batpak.bench.harness.BenchEvent;
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
 * W5, hot point reads: {@link Store#get(EventId)} (its payload bytes) and {@link Store#get(EventId,
 * Class)} (read and decode with the json codec) of random events of a 100 k-event store that is in
 * the page cache. {@code layout=single} fills the store with single appends (one event per frame,
 * as group-committed {@code submit()}s write them); {@code layout=batch256} with {@code
 * appendBatch(256)} (256 events per frame). Goal in {@code performance.md}: hot point read
 * (get(id), readRaw before issue 9) ≤ 2 µs.
 *
 * <p>Run (after {@code mvn -B -o install -pl bench}):
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar PointReadBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s -prof gc
 * </pre>
 *
 * <p>Not thread-safe: one state per benchmark thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PointReadBenchmark {
  /** How the store was filled: {@code single} or {@code batch256}. */
  @Param({"single", "batch256"})
  public String layout;

  private static final int EVENTS = 100_000;

  private Path dir;
  private Store store;
  private EventId[] ids;
  private SplittableRandom random;

  /** Fills a VISIBLE store (fast to fill; reads are the same in both modes). */
  @Setup(Level.Trial)
  public void fill() throws Exception {
    dir = Files.createTempDirectory("batpak-bench-read-");
    store = Store.open(StoreConfig.builder(dir).visible(1000, Duration.ofMillis(100)).build());
    Payloads p = Payloads.create(256, 42);
    SplittableRandom r = new SplittableRandom(42);
    List<EventId> out = new ArrayList<>(EVENTS);
    if (layout.equals("single")) {
      List<CompletableFuture<AppendReceipt>> pending = new ArrayList<>();
      for (int i = 0; i < EVENTS; i++) {
        pending.add(
            store.submit(
                p.coordinate(p.zipf(r)),
                BatpakSystem.KIND,
                p.wrapped(i % Payloads.POOL),
                AppendOptions.defaults()));
        if (pending.size() == 1024) {
          for (CompletableFuture<AppendReceipt> f : pending) {
            out.add(f.get().eventId());
          }
          pending.clear();
        }
      }
      for (CompletableFuture<AppendReceipt> f : pending) {
        out.add(f.get().eventId());
      }
    } else {
      for (int i = 0; i < EVENTS; i += 256) {
        List<BatchItem> batch = new ArrayList<>();
        for (int j = 0; j < 256; j++) {
          batch.add(
              BatchItem.of(
                  p.coordinate(p.zipf(r)), BatpakSystem.KIND, p.wrapped((i + j) % Payloads.POOL)));
        }
        for (AppendReceipt a : store.appendBatch(batch)) {
          out.add(a.eventId());
        }
      }
    }
    store.sync();
    ids = out.toArray(new EventId[0]);
    random = new SplittableRandom(7);
  }

  /** Closes the store and deletes its directory. */
  @TearDown(Level.Trial)
  public void close() throws IOException {
    store.close();
    BenchDirs.delete(dir);
  }

  /** Payload bytes of a random event. */
  @Benchmark
  public int getPayload() {
    return store.get(ids[random.nextInt(ids.length)]).payload().size();
  }

  /** A random event decoded into a record. */
  @Benchmark
  public BenchEvent getDecoded() {
    return store.get(ids[random.nextInt(ids.length)], BenchEvent.class);
  }
}
