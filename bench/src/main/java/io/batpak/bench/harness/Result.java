package io.batpak.bench.harness;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One row of the results: a workload run against one system.
 *
 * @param workload the workload (W1, W2-8, raw N=64, ...)
 * @param system the system's name
 * @param status {@code ok}, {@code failed} (the run threw, or the fairness check found the system
 *     did not hold exactly what it was sent: not ranked) or {@code n/a}
 * @param note why a row failed or is n/a, or how it ran
 * @param events events counted in the measured window
 * @param seconds length of the measured window
 * @param p50Micros median latency of one operation in microseconds (an append, a batch, a read)
 * @param p99Micros 99th percentile latency in microseconds
 * @param extra further figures (events per fsync, writes per batch, CPU µs per event, ...)
 */
public record Result(
    String workload,
    String system,
    String status,
    String note,
    long events,
    double seconds,
    double p50Micros,
    double p99Micros,
    Map<String, Double> extra) {

  /** A successful row. */
  public static Result ok(
      String workload,
      String system,
      String note,
      long events,
      double seconds,
      double p50,
      double p99,
      Map<String, Double> extra) {
    return new Result(
        workload, system, "ok", note, events, seconds, p50, p99, new LinkedHashMap<>(extra));
  }

  /** A failed row. */
  public static Result failed(String workload, String system, String why) {
    return new Result(workload, system, "failed", why, 0, 0, Double.NaN, Double.NaN, Map.of());
  }

  /** A row that does not apply to the system. */
  public static Result na(String workload, String system, String why) {
    return new Result(workload, system, "n/a", why, 0, 0, Double.NaN, Double.NaN, Map.of());
  }

  /** Whether the row has figures. */
  public boolean ok() {
    return "ok".equals(status);
  }

  /** Events per second over the measured window (NaN unless ok). */
  public double eventsPerSecond() {
    return ok() && seconds > 0 ? events / seconds : Double.NaN;
  }
}
