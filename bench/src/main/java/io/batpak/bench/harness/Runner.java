package io.batpak.bench.harness;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs every selected workload that applies to a system, in the order of {@link
 * WorkloadCatalog#all}; every trial checks afterwards that the system holds exactly the events it
 * acknowledged (count and checksum), and a trial that fails the check is reported as failed. Not
 * thread-safe: one run at a time.
 */
final class Runner {
  private final Settings s;
  private final List<Workload> workloads;

  Runner(Settings s, PrintStream log) {
    this.s = s;
    this.workloads = WorkloadCatalog.all(new Trials(s, log));
  }

  /** Runs every selected workload that applies to {@code system}; returns their rows in order. */
  List<Result> run(String system) {
    List<Result> out = new ArrayList<>();
    for (Workload w : workloads) {
      if (w.appliesTo(system) && w.selectedBy(s.workloads())) {
        out.addAll(w.run(system));
      }
    }
    return out;
  }
}
