package io.batpak.bench.harness;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

/**
 * A JFR event spanning one trial's appends or reads (warm-up and measured window, not the fairness
 * check), so a profile can be cut to the work being measured: record with {@code
 * BENCH_JAVA_OPTS=-XX:StartFlightRecording=filename=x.jfr,settings=profile} and keep the {@code
 * jdk.ExecutionSample}s inside the {@code batpak.bench.Window} events. Costs nothing when no
 * recording runs.
 */
@Name("batpak.bench.Window")
@Label("Benchmark window")
@Category("batpak")
@Description("One trial's measured work")
final class WindowEvent extends Event {
  @Label("System")
  String system;

  @Label("Workload")
  String workload;

  /** A started window. */
  static WindowEvent start(String system, String workload) {
    WindowEvent e = new WindowEvent();
    e.system = system;
    e.workload = workload;
    e.begin();
    return e;
  }
}
