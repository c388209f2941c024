package io.batpak.bench;

import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.axon.BatpakTokenStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.axonframework.eventhandling.GlobalSequenceTrackingToken;
import org.axonframework.serialization.json.JacksonSerializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What a processor pays to save its position: {@code BatpakTokenStore.storeToken} on a {@code
 * DURABLE} store in a temporary directory (one index read and one durable append), one thread.
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar AxonTokenStoreBenchmark -f 1 -wi 2 -i 3 -w 2s -r 2s
 * </pre>
 *
 * <p>Not thread-safe: one state per benchmark thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class AxonTokenStoreBenchmark {
  private Path dir;
  private Store store;
  private BatpakTokenStore tokens;
  private long position;

  /** Opens the store and claims segment 0 of processor {@code p}. */
  @Setup(Level.Trial)
  public void open() throws Exception {
    dir = Files.createTempDirectory("axon-tokens-");
    store = Store.open(StoreConfig.builder(dir).build());
    tokens =
        BatpakTokenStore.builder()
            .store(store)
            .serializer(JacksonSerializer.defaultSerializer())
            .nodeId("bench")
            .build();
    tokens.initializeTokenSegments("p", 1);
    tokens.fetchToken("p", 0);
  }

  /** Closes the store and deletes it. */
  @TearDown(Level.Trial)
  public void close() throws Exception {
    store.close();
    BenchDirs.delete(dir);
  }

  /** Stores the next position. */
  @Benchmark
  public void storeToken() {
    tokens.storeToken(new GlobalSequenceTrackingToken(position++), "p", 0);
  }
}
