package io.batpak.bench;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.bench.harness.BatpakSystem;
import io.batpak.bench.harness.Payloads;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * Index bytes per event: the heap in use (after full GCs) with 1 M events in an open store, and
 * again with 2 M; the difference divided by 1 M is what each further event costs in memory
 * (performance.md's goal: ≤ 64 bytes per event). Events are 256-byte payloads over 10 k
 * Zipf-distributed entities, appended with {@code submit()} to a {@code VISIBLE} store (the index
 * is the same in both modes). Array growth by doubling makes the figure a little coarse: the delta
 * includes whatever capacity the columns had to add between the two points.
 *
 * <p>Run (after {@code mvn -B -o install -pl bench}; needs about 1 GB of disk in {@code
 * java.io.tmpdir}):
 *
 * <pre>
 * java -Xmx3g --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar \
 *     io.batpak.bench.IndexFootprint [eventsPerStep, default 1000000]
 * </pre>
 */
public final class IndexFootprint {
  private IndexFootprint() {}

  /**
   * Runs the measurement and prints the result.
   *
   * @param args optional events per step
   */
  public static void main(String[] args) throws Exception {
    int step = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    Path dir = Files.createTempDirectory("batpak-bench-index-");
    Payloads p = Payloads.create(256, 42);
    SplittableRandom r = new SplittableRandom(42);
    try (Store store =
        Store.open(StoreConfig.builder(dir).visible(1000, Duration.ofMillis(100)).build())) {
      append(store, p, r, step);
      long first = usedAfterGc();
      append(store, p, r, step);
      long second = usedAfterGc();
      double perEvent = (second - first) / (double) step;
      System.out.printf(
          Locale.ROOT,
          "events %d -> %d: heap used %.1f MiB -> %.1f MiB; %.1f bytes per event (goal <= 64)%n",
          step,
          2L * step,
          first / 1048576.0,
          second / 1048576.0,
          perEvent);
    } finally {
      try (Stream<Path> paths = Files.walk(dir)) {
        for (Path f : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
          Files.delete(f);
        }
      } catch (IOException e) {
        System.err.println("could not delete " + dir + ": " + e);
      }
    }
  }

  private static void append(Store store, Payloads p, SplittableRandom r, int n) throws Exception {
    ArrayDeque<CompletableFuture<AppendReceipt>> pending = new ArrayDeque<>();
    for (int i = 0; i < n; i++) {
      pending.add(
          store.submit(
              p.coordinate(p.zipf(r)),
              BatpakSystem.KIND,
              p.wrapped(i % Payloads.POOL),
              AppendOptions.defaults()));
      if (pending.size() >= 1024) {
        pending.poll().get();
      }
    }
    while (!pending.isEmpty()) {
      pending.poll().get();
    }
    store.sync();
  }

  private static long usedAfterGc() throws InterruptedException {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) {
      System.gc();
      Thread.sleep(200);
      used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
    return used;
  }
}
