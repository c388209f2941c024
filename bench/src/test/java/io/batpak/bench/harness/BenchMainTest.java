package io.batpak.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the harness on a tiny workload against every system, so it cannot rot. */
class BenchMainTest {

  @Test
  void tinyRunOfEverySystemWritesJsonAndSvgAndPassesTheFairnessCheck(@TempDir Path tmp)
      throws Exception {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    BenchMain.Args args =
        BenchMain.parse(
            new String[] {
              "--tiny",
              "--out",
              tmp.resolve("out").toString(),
              "--work",
              tmp.resolve("work").toString()
            });
    BenchMain.Outcome o;
    try (PrintStream ps = new PrintStream(log, true, StandardCharsets.UTF_8)) {
      o = BenchMain.run(args, ps);
    }
    String text = log.toString(StandardCharsets.UTF_8);
    List<Result> failed =
        o.results().stream().filter(r -> r.status().equals("failed")).collect(Collectors.toList());
    assertTrue(failed.isEmpty(), () -> "failed rows: " + failed + "\n" + text);
    assertEquals(0, o.failed());

    Set<String> systems = o.results().stream().map(Result::system).collect(Collectors.toSet());
    assertTrue(systems.containsAll(Settings.ALL), systems::toString);
    assertTrue(systems.contains(Report.PAIRED), systems::toString);
    for (String w : List.of("W1", "W2-8", "W2-32", "W2s", "W4")) {
      assertTrue(Report.find(o.results(), Report.PAIRED, w).isPresent(), w + "\n" + text);
    }
    for (String w : List.of("W1", "W2-8", "W2-32", "W2s", "W4", "W5", "W6", "W8")) {
      for (String sys :
          List.of("batpak-durable", "sqlite", "h2", "axon", "axon-batpak", "rocksdb")) {
        assertTrue(
            o.results().stream()
                .anyMatch(
                    r ->
                        r.workload().equals(w)
                            && r.system().equals(sys)
                            && !r.status().equals("failed")),
            w + " " + sys + "\n" + text);
      }
    }
    // Every append row reports its longest append beside p50 and p99 (a stall p99 hides).
    for (String w : List.of("W1", "W2-32", "W4")) {
      Result r = Report.find(o.results(), "batpak-durable", w).orElseThrow();
      Double max = r.extra().get("maxLatencyMicros");
      assertTrue(max != null && max >= r.p99Micros(), w + ": " + r);
    }
    // The catch-up read runs on the two Axon systems; the others say why they cannot.
    for (String sys : List.of("batpak-durable", "sqlite", "h2", "axon", "axon-batpak", "rocksdb")) {
      Result r =
          o.results().stream()
              .filter(x -> x.system().equals(sys) && x.workload().equals("catch-up"))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no catch-up row for " + sys + "\n" + text));
      if (sys.startsWith("axon")) {
        assertEquals("ok", r.status(), r + "\n" + text);
        assertEquals(Settings.of("tiny", List.of(), null, null, Set.of()).populate(), r.events());
      } else {
        assertEquals("n/a", r.status(), r.toString());
        assertTrue(r.note().contains("no tracking processor"), r.note());
      }
    }
    // Three replicated members (issue 18): W1, W2 and W4 ran and passed the fairness check on
    // every member (a row is ok only then; a tiny window may measure no append of a cold cluster,
    // so the figures themselves are not asserted), and are compared with batpak-durable; every
    // other compared row says why not.
    for (String w : Report.REPLICATED_WORKLOADS) {
      assertTrue(Report.find(o.results(), ReplicatedSystem.NAME, w).isPresent(), w + "\n" + text);
    }
    assertEquals(
        Report.REPLICATED_WORKLOADS,
        Report.replicated(o.results()).stream().map(Report.Replicated::workload).toList(),
        text);
    WorkloadCatalog.NOT_REPLICATED.forEach(
        (w, why) ->
            assertTrue(
                o.results().stream()
                    .anyMatch(
                        r ->
                            r.system().equals(ReplicatedSystem.NAME)
                                && r.workload().equals(w)
                                && r.status().equals("n/a")
                                && r.note().equals(why)),
                w + "\n" + text));
    assertTrue(text.contains("| W2-32 batpak-replicated ≥ 0.5 × batpak-durable | "), text);
    assertTrue(text.contains("batpak-replicated (3 members, loopback) ÷ batpak-durable"), text);
    assertTrue(text.contains("batpak-replicated: Raft quorum"), text);
    for (String w : Report.REPLICATED_WORKLOADS) {
      assertTrue(
          java.util.regex.Pattern.compile(
                  "(?m)^\\| " + w + " \\| ([0-9,.]+|-) \\| ([0-9,.]+|-) \\| ([0-9.]+ ×|-) \\| ")
              .matcher(text)
              .find(),
          w + "\n" + text);
    }
    for (String w : List.of("W8-checkpoint", "W8-footers", "W8-crash", "W8-scan")) {
      assertTrue(Report.find(o.results(), "batpak-durable", w).isPresent(), w + "\n" + text);
    }
    for (String w : CompactionTrials.ROWS) {
      assertTrue(Report.find(o.results(), "batpak-durable", w).isPresent(), w + "\n" + text);
    }
    for (String w : List.of(CompactionTrials.MERGE, CompactionTrials.RETAIN)) {
      assertTrue(Report.find(o.results(), CompactionTrials.COPY, w).isPresent(), w + "\n" + text);
    }
    assertTrue(text.contains("W9-merge ≥ 0.5 × a raw copy"), text);
    assertTrue(Report.find(o.results(), "batpak-visible", "W3-submit").isPresent(), text);
    assertTrue(Report.find(o.results(), "raw-disk", "raw N=256").isPresent(), text);
    assertTrue(Report.find(o.results(), "raw-cpu", "handoff").isPresent(), text);

    String json = Files.readString(o.json());
    assertTrue(json.contains("\"fairness\": {\"checked\": "), json);
    assertTrue(json.contains("\"failed\": 0}"), json);
    assertTrue(json.contains("\"goals\""), json);
    assertTrue(json.contains("\"replicatedOverDurable\": [\n    {\"workload\": \"W1\""), json);
    assertTrue(json.contains("\"workload\": \"W2-32\", \"system\": \"sqlite\""), json);
    String svg = Files.readString(o.svg());
    assertTrue(svg.startsWith("<svg"), svg);
    assertTrue(svg.contains("batpak-durable") && svg.contains("W4"), svg);
    assertTrue(text.contains("| workload | system | events/s |"), text);
    assertFalse(
        Files.exists(tmp.resolve("work")) && Files.list(tmp.resolve("work")).findAny().isPresent(),
        "trial data is deleted");
  }

