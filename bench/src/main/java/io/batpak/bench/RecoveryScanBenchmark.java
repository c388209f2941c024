package io.batpak.bench;

import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.EventKind;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.bench.harness.CrashShapes;
import io.batpak.engine.internal.index.Index;
import io.batpak.engine.internal.recovery.Recovery;
import io.batpak.engine.internal.segment.Journal;
import io.batpak.fs.spi.StoreFsResolver;
import io.batpak.port.StoreClock;
import io.batpak.port.StoreFs;
import io.batpak.spi.FsOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
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
 * The worst case of recovery (issue 8 defect 16): a read-only scan of a store whose newest segment
 * ends in {@code tailMiB} of damage, beside the same store with {@code tailMiB} of intact frames
 * instead, in the same run. {@code random} damage is seeded random bytes behind a frame prefix that
 * claims them all; {@code pattern} repeats {@code 00 01}, which makes a plausible length at every
 * other offset. The search for valid frames after damage must stay linear: the damaged scans should
 * cost about what the intact scan costs, not grow with the square of the tail. From the page cache;
 * engine internals through the engine's qualified exports to the bench (ADR 0007). The store is
 * closed cleanly and then stripped of its seal and checkpoint ({@link CrashShapes}), as a crash
 * leaves it, so the open scans the frames.
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar RecoveryScanBenchmark -f 1 -wi 2 -i 5 -w 1s -r 2s
 * </pre>
 *
 * <p>Not thread-safe: one state per benchmark thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class RecoveryScanBenchmark {
  /** MiB behind the store's first events: damage, or intact frames for the baseline. */
  @Param({"4"})
  public int tailMiB;

  /** {@code intact} (the baseline), {@code random} or {@code pattern} damage. */
  @Param({"intact", "random", "pattern"})
  public String tail;

  private Path dir;
  private StoreFs fs;

  /** Writes the store. */
  @Setup(Level.Trial)
  public void setup() throws IOException {
    dir = Files.createTempDirectory("batpak-recovery-bench");
    Coordinate c = Coordinate.of("bench", "s");
    EventKind kind = EventKind.custom(1, 1);
    byte[] payload = new byte[1000];
    try (Store store = Store.open(StoreConfig.builder(dir).segmentMaxBytes(1L << 30).build())) {
      int events = tail.equals("intact") ? tailMiB * 1024 : 10;
      for (int i = 0; i < events; i++) {
        store.append(c, kind, Bytes.of(payload));
      }
    }
    // A clean close seals the segment and writes index.ckpt; a crash leaves neither.
    CrashShapes.prepare(dir, CrashShapes.Shape.NEVER_SEALED);
    if (!tail.equals("intact")) {
      byte[] bytes = new byte[tailMiB << 20];
      if (tail.equals("random")) {
        SplittableRandom r = new SplittableRandom(16);
        for (int i = 0; i + 8 <= bytes.length; i += 8) {
          ByteBuffer.wrap(bytes, i, 8).putLong(r.nextLong());
        }
      } else {
        for (int i = 1; i < bytes.length; i += 2) {
          bytes[i] = 1;
        }
      }
      ByteBuffer.wrap(bytes).putInt(bytes.length - 8);
      Files.write(dir.resolve(Journal.fileName(1)), bytes, StandardOpenOption.APPEND);
    }
    fs = StoreFsResolver.resolve("posix", getClass().getClassLoader()).open(FsOptions.defaults());
  }

  /** One read-only recovery scan. */
  @Benchmark
  public long scan() throws IOException {
    return new Recovery(fs, dir, false, new Index(), StoreClock.system()).run().framesScanned();
  }

  /** Removes the store. */
  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    fs.close();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(RecoveryScanBenchmark::delete);
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
