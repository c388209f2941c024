package io.batpak.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.EventKind;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.cli.CliRunner.Result;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The commands against real stores on disk, through the real engine. */
class StoreCommandsTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** The number of events {@code batpak demo} appends. */
  private static final int DEMO_EVENTS = 10;

  @TempDir Path tmp;

  private Path demo() {
    Path dir = tmp.resolve("demo");
    Result r = CliRunner.run("demo", dir.toString());
    assertEquals(Main.OK, r.code(), r.toString());
    return dir;
  }

  @Test
  void demoRunsAndVerifiesEverything() {
    Path dir = tmp.resolve("demo");
    Result r = CliRunner.run("demo", dir.toString());
    assertEquals(Main.OK, r.code(), r.toString());
    String out = r.out();
    assertTrue(out.contains("every receipt verified"), r.toString());
    assertTrue(out.contains("refused as expected"), r.toString());
    assertTrue(out.contains("same receipt back"), r.toString());
    assertTrue(out.contains("verified " + DEMO_EVENTS + " of " + DEMO_EVENTS), r.toString());
    assertTrue(out.contains("open report"), r.toString());
    assertEquals("", r.err(), r.toString());
  }

  @Test
  void demoIntoAnEmptyExistingDirectoryWorks() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("empty"));
    Result r = CliRunner.run("demo", dir.toString());
    assertEquals(Main.OK, r.code(), r.toString());
    Result again = CliRunner.run("demo", dir.toString());
    assertEquals(Main.USAGE, again.code(), again.toString());
  }

  @Test
  void snapshotAndForkPublishCopiesThatVerify() throws IOException {
    Path dir = demo();
    Path snap = tmp.resolve("backups").resolve("snap");
    Files.createDirectories(snap.getParent());
    Result r = CliRunner.run("snapshot", dir.toString(), snap.toString());
    assertEquals(Main.OK, r.code(), r.toString());
    assertTrue(r.out().startsWith("snapshot of " + dir), r.toString());
    assertTrue(
        r.out().contains(DEMO_EVENTS + " events (every event below global sequence"), r.toString());
    assertTrue(r.err().contains("snapshot: copying " + DEMO_EVENTS + " events"), r.toString());
    assertTrue(r.err().contains("snapshot: verifying the copy"), r.toString());
    assertTrue(r.out().contains("intact: " + snap + ": " + DEMO_EVENTS + " events"), r.toString());
    Result verified = CliRunner.run("verify", snap.toString());
    assertEquals(Main.OK, verified.code(), verified.toString());
    assertTrue(verified.out().contains(DEMO_EVENTS + " events in 4 streams"), verified.toString());

    Path fork = tmp.resolve("fork");
    Result f = CliRunner.run("fork", dir.toString(), fork.toString());
    assertEquals(Main.OK, f.code(), f.toString());
    assertTrue(f.out().startsWith("forked " + dir), f.toString());
    assertTrue(f.out().contains("copied: "), f.toString());
    assertEquals(Main.OK, CliRunner.run("verify", fork.toString()).code());

    Result again = CliRunner.run("snapshot", dir.toString(), snap.toString());
    assertEquals(Main.USAGE, again.code(), again.toString());
    assertTrue(again.err().contains("already exists"), again.toString());
    assertFalse(again.err().contains("copying"), "a refused copy was announced: " + again);
    Result inside = CliRunner.run("fork", dir.toString(), dir.resolve("x").toString());
    assertEquals(Main.USAGE, inside.code(), inside.toString());
    assertTrue(inside.err().contains("lies inside"), inside.toString());
    Result missing = CliRunner.run("snapshot", dir.toString());
    assertEquals(Main.USAGE, missing.code(), missing.toString());
  }

  @Test
  void aCopyOfADamagedStoreIsPublishedAndReportedDamaged() throws IOException {
    Path dir = demo();
    flip(dir, "ada@example.com");
    Path snap = tmp.resolve("snap");

    Result r = CliRunner.run("snapshot", dir.toString(), snap.toString());
    assertEquals(Main.FAILURE, r.code(), r.toString());
    assertTrue(r.out().startsWith("snapshot of " + dir), r.toString());
    assertTrue(r.out().contains("DAMAGE event "), r.toString());
    assertTrue(r.err().contains("was published with the damage above"), r.toString());
    assertTrue(r.err().contains("'batpak verify " + dir + "'"), r.toString());
    assertTrue(Files.isDirectory(snap), "the damaged copy was not left in place: " + r);

    Path fork = tmp.resolve("fork");
    Result unchecked = CliRunner.run("fork", dir.toString(), fork.toString(), "--no-verify");
    assertEquals(Main.OK, unchecked.code(), unchecked.toString());
    assertFalse(unchecked.all().contains("DAMAGE"), unchecked.toString());
    assertFalse(unchecked.err().contains("verifying"), unchecked.toString());
  }

  @Test
  void verifyOfTheDemoStoreExitsZero() {
    Path dir = demo();
    Result r = CliRunner.run("verify", dir.toString());
    assertEquals(Main.OK, r.code(), r.toString());
    assertTrue(r.out().startsWith("intact: "), r.toString());
    assertTrue(r.out().contains(DEMO_EVENTS + " events in 4 streams"), r.toString());
  }

  @Test
  void inspectShowsCountsAndTheOpenReport() {
    Path dir = demo();
    Result r = CliRunner.run("inspect", dir.toString());
    assertEquals(Main.OK, r.code(), r.toString());
    assertTrue(r.out().contains("events      " + DEMO_EVENTS), r.toString());
    assertTrue(r.out().contains("streams     4"), r.toString());
    assertTrue(r.out().contains("mode        read-only"), r.toString());
    assertTrue(r.out().contains("codec       json"), r.toString());
    assertTrue(r.out().contains("torn tail   none"), r.toString());
    assertTrue(r.out().contains("order:1001: 5, last"), r.toString());
  }

  @Test
  void inspectShowsTheCborCodecOfAStoreCreatedWithIt() {
    Path dir = tmp.resolve("cbor");
    try (Store store = Store.open(StoreConfig.builder(dir).codec("cbor").build())) {
      store.appendEncoded(
          Coordinate.of("order:1", "shop"), EventKind.custom(1, 1), Map.of("sku", "A-1"));
    }
    Result r = CliRunner.run("inspect", dir.toString());
    assertEquals(Main.OK, r.code(), r.toString());
    assertTrue(r.out().contains("codec       cbor"), r.toString());
    assertTrue(r.out().contains("events      1"), r.toString());
  }

  /**
   * A dump into a pipe its reader closed ({@code batpak dump DIR | head -1}) stops at the first
   * line that cannot be written, filtered by stream or not; it does not read the rest of the store.
   */
  @Test
  void dumpStopsWhenItsOutputIsClosed() {
    Path dir = demo();
    for (String[] args :
        List.of(
            new String[] {"dump", dir.toString()},
            new String[] {"dump", dir.toString(), "--entity", "order:1001"})) {
      int[] writes = new int[1];
      java.io.OutputStream closedAfterOneLine =
          new java.io.OutputStream() {
            private boolean closed;

            @Override
            public void write(int b) throws java.io.IOException {
              write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws java.io.IOException {
              writes[0]++;
              if (closed) {
                throw new java.io.IOException("Broken pipe");
              }
              for (int i = off; i < off + len; i++) {
                closed |= b[i] == '\n';
              }
            }
          };
      java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
      Terminal t =
          new Terminal(
              new java.io.PrintStream(
                  closedAfterOneLine, true, java.nio.charset.StandardCharsets.UTF_8),
              new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8),
              null,
              false);
      Main.run(args, t);
      assertEquals(2, writes[0], String.join(" ", args) + ": one line, then one refused write");
    }
  }

  @Test
  void dumpWritesOneParsableJsonLinePerEvent() {
    Path dir = demo();
    Result all = CliRunner.run("dump", dir.toString());
    assertEquals(Main.OK, all.code(), all.toString());
    List<JsonNode> events = parseLines(all.out());
    assertEquals(DEMO_EVENTS, events.size());
    for (int i = 0; i < events.size(); i++) {
      JsonNode e = events.get(i);
      assertEquals(i, e.get("globalSequence").asLong());
      assertTrue(e.get("eventId").asString().startsWith("event:"), e.toString());
      assertEquals(64, e.get("eventHash").asString().length(), e.toString());
      assertTrue(e.get("payload").isObject(), "json payload embedded: " + e);
    }
    JsonNode customer = events.get(0);
    assertEquals("customer:42", customer.get("entity").asString());
    assertEquals("shop", customer.get("scope").asString());
    assertEquals("ada@example.com", customer.get("payload").get("email").asString());
    assertEquals("0".repeat(64), customer.get("prevHash").asString());

    Result order = CliRunner.run("dump", dir.toString(), "--entity", "order:1001");
    assertEquals(Main.OK, order.code(), order.toString());
    List<JsonNode> orderEvents = parseLines(order.out());
    assertEquals(5, orderEvents.size());
    for (int i = 0; i < orderEvents.size(); i++) {
      assertEquals("order:1001", orderEvents.get(i).get("entity").asString());
      assertEquals(i, orderEvents.get(i).get("streamSequence").asLong());
    }
    // the saga: everything after the order shares its correlation id
    String saga = orderEvents.get(0).get("correlationId").asString();
    assertEquals(
        orderEvents.get(0).get("eventId").asString().replace("event:", "correlation:"), saga);
    assertEquals(saga, orderEvents.get(1).get("correlationId").asString());
    assertEquals(
        orderEvents.get(0).get("eventId").asString().replace("event:", "causation:"),
        orderEvents.get(1).get("causationId").asString());

    Result after = CliRunner.run("dump", dir.toString(), "--after", "6");
    List<JsonNode> tail = parseLines(after.out());
    assertEquals(DEMO_EVENTS - 7, tail.size());
    assertEquals(7, tail.get(0).get("globalSequence").asLong());

    Result both = CliRunner.run("dump", dir.toString(), "--entity", "order:1001", "--after", "4");
    for (JsonNode e : parseLines(both.out())) {
      assertTrue(e.get("globalSequence").asLong() > 4, e.toString());
      assertEquals("order:1001", e.get("entity").asString());
    }

    Result none = CliRunner.run("dump", dir.toString(), "--entity", "order:9999");
    assertEquals(Main.OK, none.code(), none.toString());
    assertEquals("", none.out());
    assertTrue(none.err().contains("has no events"), none.toString());
  }

  @Test
  void dumpWritesNonJsonPayloadsAsBase64() {
    Path dir = tmp.resolve("raw");
    byte[] binary = {0, (byte) 0xFF, 0x10, '{'};
    try (Store store = Store.open(StoreConfig.builder(dir).build())) {
      store.append(Coordinate.of("blob:1", "test"), EventKind.DATA, Bytes.of(binary));
      store.append(
          Coordinate.of("blob:1", "test"),
          EventKind.DATA,
          Bytes.utf8("{\n  \"pretty\": [1, 2]\n}"));
    }
    Result r = CliRunner.run("dump", dir.toString());
    assertEquals(Main.OK, r.code(), r.toString());
    List<JsonNode> events = parseLines(r.out());
    assertEquals(2, events.size());
    assertEquals(
        java.util.Base64.getEncoder().encodeToString(binary),
        events.get(0).get("payloadBase64").asString());
    assertEquals(2, events.get(1).get("payload").get("pretty").get(1).asInt());
  }

  @Test
  void inspectVerifyAndDumpChangeNoByteAndNoMtime() throws IOException {
    Path dir = demo();
    Map<String, String> before = snapshot(dir);
    assertFalse(before.isEmpty());
    List<String[]> commands =
        List.of(
            new String[] {"inspect", dir.toString()},
            new String[] {"verify", dir.toString()},
            new String[] {"dump", dir.toString()},
            new String[] {"dump", dir.toString(), "--entity", "payment:1001", "--after", "2"});
    for (String[] command : commands) {
      Result r = CliRunner.run(command);
      assertEquals(Main.OK, r.code(), r.toString());
      assertEquals(before, snapshot(dir), "after " + String.join(" ", command));
    }
  }

  @Test
  void verifyAfterFlippingOnePayloadByteExitsOneAndNamesTheOffset() throws IOException {
    Path dir = demo();
    JsonNode customer = parseLines(CliRunner.run("dump", dir.toString()).out()).get(0);
    long frameOffset = customer.get("position").get("offset").asLong();

    flip(dir, "ada@example.com");
    Map<String, String> corrupted = snapshot(dir);

    Result r = CliRunner.run("verify", dir.toString());
    assertEquals(Main.FAILURE, r.code(), r.toString());
    assertTrue(r.out().contains("DAMAGE"), r.toString());
    assertTrue(r.all().contains("offset " + frameOffset), r.toString());
    assertTrue(r.err().contains("NOT intact"), r.toString());
    // The advice fits the damage: a CRC that fails, which a repair can cut back to.
    assertTrue(r.err().contains("Frames whose CRC fails"), r.toString());
    assertEquals(corrupted, snapshot(dir), "verify changed the damaged store");
  }

  /**
   * An inspect that meets a damaged frame while it lists the streams says on stdout that its report
   * stops there (a script reading only stdout would otherwise take the part before as the whole);
   * the damage itself, with file and offset, goes to stderr, and the exit status is 1.
   */
  @Test
  void inspectOfADamagedStoreMarksItsReportCutShort() throws IOException {
    Path dir = demo();
    flip(dir, "ada@example.com");
    Result r = CliRunner.run("inspect", dir.toString());
    assertEquals(Main.FAILURE, r.code(), r.toString());
    assertTrue(r.out().contains("contents"), r.toString());
    assertTrue(
        r.out().contains("report cut short: reading the events failed"), "stdout: " + r.out());
    assertFalse(r.out().contains("streams (entity"), r.toString());
    assertTrue(r.err().contains("offset"), r.toString());
  }

  @Test
  void verifyRecomputesHashesEvenWhenTheFrameCrcWasForgedToMatch() throws IOException {
    Path dir = demo();
    JsonNode captured = parseLines(CliRunner.run("dump", dir.toString()).out()).get(6);
    long frame = captured.get("position").get("offset").asLong();
    Path segment = flip(dir, "acme-pay");
    // forge the frame's CRC32C (over the length and the body) so that the open accepts it
    byte[] content = Files.readAllBytes(segment);
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(content);
    int bodyLength = b.getInt((int) frame);
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(content, (int) frame, 4);
    crc.update(content, (int) frame + 8, bodyLength);
    b.putInt((int) frame + 4, (int) crc.getValue());
    Files.write(segment, content);

    Result r = CliRunner.run("verify", dir.toString());
    assertEquals(Main.FAILURE, r.code(), r.toString());
    String damage = r.out();
    assertTrue(damage.contains("CONTENT_HASH_MISMATCH"), r.toString());
    assertTrue(damage.contains("event " + captured.get("eventId").asString()), r.toString());
    assertTrue(damage.contains(segment.getFileName() + " at offset " + frame), r.toString());
    assertTrue(r.err().contains("NOT intact: 1 problem(s)"), r.toString());
    assertTrue(r.err().contains("Frames whose CRC holds but whose hashes"), r.toString());
  }

  @Test
  void aTornTailIsReportedByVerifyAndShownByInspectWithoutCuttingIt() throws IOException {
    Path dir = demo();
    Path newest;
    try (Store store = CommandSupport.openReadOnly(dir)) {
      List<String> segments = store.openReport().segments();
      Path named = Path.of(segments.get(segments.size() - 1));
      newest = named.isAbsolute() ? named : dir.resolve(named);
    }
    assertTrue(Files.isRegularFile(newest), newest.toString());
    long size = Files.size(newest);
    Files.write(newest, new byte[] {7, 0, 0, 0, 1, 2, 3}, java.nio.file.StandardOpenOption.APPEND);
    Map<String, String> torn = snapshot(dir);

    Result inspect = CliRunner.run("inspect", dir.toString());
    assertEquals(Main.OK, inspect.code(), inspect.toString());
    assertTrue(inspect.out().contains("7 bytes at offset " + size), inspect.toString());
    assertTrue(inspect.out().contains("skipped by this read-only open"), inspect.toString());

    Result verify = CliRunner.run("verify", dir.toString());
    assertEquals(Main.FAILURE, verify.code(), verify.toString());
    assertTrue(verify.out().contains("torn tail in"), verify.toString());
    assertTrue(verify.out().contains("at offset " + size), verify.toString());
    assertEquals(torn, snapshot(dir), "a read-only command cut the torn tail");
  }

  @Test
  void verifyOfALongStoreDrawsAProgressBar() {
    Path dir = tmp.resolve("long");
    int batches = 11;
    int perBatch = 1000;
    try (Store store = Store.open(StoreConfig.builder(dir).build())) {
      for (int b = 0; b < batches; b++) {
        List<BatchItem> items = new ArrayList<>();
        for (int i = 0; i < perBatch; i++) {
          items.add(
              BatchItem.of(
                  Coordinate.of("meter:" + (i % 50), "load"),
                  EventKind.DATA,
                  Bytes.utf8("{\"reading\":" + (b * perBatch + i) + "}")));
        }
        store.appendBatch(items);
      }
    }
    Result r = CliRunner.run("verify", dir.toString());
    assertEquals(Main.OK, r.code(), r.toString());
    assertTrue(r.out().contains(batches * perBatch + " events in 50 streams"), r.out());
    assertTrue(r.err().contains("100%"), r.err());
    assertTrue(r.err().contains("11,000/11,000 events"), r.err());

    Path demo = demo();
    Result small = CliRunner.run("verify", demo.toString());
    assertFalse(small.err().contains("%"), "no bar for a short store on a non-terminal");
    Result shown = CliRunner.run(null, true, "verify", demo.toString());
    assertTrue(shown.err().contains("100%"), "a bar on a terminal: " + shown);
  }

  @Test
  void repairCutsADamagedJournalAtTheDamageAndKeepsACopy() throws IOException {
    Path dir = demo();
    Result verified = CliRunner.run("verify", dir.toString());
    assertEquals(Main.OK, verified.code(), verified.toString());
    Map<String, String> intact = snapshot(dir);
    Result nothing = CliRunner.run("repair", dir.toString(), "--yes");
    assertEquals(Main.OK, nothing.code(), nothing.toString());
    assertTrue(nothing.out().contains("nothing to repair"), nothing.toString());
    assertEquals(intact, snapshot(dir), "repair of an intact store changed it");

    // global 6 (payment captured) is followed by intact frames: corruption, not a torn tail
    List<JsonNode> events = parseLines(CliRunner.run("dump", dir.toString()).out());
    long captured = events.get(6).get("position").get("offset").asLong();
    Path segment = flip(dir, "acme-pay");
    byte[] damaged = Files.readAllBytes(segment);
    Map<String, String> before = snapshot(dir);

    Result refused = CliRunner.run("repair", dir.toString());
    assertEquals(Main.USAGE, refused.code(), refused.toString());
    assertTrue(refused.out().contains("from offset " + captured), refused.toString());
    assertTrue(refused.err().contains("--yes"), refused.toString());
    assertEquals(before, snapshot(dir), "repair changed the store without confirmation");

    Result declined = CliRunner.run("n\n", false, "repair", dir.toString());
    assertEquals(Main.FAILURE, declined.code(), declined.toString());
    assertEquals(before, snapshot(dir), "repair changed the store after 'n'");

    Result repaired = CliRunner.run("repair", dir.toString(), "--yes");
    assertEquals(Main.OK, repaired.code(), repaired.toString());
    assertTrue(repaired.out().contains("repaired "), repaired.toString());
    assertEquals(captured, Files.size(segment), "cut at the damaged frame");

    Path copy = null;
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        if (!f.getParent().equals(dir) && java.util.Arrays.equals(Files.readAllBytes(f), damaged)) {
          copy = f;
        }
      }
    }
    assertNotEquals(null, copy, "no copy of the damaged segment kept under " + dir);
    assertTrue(repaired.out().contains(copy.getParent().toString()), repaired.toString());

    Result after = CliRunner.run("verify", dir.toString());
    assertEquals(Main.OK, after.code(), after.toString());
    assertTrue(after.out().contains("6 events in 3 streams"), after.toString());
  }

  @Test
  void damageInAnOlderSegmentIsFoundAndRepairMovesLaterSegmentsAside() throws IOException {
    Path dir = tmp.resolve("segments");
    try (Store store = Store.open(StoreConfig.builder(dir).segmentMaxBytes(4096).build())) {
      for (int i = 0; i < 120; i++) {
        store.append(
            Coordinate.of("sensor:" + (i % 3), "plant"),
            EventKind.DATA,
            Bytes.utf8("{\"marker\":\"reading-" + (1000 + i) + "\",\"value\":" + i + "}"));
      }
    }
    Result inspect = CliRunner.run("inspect", dir.toString());
    assertEquals(Main.OK, inspect.code(), inspect.toString());
    long segments;
    try (Stream<Path> files = Files.list(dir)) {
      segments = files.filter(f -> f.getFileName().toString().endsWith(".seg")).count();
    }
    assertTrue(segments > 2, "expected several segments, got " + segments);
    assertTrue(inspect.out().contains("segments    " + segments), inspect.toString());
    Result intact = CliRunner.run("verify", dir.toString());
    assertEquals(Main.OK, intact.code(), intact.toString());
    assertTrue(intact.out().contains("120 events in 3 streams"), intact.toString());

    Path damaged = flip(dir, "reading-1001");
    Result verify = CliRunner.run("verify", dir.toString());
    assertEquals(Main.FAILURE, verify.code(), verify.toString());
    assertTrue(verify.out().contains(damaged.getFileName().toString()), verify.toString());

    Result repaired = CliRunner.run("repair", dir.toString(), "--yes");
    assertEquals(Main.OK, repaired.code(), repaired.toString());
    assertTrue(repaired.out().contains("moved aside whole"), repaired.toString());
    Result after = CliRunner.run("verify", dir.toString());
    assertEquals(Main.OK, after.code(), after.toString());
    assertTrue(after.out().contains("1 event in 1 stream"), after.toString());
  }

  @Test
  void theStoreIsUsableAfterTheReadOnlyCommands() {
    Path dir = demo();
    assertEquals(Main.OK, CliRunner.run("verify", dir.toString()).code());
    try (Store store = Store.open(StoreConfig.builder(dir).build())) {
      assertEquals(DEMO_EVENTS, store.stats().eventCount());
      assertNotEquals(
          0,
          store
              .append(Coordinate.of("after:1", "x"), EventKind.DATA, Bytes.utf8("1"))
              .eventHash()
              .size());
    }
    assertEquals(Main.OK, CliRunner.run("verify", dir.toString()).code());
  }

  /**
   * Flips one bit of the first byte of {@code text} in the one file of {@code dir} that holds it
   * verbatim.
   *
   * @return that file
   */
  private static Path flip(Path dir, String text) throws IOException {
    byte[] marker = text.getBytes(StandardCharsets.UTF_8);
    Path hit = null;
    int at = -1;
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        int i = indexOf(Files.readAllBytes(f), marker);
        if (i >= 0) {
          if (hit != null) {
            fail("'" + text + "' is in two files: " + hit + " and " + f);
          }
          hit = f;
          at = i;
        }
      }
    }
    if (hit == null) {
      fail("'" + text + "' is in no file of " + dir + " verbatim");
    }
    byte[] content = Files.readAllBytes(hit);
    content[at] ^= 0x01;
    Files.write(hit, content);
    return hit;
  }

  private static List<JsonNode> parseLines(String out) {
    List<JsonNode> nodes = new ArrayList<>();
    for (String line : out.split("\n")) {
      if (!line.isEmpty()) {
        nodes.add(JSON.readTree(line));
      }
    }
    return nodes;
  }

  /** Every file and directory under {@code dir}: size, mtime and SHA-256 of the content. */
  private static Map<String, String> snapshot(Path dir) throws IOException {
    Map<String, String> state = new TreeMap<>();
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.toList()) {
        String key = dir.relativize(p).toString();
        String mtime = Files.getLastModifiedTime(p).toString();
        if (Files.isRegularFile(p)) {
          state.put(key, Files.size(p) + " " + mtime + " " + sha256(Files.readAllBytes(p)));
        } else {
          state.put(key + "/", mtime);
        }
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

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
