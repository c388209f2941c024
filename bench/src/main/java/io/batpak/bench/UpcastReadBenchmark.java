package io.batpak.bench;

import io.batpak.Coordinate;
import io.batpak.EventId;
import io.batpak.EventType;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.Upcaster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The cost of reading a typed event through its upcaster chain (issue 14, ADR 0027): hot point
 * reads with the json codec of a store holding 10 000 {@code OrderPlaced} events written at version
 * 1 and 10 000 written at version 3, read with the version-3 class registered and its two steps (a
 * rename and retype, then a split field). {@code current} decodes a version-3 payload directly;
 * {@code upcastTwoSteps} decodes a version-1 payload to the tree, runs both steps, encodes and
 * decodes the result; {@code raw} is {@code get(id)} without decoding, the floor.
 *
 * <p>Run (after {@code mvn -B -o install -pl bench}):
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar UpcastReadBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s
 * </pre>
 *
 * <p>Not thread-safe: one state per benchmark thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class UpcastReadBenchmark {
  private static final int EVENTS = 10_000;

  /** Version 1, as an old release wrote it. */
  @EventType(category = 0x1, typeId = 0x010, version = 1)
  public record OrderV1(String orderId, String customer, String total, String shipTo) {}

  /** Version 3: {@code customer} renamed, {@code total} in cents, {@code shipTo} split. */
  @EventType(category = 0x1, typeId = 0x010, version = 3)
  public record OrderV3(
      String orderId, String customerId, long totalCents, String street, String city) {}

  private Path dir;
  private Store store;
  private EventId[] v1;
  private EventId[] v3;
  private SplittableRandom random;

  private StoreConfig.Builder base() {
    return StoreConfig.builder(dir).codec("json").visible(1000, Duration.ofMillis(100));
  }

  /** Writes both versions, then reopens with the version-3 application's registry. */
  @Setup(Level.Trial)
  public void fill() throws IOException {
    dir = Files.createTempDirectory("batpak-bench-upcast-");
    v1 = new EventId[EVENTS];
    v3 = new EventId[EVENTS];
    Coordinate c = Coordinate.of("orders", "shop");
    try (Store s = Store.open(base().eventTypes(OrderV1.class).build())) {
      for (int i = 0; i < EVENTS; i++) {
        v1[i] =
            s.appendTyped(
                    c,
                    new OrderV1(
                        "o-" + i, "customer-" + i, i + ".25", "Main St " + i + "|Springfield"))
                .eventId();
      }
    }
    store =
        Store.open(
            base()
                .eventTypes(OrderV3.class)
                .upcaster(
                    Upcaster.of(
                        OrderV3.class,
                        1,
                        tree -> {
                          tree.put("customerId", tree.remove("customer"));
                          String total = (String) tree.remove("total");
                          tree.put("totalCents", Long.parseLong(total.replace(".", "")));
                          return tree;
                        }))
                .upcaster(
                    Upcaster.of(
                        OrderV3.class,
                        2,
                        tree -> {
                          String shipTo = (String) tree.remove("shipTo");
                          int bar = shipTo.indexOf('|');
                          tree.put("street", shipTo.substring(0, bar));
                          tree.put("city", shipTo.substring(bar + 1));
                          return tree;
                        }))
                .build());
    for (int i = 0; i < EVENTS; i++) {
      v3[i] =
          store
              .appendTyped(
                  c,
                  new OrderV3(
                      "o-" + i, "customer-" + i, i * 100L + 25, "Main St " + i, "Springfield"))
              .eventId();
    }
    store.sync();
    random = new SplittableRandom(7);
  }

  /** Closes the store and deletes its directory. */
  @TearDown(Level.Trial)
  public void close() throws IOException {
    store.close();
    BenchDirs.delete(dir);
  }

  /** A random version-3 event's payload bytes, not decoded. */
  @Benchmark
  public int raw() {
    return store.get(v3[random.nextInt(EVENTS)]).payload().size();
  }

  /** A random version-3 event decoded directly. */
  @Benchmark
  public OrderV3 current() {
    return store.get(v3[random.nextInt(EVENTS)], OrderV3.class);
  }

  /** A random version-1 event upcast through two steps and decoded. */
  @Benchmark
  public OrderV3 upcastTwoSteps() {
    return store.get(v1[random.nextInt(EVENTS)], OrderV3.class);
  }
}
