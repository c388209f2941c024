package io.batpak.bench.harness;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * The side-by-side harness: batpak against the raw-disk and raw-cpu limits and against SQLite, H2,
 * Axon Framework and RocksDB, and three replicated batpak members ({@code batpak-replicated})
 * against one, same payloads, same thread counts, in one run.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar \
 *     io.batpak.bench.harness.BenchMain [--quick|--full] [--systems a,b,...] [--out DIR] \
 *     [--workloads W8-open] [--open-events 10000000]
 * </pre>
 *
 * or {@code bench/run-bench} with the same arguments. Prints progress and the table, and writes
 * {@code bench-results.json} and {@code bench-results.svg} into {@code --out} (default {@code
 * bench-results}). Exit status 0 when every row is ok or n/a, 1 when a row failed (an error, or the
 * fairness check), 2 on bad arguments.
 */
public final class BenchMain {
  private BenchMain() {}

  /** Parsed command line. */
  record Args(
      String mode,
      List<String> systems,
      Path out,
      Path work,
      Set<String> workloads,
      long openEvents,
      long warmupSeconds) {}

  /** The longest warm-up {@code --warmup} accepts: ten minutes per trial. */
  static final long MAX_WARMUP_SECONDS = 600;

  static final String USAGE =
      "usage: BenchMain [--quick|--full] [--systems "
          + String.join(",", Settings.ALL)
          + "] [--out DIR] [--work DIR]\n"
          + "  --quick    small counts, about 5 minutes on 2 cores, noisy (default)\n"
          + "  --full     10 s windows, 1 M-event stores, much longer\n"
          + "  --systems  which systems to run (default: all; batpak-replicated is three"
          + " Raft members on loopback)\n"
          + "  --out      where bench-results.json and bench-results.svg go (default"
          + " bench-results)\n"
          + "  --workloads only these workloads (W1,W2-8,W4,raw N=1,...; default: all), e.g. to"
          + " profile one\n"
          + "  --work     where the systems keep their data while they run (default: a temporary"
          + " folder, deleted after each trial)\n"
          + "  --open-events N  events in W8-open's store (default: 1000000, --full 10000000)\n"
          + "  --warmup S  whole seconds of warm-up before every measured window, for every"
          + " system, 1 to "
          + MAX_WARMUP_SECONDS
          + " (without it: 0.7 s, --full 3 s), e.g. to measure a system whose code needs"
          + " longer to compile\n";

  static Args parse(String[] argv) {
    String mode = "quick";
    List<String> systems = new ArrayList<>(Settings.ALL);
    Path out = Paths.get("bench-results");
    Path work = null;
    Set<String> workloads = new TreeSet<>();
    long openEvents = 0;
    long warmupSeconds = 0;
    for (int i = 0; i < argv.length; i++) {
      String a = argv[i];
      switch (a) {
        case "--quick":
          mode = "quick";
          break;
        case "--full":
          mode = "full";
          break;
        case "--tiny":
          mode = "tiny";
          break;
        case "--systems":
          if (++i >= argv.length) {
            throw new IllegalArgumentException("--systems needs a comma-separated list");
          }
          systems = new ArrayList<>(Arrays.asList(argv[i].split(",")));
          for (String sys : systems) {
            if (!Settings.ALL.contains(sys)) {
              throw new IllegalArgumentException(
                  "unknown system '" + sys + "'; known: " + String.join(",", Settings.ALL));
            }
          }
          break;
        case "--out":
          if (++i >= argv.length) {
            throw new IllegalArgumentException("--out needs a folder");
          }
          out = Paths.get(argv[i]);
          break;
        case "--workloads":
          if (++i >= argv.length) {
            throw new IllegalArgumentException("--workloads needs a comma-separated list");
          }
          workloads.addAll(Arrays.asList(argv[i].split(",")));
          break;
        case "--work":
          if (++i >= argv.length) {
            throw new IllegalArgumentException("--work needs a folder");
          }
          work = Paths.get(argv[i]);
          break;
        case "--open-events":
          if (++i >= argv.length) {
            throw new IllegalArgumentException("--open-events needs a number of events");
          }
          try {
            openEvents = Long.parseLong(argv[i].replace("_", ""));
          } catch (NumberFormatException e) {
            openEvents = -1;
          }
          if (openEvents < 1 || openEvents > 100_000_000) {
            throw new IllegalArgumentException(
                "--open-events: '"
                    + argv[i]
                    + "' is not a number of events from 1 to 100000000 (e.g. 10000000)");
          }
          break;
        case "--warmup":
          if (++i >= argv.length) {
            throw new IllegalArgumentException("--warmup needs a number of seconds");
          }
          try {
            warmupSeconds = Long.parseLong(argv[i]);
          } catch (NumberFormatException e) {
            warmupSeconds = -1;
          }
          if (warmupSeconds < 1 || warmupSeconds > MAX_WARMUP_SECONDS) {
            throw new IllegalArgumentException(
                "--warmup: '"
                    + argv[i]
                    + "' is not a whole number of seconds from 1 to "
                    + MAX_WARMUP_SECONDS
                    + " (e.g. 40)");
          }
          break;
        default:
          throw new IllegalArgumentException("unknown argument '" + a + "'");
      }
    }
    return new Args(mode, systems, out, work, workloads, openEvents, warmupSeconds);
  }

