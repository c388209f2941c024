package io.batpak.bench;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.Durability;
import io.batpak.EventKind;
import io.batpak.Store;
import io.batpak.StoreConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
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
 * The allocation of one blocking {@link Store#append} of a 256-byte {@link Bytes} payload (made
 * once, outside the measurement) over 1000 entities, in a {@code DURABLE} and in a {@code VISIBLE}
 * store on the auto-selected backend ({@code posix}). Read {@code gc.alloc.rate.norm} from {@code
 * -prof gc}: bytes allocated per append, committer and completion threads included as far as JMH
 * attributes them (it sums the allocation counters of the JVM's threads). The goal in {@code
 * performance.md}: at most 512 B/op beyond the payload. The time per op is the durable latency
 * (fsync-bound) or the VISIBLE latency.
 *
 * <p>Run (after {@code mvn -B -o install -pl bench}):
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar AppendAllocationBenchmark -f 1 -wi 2 -i 3 -w 2s -r 2s -prof gc
 * </pre>
 *
 * <p>Not thread-safe: one state per benchmark thread (run with one thread).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class AppendAllocationBenchmark {
  /** {@code DURABLE} or {@code VISIBLE}. */
  @Param({"DURABLE", "VISIBLE"})
  public String durability;

  private static final EventKind KIND = EventKind.custom(0x1, 0x001);

  private Path dir;
  private Store store;
  private Coordinate[] coordinates;
  private Bytes payload;
  private int next;
  private List<List<BatchItem>> batches;
  private int nextBatch;

  /** Opens a store in a fresh temporary directory. */
  @Setup(Level.Trial)
  public void open() throws IOException {
    dir = Files.createTempDirectory("batpak-bench-alloc-");
    StoreConfig.Builder b = StoreConfig.builder(dir).durability(Durability.DURABLE);
    if (durability.equals("VISIBLE")) {
      b.visible(1000, Duration.ofMillis(100));
    }
    store = Store.open(b.build());
    coordinates = new Coordinate[1000];
    for (int i = 0; i < coordinates.length; i++) {
      coordinates[i] = Coordinate.of(String.format("order-%06d", i), "bench");
    }
    byte[] p = new byte[256];
    new SplittableRandom(42).nextBytes(p);
    payload = Bytes.of(p);
    batches = new ArrayList<>();
    for (int k = 0; k < coordinates.length / 256; k++) {
      List<BatchItem> items = new ArrayList<>(256);
      for (int i = 0; i < 256; i++) {
        items.add(BatchItem.of(coordinates[k * 256 + i], KIND, payload));
      }
      batches.add(List.copyOf(items));
    }
  }

  /** Closes the store and deletes its directory. */
  @TearDown(Level.Trial)
  public void close() throws IOException {
    store.close();
    BenchDirs.delete(dir);
  }

  /** One blocking append. */
  @Benchmark
  public AppendReceipt append() {
    int i = next++;
    if (next == coordinates.length) {
      next = 0;
    }
    return store.append(coordinates[i], KIND, payload, AppendOptions.defaults());
  }

  /**
   * One blocking {@code appendBatch} of 256 events (W4's shape) over 256 of the entities: divide
   * time and {@code gc.alloc.rate.norm} by 256 for the cost per event. In {@code VISIBLE} mode the
   * producer and the committer take turns, so the time per event is close to the CPU per event of
   * the whole append path (validation, both hashes, encoding, the write into the page cache, the
   * index, the receipts), plus one sync per 1000 events.
   */
  @Benchmark
  public List<AppendReceipt> appendBatch256() {
    List<BatchItem> items = batches.get(nextBatch);
    nextBatch = (nextBatch + 1) % batches.size();
    return store.appendBatch(items);
  }
}
