package io.batpak.bench;

import io.batpak.AppendReceipt;
import io.batpak.BatchItem;
import io.batpak.Cursor;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StoredEvent;
import io.batpak.bench.harness.BatpakSystem;
import io.batpak.bench.harness.Payloads;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
 * Issue 14: a store with each compression setting beside the uncompressed one, in the same run.
 * {@code w4Batch256} is W4: one durable {@code appendBatch} of 256 events of the payload pool (one
 * fsync each). {@code w8ReadAll} is the full scan: a cursor over every event of a 100 k-event
 * store, reading every payload (so every compressed payload is decompressed and hashed). The setup
 * fills the 100 k-event store with {@code appendBatch(256)} and prints its segment bytes per event.
 *
 * <p>Run (after {@code mvn -B -o install -pl bench -am -DskipTests}):
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar CompressedStoreBenchmark -f 1 -wi 2 -i 3 -w 2s -r 2s
 * </pre>
 *
 * <p>Not thread-safe: one state per benchmark thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CompressedStoreBenchmark {
  /** {@code none}, {@code lz4} or {@code zstd}. */
  @Param({"none", "lz4", "zstd"})
  public String compression;

  /** Payload size in bytes. */
  @Param({"1024"})
  public int size;

  private static final int EVENTS = 100_000;
  private static final int BATCH = 256;

  private Path dir;
  private Store store;
  private Payloads payloads;
  private SplittableRandom random;
  private int next;

  /** Fills a 100 k-event store and prints its segment bytes per event. */
  @Setup(Level.Trial)
  public void fill() throws IOException {
    dir = Files.createTempDirectory("batpak-bench-compress-");
    store = Store.open(StoreConfig.builder(dir).compression(compression).build());
    payloads = Payloads.create(size, 42);
    random = new SplittableRandom(42);
    for (int i = 0; i < EVENTS; i += BATCH) {
      store.appendBatch(batch());
    }
    long bytes = 0;
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        if (p.getFileName().toString().endsWith(".seg")) {
          bytes += Files.size(p);
        }
      }
    }
    System.out.printf(
        "%nCompressedStoreBenchmark %s size %d: %d events, %d segment bytes, %.1f bytes/event%n",
        compression, size, EVENTS, bytes, (double) bytes / EVENTS);
  }

  private List<BatchItem> batch() {
    List<BatchItem> items = new ArrayList<>(BATCH);
    for (int k = 0; k < BATCH; k++) {
      next = (next + 1) & (Payloads.POOL - 1);
      items.add(
          BatchItem.of(
              payloads.coordinate(payloads.zipf(random)),
              BatpakSystem.KIND,
              payloads.wrapped(next)));
    }
    return items;
  }

  /** Closes the store and deletes its directory. */
  @TearDown(Level.Trial)
  public void close() throws IOException {
    store.close();
    BenchDirs.delete(dir);
  }

  /** W4: one durable batch of 256 events. */
  @Benchmark
  public List<AppendReceipt> w4Batch256() {
    return store.appendBatch(batch());
  }

  /** W8: every payload of the first 100 k events, through a cursor. */
  @Benchmark
  public long w8ReadAll() {
    long sum = 0;
    int seen = 0;
    try (Cursor c = store.cursor(Region.all())) {
      while (seen < EVENTS) {
        List<StoredEvent> got = c.pollBatch(4096);
        for (StoredEvent e : got) {
          sum += e.payload().size();
        }
        seen += got.size();
      }
    }
    return sum;
  }
}
