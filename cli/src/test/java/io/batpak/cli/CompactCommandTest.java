package io.batpak.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.EventKind;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.cli.CliRunner.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code batpak compact} against real stores on disk, through the real engine: each strategy with
 * each selector, dry runs that change no segment, and command lines that are refused before the
 * store is opened.
 */
class CompactCommandTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** Small sealed segments: one per open/append/close cycle. */
  private static final int CYCLES = 4;

  private static final int PER_CYCLE = 24;

  private static final int EVENTS = CYCLES * PER_CYCLE;

  private static final EventKind READING = EventKind.custom(0x1, 0x001);

  private static final EventKind ALARM = EventKind.custom(0x1, 0x002);

  @TempDir Path tmp;

  private Path dir;

  /**
   * Fills {@link #CYCLES} small sealed segments: event {@code i} of a cycle goes to {@code temp-}
   * entities when {@code i % 3 == 0}, else to {@code sensor-}, with kind {@link #ALARM} when {@code
   * i % 4 == 0}, else {@link #READING}. Then opens and closes it once more, so the header-only
   * active segment a mutable open starts already exists and a compaction finds every segment with
   * events sealed.
   */
  @BeforeEach
  void fill() {
    dir = tmp.resolve("store");
    for (int c = 0; c < CYCLES; c++) {
      try (Store store = Store.open(StoreConfig.builder(dir).build())) {
        for (int i = 0; i < PER_CYCLE; i++) {
          String entity = (i % 3 == 0 ? "temp-" : "sensor-") + (i % 5);
          store.append(
              Coordinate.of(entity, "plant"),
              i % 4 == 0 ? ALARM : READING,
              Bytes.utf8(
                  "{\"cycle\":" + c + ",\"i\":" + i + ",\"marker\":\"m-" + c + "-" + i + "\"}"));
        }
      }
    }
    Store.open(StoreConfig.builder(dir).build()).close();
  }

  private static boolean isTemp(JsonNode e) {
    return e.get("entity").asString().startsWith("temp-");
  }

  private static boolean isAlarm(JsonNode e) {
    return e.get("kind").asString().equals(ALARM.toString());
  }

  @Test
  void mergeJoinsTheSealedSegmentsAndEveryEventReadsBackTheSame() throws IOException {
    List<JsonNode> before = events();
    assertEquals(CYCLES, segmentsWithEvents().size());
    Result r = CliRunner.run("compact", dir.toString(), "--strategy", "merge");
    assertEquals(Main.OK, r.code(), r.toString());
    assertTrue(r.out().startsWith("compacted " + dir + ": merge"), r.toString());
    assertTrue(r.out().contains("  outcome     PERFORMED\n"), r.toString());
    assertTrue(r.out().contains("  segments    " + CYCLES + " -> 1\n"), r.toString());
    assertTrue(
        r.out().contains("  events      " + EVENTS + " kept, 0 dropped, 0 tombstoned"),
        r.toString());
    assertEquals(1, segmentsWithEvents().size(), "one segment holds every event");
    assertEquals(withoutPositions(before), withoutPositions(events()));
    assertIntact(EVENTS, 0);

    Result again = CliRunner.run("compact", dir.toString(), "--strategy", "merge");
    assertEquals(Main.OK, again.code(), again.toString());
    assertTrue(again.out().startsWith("nothing to compact in " + dir), again.toString());
    assertTrue(again.out().contains("  outcome     SKIPPED\n"), again.toString());
  }

  @Test
  void mergeWithMoreMinSegmentsThanThereAreSkipsAndChangesNothing() throws IOException {
    Map<String, String> before = segmentSnapshot();
    Result r =
        CliRunner.run(
            "compact", dir.toString(), "--strategy", "merge", "--min-segments", "" + (CYCLES + 1));
    assertEquals(Main.OK, r.code(), r.toString());
    assertTrue(r.out().contains("  outcome     SKIPPED\n"), r.toString());
    assertTrue(r.out().contains("no run of at least " + (CYCLES + 1)), r.toString());
    assertTrue(r.out().contains("(runs of at least " + (CYCLES + 1) + " segments)"), r.toString());
    assertEquals(before, segmentSnapshot());

    Result exact =
        CliRunner.run(
            "compact",
            dir.toString(),
            "--strategy=merge",
            "--min-segments=" + CYCLES,
            "--max-mib-per-second=64");
    assertEquals(Main.OK, exact.code(), exact.toString());
    assertTrue(exact.out().contains("  segments    " + CYCLES + " -> 1\n"), exact.toString());
  }

  @Test
  void retainDropsTheEntitiesWithThePrefixAndKeepsTheRestByteForByte() throws IOException {
    List<JsonNode> before = events();
    long temp = before.stream().filter(CompactCommandTest::isTemp).count();
    assertTrue(temp > 0 && temp < EVENTS);
    Result r =
        CliRunner.run(
            "compact", dir.toString(), "--strategy", "retain", "--drop-entity-prefix", "temp-");
    assertEquals(Main.OK, r.code(), r.toString());
    assertTrue(
        r.out()
            .startsWith(
                "compacted " + dir + ": retain, dropping events whose entity starts with 'temp-'"),
        r.toString());
    assertTrue(
        r.out()
            .contains(
                "  events      " + (EVENTS - temp) + " kept, " + temp + " dropped, 0 tombstoned"),
        r.toString());
    assertEquals(
        withoutPositions(before.stream().filter(e -> !isTemp(e)).toList()),
        withoutPositions(events()));
    assertIntact(EVENTS, temp);
  }

  @Test
  void tombstoneReplacesTheEventsOfAKindAndKeepsTheirPlaces() throws IOException {
    List<JsonNode> before = events();
    long alarms = before.stream().filter(CompactCommandTest::isAlarm).count();
    Result r =
        CliRunner.run("compact", dir.toString(), "--strategy", "tombstone", "--drop-kind", "1:002");
    assertEquals(Main.OK, r.code(), r.toString());
    assertTrue(r.out().contains("tombstone, tombstoning events of kind 0x1002"), r.toString());
    assertTrue(
        r.out()
            .contains(
                "  events      "
                    + (EVENTS - alarms)
                    + " kept, 0 dropped, "
                    + alarms
                    + " tombstoned"),
        r.toString());
    List<JsonNode> after = events();
    assertEquals(EVENTS, after.size(), "tombstones stay in their streams");
    for (int i = 0; i < EVENTS; i++) {
      JsonNode was = before.get(i);
      JsonNode is = after.get(i);
      assertEquals(was.get("globalSequence"), is.get("globalSequence"));
      assertEquals(was.get("eventHash"), is.get("eventHash"));
      if (isAlarm(was)) {
        assertEquals(EventKind.TOMBSTONE.toString(), is.get("kind").asString(), is.toString());
        assertEquals("", is.get("payloadBase64").asString(), "a tombstone has no payload: " + is);
      } else {
        assertEquals(withoutPositions(List.of(was)), withoutPositions(List.of(is)));
      }
    }
    assertIntact(EVENTS, alarms);
  }

  @Test
  void dropBeforeAnInstantAndSelectorsThatMustAllMatch() throws IOException {
    List<JsonNode> before = events();
    JsonNode firstOfCycle2 = before.get(2 * PER_CYCLE);
    String cut = firstOfCycle2.get("timestamp").asString();
    assertTrue(
        before.get(2 * PER_CYCLE - 1).get("timestampMicros").asLong()
            < firstOfCycle2.get("timestampMicros").asLong(),
        "the cycles were appended at different times");
    Predicate<JsonNode> old =
        e -> e.get("timestampMicros").asLong() < firstOfCycle2.get("timestampMicros").asLong();
    Predicate<JsonNode> oldTempAlarm =
        old.and(CompactCommandTest::isTemp).and(CompactCommandTest::isAlarm);
    long removed = before.stream().filter(oldTempAlarm).count();
    assertTrue(removed > 0);

    Result both =
        CliRunner.run(
            "compact",
            dir.toString(),
            "--strategy",
            "retain",
            "--drop-entity-prefix",
            "temp-",
            "--drop-kind",
            "0x1002",
            "--drop-before",
            cut);
    assertEquals(Main.OK, both.code(), both.toString());
    assertTrue(
        both.out()
            .contains(
                "retain, dropping events whose entity starts with 'temp-' and of kind 0x1002 and appended"
                    + " before "
                    + cut),
        both.toString());
    assertTrue(both.out().contains(removed + " dropped"), both.toString());
    assertEquals(
        withoutPositions(before.stream().filter(oldTempAlarm.negate()).toList()),
        withoutPositions(events()));

    Result older =
        CliRunner.run("compact", dir.toString(), "--strategy", "retain", "--drop-before", cut);
    assertEquals(Main.OK, older.code(), older.toString());
    assertEquals(
        withoutPositions(before.stream().filter(old.negate()).toList()),
        withoutPositions(events()));
    assertIntact(EVENTS, before.stream().filter(old).count());

    Result date =
        CliRunner.run(
            "compact", dir.toString(), "--strategy", "retain", "--drop-before", "1970-01-02");
    assertEquals(Main.OK, date.code(), date.toString());
    assertTrue(date.out().contains("appended before 1970-01-02T00:00:00Z"), date.toString());
    assertTrue(date.out().contains("nothing to compact"), date.toString());
  }

  @Test
  void aDryRunOfEachStrategyReportsThePlanAndChangesNoSegment() throws IOException {
    List<JsonNode> before = events();
    Map<String, String> segments = segmentSnapshot();
    long temp = before.stream().filter(CompactCommandTest::isTemp).count();
    String[][] runs = {
      {"--strategy", "merge"},
      {"--strategy", "retain", "--drop-entity-prefix", "temp-"},
      {"--strategy", "tombstone", "--drop-entity-prefix", "temp-"}
    };
    String[] expected = {
      EVENTS + " kept, 0 dropped, 0 tombstoned",
      (EVENTS - temp) + " kept, " + temp + " dropped, 0 tombstoned",
      (EVENTS - temp) + " kept, 0 dropped, " + temp + " tombstoned"
    };
    Map<String, String> files = fileBytes();
    for (int i = 0; i < runs.length; i++) {
      List<String> argv = new ArrayList<>(List.of("compact", dir.toString(), "--dry-run"));
      argv.addAll(List.of(runs[i]));
      Result r = CliRunner.run(argv.toArray(String[]::new));
      assertEquals(Main.OK, r.code(), r.toString());
      assertTrue(r.out().startsWith("dry run, nothing was written: would compact "), r.toString());
      assertTrue(r.out().contains("  outcome     PERFORMED (dry run)\n"), r.toString());
      assertTrue(r.out().contains("  segments    " + CYCLES + " -> 1\n"), r.toString());
      assertTrue(r.out().contains(expected[i]), r.toString());
      assertEquals(segments, segmentSnapshot(), "a dry run changed a segment: " + r);
      assertEquals(files, fileBytes(), "a dry run changed a file (a checkpoint, a new segment)");
      assertEquals(before, events(), "a dry run changed what reads return");
    }
    assertIntact(EVENTS, 0);
  }

  @Test
  void onATerminalTheProgressBarCountsTheBytesRead() {
    Result r = CliRunner.run(null, true, "compact", dir.toString(), "--strategy", "merge");
    assertEquals(Main.OK, r.code(), r.toString());
    assertTrue(r.err().startsWith("\rcompacting ["), r.toString());
    assertTrue(r.err().contains("100%"), r.toString());
    assertTrue(r.err().endsWith(" bytes" + System.lineSeparator()), r.toString());
    Result plain = CliRunner.run(null, false, "compact", dir.toString(), "--strategy", "merge");
    assertEquals("", plain.err(), "no bar for a small store on a non-terminal: " + plain);
  }

  @Test
  void aStoreOpenElsewhereIsRefusedWithExitOne() throws IOException {
    Map<String, String> segments = segmentSnapshot();
    try (Store open = Store.open(StoreConfig.builder(dir).build())) {
      assertFalse(open.config().readOnly());
      Result r = CliRunner.run("compact", dir.toString(), "--strategy", "merge");
      assertEquals(Main.FAILURE, r.code(), r.toString());
      assertTrue(r.err().contains("has the store open"), r.toString());
    }
    assertEquals(segments, segmentSnapshot());
  }

  @Test
  void wrongCommandLinesExitTwoAndChangeNothing() throws IOException {
    Map<String, String> before = segmentSnapshot();
    String d = dir.toString();
    assertUsage(CliRunner.run("compact", d), "needs --strategy merge, retain or tombstone");
    assertUsage(CliRunner.run("compact", d, "--strategy", "shrink"), "got 'shrink'");
    assertUsage(
        CliRunner.run("compact", d, "--strategy", "merge", "--drop-kind", "0x1001"),
        "--drop-kind chooses events to remove, but --strategy merge keeps every event");
    assertUsage(
        CliRunner.run("compact", d, "--strategy", "retain"),
        "--strategy retain needs at least one selector");
    assertUsage(
        CliRunner.run("compact", d, "--strategy", "tombstone", "--dry-run"),
        "--strategy tombstone needs at least one selector");
    assertUsage(
        CliRunner.run(
            "compact", d, "--strategy", "retain", "--drop-kind", "1:1", "--min-segments", "3"),
        "--min-segments applies to --strategy merge only");
    assertUsage(
        CliRunner.run("compact", d, "--strategy", "merge", "--min-segments", "1"),
        "merging one segment changes nothing), got 1");
    assertUsage(
        CliRunner.run("compact", d, "--strategy", "merge", "--min-segments", "two"),
        "needs a whole number");
    assertUsage(
        CliRunner.run("compact", d, "--strategy", "merge", "--max-mib-per-second", "0"),
        "--max-mib-per-second must be a whole number of MiB per second from 1 to");
    assertUsage(
        CliRunner.run("compact", d, "--strategy", "merge", "--max-mib-per-second", "fast"),
        "needs a whole number");
    assertUsage(
        CliRunner.run("compact", d, "--strategy", "retain", "--drop-entity-prefix", ""),
        "an empty one matches every entity");
    for (String kind : List.of("1001", "0x", "0x10000", "x:1", "10:1", "1:1000", "-1:1", "1:")) {
      assertUsage(
          CliRunner.run("compact", d, "--strategy", "retain", "--drop-kind", kind),
          "--drop-kind '" + kind + "'");
    }
    assertUsage(
        CliRunner.run("compact", d, "--strategy", "retain", "--drop-before", "yesterday"),
        "is not an ISO-8601 instant or date");
    assertUsage(
        CliRunner.run("compact", d, "--strategy", "retain", "--drop-before", "2026-01-31T00:00:00"),
        "with the Z");
    assertUsage(CliRunner.run("compact", d, "--strategy", "merge", "--yes"), "unknown option");
    assertEquals(before, segmentSnapshot(), "a refused command line changed the store");

    Path empty = Files.createDirectories(tmp.resolve("empty"));
    assertUsage(
        CliRunner.run("compact", empty.toString(), "--strategy", "merge"), "holds no store");
    try (Stream<Path> files = Files.list(empty)) {
      assertEquals(List.of(), files.toList(), "compact created a store");
    }
    Path missing = tmp.resolve("missing");
    assertUsage(
        CliRunner.run("compact", missing.toString(), "--strategy", "merge"),
        "there is no directory");
    assertFalse(Files.exists(missing));
  }

  @Test
  void kindsAndInstantsParse() throws UsageException {
    assertEquals(EventKind.fromRaw(0x1002), CompactCommand.kind("0x1002"));
    assertEquals(EventKind.fromRaw(0x1002), CompactCommand.kind("1:002"));
    assertEquals(EventKind.fromRaw(0xE0FF), CompactCommand.kind("0xE:0xff"));
    assertEquals(EventKind.TOMBSTONE, CompactCommand.kind("0:FFE"));
    assertEquals(1_000_001L, CompactCommand.beforeMicros("1970-01-01T00:00:01.000001Z"));
    assertEquals(86_400_000_000L, CompactCommand.beforeMicros("1970-01-02"));
  }

  private static void assertUsage(Result r, String expectedInErr) {
    assertEquals(Main.USAGE, r.code(), r.toString());
    assertTrue(r.err().contains(expectedInErr), r.toString());
    assertEquals("", r.out(), r.toString());
  }

  /**
   * Verify finds the store intact, {@code events} events checked, {@code compacted} of them with
   * their payload compacted away.
   */
  private void assertIntact(long events, long compacted) {
    Result v = CliRunner.run("verify", dir.toString());
    assertEquals(Main.OK, v.code(), v.toString());
    assertTrue(v.out().contains(": " + events + " events in "), v.toString());
    assertEquals(
        compacted > 0,
        v.out().contains("(" + compacted + " of them compacted away: "),
        v.toString());
  }

  /** Every event as {@code batpak dump} prints it, in global order. */
  private List<JsonNode> events() {
    Result r = CliRunner.run("dump", dir.toString());
    assertEquals(Main.OK, r.code(), r.toString());
    List<JsonNode> nodes = new ArrayList<>();
    for (String line : r.out().split("\n")) {
      if (!line.isEmpty()) {
        nodes.add(JSON.readTree(line));
      }
    }
    return nodes;
  }

  /** The events without their position in the journal, which a compaction changes. */
  private static List<JsonNode> withoutPositions(List<JsonNode> events) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode e : events) {
      ObjectNode copy = ((ObjectNode) e).deepCopy();
      copy.remove("position");
      out.add(copy);
    }
    return out;
  }

  /** The segment files that hold more than a header. */
  private List<Path> segmentsWithEvents() throws IOException {
    List<Path> out = new ArrayList<>();
    for (Path p : segments()) {
      if (Files.size(p) > 100) {
        out.add(p);
      }
    }
    return out;
  }

  private List<Path> segments() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".seg")).sorted().toList();
    }
  }

  /**
   * Every file in the store but the index checkpoint (which every close of a writable store
   * rewrites) and the lock: size, mtime and SHA-256.
   */
  /** Every file of the store but the lock, with a hash of its bytes. */
  private Map<String, String> fileBytes() throws IOException {
    Map<String, String> state = new TreeMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.sorted().toList()) {
        String name = p.getFileName().toString();
        if (!name.equals(".batpak.lock")) {
          state.put(name, java.util.Arrays.toString(Files.readAllBytes(p)).hashCode() + "");
        }
      }
    }
    return state;
  }

  private Map<String, String> segmentSnapshot() throws IOException {
    Map<String, String> state = new TreeMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.sorted().toList()) {
        String name = p.getFileName().toString();
        if (name.equals("index.ckpt") || name.equals(".batpak.lock")) {
          continue;
        }
        state.put(
            name,
            Files.size(p)
                + " "
                + Files.getLastModifiedTime(p)
                + " "
                + sha256(Files.readAllBytes(p)));
      }
    }
    return state;
  }

  private static String sha256(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
