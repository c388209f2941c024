package io.batpak.bench;

import io.batpak.engine.internal.format.Blake3;
import io.batpak.engine.internal.format.Blake3Chunk;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.bouncycastle.crypto.digests.Blake3Digest;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The per-event hashing costs of the append path on a 256-byte payload: BLAKE3-256 with Bouncy
 * Castle's {@link Blake3Digest} (reused, as the committer does), through the engine's {@link
 * Blake3} wrapper (which allocates the 32-byte result), with the one-chunk {@link Blake3Chunk} that
 * {@code verifyAll} uses, an event hash's input in the committer's four updates both ways, and
 * CRC32C with {@link CRC32C}. Reference figures in {@code performance.md}: BLAKE3 ~0.9 µs, CRC32C
 * ~23 ns.
 *
 * <p>Run (after {@code mvn -B -o install -pl bench}):
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar HashBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s -prof gc
 * </pre>
 *
 * <p>Not thread-safe: one state per benchmark thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HashBenchmark {
  private final byte[] payload = new byte[256];
  private final byte[] out = new byte[32];
  private final int[] words = new int[16];
  private Blake3Digest digest;
  private Blake3 engineBlake3;

  /** Fills the payload with seeded bytes and creates the digests. */
  @Setup
  public void setup() {
    new SplittableRandom(42).nextBytes(payload);
    digest = new Blake3Digest(256);
    engineBlake3 = new Blake3();
  }

  /** BLAKE3-256 of 256 bytes, Bouncy Castle digest reused, output into a reused array. */
  @Benchmark
  public byte[] blake3BouncyCastle() {
    digest.update(payload, 0, payload.length);
    digest.doFinal(out, 0);
    return out;
  }

  /** BLAKE3-256 of 256 bytes through the engine's wrapper (new 32-byte array per hash). */
  @Benchmark
  public byte[] blake3Engine() {
    return engineBlake3.hash(payload, 0, payload.length);
  }

  /** BLAKE3-256 of 256 bytes with the one-chunk hasher, output into a reused array. */
  @Benchmark
  public byte[] blake3Chunk() {
    Blake3Chunk.hashEquals(payload, 0, payload.length, words, out, out, 0);
    return out;
  }

  /**
   * An event hash's input in the committer's four updates (hash version, previous hash, a 126-byte
   * canonical header, content hash: 191 bytes), Bouncy Castle digest reused.
   */
  @Benchmark
  public byte[] eventHashBouncyCastle() {
    digest.update((byte) 1);
    digest.update(payload, 0, 32);
    digest.update(payload, 32, 126);
    digest.update(payload, 158, 32);
    digest.doFinal(out, 0);
    return out;
  }

  /** The same event-hash input through the engine's {@link Blake3} (new 32-byte array). */
  @Benchmark
  public byte[] eventHashEngine() {
    return engineBlake3
        .update((byte) 1)
        .update(payload, 0, 32)
        .update(payload, 32, 126)
        .update(payload, 158, 32)
        .finish();
  }

  /** CRC32C of 256 bytes (new {@link CRC32C} per call, as the frame codec does). */
  @Benchmark
  public long crc32c() {
    CRC32C crc = new CRC32C();
    crc.update(payload, 0, payload.length);
    return crc.getValue();
  }
}
