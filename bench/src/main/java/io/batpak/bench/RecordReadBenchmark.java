package io.batpak.bench;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.BatchItem;
import io.batpak.EventHeader;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.bench.harness.BatpakSystem;
import io.batpak.bench.harness.Payloads;
import io.batpak.engine.internal.format.Decompressors;
import io.batpak.engine.internal.index.Index;
import io.batpak.engine.internal.read.EventQueries;
import io.batpak.engine.internal.read.EventReader;
import io.batpak.engine.internal.recovery.Recovery;
import io.batpak.engine.internal.segment.Journal;
import io.batpak.fs.spi.StoreFsResolver;
import io.batpak.port.StoreClock;
import io.batpak.port.StoreFs;
import io.batpak.port.SyncMode;
import io.batpak.spi.FsOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
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
 * The engine's read path (ADR 0029) with the old path beside it in the same run: {@code path=frame}
 * reads and checks the whole frame of every event read (as before issue 15), {@code path=record}
 * reads an event of a batch frame checked before by its record alone. Over a closed 100 k-event
 * store in the page cache, filled as {@link PointReadBenchmark} fills it ({@code layout=single}:
 * one event per frame; {@code batch256}: 256 per frame), the index and journal opened read-only as
 * an open does: {@code point} and {@code pointHeader} read a random event (W5's hot point read
 * below the public API); {@code streamHeaders} the headers of the hot entity's 1 000 events, spread
 * over the store (W6 headers).
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar RecordReadBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s
 * </pre>
 *
 * <p>Not thread-safe: one state per benchmark thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RecordReadBenchmark {
  /** How the store was filled: {@code single} or {@code batch256}. */
  @Param({"single", "batch256"})
  public String layout;

  /** {@code frame}: the whole frame read and checked per event (baseline); {@code record}. */
  @Param({"frame", "record"})
  public String path;

  private static final int EVENTS = 100_000;
  private static final int HOT = 1_000;

  private Path dir;
  private StoreFs fs;
  private Journal journal;
  private EventReader reader;
  private EventQueries queries;
  private String hot;
  private int size;
  private SplittableRandom random;

  /** Fills the store, closes it and opens its index and journal read-only. */
  @Setup(Level.Trial)
  public void setup() throws Exception {
    dir = Files.createTempDirectory("batpak-bench-records-");
    Payloads p = Payloads.create(256, 42);
    hot = p.entity(Payloads.HOT);
    try (Store store =
        Store.open(StoreConfig.builder(dir).visible(1000, Duration.ofMillis(100)).build())) {
      fill(store, p);
    }
    fs = StoreFsResolver.resolve("posix", getClass().getClassLoader()).open(FsOptions.defaults());
    Index index = new Index();
    Recovery.Result found = new Recovery(fs, dir, false, index, StoreClock.system()).run();
    journal =
        new Journal(
            fs,
            dir,
            SyncMode.ALL,
            found.segmentEnds(),
            false,
            0,
            StoreClock.system(),
            "json",
            "none",
            Decompressors.NONE);
    reader = new EventReader(index, journal, path.equals("record"));
    queries = new EventQueries(index, reader);
    size = index.view().size();
    if (size != EVENTS || queries.stream(hot).size() != HOT) {
      throw new IllegalStateException(
          "the store holds " + size + " events and " + queries.stream(hot).size() + " hot ones");
    }
    random = new SplittableRandom(7);
  }

  private void fill(Store store, Payloads p) throws Exception {
    SplittableRandom r = new SplittableRandom(42);
    int hotEvery = EVENTS / HOT;
    List<CompletableFuture<AppendReceipt>> pending = new ArrayList<>();
    for (int i = 0; i < EVENTS; i += 256) {
      List<BatchItem> batch = new ArrayList<>();
      for (int j = i; j < i + 256 && j < EVENTS; j++) {
        int entity = j % hotEvery == 0 ? Payloads.HOT : p.zipf(r);
        if (layout.equals("single")) {
          pending.add(
              store.submit(
                  p.coordinate(entity),
                  BatpakSystem.KIND,
                  p.wrapped(j % Payloads.POOL),
                  AppendOptions.defaults()));
        } else {
          batch.add(
              BatchItem.of(p.coordinate(entity), BatpakSystem.KIND, p.wrapped(j % Payloads.POOL)));
        }
      }
      if (!batch.isEmpty()) {
        store.appendBatch(batch);
      }
      for (CompletableFuture<AppendReceipt> f : pending) {
        f.get();
      }
      pending.clear();
    }
    store.sync();
  }

  /** A random event with its payload. */
  @Benchmark
  public int point() {
    return reader.locate(random.nextInt(size)).record().payload().length;
  }

  /** A random event's header. */
  @Benchmark
  public long pointHeader() {
    return reader.locateHeader(random.nextInt(size)).record().timestampMicros();
  }

  /** The headers of the hot entity's 1 000 events. */
  @Benchmark
  public List<EventHeader> streamHeaders() {
    return queries.stream(hot);
  }

  /** Closes the journal and removes the store. */
  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    journal.close();
    fs.close();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(RecordReadBenchmark::delete);
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
