package io.batpak.bench;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.EventHeader;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StoredEvent;
import io.batpak.bench.harness.BatpakSystem;
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
 * Reads of one stream of 1 000 events spread among 100 000 (every hundredth event; 256-byte
 * payloads), as the harness's W6 does: the headers alone ({@link Store#stream(String)}), the events
 * with payloads in one pass ({@link Store#streamEvents}), and the way W6 read them before, headers
 * then {@link Store#get} for each. {@code segment=active} reads the store that wrote them, whose
 * events all lie in its active segment (durable chunks mapped, ADR 0031); {@code segment=sealed}
 * reopens it first, so they lie in a sealed segment (mapped whole, ADR 0030). {@code mapped=false}
 * reads everything with {@code pread}.
 *
 * <p>Run (after {@code mvn -B -o install -pl bench}):
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar StreamReadBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s
 * </pre>
 *
 * <p>Not thread-safe: one state per benchmark thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class StreamReadBenchmark {
  /** Whether segments are read through mappings. */
  @Param({"false", "true"})
  public boolean mapped;

  /** Where the stream's events lie: {@code active} or {@code sealed}. */
  @Param({"active", "sealed"})
  public String segment;

  private static final int EVENTS = 100_000;
  private static final int EVERY = 100;
  private static final String HOT = "order:hot";

  private Path dir;
  private Store store;

  /** Fills a VISIBLE store, syncs it, and reopens it when {@code segment=sealed}. */
  @Setup(Level.Trial)
  public void fill() throws Exception {
    dir = Files.createTempDirectory("batpak-bench-stream-");
    StoreConfig config =
        StoreConfig.builder(dir).visible(1000, Duration.ofMillis(100)).mappedReads(mapped).build();
    byte[] payload = new byte[256];
    new SplittableRandom(42).nextBytes(payload);
    store = Store.open(config);
    List<CompletableFuture<AppendReceipt>> pending = new ArrayList<>();
    for (int i = 0; i < EVENTS; i++) {
      String entity = i % EVERY == 0 ? HOT : "order:" + (i % 997);
      pending.add(
          store.submit(
              Coordinate.of(entity, "bench"),
              BatpakSystem.KIND,
              Bytes.of(payload),
              AppendOptions.defaults()));
      if (pending.size() == 1024) {
        pending.forEach(CompletableFuture::join);
        pending.clear();
      }
    }
    pending.forEach(CompletableFuture::join);
    store.sync();
    if (segment.equals("sealed")) {
      store.close();
      store = Store.open(config);
    } else if (!segment.equals("active")) {
      throw new IllegalArgumentException("segment must be active or sealed, not " + segment);
    }
    if (store.stream(HOT).size() != EVENTS / EVERY) {
      throw new IllegalStateException("the hot stream has " + store.stream(HOT).size() + " events");
    }
  }

  /** Closes the store and deletes its directory. */
  @TearDown(Level.Trial)
  public void close() throws IOException {
    store.close();
    BenchDirs.delete(dir);
  }

  /** The stream's headers. */
  @Benchmark
  public int headers() {
    return store.stream(HOT).size();
  }

  /** The stream's events with payloads, each frame read once. */
  @Benchmark
  public int events() {
    int bytes = 0;
    for (StoredEvent e : store.streamEvents(HOT, 0, Integer.MAX_VALUE)) {
      bytes += e.payload().size();
    }
    return bytes;
  }

  /** The stream's headers, then each event by id: every frame read twice (W6 before). */
  @Benchmark
  public int headersThenGet() {
    int bytes = 0;
    for (EventHeader h : store.stream(HOT)) {
      bytes += store.get(h.eventId()).payload().size();
    }
    return bytes;
  }
}