  @Test
  void badArgumentsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> BenchMain.parse(new String[] {"--nope"}));
    assertThrows(
        IllegalArgumentException.class,
        () -> BenchMain.parse(new String[] {"--systems", "sqlite,oracle"}));
    BenchMain.Args a = BenchMain.parse(new String[] {"--full", "--systems", "sqlite,raw-disk"});
    assertEquals("full", a.mode());
    assertEquals(List.of("sqlite", "raw-disk"), a.systems());
    assertEquals(
        10_000_000, BenchMain.parse(new String[] {"--open-events", "10000000"}).openEvents());
    assertThrows(
        IllegalArgumentException.class,
        () -> BenchMain.parse(new String[] {"--open-events", "ten"}));
    assertThrows(
        IllegalArgumentException.class, () -> BenchMain.parse(new String[] {"--open-events", "0"}));
  }

  @Test
  void warmupSetsEveryTrialsWarmUpAndRefusesWhatIsNotWholeSeconds() {
    assertEquals(0, BenchMain.parse(new String[] {"--full"}).warmupSeconds());
    assertEquals(40, BenchMain.parse(new String[] {"--full", "--warmup", "40"}).warmupSeconds());
    Settings full = Settings.of("full", List.of("batpak-durable"), null, null, Set.of());
    Settings longer = full.withWarmupMillis(40_000);
    assertEquals(40_000, longer.warmupMillis());
    assertEquals(full.measureMillis(), longer.measureMillis());
    assertEquals(full.maxEvents(), longer.maxEvents());
    for (String bad : new String[] {"0", "-3", "0.5", "forty", "601"}) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> BenchMain.parse(new String[] {"--warmup", bad}),
              bad);
      assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> BenchMain.parse(new String[] {"--warmup"}));
  }

  @Test
  void payloadsHaveTheirTargetSizeAndRoundTrip() {
    for (int size : new int[] {64, 256, 1024}) {
      Payloads p = Payloads.create(size, 1);
      for (int i = 0; i < Payloads.POOL; i++) {
        assertEquals(size, p.bytes(i).length, new String(p.bytes(i), StandardCharsets.UTF_8));
      }
    }
  }
}
