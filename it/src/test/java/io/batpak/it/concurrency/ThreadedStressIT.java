package io.batpak.it.concurrency;

import io.batpak.fs.sim.SimSeed;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * A seeded randomized-schedule stress of the threaded committer on {@code fs-sim}, with faults
 * (issue 8, "the threaded committer is never explored"). Each seed is one {@link StressRun}: 2 to 8
 * threads call {@code append} (with and without expected versions and idempotency keys, and retries
 * of acknowledged keys), chains of {@code submit}, {@code appendBatch}, {@code sync} and reads,
 * while one fault hits at a seeded operation: a failed segment write, a failed segment fsync of
 * either simulator kind (pages dropped, or EIO with pages kept), a failed final fsync in {@code
 * close()}, an unchecked {@link RuntimeException} or {@link OutOfMemoryError} from the backend, or
 * a full device; in {@code DURABLE} or {@code VISIBLE} mode; sometimes one thread closes the store
 * in the middle. Seeded jitter in the backend (yields and short parks around segment I/O) varies
 * the interleavings. After the run the simulator loses power and the store is reopened.
 *
 * <p>Properties, each reported with its name, the seed and a replay line:
 *
 * <ul>
 *   <li>{@code liveness}: every future completes and every blocked call returns within a bound (a
 *       hang is reported with a dump of the store's threads, not as a test timeout);
 *   <li>{@code close}: no future is still incomplete when {@code close()} returns, and {@code
 *       close()} throws when its final fsync failed;
 *   <li>{@code order}: one thread's successful appends (blocking or {@code submit}) commit in call
 *       order;
 *   <li>{@code durable-ack} and {@code durable-visibility}: in {@code DURABLE} mode no event is
 *       acknowledged or visible to a reader before an fsync covering its frame returned (the
 *       backend records the file size each completed sync covered);
 *   <li>{@code durable-watermark}: the durable watermark never covers an event no completed fsync
 *       covered;
 *   <li>{@code visible-cadence}: in {@code VISIBLE} mode written events become durable on the sync
 *       interval without a {@code sync()} call;
 *   <li>{@code recovery}: after the power loss every acknowledged {@code DURABLE} event, and every
 *       {@code VISIBLE} one under the durable watermark the store reported, is there with its bytes
 *       and a receipt that verifies; nothing appears that was never appended or that failed with a
 *       definite error; the global sequence is dense;
 *   <li>{@code idempotent-retry}: a retry of an acknowledged key returns the original receipt;
 *   <li>{@code typed-outcome}: every call ends with a receipt or a {@code StoreException}.
 * </ul>
 *
 * <p>{@code -Dbatpak.test.seed=N} replays seed N ({@code -Dbatpak.stress.runs} times, default 10,
 * since the threads race for real); {@code -Dbatpak.stress.runs=N} runs N seeds (default: the
 * {@link #CI_SEEDS}, two per pair of fault and durability); {@code -Dbatpak.stress.hangMillis} sets
 * the bound of every wait (default 5000).
 */
class ThreadedStressIT {
  /**
   * Base of the CI seeds: seed {@code BASE + i} has fault {@code i % 8}, durability {@code i/8}.
   */
  static final long BASE = 0x5EED_0000L;

  static final int CI_RUNS = 32;

  private static final Map<String, List<Long>> FAILED_BY_PROPERTY = new TreeMap<>();
  private static int runs;

  static List<Long> seeds() {
    List<Long> seeds = new ArrayList<>();
    String fixed = System.getProperty(SimSeed.PROPERTY);
    if (fixed != null && !fixed.isBlank()) {
      long seed = SimSeed.resolve(0);
      int repeat = Integer.getInteger("batpak.stress.runs", 10);
      for (int i = 0; i < repeat; i++) {
        seeds.add(seed);
      }
      return seeds;
    }
    int n = Integer.getInteger("batpak.stress.runs", CI_RUNS);
    for (int i = 0; i < n; i++) {
      seeds.add(BASE + i);
    }
    return seeds;
  }

  static String replay(long seed) {
    return "mvn -B verify -pl it -am -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false"
        + " -Dit.test=ThreadedStressIT -Dfailsafe.failIfNoSpecifiedTests=false -Dbatpak.test.seed="
        + seed;
  }

  @TestFactory
  Stream<DynamicTest> threadedCommitterUnderFaults() {
    long hang = Long.getLong("batpak.stress.hangMillis", 5000);
    return seeds().stream()
        .map(
            seed -> {
              StressRun probe = new StressRun(seed, hang);
              return DynamicTest.dynamicTest(probe.describe(), () -> runOne(seed, hang));
            });
  }

  private static void runOne(long seed, long hang) throws Exception {
    StressRun run = new StressRun(seed, hang);
    long started = System.nanoTime();
    run.run();
    long millis = (System.nanoTime() - started) / 1_000_000;
    synchronized (FAILED_BY_PROPERTY) {
      runs++;
      for (String v : run.violations) {
        String property = v.substring(1, v.indexOf(']'));
        List<Long> seeds = FAILED_BY_PROPERTY.computeIfAbsent(property, k -> new ArrayList<>());
        if (!seeds.contains(seed)) {
          seeds.add(seed);
        }
      }
    }
    System.out.println(
        run.describe() + ": " + run.violations.size() + " violations, " + millis + " ms");
    if (!run.violations.isEmpty()) {
      StringBuilder msg =
          new StringBuilder(run.describe())
              .append(": ")
              .append(run.violations.size())
              .append(" violated properties\n");
      for (String v : run.violations) {
        msg.append(" - ").append(v).append('\n');
      }
      msg.append("replay (the threads race, so a replay may need several runs): ")
          .append(replay(seed));
      throw new AssertionError(msg.toString());
    }
  }

  @AfterAll
  static void summary() {
    StringBuilder out = new StringBuilder("threaded stress: " + runs + " runs");
    if (FAILED_BY_PROPERTY.isEmpty()) {
      out.append(", every property held");
    }
    for (Map.Entry<String, List<Long>> e : FAILED_BY_PROPERTY.entrySet()) {
      out.append("\n  ").append(e.getKey()).append(" failed for seeds ").append(e.getValue());
    }
    System.out.println(out);
  }
}
