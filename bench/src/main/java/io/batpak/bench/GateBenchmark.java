package io.batpak.bench;

import io.batpak.AppendOptions;
import io.batpak.AtomicGate;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.Durability;
import io.batpak.EventKind;
import io.batpak.GateVerdict;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StreamFold;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * The cost of an atomic gate (issue 12, ADR 0018): one operation is one blocking append of a small
 * payload to one of 100 streams, without a gate ({@code none}), with a gate that permits without
 * reading the stream ({@code permit}), and with a gate that permits after folding the stream (a
 * running balance, cached per stream: {@code fold}), in the same run. The gate runs on the store's
 * gate thread, so the difference is mostly the hand-off to that thread and back.
 *
 * <p>Run (after {@code mvn -B -o install -pl bench -am -DskipTests}), with one thread and with 16:
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar GateBenchmark -f 1 -wi 2 -i 3 -w 2s -r 2s -t 1
 * java -jar bench/target/benchmarks.jar GateBenchmark -f 1 -wi 2 -i 3 -w 2s -r 2s -t 16
 * </pre>
 *
 * <p>Thread-safe: one store per trial, shared by the benchmark threads.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class GateBenchmark {
  /** Which gate each append carries. */
  @Param({"none", "permit", "fold"})
  public String gate;

  /** {@code VISIBLE} (no fsync per group: the gate's own cost shows) or {@code DURABLE}. */
  @Param({"VISIBLE", "DURABLE"})
  public String durability;

  private static final EventKind KIND = EventKind.custom(0x1, 0x003);

  private static final StreamFold<Long> BALANCE =
      StreamFold.of(0L, (b, e) -> b + Long.parseLong(e.payload().toUtf8()));

  private static final AtomicGate<Void> PERMIT =
      AtomicGate.of("permit", ctx -> GateVerdict.permit());

  private static final AtomicGate<Long> FOLD =
      AtomicGate.of(
          "balance",
          BALANCE,
          ctx -> ctx.state() >= 0 ? GateVerdict.permit() : GateVerdict.deny("NEGATIVE", "no"));

  private Path dir;
  private Store store;
  private Coordinate[] coordinates;
  private AppendOptions options;
  private final Bytes payload = Bytes.utf8("1");
  private final AtomicInteger next = new AtomicInteger();

  /** Opens a store in a fresh temporary directory. */
  @Setup(Level.Trial)
  public void open() throws IOException {
    dir = Files.createTempDirectory("batpak-bench-gate-");
    store = Store.open(StoreConfig.builder(dir).durability(Durability.valueOf(durability)).build());
    coordinates = new Coordinate[100];
    for (int i = 0; i < coordinates.length; i++) {
      coordinates[i] = Coordinate.of(String.format("account-%04d", i), "bench");
    }
    options =
        switch (gate) {
          case "permit" -> AppendOptions.defaults().withGate(PERMIT);
          case "fold" -> AppendOptions.defaults().withGate(FOLD);
          default -> AppendOptions.defaults();
        };
  }

  /** Closes the store and deletes its directory. */
  @TearDown(Level.Trial)
  public void close() throws IOException {
    store.close();
    BenchDirs.delete(dir);
  }

  /** One append, with or without the gate. */
  @Benchmark
  public long append() {
    Coordinate c = coordinates[Math.floorMod(next.getAndIncrement(), coordinates.length)];
    return store.append(c, KIND, payload, options).globalSequence();
  }
}
