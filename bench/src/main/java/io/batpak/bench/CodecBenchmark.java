package io.batpak.bench;

import io.batpak.Bytes;
import io.batpak.bench.harness.BenchEvent;
import io.batpak.bench.harness.Payloads;
import io.batpak.codec.jackson.JacksonCodecCore;
import io.batpak.codec.json.JsonCodec;
import io.batpak.spi.Codec;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import tools.jackson.dataformat.cbor.CBORMapper;
import tools.jackson.dataformat.smile.SmileMapper;
import tools.jackson.dataformat.smile.SmileWriteFeature;

/**
 * The payload formats side by side (issue 14, docs/adr/0025): encode and decode ns/op of {@code
 * json} (the shipped {@link JsonCodec}) against CBOR and Smile on Jackson 3, every one with the
 * same deterministic mapper set-up ({@link JacksonCodecCore#deterministic}). Smile is measured
 * twice: {@code smile} without shared names and values (the form a store could ship, see the ADR)
 * and {@code smile-shared} with Jackson's default back-references for repeated property names.
 *
 * <p>Shapes: {@code pool}, the bench's 4096 seeded 256-byte JSON events ({@link Payloads}) as
 * {@link BenchEvent} records, one per operation in turn; {@code small}, a three-field record;
 * {@code nested}, a record with a list of records, a map, a set, an {@code Optional}, an {@code
 * Instant} and an enum. The average encoded size of each shape and format is printed once per trial
 * ("encoded bytes: ..."), so a run gives speed and size together.
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar CodecBenchmark -f 1 -wi 2 -i 3 -w 1s -r 1s
 * </pre>
 *
 * <p>Not thread-safe: one state per benchmark thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CodecBenchmark {

  /** The format. */
  @Param({"json", "cbor", "smile", "smile-shared"})
  public String format;

  /** The payload shape. */
  @Param({"pool", "small", "nested"})
  public String shape;

  /**
   * A small event.
   *
   * @param id a number
   * @param kind a name
   * @param ok a flag
   */
  public record Small(long id, String kind, boolean ok) {}

  /** A line's state. */
  public enum LineState {
    /** Not yet picked. */
    OPEN,
    /** Picked and packed. */
    PACKED
  }

  /**
   * A line of {@link Nested}.
   *
   * @param sku the article
   * @param quantity how many
   * @param state where it is
   */
  public record Line(String sku, int quantity, LineState state) {}

  /**
   * A record with collections.
   *
   * @param order the order
   * @param lines its lines
   * @param attributes free attributes
   * @param tags labels
   * @param coupon an optional code
   * @param at when
   */
  public record Nested(
      String order,
      List<Line> lines,
      Map<String, String> attributes,
      Set<String> tags,
      Optional<String> coupon,
      Instant at) {}

  private Codec codec;
  private Object[] values;
  private Bytes[] encoded;
  private Class<?> type;
  private int next;

  /** Builds the format and encodes every value once. */
  @Setup
  public void setup() {
    codec = format(format);
    switch (shape) {
      case "pool" -> {
        Payloads pool = Payloads.create(256, 42);
        JsonCodec json = new JsonCodec();
        values = new Object[Payloads.POOL];
        for (int i = 0; i < values.length; i++) {
          values[i] = json.decode(pool.wrapped(i), BenchEvent.class);
        }
        type = BenchEvent.class;
      }
      case "small" -> {
        values = new Object[] {new Small(1_234_567L, "OrderPlaced", true)};
        type = Small.class;
      }
      case "nested" -> {
        values = new Object[] {nested()};
        type = Nested.class;
      }
      default -> throw new IllegalArgumentException("unknown shape " + shape);
    }
    encoded = new Bytes[values.length];
    long total = 0;
    for (int i = 0; i < values.length; i++) {
      encoded[i] = codec.encode(values[i]);
      total += encoded[i].size();
      if (!codec.decode(encoded[i], type).equals(values[i])) {
        throw new IllegalStateException(format + " does not round-trip " + values[i]);
      }
    }
    System.out.printf(
        "%nencoded bytes: format=%s shape=%s average=%.1f%n",
        format, shape, (double) total / values.length);
  }

  private static Nested nested() {
    Map<String, String> attributes = new TreeMap<>();
    attributes.put("channel", "web");
    attributes.put("campaign", "autumn-2026");
    attributes.put("warehouse", "north");
    List<Line> lines =
        List.of(
            new Line("SKU-000123", 2, LineState.OPEN),
            new Line("SKU-004711", 1, LineState.PACKED),
            new Line("SKU-009999", 12, LineState.OPEN),
            new Line("SKU-000042", 3, LineState.PACKED));
    return new Nested(
        "order-000123",
        lines,
        attributes,
        new TreeSet<>(Set.of("gift", "express", "fragile")),
        Optional.of("AUTUMN10"),
        Instant.parse("2026-11-25T17:32:00.123Z"));
  }

  private static Codec format(String name) {
    return switch (name) {
      case "json" -> new JsonCodec();
      case "cbor" ->
          new JacksonCodecCore(
              name,
              "the CBOR is null",
              JacksonCodecCore.deterministic(CBORMapper.builder()).build());
      case "smile" ->
          new JacksonCodecCore(
              name,
              "the Smile is null",
              JacksonCodecCore.deterministic(SmileMapper.builder())
                  .disable(SmileWriteFeature.CHECK_SHARED_NAMES)
                  .disable(SmileWriteFeature.CHECK_SHARED_STRING_VALUES)
                  .build());
      case "smile-shared" ->
          new JacksonCodecCore(
              name,
              "the Smile is null",
              JacksonCodecCore.deterministic(SmileMapper.builder()).build());
      default -> throw new IllegalArgumentException("unknown format " + name);
    };
  }

  /** One value to bytes (the pool: the next event in turn). */
  @Benchmark
  public Bytes encode() {
    int i = next;
    next = i + 1 == values.length ? 0 : i + 1;
    return codec.encode(values[i]);
  }

  /** Bytes to one value (the pool: the next event in turn). */
  @Benchmark
  public Object decode() {
    int i = next;
    next = i + 1 == encoded.length ? 0 : i + 1;
    return codec.decode(encoded[i], type);
  }
}
