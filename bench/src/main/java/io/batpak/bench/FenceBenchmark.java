package io.batpak.bench;

import io.batpak.AppendOptions;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.Durability;
import io.batpak.EventKind;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.VisibilityFence;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * Fence commit latency (issue 11, ADR 0015): one operation is {@code beginFence()}, {@code n}
 * blocking appends through the fence and {@code commit()} ({@link #fenceCommit}), beside the same
 * {@code n} plain blocking appends ({@link #plainAppends}) in the same run, on a {@code DURABLE}
 * store on the auto-selected backend ({@code posix}), 256-byte payloads over 100 streams. The ratio
 * fence / plain is the cost of the fence: its begin and commit frames and the commit's fsync.
 *
 * <p>Run (after {@code mvn -B -o install -pl bench -am -DskipTests}):
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar FenceBenchmark -f 1 -wi 2 -i 3 -w 2s -r 2s
 * </pre>
 *
 * <p>Not thread-safe: one state per benchmark thread (run with one thread).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class FenceBenchmark {
  /** Appends per operation. */
  @Param({"1", "10", "100"})
  public int n;

  private static final EventKind KIND = EventKind.custom(0x1, 0x002);

  private Path dir;
  private Store store;
  private Coordinate[] coordinates;
  private Bytes payload;
  private int next;

  /** Opens a store in a fresh temporary directory. */
  @Setup(Level.Trial)
  public void open() throws IOException {
    dir = Files.createTempDirectory("batpak-bench-fence-");
    store = Store.open(StoreConfig.builder(dir).durability(Durability.DURABLE).build());
    coordinates = new Coordinate[100];
    for (int i = 0; i < coordinates.length; i++) {
      coordinates[i] = Coordinate.of(String.format("account-%04d", i), "bench");
    }
    byte[] p = new byte[256];
    new SplittableRandom(42).nextBytes(p);
    payload = Bytes.of(p);
  }

  /** Closes the store and deletes its directory. */
  @TearDown(Level.Trial)
  public void close() throws IOException {
    store.close();
    BenchDirs.delete(dir);
  }

  private Coordinate nextCoordinate() {
    int i = next++;
    if (next == coordinates.length) {
      next = 0;
    }
    return coordinates[i];
  }

  /** Begin, {@code n} appends through the fence, commit. */
  @Benchmark
  public long fenceCommit() {
    long last;
    try (VisibilityFence fence = store.beginFence()) {
      last = 0;
      for (int i = 0; i < n; i++) {
        last =
            fence
                .append(nextCoordinate(), KIND, payload, AppendOptions.defaults())
                .globalSequence();
      }
      fence.commit();
    }
    return last;
  }

  /** The same {@code n} appends, each a plain blocking append. */
  @Benchmark
  public long plainAppends() {
    long last = 0;
    for (int i = 0; i < n; i++) {
      last =
          store.append(nextCoordinate(), KIND, payload, AppendOptions.defaults()).globalSequence();
    }
    return last;
  }
}
