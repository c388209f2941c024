package io.batpak.bench;

import io.batpak.engine.internal.format.Blake3;
import io.batpak.engine.internal.format.EventHashes;
import io.batpak.engine.internal.format.EventRecord;
import io.batpak.engine.internal.format.FrameCodec;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Frame encoding on the committer: {@link FrameCodec#writeFrame} of {@code events} records with
 * 256-byte payloads into a reused heap buffer (the committer's buffer is a heap buffer), including
 * the CRC32C. The goal in {@code performance.md} is 0 B/op allocated in frame encoding: read {@code
 * gc.alloc.rate.norm} from {@code -prof gc}. Also the event hash of the same records, the
 * sequencer's ({@link EventHashes}) beside its definition ({@link FrameCodec#eventHash}) as the
 * baseline in the same run. Engine internals, reached through the engine's qualified export to the
 * bench (ADR 0007).
 *
 * <p>Run (after {@code mvn -B -o install -pl bench}):
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar FrameEncodeBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s -prof gc
 * </pre>
 *
 * <p>Not thread-safe: one state per benchmark thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FrameEncodeBenchmark {
  /** Records per frame: 1 (a single append) or 256 (appendBatch(256)). */
  @Param({"1", "256"})
  public int events;

  private List<EventRecord> records;
  private ByteBuffer buffer;
  private final Blake3 blake3 = new Blake3();
  private final EventHashes hashes = new EventHashes();

  /** Builds the records and the buffer. */
  @Setup
  public void setup() {
    SplittableRandom r = new SplittableRandom(42);
    records = new ArrayList<>();
    for (int i = 0; i < events; i++) {
      byte[] payload = new byte[256];
      r.nextBytes(payload);
      byte[] h1 = new byte[32];
      byte[] h2 = new byte[32];
      byte[] h3 = new byte[32];
      r.nextBytes(h1);
      r.nextBytes(h2);
      r.nextBytes(h3);
      records.add(
          new EventRecord(
              r.nextLong(),
              r.nextLong(),
              r.nextLong(),
              r.nextLong(),
              false,
              0,
              0,
              String.format("order-%06d", i),
              "bench",
              0x1001,
              i,
              1000 + i,
              1_700_000_000_000_000L,
              0,
              0,
              new String[0],
              new byte[0][],
              h1,
              h2,
              h3,
              payload));
    }
    buffer = ByteBuffer.allocate(FrameCodec.frameSize(records));
  }

  /** Encodes one frame at offset 0. */
  @Benchmark
  public int writeFrame() {
    buffer.clear();
    return FrameCodec.writeFrame(buffer, 1000, 4096, records) + buffer.position();
  }

  /**
   * The baseline of {@link #eventHashCommitPath}: the event hash of every record by its definition,
   * {@link FrameCodec#eventHash} (a canonical header array and UTF-8 copies per event, four
   * updates), as the sequencer computed it before issue 15.
   */
  @Benchmark
  public int eventHashDefinition() {
    int x = 0;
    for (EventRecord r : records) {
      x += FrameCodec.eventHash(blake3, r.prevHash(), r)[0];
    }
    return x;
  }

  /** The event hash of every record as the sequencer computes it: {@link EventHashes}. */
  @Benchmark
  public int eventHashCommitPath() {
    int x = 0;
    for (EventRecord r : records) {
      x += hashes.eventHash(r.prevHash(), r, r.streamSequence(), r.globalSequence())[0];
    }
    return x;
  }
}
