package io.batpak.bench;

import io.batpak.engine.internal.index.Index;
import io.batpak.engine.internal.index.IndexCheckpoint;
import io.batpak.fs.posix.PosixStoreFsProvider;
import io.batpak.port.FileHandle;
import io.batpak.port.StoreFs;
import io.batpak.port.SyncMode;
import io.batpak.spi.FsOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
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
 * The index checkpoint codec ({@link IndexCheckpoint}, issue 10) through the real {@code posix}
 * backend in a temporary folder: publishing a checkpoint of an index of {@code events} events (1 M
 * by default; written beside the target, synced, renamed, directory synced), reading it back
 * (header and body CRC, decode) and reading and installing it into an empty index (what an open
 * does before it checks the watermark against the journal). Baselines in the same run: a CRC32C
 * over the checkpoint's bytes in memory, reading the file in 1 MiB chunks with a CRC32C (the floor
 * of {@code read}), and writing the same bytes in 1 MiB chunks and publishing them (the floor of
 * {@code publish}). Events spread over 10 k entities (seeded), one scope, 485-byte frames in 64 MiB
 * segments. Reads come from the page cache. Engine internals through the engine's qualified exports
 * to the bench (ADR 0007).
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar CheckpointCodecBenchmark -f 1 -wi 2 -i 5 -w 1s -r 2s
 * </pre>
 *
 * <p>Not thread-safe: one state per benchmark thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class CheckpointCodecBenchmark {
  /** Events in the index. */
  @Param({"1000000"})
  public int events;

  private static final int FRAME = 485;
  private static final long SEGMENT = 64L << 20;

  private Path dir;
  private StoreFs fs;
  private Index index;
  private byte[] bytes;

  /** Builds the index, publishes it once and keeps the file's bytes for the baselines. */
  @Setup(Level.Trial)
  public void setup() throws IOException {
    dir = Files.createTempDirectory("batpak-checkpoint-bench");
    fs = new PosixStoreFsProvider().open(FsOptions.defaults());
    index = build(events);
    IndexCheckpoint.publish(fs, dir, index);
    bytes = Files.readAllBytes(dir.resolve(IndexCheckpoint.FILE));
  }

  /** An index of {@code n} events over 10 k entities, heads set, every row published. */
  static Index build(int n) {
    SplittableRandom r = new SplittableRandom(11);
    String[] names = new String[10_000];
    for (int i = 0; i < names.length; i++) {
      names[i] = "order-" + String.format("%08x", r.nextInt());
    }
    long[] next = new long[names.length];
    Index idx = new Index();
    int perSegment = (int) (SEGMENT / FRAME);
    for (int i = 0; i < n; i++) {
      int e = (int) Math.min(names.length - 1, Math.exp(r.nextDouble() * Math.log(10_001.0)) - 1);
      long hi = r.nextLong();
      long lo = r.nextLong();
      idx.add(
          hi,
          lo,
          names[e],
          "bench",
          0x1001,
          next[e]++,
          i,
          null,
          1 + i / perSegment,
          64 + (long) FRAME * (i % perSegment),
          FRAME,
          8,
          0,
          hi, // the event's own correlation, no causation: the common case
          lo,
          false,
          0,
          0);
    }
    byte[] hash = new byte[32];
    for (int e = 0; e < names.length; e++) {
      if (next[e] > 0) {
        hash[0] = (byte) e;
        idx.restoreHead(names[e], next[e] - 1, hash.clone());
      }
    }
    idx.publish();
    return idx;
  }

  /** Publishes a checkpoint of the whole index (write, sync, rename, directory sync). */
  @Benchmark
  public long publish() throws IOException {
    return IndexCheckpoint.publish(fs, dir, index).events();
  }

  /** Reads the checkpoint: header, body CRC, decode. */
  @Benchmark
  public int read() throws IOException {
    return usable().image().rows();
  }

  /** Reads the checkpoint and installs it into an empty index. */
  @Benchmark
  public int readAndInstall() throws IOException {
    Index fresh = new Index();
    usable().image().installInto(fresh);
    return fresh.size();
  }

  private IndexCheckpoint.Usable usable() throws IOException {
    IndexCheckpoint.Loaded l = IndexCheckpoint.read(fs, dir);
    if (!(l instanceof IndexCheckpoint.Usable u)) {
      throw new IllegalStateException("the checkpoint did not read back: " + l);
    }
    return u;
  }

  /** Baseline: a CRC32C over the checkpoint's bytes, in memory. */
  @Benchmark
  public long baselineCrc32c() {
    CRC32C c = new CRC32C();
    c.update(bytes, 0, bytes.length);
    return c.getValue();
  }

  /** Baseline: the checkpoint file read in 1 MiB chunks through the backend, with a CRC32C. */
  @Benchmark
  public long baselineReadCrc32c() throws IOException {
    CRC32C c = new CRC32C();
    ByteBuffer buf = ByteBuffer.allocate(1 << 20);
    try (FileHandle h = fs.openRead(dir.resolve(IndexCheckpoint.FILE))) {
      long size = h.size();
      for (long at = 0; at < size; at += buf.capacity()) {
        buf.clear().limit((int) Math.min(buf.capacity(), size - at));
        h.read(buf, at);
        buf.flip();
        c.update(buf);
      }
    }
    return c.getValue();
  }

  /** Baseline: the same bytes written in 1 MiB chunks to a new file and published. */
  @Benchmark
  public long baselineWritePublish() throws IOException {
    Path temp = dir.resolve("baseline.tmp");
    fs.deleteIfExists(temp);
    try (FileHandle h = fs.create(temp)) {
      for (int at = 0; at < bytes.length; at += 1 << 20) {
        h.write(ByteBuffer.wrap(bytes, at, Math.min(1 << 20, bytes.length - at)), at);
      }
    }
    fs.publish(temp, dir.resolve("baseline"), SyncMode.ALL);
    return bytes.length;
  }

  /** Removes the folder. */
  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    fs.close();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(CheckpointCodecBenchmark::delete);
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
