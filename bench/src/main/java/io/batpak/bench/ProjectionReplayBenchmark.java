package io.batpak.bench;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.EventKind;
import io.batpak.Projection;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.bench.harness.CrashShapes;
import io.batpak.codec.json.JsonCodec;
import io.batpak.engine.internal.index.Index;
import io.batpak.engine.internal.recovery.Recovery;
import io.batpak.fs.spi.StoreFsResolver;
import io.batpak.port.StoreClock;
import io.batpak.port.StoreFs;
import io.batpak.spi.FsOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
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
 * W7, replay (docs/performance.md "W7"): {@link Store#project(String, Projection)} over one stream
 * of {@code events} events (1 M by default) with a trivial fold, from the page cache, without the
 * projection cache: {@code headersOnly} (a {@link Projection#headersOnly()} fold counting events)
 * and {@code json} (every payload, a ~70-byte JSON object, decoded with the {@code json} codec to a
 * record). Beside them in the same run, {@code w8Scan}: W8's full scan of the same journal (a
 * read-only recovery scan of a copy stripped of its seals and checkpoint, as a crash leaves it).
 * Events per second = {@code events} ÷ the time per operation.
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar ProjectionReplayBenchmark -f 1 -wi 2 -i 3 -w 1s -r 2s
 * </pre>
 *
 * <p>Not thread-safe: one state per benchmark thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ProjectionReplayBenchmark {
  /** Events in the one stream. */
  @Param({"1000000"})
  public int events;

  /**
   * How the store was filled: {@code batch1024} ({@code appendBatch} of 1024 events: 1024 events
   * per frame) or {@code single} (pipelined {@code submit()}s: one event per frame).
   */
  @Param({"batch1024", "single"})
  public String layout;

  /**
   * A decoded payload.
   *
   * @param amount amount in cents
   * @param currency currency code
   * @param note free text
   * @param type the fact's name
   */
  public record Payment(long amount, String currency, String note, String type) {}

  private static final EventKind KIND = EventKind.custom(1, 1);

  private Path dir;
  private Path scanned;
  private Store store;
  private StoreFs fs;
  private Projection<Long> headers;
  private Projection<Long> json;

  /** Fills the store, closes it cleanly, copies it for the W8 scan, and reopens it read-only. */
  @Setup(Level.Trial)
  public void setup() throws IOException {
    dir = Files.createTempDirectory("batpak-w7-");
    JsonCodec codec = new JsonCodec();
    StoreConfig.Builder cfg = StoreConfig.builder(dir).visible(100_000, Duration.ofSeconds(1));
    try (Store s = Store.open(cfg.build())) {
      Coordinate c = Coordinate.of("account-1", "bench");
      for (int i = 0; i < events; i += 1024) {
        List<BatchItem> batch = new ArrayList<>(1024);
        List<CompletableFuture<AppendReceipt>> pending = new ArrayList<>(1024);
        for (int j = 0; j < 1024 && i + j < events; j++) {
          Bytes payload =
              codec.encode(new Payment(100 + i + j, "EUR", "rent, flat 4b, june", "Paid"));
          if (layout.equals("single")) {
            pending.add(s.submit(c, KIND, payload, AppendOptions.defaults()));
          } else {
            batch.add(BatchItem.of(c, KIND, payload));
          }
        }
        if (!batch.isEmpty()) {
          s.appendBatch(batch);
        }
        for (CompletableFuture<AppendReceipt> f : pending) {
          f.join();
        }
      }
    }
    scanned = Files.createTempDirectory("batpak-w7-scan-");
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        if (Files.isRegularFile(f)) {
          Files.copy(f, scanned.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    CrashShapes.prepare(scanned, CrashShapes.Shape.NEVER_SEALED);
    store = Store.open(cfg.readOnly(true).build());
    fs = StoreFsResolver.resolve("posix", getClass().getClassLoader()).open(FsOptions.defaults());
    headers = Projection.of("w7.count", 1, Set.of(), 0L, Long.class, (n, e) -> n + 1).headersOnly();
    json =
        Projection.of(
            "w7.sum",
            1,
            Set.of(),
            0L,
            Long.class,
            (n, e) -> n + codec.decode(e.payload(), Payment.class).amount());
  }

  /** W7 headers only: a counting fold that reads no payload. */
  @Benchmark
  public long headersOnly() {
    return store.project("account-1", headers).state();
  }

  /** W7 with JSON: each payload decoded to a record, amounts summed. */
  @Benchmark
  public long json() {
    return store.project("account-1", json).state();
  }

  /** W8 beside them: a read-only recovery scan of the same journal (CRC, chains, index). */
  @Benchmark
  public long w8Scan() throws IOException {
    return new Recovery(fs, scanned, false, new Index(), StoreClock.system()).run().framesScanned();
  }

  /** Closes and removes both stores. */
  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    store.close();
    fs.close();
    for (Path d : List.of(dir, scanned)) {
      try (Stream<Path> files = Files.walk(d)) {
        files.sorted(Comparator.reverseOrder()).forEach(ProjectionReplayBenchmark::delete);
      }
    }
  }

  private static void delete(Path p) {
    try {
      Files.delete(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
