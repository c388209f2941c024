package io.batpak.bench;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.BatchItem;
import io.batpak.EventId;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.bench.harness.BatpakSystem;
import io.batpak.bench.harness.Payloads;
import io.batpak.engine.internal.format.Decompressors;
import io.batpak.engine.internal.format.EventRecord;
import io.batpak.engine.internal.format.FrameCodec;
import io.batpak.engine.internal.index.Index;
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
 * W5's hot point read of an event written alone or inside a batch frame, with the read path before
 * ADR 0029 beside it in the same run, over a closed 100 k-event store in the page cache (256 B
 * payloads; {@code layout=single}: one event per frame, {@code batch256}: 256 per frame, about 132
 * KB) opened read-only: {@code get} is {@link Store#get(EventId)} of a random event (the current
 * path: an event of a batch frame checked before is read by its record alone); {@code
 * frameBaseline} does what every read did before, over the same journal: the index row, the whole
 * frame read with {@code pread} (no mapping, ADR 0030) and CRC-checked ({@link Journal#readFrame})
 * and the one record decoded, without building the public event (so the ratio of the two
 * understates the change).
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar RecordReadBenchmark -f 1 -wi 3 -i 6 -w 1s -r 2s
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

  private static final int EVENTS = 100_000;

  private Path dir;
  private Store store;
  private StoreFs fs;
  private Index index;
  private Journal journal;
  private EventId[] ids;
  private SplittableRandom random;

  /** Fills the store, closes it, and opens it read-only twice: as a store, and as its journal. */
  @Setup(Level.Trial)
  public void setup() throws Exception {
    dir = Files.createTempDirectory("batpak-bench-records-");
    Payloads p = Payloads.create(256, 42);
    StoreConfig.Builder config = StoreConfig.builder(dir).visible(1000, Duration.ofMillis(100));
    try (Store s = Store.open(config.build())) {
      fill(s, p);
    }
    store = Store.open(config.readOnly(true).build());
    fs = StoreFsResolver.resolve("posix", getClass().getClassLoader()).open(FsOptions.defaults());
    index = new Index();
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
            Decompressors.NONE,
            false,
            64L << 20);
    Index.View v = index.view();
    ids = new EventId[v.size()];
    for (int row = 0; row < ids.length; row++) {
      ids[row] = new EventId(v.idHi(row), v.idLo(row));
    }
    if (ids.length != EVENTS) {
      throw new IllegalStateException("the store holds " + ids.length + " events");
    }
    random = new SplittableRandom(7);
  }

  private void fill(Store store, Payloads p) throws Exception {
    SplittableRandom r = new SplittableRandom(42);
    List<CompletableFuture<AppendReceipt>> pending = new ArrayList<>();
    for (int i = 0; i < EVENTS; i += 256) {
      List<BatchItem> batch = new ArrayList<>();
      for (int j = i; j < i + 256 && j < EVENTS; j++) {
        int entity = p.zipf(r);
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

  /** A random event with its payload, through the store. */
  @Benchmark
  public int get() {
    return store.get(ids[random.nextInt(ids.length)]).payload().size();
  }

  /** A random event with its payload, read as every read did before ADR 0029. */
  @Benchmark
  public int frameBaseline() throws IOException {
    EventId id = ids[random.nextInt(ids.length)];
    int row = index.find(id.high(), id.low());
    Index.View v = index.view();
    long segment = v.segment(row);
    long offset = v.frameOffset(row);
    byte[] frame = journal.readFrame(segment, offset, v.frameLength(row));
    EventRecord r =
        FrameCodec.decodeRecord(
            frame,
            FrameCodec.PREFIX,
            v.recordOffset(row),
            row,
            Decompressors.NONE,
            () -> journal.path(segment).toString(),
            offset,
            true);
    return r.payload().length;
  }

  /** Closes the store and the journal and removes the store. */
  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    store.close();
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
