package io.batpak.bench.harness;

import java.util.List;
import java.util.Set;

/**
 * One workload of the harness (W1, W2-8, ..., raw N=1, handoff): the name it has on {@code
 * --workloads} and in the table, what it measures, which systems it applies to, and how it runs
 * against one of them. Running the harness is a loop over workloads × systems ({@link Runner}).
 *
 * @param id the name on {@code --workloads} and in the table
 * @param description what it measures and what its latency is, in words
 * @param systems the systems it applies to (names of {@link Settings#ALL})
 * @param rows the names of the rows it reports (its id first; a workload that shares a store
 *     reports more than one), any of which in {@code --workloads} selects it
 * @param body runs it against one system and returns its rows, already printed
 */
record Workload(String id, String description, Set<String> systems, List<String> rows, Body body) {

  /** Runs a workload against one system; failures are rows, not exceptions. */
  interface Body {
    List<Result> run(String system);
  }

  /** A workload that reports one row, named by its id. */
  static Workload of(String id, String description, Set<String> systems, Body body) {
    return new Workload(id, description, systems, List.of(id), body);
  }

  /** Whether this workload runs against {@code system}. */
  boolean appliesTo(String system) {
    return systems.contains(system);
  }

  /**
   * Whether a {@code --workloads} selection asks for it by its id or for any of its rows (empty:
   * every workload).
   */
  boolean selectedBy(Set<String> selection) {
    return selection.isEmpty()
        || selection.contains(id)
        || rows.stream().anyMatch(selection::contains);
  }

  /** Runs it against {@code system}. */
  List<Result> run(String system) {
    return body.run(system);
  }
}
