package io.batpak.bench;

import io.batpak.fs.nio.NioStoreFsProvider;
import io.batpak.fs.posix.PosixStoreFsProvider;
import io.batpak.port.FileHandle;
import io.batpak.port.StoreFs;
import io.batpak.port.SyncMode;
import io.batpak.spi.FsOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
 * A 256-byte positional append followed by {@code fdatasync}, through the {@code posix} backend,
 * the {@code nio} backend and a plain {@link FileChannel} (the baseline: {@code write(buf, pos)} +
 * {@code force(false)}), plus the same append without the sync, which isolates the per-call cost of
 * each path from the device. Every variant writes from a direct buffer to the end of a file in a
 * fresh temporary directory under {@code java.io.tmpdir}; the file is truncated before each
 * iteration.
 *
 * <p>Run (after {@code mvn -B install -pl fs-posix && mvn -B package -pl bench}):
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar FsWriteSync -f 1 -wi 2 -i 3 -w 2s -r 3s
 * </pre>
 *
 * Use {@code -Djava.io.tmpdir=...} (as a JVM argument through {@code -jvmArgsAppend}) to measure
 * another device. Results are only comparable within one run on one machine.
 *
 * <p>Not thread-safe: one state per benchmark thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class FsWriteSyncBenchmark {
  /** Bytes per write. */
  public static final int RECORD = 256;

  /** Which path the bytes take: {@code posix}, {@code nio} or {@code filechannel}. */
  @Param({"posix", "nio", "filechannel"})
  public String backend;

  private Path dir;
  private StoreFs fs;
  private FileHandle handle;
  private FileChannel channel;
  private ByteBuffer record;
  private long position;

  /** Creates the directory, the file and the record. */
  @Setup(Level.Trial)
  public void open() throws IOException {
    dir = Files.createTempDirectory("batpak-bench-");
    Path file = dir.resolve("segment");
    record = ByteBuffer.allocateDirect(RECORD);
    for (int i = 0; i < RECORD; i++) {
      record.put(i, (byte) i);
    }
    switch (backend) {
      case "posix":
        fs = new PosixStoreFsProvider().open(FsOptions.defaults());
        handle = fs.create(file);
        break;
      case "nio":
        fs = new NioStoreFsProvider().open(FsOptions.defaults());
        handle = fs.create(file);
        break;
      case "filechannel":
        channel =
            FileChannel.open(
                file,
                StandardOpenOption.CREATE_NEW,
                StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        break;
      default:
        throw new IllegalArgumentException("unknown backend " + backend);
    }
  }

  /** Empties the file, so each iteration appends from offset 0. */
  @Setup(Level.Iteration)
  public void truncate() throws IOException {
    position = 0;
    if (handle != null) {
      handle.truncate(0);
      handle.sync(SyncMode.ALL);
    } else {
      channel.truncate(0);
      channel.force(true);
    }
  }

  /** Closes everything and deletes the directory. */
  @TearDown(Level.Trial)
  public void close() throws IOException {
    if (handle != null) {
      handle.close();
      fs.close();
    } else {
      channel.close();
    }
    BenchDirs.delete(dir);
  }

  /** One 256-byte append made durable with {@code fdatasync}. */
  @Benchmark
  public long writeAndDataSync() throws IOException {
    append();
    if (handle != null) {
      handle.sync(SyncMode.DATA);
    } else {
      channel.force(false);
    }
    return position;
  }

  /** One 256-byte append to the page cache, no sync: the per-call cost of each path. */
  @Benchmark
  public long writeOnly() throws IOException {
    append();
    return position;
  }

  private void append() throws IOException {
    record.clear();
    if (handle != null) {
      handle.write(record, position);
    } else {
      while (record.hasRemaining()) {
        channel.write(record, position + record.position());
      }
    }
    position += RECORD;
  }
}
