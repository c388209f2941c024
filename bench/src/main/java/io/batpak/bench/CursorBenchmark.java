package io.batpak.bench;

import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.Cursor;
import io.batpak.EventKind;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StoredEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * Cursor delivery with checkpoints (issue 13, docs/cursors.md): one operation delivers {@link
 * #opEvents} events (10 000, or 100 when a checkpoint is saved every event or every 100 events, so
 * that an operation stays short) through a durable cursor ({@code pollBatch}) and saves its
 * checkpoint every {@code every} events ({@code every = 0}: never, the baseline in the same run),
 * on a {@code DURABLE} store of {@link #STORE_EVENTS} 100-byte events on the auto-selected backend
 * ({@code posix}) in a temporary directory, read from the page cache. Events/s = {@code opEvents} /
 * the time per operation; the ratio to {@code every = 0} is the cost of checkpointing. {@link
 * #checkpointSave} is one {@code Cursor.checkpoint()} alone (one authority-file publish: temporary
 * file, fsync, rename, directory fsync).
 *
 * <p>Run (after {@code mvn -B -o install -pl bench -am -DskipTests}):
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar CursorBenchmark -f 1 -wi 2 -i 3 -w 1s -r 2s
 * </pre>
 *
 * <p>Not thread-safe: one state per benchmark thread (run with one thread).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CursorBenchmark {
  /** Events in the store; a cursor that reaches the end starts over under a new id. */
  public static final int STORE_EVENTS = 200_000;

  /** Events one {@link #deliver} operation hands over. */
  public static int opEvents(int every) {
    return every == 0 || every >= 10_000 ? 10_000 : 100;
  }

  /** Save the checkpoint every this many events; 0: never. */
  @Param({"0", "1", "100", "10000"})
  public int every;

  private static final EventKind KIND = EventKind.custom(0x1, 0x013);

  private Path dir;
  private Store store;
  private Cursor cursor;
  private int generation;

  /** Fills a store in a fresh temporary directory. */
  @Setup(Level.Trial)
  public void open() throws IOException {
    dir = Files.createTempDirectory("batpak-bench-cursor-");
    store = Store.open(StoreConfig.builder(dir).build());
    byte[] p = new byte[100];
    new SplittableRandom(13).nextBytes(p);
    Bytes payload = Bytes.of(p);
    List<BatchItem> batch = new ArrayList<>();
    for (int i = 0; i < STORE_EVENTS; i++) {
      batch.add(BatchItem.of(Coordinate.of("stream-" + (i % 1000), "bench"), KIND, payload));
      if (batch.size() == 256) {
        store.appendBatch(batch);
        batch.clear();
      }
    }
    if (!batch.isEmpty()) {
      store.appendBatch(batch);
    }
    cursor = store.cursor(Region.all(), "bench-" + generation);
  }

  /** Closes the store and deletes its directory. */
  @TearDown(Level.Trial)
  public void close() throws IOException {
    cursor.close();
    store.close();
    BenchDirs.delete(dir);
  }

  private List<StoredEvent> next(int max) {
    List<StoredEvent> got = cursor.pollBatch(max);
    if (got.isEmpty()) { // the end of the store: start over under a new id
      cursor.close();
      cursor = store.cursor(Region.all(), "bench-" + ++generation);
      got = cursor.pollBatch(max);
    }
    return got;
  }

  /** {@link #opEvents} events, a checkpoint every {@code every}. */
  @Benchmark
  public long deliver() {
    int events = opEvents(every);
    long sum = 0;
    int done = 0;
    int sinceSave = 0;
    while (done < events) {
      int want = Math.min(events - done, every == 0 ? 1000 : Math.min(1000, every - sinceSave));
      List<StoredEvent> got = next(want);
      for (StoredEvent e : got) {
        sum += e.payload().size();
      }
      done += got.size();
      sinceSave += got.size();
      if (every > 0 && sinceSave >= every) {
        cursor.checkpoint();
        sinceSave = 0;
      }
    }
    return sum;
  }

  /** One checkpoint save (µs per save). */
  @Benchmark
  public void checkpointSave() {
    cursor.checkpoint();
  }
}
