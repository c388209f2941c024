package io.batpak.bench;

import io.batpak.bench.harness.Payloads;
import io.batpak.compress.Lz4CompressorProvider;
import io.batpak.compress.ZstdCompressorProvider;
import io.batpak.spi.Compressor;
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

/**
 * Issue 14: the compressors on their own, over the bench's payload pool ({@link Payloads}: seeded
 * JSON events of one size, 4096 distinct ones). One operation compresses, or decompresses, one
 * payload; MB/s = operations per second × {@code size}. The setup prints the compression ratio
 * (compressed ÷ uncompressed bytes, the stored form's 5-byte header included, 9 bytes with a
 * dictionary) over a corpus of 100 k payloads drawn from the pool, which docs/performance.md
 * ("Compression") reports. {@code zstd-dict} is zstd with a {@value #DICTIONARY}-byte dictionary
 * trained, as a store trains one, from payloads of the same shape: the pool of another seed, so the
 * dictionary has not seen the payloads it is measured on.
 *
 * <p>Run (after {@code mvn -B -o install -pl bench -am -DskipTests}):
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar CompressionBenchmark -f 1 -wi 2 -i 3 -w 2s -r 2s
 * </pre>
 *
 * <p>Not thread-safe: one state per benchmark thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CompressionBenchmark {
  /** The compressor: {@code lz4}, {@code zstd}, or {@code zstd-dict} (zstd with a dictionary). */
  @Param({"lz4", "zstd", "zstd-dict"})
  public String compressor;

  /** Payload size in bytes. */
  @Param({"256", "1024"})
  public int size;

  private static final int CORPUS = 100_000;

  /** The dictionary size of {@code zstd-dict}. */
  static final int DICTIONARY = 16 << 10;

  private Compressor c;
  private byte[][] payloads;
  private byte[][] blocks;
  private int next;

  /** Creates the compressor, compresses the pool once and prints the corpus's ratio. */
  @Setup(Level.Trial)
  public void setUp() {
    c =
        compressor.equals("lz4")
            ? new Lz4CompressorProvider().create()
            : new ZstdCompressorProvider().create();
    int header = 5;
    if (compressor.equals("zstd-dict")) {
      Payloads other = Payloads.create(size, 43);
      java.util.List<byte[]> samples = new java.util.ArrayList<>();
      for (int i = 0; i < Payloads.POOL; i++) {
        samples.add(other.bytes(i));
      }
      c = c.withDictionary(c.trainDictionary(samples, DICTIONARY));
      header = 9;
    }
    Payloads p = Payloads.create(size, 42);
    payloads = new byte[Payloads.POOL][];
    blocks = new byte[Payloads.POOL][];
    for (int i = 0; i < Payloads.POOL; i++) {
      payloads[i] = p.bytes(i);
      blocks[i] = c.compress(payloads[i]);
    }
    long raw = 0;
    long stored = 0;
    for (int i = 0; i < CORPUS; i++) {
      int k = (int) ((i * 2654435761L) % Payloads.POOL);
      raw += payloads[k].length;
      stored += Math.min(payloads[k].length, header + blocks[k].length);
    }
    System.out.printf(
        "%nCompressionBenchmark %s size %d: %d payloads, %d bytes -> %d stored, ratio %.3f%n",
        compressor, size, CORPUS, raw, stored, (double) stored / raw);
  }

  /** Compresses one payload of the pool. */
  @Benchmark
  public byte[] compress() {
    next = (next + 1) & (Payloads.POOL - 1);
    return c.compress(payloads[next]);
  }

  /** Decompresses one block of the pool into a new array of its length. */
  @Benchmark
  public byte[] decompress() {
    next = (next + 1) & (Payloads.POOL - 1);
    byte[] out = new byte[payloads[next].length];
    c.decompress(blocks[next], 0, blocks[next].length, out);
    return out;
  }
}
