package io.batpak.bench;

import io.batpak.Bytes;
import io.batpak.codec.json.JsonCodec;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Encode and decode of a small record (about 200 bytes of JSON) with the {@code json} codec ({@link
 * JsonCodec}, Jackson 3, alphabetical properties). Reference figures in {@code performance.md}:
 * Jackson encode ~0.5 µs, decode ~0.6 µs.
 *
 * <p>Run (after {@code mvn -B -o install -pl bench}):
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar JsonCodecBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s -prof gc
 * </pre>
 *
 * <p>Thread-safe state (the codec is thread-safe); one per benchmark thread anyway.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class JsonCodecBenchmark {
  /**
   * The record encoded.
   *
   * @param amount amount in cents
   * @param at timestamp text
   * @param currency currency code
   * @param entity the order
   * @param note free text
   * @param type the fact's name
   */
  public record OrderEvent(
      long amount, String at, String currency, String entity, String note, String type) {}

  private JsonCodec codec;
  private OrderEvent event;
  private Bytes encoded;

  /** Creates the codec and one encoded event. */
  @Setup
  public void setup() {
    codec = new JsonCodec();
    event =
        new OrderEvent(
            12_345,
            "2026-11-25T17:32:00.123Z",
            "EUR",
            "order-000123",
            "gift wrap, leave at door, customer asked for invoice",
            "OrderPlaced");
    encoded = codec.encode(event);
  }

  /** Record to bytes. */
  @Benchmark
  public Bytes encode() {
    return codec.encode(event);
  }

  /** Bytes to record. */
  @Benchmark
  public OrderEvent decode() {
    return codec.decode(encoded, OrderEvent.class);
  }
}
