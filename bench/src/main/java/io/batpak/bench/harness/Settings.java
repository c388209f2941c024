package io.batpak.bench.harness;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * How long and how large one harness run is.
 *
 * @param mode {@code quick}, {@code full} or {@code tiny} (the CI test)
 * @param systems systems to run, in order
 * @param out output folder for {@code bench-results.json} and {@code bench-results.svg}
 * @param work folder for the systems' data (deleted after each trial)
 * @param warmupMillis warm-up before each measured window
 * @param measureMillis length of each measured window
 * @param maxEvents cap on events per trial (keeps fast systems' files and checks small)
 * @param populate events in the store for W5, W6 and W8
 * @param hotEvents events of the hot entity for W6
 * @param reopens how many times W8 reopens the store
 * @param seed seed of every random choice
 * @param workloads the workloads to run (empty: all)
 * @param openEvents events in the store W8-open populates and reopens four ways
 * @param openSegmentBytes {@code segmentMaxBytes} of that store, or 0 for the store's default (64
 *     MiB); only the tiny mode sets it, so its few events still fill several segments
 */
public record Settings(
    String mode,
    List<String> systems,
    Path out,
    Path work,
    long warmupMillis,
    long measureMillis,
    long maxEvents,
    int populate,
    int hotEvents,
    int reopens,
    long seed,
    Set<String> workloads,
    long openEvents,
    long openSegmentBytes) {

  /** Every system, in the order they run. */
  public static final List<String> ALL =
      List.of(
          "batpak-durable",
          "batpak-visible",
          "raw-disk",
          "raw-cpu",
          "sqlite",
          "h2",
          "axon",
          "axon-batpak",
          "rocksdb",
          "batpak-signed",
          "batpak-signed-per-event",
          "batpak-replicated");

  /** These settings with W8-open's store holding {@code events} events instead. */
  public Settings withOpenEvents(long events) {
    return new Settings(
        mode,
        systems,
        out,
        work,
        warmupMillis,
        measureMillis,
        maxEvents,
        populate,
        hotEvents,
        reopens,
        seed,
        workloads,
        events,
        openSegmentBytes);
  }

  /** These settings with {@code millis} of warm-up before every measured window instead. */
  public Settings withWarmupMillis(long millis) {
    return new Settings(
        mode,
        systems,
        out,
        work,
        millis,
        measureMillis,
        maxEvents,
        populate,
        hotEvents,
        reopens,
        seed,
        workloads,
        openEvents,
        openSegmentBytes);
  }

  /** The preset for a mode. */
  public static Settings of(
      String mode, List<String> systems, Path out, Path work, Set<String> workloads) {
    switch (mode) {
      case "full":
        return new Settings(
            mode,
            systems,
            out,
            work,
            3000,
            10_000,
            5_000_000,
            1_000_000,
            1000,
            5,
            42,
            workloads,
            10_000_000,
            0);
      case "tiny":
        return new Settings(
            mode, systems, out, work, 40, 120, 5_000, 2_000, 100, 1, 42, workloads, 3_000, 65_536);
      default:
        return new Settings(
            "quick", systems, out, work, 700, 2500, 300_000, 100_000, 1000, 3, 42, workloads,
            1_000_000, 0);
    }
  }
}
