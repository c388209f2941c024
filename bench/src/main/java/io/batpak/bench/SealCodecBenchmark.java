package io.batpak.bench;

import io.batpak.engine.internal.format.SegmentSeal;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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

/**
 * The seal codec ({@link SegmentSeal}, issue 10): encoding and decoding the seal of a segment of
 * {@code events} events (100 k by default, about what a 64 MiB segment of 256-byte payloads holds),
 * beside a plain CRC32C over the same footer bytes in the same run, so the codec's cost can be
 * given as a multiple of one pass over its bytes. Events are spread over 10 k entities (seeded),
 * one scope, one kind, consecutive 485-byte frames; the encode benchmark encodes a builder filled
 * in the setup, {@code buildAndEncode} also fills it (what sealing a segment does from the index).
 * Engine internals through the engine's qualified exports to the bench (ADR 0007).
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar SealCodecBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s -prof gc
 * </pre>
 *
 * <p>Not thread-safe: one state per benchmark thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class SealCodecBenchmark {
  /** Events in the seal. */
  @Param({"100000"})
  public int events;

  /** The segment's base global sequence. */
  private static final long BASE = 1_000_000;

  private static final int FRAME = 485;

  private String[] entity;
  private long[] idHi;
  private long[] idLo;
  private long[] streamSequence;
  private long framesEnd;
  private SegmentSeal.Builder filled;
  private byte[] footer;
  private byte[] footerFrame;

  /** Draws the events, fills a builder and encodes it once. */
  @Setup(Level.Trial)
  public void setup() {
    SplittableRandom r = new SplittableRandom(10);
    String[] names = new String[10_000];
    for (int i = 0; i < names.length; i++) {
      names[i] = "order-" + String.format("%08x", r.nextInt());
    }
    long[] next = new long[names.length];
    entity = new String[events];
    idHi = new long[events];
    idLo = new long[events];
    streamSequence = new long[events];
    for (int i = 0; i < events; i++) {
      int e = zipf(r, names.length);
      entity[i] = names[e];
      streamSequence[i] = next[e]++;
      idHi[i] = r.nextLong();
      idLo[i] = r.nextLong();
    }
    framesEnd = 64 + (long) FRAME * events;
    filled = fill();
    footer = filled.encode(framesEnd);
    footerFrame = java.util.Arrays.copyOf(footer, footer.length - SegmentSeal.TRAILER);
  }

  /** Seeded Zipf-like rank in [0, n): the inverse of a harmonic CDF, close enough for spread. */
  private static int zipf(SplittableRandom r, int n) {
    double u = r.nextDouble();
    return (int) Math.min(n - 1, Math.floor(Math.exp(u * Math.log(n + 1.0)) - 1));
  }

  private SegmentSeal.Builder fill() {
    SegmentSeal.Builder b = new SegmentSeal.Builder(BASE);
    byte[] hash = new byte[32];
    for (int i = 0; i < events; i++) {
      b.add(
          idHi[i],
          idLo[i],
          entity[i],
          "bench",
          0x1001,
          streamSequence[i],
          64 + (long) FRAME * i,
          FRAME,
          8);
      hash[0] = (byte) i;
      b.head(entity[i], streamSequence[i], hash.clone());
    }
    return b;
  }

  /** Encodes the filled builder: the footer frame and the trailer. */
  @Benchmark
  public byte[] encode() {
    return filled.encode(framesEnd);
  }

  /** Fills a builder with every event and encodes it (sealing a segment). */
  @Benchmark
  public byte[] buildAndEncode() {
    return fill().encode(framesEnd);
  }

  /** Decodes and checks the footer frame (opening a sealed segment, before the index load). */
  @Benchmark
  public SegmentSeal decode() throws SegmentSeal.Untrusted {
    return SegmentSeal.decode(footerFrame, framesEnd, BASE);
  }

  /** Baseline: a CRC32C over the footer frame's bytes. */
  @Benchmark
  public long baselineCrc32c() {
    CRC32C c = new CRC32C();
    c.update(footerFrame, 0, footerFrame.length);
    return c.getValue();
  }
}
