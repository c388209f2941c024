package io.batpak.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The workload × system matrix and the {@code --workloads} selection, without running anything:
 * which workloads run against which system, in which order (the order of the table before the
 * harness became a loop over workloads), and which selection picks which workload.
 */
class WorkloadCatalogTest {
  private static final List<String> RAW_N =
      List.of("raw N=1", "raw N=8", "raw N=32", "raw N=64", "raw N=128", "raw N=256");

  private static final List<String> COMPARED =
      List.of("W1", "W2-8", "W2-32", "W2s", "W4", "W4-64B", "W4-1KiB", "reads", "catch-up");

  /** Built once: the catalog draws three payload pools, which takes a few seconds. */
  private static final List<Workload> CATALOG = build();

  private static List<Workload> catalog() {
    return CATALOG;
  }

  private static List<Workload> build() {
    Settings s =
        Settings.of("tiny", Settings.ALL, Path.of("unused-out"), Path.of("unused-work"), Set.of());
    return WorkloadCatalog.all(
        new Trials(
            s, new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8)));
  }

  private static List<String> idsFor(String system, Set<String> selection) {
    return catalog().stream()
        .filter(w -> w.appliesTo(system) && w.selectedBy(selection))
        .map(Workload::id)
        .collect(Collectors.toList());
  }

  @Test
  void everySystemRunsItsWorkloadsInTheTablesOrder() {
    assertEquals(
        concat(RAW_N, List.of("raw N=1 prewritten")), idsFor("raw-disk", Set.of()), "raw-disk");
    assertEquals(concat(RAW_N, List.of("handoff")), idsFor("raw-cpu", Set.of()), "raw-cpu");
    assertEquals(
        List.of("W3-submit", "W3-blocking"), idsFor("batpak-visible", Set.of()), "batpak-visible");
    assertEquals(
        concat(COMPARED, List.of("W8-open", "W9")), idsFor("batpak-durable", Set.of()), "batpak");
    for (String system : List.of("sqlite", "h2", "axon", "axon-batpak", "rocksdb")) {
      assertEquals(COMPARED, idsFor(system, Set.of()), system);
    }
    assertEquals(
        List.of("W1", "W2-8", "W2-32", "W4", "not-replicated"),
        idsFor(ReplicatedSystem.NAME, Set.of()),
        ReplicatedSystem.NAME);
  }

  @Test
  void theReplicatedSystemSaysWhyEveryOtherComparedRowIsNotRun() {
    List<String> compared =
        List.of("W1", "W2-8", "W2-32", "W2s", "W4", "W4-64B", "W4-1KiB", "W5", "W6", "W8");
    for (String row : compared) {
      boolean runs = List.of("W1", "W2-8", "W2-32", "W4").contains(row);
      assertEquals(
          !runs,
          WorkloadCatalog.NOT_REPLICATED.containsKey(row),
          row + " is either run on batpak-replicated or n/a with a reason");
    }
    assertTrue(WorkloadCatalog.NOT_REPLICATED.containsKey("catch-up"));
    WorkloadCatalog.NOT_REPLICATED.forEach(
        (row, why) -> assertTrue(why.length() > 40, row + ": '" + why + "' says too little"));
    assertEquals(List.of("W4"), idsFor(ReplicatedSystem.NAME, Set.of("W4")));
    assertEquals(List.of("not-replicated"), idsFor(ReplicatedSystem.NAME, Set.of("W5")));
  }

  @Test
  void idsAreUniqueAndEveryWorkloadAppliesToAKnownSystem() {
    List<Workload> all = catalog();
    assertEquals(all.size(), all.stream().map(Workload::id).distinct().count(), "ids: " + all);
    for (Workload w : all) {
      assertEquals(
          Set.of(),
          w.systems().stream().filter(s -> !Settings.ALL.contains(s)).collect(Collectors.toSet()),
          w.id() + " names a system that is not in Settings.ALL");
    }
  }

  @Test
  void aSelectionPicksTheWorkloadThatReportsTheRow() {
    assertEquals(List.of("W4"), idsFor("batpak-durable", Set.of("W5-batchframe")));
    assertEquals(List.of("reads"), idsFor("sqlite", Set.of("W6-headers")));
    assertEquals(List.of("W1", "W2-8"), idsFor("h2", Set.of("W2-8", "W1")));
    assertEquals(List.of("raw N=1"), idsFor("raw-disk", Set.of("raw N=1")));
    assertEquals(List.of(), idsFor("raw-cpu", Set.of("raw N=1 prewritten")));
    assertEquals(List.of(), idsFor("batpak-durable", Set.of(Report.PAIRED)));
    assertEquals(List.of("W8-open"), idsFor("batpak-durable", Set.of("W8-crash")));
    assertEquals(List.of("W8-open"), idsFor("batpak-durable", Set.of("W8-open")));
    assertEquals(List.of(), idsFor("sqlite", Set.of("W8-open")));
    assertEquals(List.of("W9"), idsFor("batpak-durable", Set.of("W9-append")));
    assertEquals(List.of("W9"), idsFor("batpak-durable", Set.of("W9")));
  }

  private static List<String> concat(List<String> a, List<String> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).collect(Collectors.toList());
  }
}
