package io.batpak.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * {@link CausalWalkBenchmark}'s operations timed by the calling thread's CPU time instead of wall
 * time, on the same store: on a machine shared with other builds (load far above its cores) wall
 * time mostly measures waiting for a core, CPU time much less so. Three rounds of, per operation,
 * 20 000 warm-up calls and 50 000 timed calls; prints CPU nanoseconds per operation unit (per hop,
 * per result, per event for {@code get}) and each one's ratio to {@code get}.
 *
 * <p>Run (after {@code mvn -B -o install -pl bench -am -DskipTests}):
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.batpak.bench.CausalWalkCpuTime
 * </pre>
 */
public final class CausalWalkCpuTime {
  private CausalWalkCpuTime() {}

  /**
   * Runs the measurement and prints it.
   *
   * @param args unused
   */
  public static void main(String[] args) throws Exception {
    CausalWalkBenchmark b = new CausalWalkBenchmark();
    b.fill();
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    Map<String, IntSupplier> ops = new LinkedHashMap<>();
    Map<String, Integer> units = new LinkedHashMap<>();
    ops.put("get (per event)", b::get);
    units.put("get (per event)", 1);
    ops.put("walkAncestors (per hop)", b::walkAncestorsPerHop);
    units.put("walkAncestors (per hop)", 64);
    ops.put("consequences (per result)", b::consequencesPerResult);
    units.put("consequences (per result)", 100);
    ops.put("correlated (per result)", b::correlatedPerResult);
    units.put("correlated (per result)", 100);
    ops.put("walkCauses (per hop)", b::walkCausesPerHop);
    units.put("walkCauses (per hop)", 17);
    try {
      for (int round = 1; round <= 3; round++) {
        double get = 0;
        for (Map.Entry<String, IntSupplier> e : ops.entrySet()) {
          int unit = units.get(e.getKey());
          int calls = Math.max(200, 50_000 / unit);
          long sink = 0;
          for (int i = 0; i < Math.max(100, 20_000 / unit); i++) {
            sink += e.getValue().getAsInt();
          }
          long t0 = mx.getCurrentThreadCpuTime();
          for (int i = 0; i < calls; i++) {
            sink += e.getValue().getAsInt();
          }
          double perUnit = (mx.getCurrentThreadCpuTime() - t0) / (double) calls / unit;
          if (get == 0) {
            get = perUnit;
          }
          System.out.printf(
              Locale.ROOT,
              "round %d  %-27s %9.0f ns CPU  %5.2f x get  (sink %d)%n",
              round,
              e.getKey(),
              perUnit,
              perUnit / get,
              sink % 10);
        }
      }
    } finally {
      b.close();
    }
  }
}