  /**
   * Runs the harness.
   *
   * @param argv the command line
   */
  public static void main(String[] argv) throws Exception {
    if (argv.length == 1 && (argv[0].equals("--help") || argv[0].equals("-h"))) {
      System.out.print(USAGE);
      return;
    }
    Args a;
    try {
      a = parse(argv);
    } catch (IllegalArgumentException e) {
      System.err.println("bench: " + e.getMessage());
      System.err.print(USAGE);
      System.exit(2);
      return;
    }
    Outcome o = run(a, System.out);
    System.exit(o.failed() == 0 ? 0 : 1);
  }

  /**
   * What a run produced.
   *
   * @param results every row
   * @param json the path of bench-results.json
   * @param svg the path of bench-results.svg
   * @param failed rows that failed
   */
  record Outcome(List<Result> results, Path json, Path svg, long failed) {}

  static Outcome run(Args a, PrintStream log) throws IOException {
    Path work =
        a.work() != null
            ? Files.createDirectories(a.work())
            : Files.createTempDirectory("batpak-bench-");
    Settings s = Settings.of(a.mode(), a.systems(), a.out(), work, a.workloads());
    if (a.openEvents() > 0) {
      s = s.withOpenEvents(a.openEvents());
    }
    if (a.warmupSeconds() > 0) {
      s = s.withWarmupMillis(TimeUnit.SECONDS.toMillis(a.warmupSeconds()));
    }
    Map<String, String> machine = machine(work);
    log.printf(
        "batpak bench --%s: systems %s; %d ms warm-up + %d ms per trial; W5/W6/W8 stores of %d"
            + " events; W8-open store of %d events; data in %s%n",
        s.mode(),
        s.systems(),
        s.warmupMillis(),
        s.measureMillis(),
        s.populate(),
        s.openEvents(),
        work);
    log.println("machine: " + machine);
    Runner runner = new Runner(s, log);
    List<Result> results = new ArrayList<>();
    Map<String, String> durability = new LinkedHashMap<>();
    long t0 = System.nanoTime();
    try {
      for (String sys : s.systems()) {
        log.println("== " + sys);
        if (sys.startsWith("raw")) {
          durability.put(
              sys,
              sys.equals("raw-disk")
                  ? "FileChannel write + force(false) (fdatasync) every N frames"
                  : "FileChannel write, never forced (page cache only)");
        } else {
          durability.put(sys, SystemUnderTest.named(sys).durability());
        }
        results.addAll(runner.run(sys));
      }
    } finally {
      if (a.work() == null) {
        Trials.deleteTree(work);
      }
    }
    machine.put("loadAverageAtEnd", fmtLoad());
    machine.put(
        "elapsedSeconds", String.format(Locale.ROOT, "%.0f", (System.nanoTime() - t0) / 1e9));
    Files.createDirectories(a.out());
    Path json = a.out().resolve("bench-results.json");
    Path svg = a.out().resolve("bench-results.svg");
    Files.writeString(json, Report.json(s, machine, durability, results), StandardCharsets.UTF_8);
    Files.writeString(
        svg,
        ResultsChart.render(
            results,
            "batpak bench --"
                + s.mode()
                + " ("
                + machine.get("cpus")
                + " CPUs, "
                + machine.get("started")
                + ")"),
        StandardCharsets.UTF_8);
    log.println();
    log.println(Report.table(results));
    log.println(Report.goalsText(Report.goals(results)));
    String replicated = Report.replicatedText(results);
    if (!replicated.isEmpty()) {
      log.println(replicated);
    }
    log.println("durability of each system:");
    durability.forEach((k, v) -> log.println("  " + k + ": " + v));
    long failed = results.stream().filter(r -> r.status().equals("failed")).count();
    log.printf(
        "%nwrote %s and %s; %d rows, %d failed; %.0f s%n",
        json, svg, results.size(), failed, (System.nanoTime() - t0) / 1e9);
    return new Outcome(results, json, svg, failed);
  }

  private static String fmtLoad() {
    return String.format(
        Locale.ROOT, "%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
  }

  static Map<String, String> machine(Path work) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("started", Instant.ofEpochMilli(System.currentTimeMillis()).toString());
    m.put("cpus", Integer.toString(Runtime.getRuntime().availableProcessors()));
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    m.put(
        "jdk",
        System.getProperty("java.vm.name")
            + " "
            + System.getProperty("java.runtime.version", System.getProperty("java.version")));
    m.put("maxHeapMiB", Long.toString(Runtime.getRuntime().maxMemory() >> 20));
    m.put("loadAverageAtStart", fmtLoad());
    try {
      FileStore fs = Files.getFileStore(work);
      m.put("dataFileSystem", fs.name() + " (" + fs.type() + ")");
    } catch (IOException e) {
      m.put("dataFileSystem", "unknown: " + e.getMessage());
    }
    return m;
  }
}
