package io.batpak.bench;

import io.batpak.bench.harness.EventGenerator;
import io.batpak.bench.harness.EventToAppend;
import io.batpak.bench.harness.Payloads;
import io.batpak.bench.harness.SystemUnderTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
 * The harness's W6 through Axon (aggregate load): {@code EmbeddedEventStore.readEvents(id)} of one
 * aggregate of 1 000 events among {@code events} (every {@code events / 1000}-th event; the rest
 * over 10 000 other aggregates; 256-byte payloads), each payload deserialized, on {@code
 * axon-batpak} (Axon on batpak) and {@code axon} (Axon on JDBC/H2): the same systems, messages and
 * serializer as the harness, measured with JMH's warm-up and iterations instead of the harness's
 * short windows.
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar AxonAggregateLoadBenchmark -f 1 -wi 3 -i 5 -w 2s -r 2s
 * </pre>
 *
 * <p>Not thread-safe: one state per benchmark thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class AxonAggregateLoadBenchmark {
  /** The system: {@code axon-batpak} or {@code axon}. */
  @Param({"axon-batpak", "axon"})
  public String system;

  /** Events in the store, the aggregate's 1 000 included. */
  @Param({"100000"})
  public int events;

  private static final int HOT = 1000;

  private Path dir;
  private SystemUnderTest sut;
  private String hot;

  /** Fills a fresh store. */
  @Setup(Level.Trial)
  public void fill() throws Exception {
    dir = Files.createTempDirectory("axon-load-");
    sut = SystemUnderTest.named(system);
    sut.open(dir);
    Payloads p = Payloads.create(256, 42);
    EventGenerator g = new EventGenerator(p, 49, 0, 1);
    int every = Math.max(1, events / HOT);
    List<EventToAppend> batch = new ArrayList<>();
    for (int i = 0; i < events; i++) {
      batch.add(i % every == 0 && g.hotSent() < HOT ? g.nextHot() : g.next());
      if (batch.size() == 256 || i == events - 1) {
        sut.appendBatch(batch);
        batch.clear();
      }
    }
    hot = p.entity(Payloads.HOT);
    int n = sut.readStream(hot);
    if (n != HOT) {
      throw new IllegalStateException("the aggregate has " + n + " events, expected " + HOT);
    }
  }

  /** Closes the system and deletes its data. */
  @TearDown(Level.Trial)
  public void close() throws Exception {
    sut.close();
    BenchDirs.delete(dir);
  }

  /** Loads the aggregate's 1 000 events, payloads deserialized; returns how many. */
  @Benchmark
  public int load() throws Exception {
    return sut.readStream(hot);
  }
}
