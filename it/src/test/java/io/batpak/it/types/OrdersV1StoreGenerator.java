package io.batpak.it.types;

import io.batpak.Coordinate;
import io.batpak.EventKind;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.fs.sim.SimEntropy;
import io.batpak.fs.sim.SimStoreClock;
import io.batpak.it.golden.GoldenStoreGenerator;
import io.batpak.it.types.Orders.V1;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Writes the checked-in store {@code it/src/test/resources/stores/orders-v1/}: the store of an
 * application at version 1 of {@code OrderPlaced} ({@link V1}). <b>No build runs this</b> (it is a
 * {@code main}, not a test); the store was written by it once and is frozen ({@code
 * OrdersV1StoreTest} checks its SHA-256 sums, pinned, on every build, then replays a copy with the
 * version-3 classes).
 *
 * <p>Run it (from the repository root, after {@code mvn -B -pl it -am test-compile}) with the test
 * class path of {@code it}:
 *
 * <pre>
 * mvn -B -q -pl it dependency:build-classpath -Dmdep.outputFile=/tmp/it.cp
 * java -cp it/target/test-classes:api/target/classes:engine/target/classes:fs-spi/target/classes:\
 * fs-posix/target/classes:fs-sim/target/classes:codec/target/classes:$(cat /tmp/it.cp) \
 *   io.batpak.it.types.OrdersV1StoreGenerator /tmp/orders-v1
 * </pre>
 *
 * The output is the same on every run: deterministic mode, a {@link SimStoreClock}, a {@link
 * SimEntropy} of a fixed seed, the real {@code nio} backend; the lock file and the index checkpoint
 * are removed afterwards, so the store is its segments alone. The store holds {@link #ORDERS}
 * version-1 {@code OrderPlaced} events ({@link Orders#generateV1(Random, int)} with seed {@link
 * #SEED}) in three streams, and, between them, {@link #NOTES} untyped events (payload version 0) of
 * another kind.
 */
public final class OrdersV1StoreGenerator {
  static final long SEED = 0x0D3E_5_1L;
  static final int ORDERS = 120;
  static final int NOTES = 12;
  static final EventKind NOTE = EventKind.custom(0x1, 0x0FF);

  private OrdersV1StoreGenerator() {}

  /** The version-1 payloads of the store, in append order. */
  static List<V1> payloads() {
    return Orders.generateV1(new Random(SEED), ORDERS);
  }

  static Coordinate streamOf(int i) {
    return Coordinate.of("orders:" + (i % 3), "shop");
  }

  /**
   * Writes the store into {@code args[0]}, which must not exist.
   *
   * @throws IOException if the directory cannot be written
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: OrdersV1StoreGenerator <new directory>");
    }
    Path out = Path.of(args[0]).toAbsolutePath();
    if (Files.exists(out)) {
      throw new IllegalArgumentException(out + " exists; the checked-in store is frozen");
    }
    Path store = out.resolve("store");
    SimStoreClock clock = new SimStoreClock();
    StoreConfig config =
        StoreConfig.builder(store)
            .fsBackend("nio")
            .clock(clock)
            .entropy(new SimEntropy(SEED))
            .deterministic(true)
            .segmentMaxBytes(8192)
            .codec("json")
            .eventTypes(V1.class)
            .build();
    List<V1> payloads = payloads();
    try (Store s = Store.open(config)) {
      for (int i = 0; i < payloads.size(); i++) {
        clock.advance(Duration.ofMillis(1 + i % 7));
        s.appendTyped(streamOf(i), payloads.get(i));
        if (i % (ORDERS / NOTES) == 0) {
          s.appendEncoded(Coordinate.of("notes", "ops"), NOTE, Map.of("n", i));
        }
      }
    }
    Files.delete(store.resolve(".batpak.lock"));
    // Only segments are authoritative; the index checkpoint would tie the store to its format.
    Files.delete(store.resolve("index.ckpt"));
    Files.writeString(
        out.resolve("SHA256SUMS"), GoldenStoreGenerator.sha256sums(out), StandardCharsets.UTF_8);
    System.out.println("wrote " + out);
  }
}
