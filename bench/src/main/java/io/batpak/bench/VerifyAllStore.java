package io.batpak.bench;

import io.batpak.BatchItem;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.bench.harness.BatpakSystem;
import io.batpak.bench.harness.Payloads;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Writes the store {@code docs/performance.md} measures {@code verifyAll} on ("verifyAll (issue
 * 12)"): {@code events} events (default 1 M) appended with {@code appendBatch} of 256, 256-byte
 * JSON payloads over 10 k Zipf-distributed entities (the W4 shape), then closed cleanly. Time
 * {@code ./batpak verify DIR} against it.
 *
 * <p>Run (after {@code mvn -B -o -pl bench -am package -DskipTests}):
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar \
 *     io.batpak.bench.VerifyAllStore DIR [events]
 * </pre>
 */
public final class VerifyAllStore {
  private VerifyAllStore() {}

  /**
   * Writes the store.
   *
   * @param args the directory (must not exist or be empty), then optionally the event count
   */
  public static void main(String[] args) throws Exception {
    if (args.length < 1 || args.length > 2) {
      System.err.println("usage: VerifyAllStore DIR [events, default 1000000]");
      System.exit(2);
    }
    Path dir = Path.of(args[0]);
    int events = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
    Files.createDirectories(dir);
    Payloads p = Payloads.create(256, 42);
    SplittableRandom r = new SplittableRandom(42);
    long start = System.nanoTime();
    try (Store store = Store.open(StoreConfig.builder(dir).build())) {
      List<BatchItem> batch = new ArrayList<>(256);
      for (int i = 0; i < events; i++) {
        batch.add(
            BatchItem.of(p.coordinate(p.zipf(r)), BatpakSystem.KIND, p.wrapped(i % Payloads.POOL)));
        if (batch.size() == 256 || i == events - 1) {
          store.appendBatch(batch);
          batch.clear();
        }
      }
      System.out.printf(
          Locale.ROOT,
          "%d events in %s: %d segments, %d bytes, written in %.1f s%n",
          store.stats().eventCount(),
          dir,
          store.stats().segmentCount(),
          store.stats().journalBytes(),
          (System.nanoTime() - start) / 1e9);
    }
  }
}
