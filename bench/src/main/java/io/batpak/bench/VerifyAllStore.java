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
 *
 * <p>{@code VerifyAllStore DIR --verify [runs]} instead opens the store read-only and runs {@code
 * verifyAll} {@code runs} times (default 5), printing each run's wall time, events/s and the
 * process CPU time it took (CPU time does not depend on what else the machine runs; wall time
 * does).
 */
public final class VerifyAllStore {
  private VerifyAllStore() {}

  /**
   * Writes the store.
   *
   * @param args the directory (must not exist or be empty), then optionally the event count
   */
  public static void main(String[] args) throws Exception {
    if (args.length < 1 || args.length > 3) {
      System.err.println(
          "usage: VerifyAllStore DIR [events, default 1000000] | DIR --verify [runs]");
      System.exit(2);
    }
    Path dir = Path.of(args[0]);
    if (args.length > 1 && args[1].equals("--verify")) {
      verify(dir, args.length > 2 ? Integer.parseInt(args[2]) : 5);
      return;
    }
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

  private static void verify(Path dir, int runs) {
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    try (Store store = Store.open(StoreConfig.builder(dir).readOnly(true).build())) {
      for (int run = 1; run <= runs; run++) {
        long cpu = os.getProcessCpuTime();
        long start = System.nanoTime();
        io.batpak.StoreVerification v = store.verifyAll(io.batpak.VerificationProgress.none());
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpuSeconds = (os.getProcessCpuTime() - cpu) / 1e9;
        System.out.printf(
            Locale.ROOT,
            "run %d: %d events, %d problems in %.2f s: %.0f events/s; CPU %.2f s (%.2f us/event)%n",
            run,
            v.eventsChecked(),
            v.problemCount(),
            seconds,
            v.eventsChecked() / seconds,
            cpuSeconds,
            cpuSeconds * 1e6 / v.eventsChecked());
      }
    }
  }
}
