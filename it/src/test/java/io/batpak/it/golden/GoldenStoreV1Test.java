package io.batpak.it.golden;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.CausationId;
import io.batpak.Coordinate;
import io.batpak.CorrelationId;
import io.batpak.EventHeader;
import io.batpak.EventId;
import io.batpak.EventKind;
import io.batpak.ExpectedVersion;
import io.batpak.OpenReport;
import io.batpak.ReceiptVerification;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StoreStats;
import io.batpak.codec.json.JsonCodec;
import io.batpak.engine.FrameLocation;
import io.batpak.it.crash.CrashShape;
import io.batpak.it.golden.GoldenPayloads.OrderPaid;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The golden store of format v1 ({@code it/src/test/resources/golden/v1}, written once by {@link
 * GoldenStoreGenerator} and frozen; see {@link GoldenStoreFrozenTest}) opens and reads exactly as
 * its expected contents say, in every build. Each test works on a copy in a temporary directory.
 *
 * <ul>
 *   <li>The files themselves, read by {@link FormatV1} (written from {@code docs/format.md}, no
 *       engine code), hold exactly the expected segments, headers, frames and events, and every
 *       content hash, event hash and chain link recomputes.
 *   <li>A read-only open and a mutable open each report the expected segments, codec and counts,
 *       and serve every event with every header field, its payload bytes and position as expected;
 *       each JSON payload decodes into its record type and encodes back to the same bytes; every
 *       receipt rebuilt from the expected contents verifies, and a receipt with one hash changed
 *       does not; every stream is a dense chain. Neither open changes a byte of a segment, and the
 *       read-only open of the golden directory (which has no lock file) adds no file.
 *   <li>After the mutable open, a retried idempotency key returns the original receipt, one new
 *       event continues its stream's chain, and after a reopen all 42 events are there, the old
 *       segment bytes are unchanged (the newest grew), and the files still parse as format v1.
 * </ul>
 */
class GoldenStoreV1Test {

  static final String VERSION_DIR = "golden/v1";

  private static final HexFormat HEX = HexFormat.of();

  @TempDir Path tmp;

  private Path store;
  private JsonNode expected;
  private Map<String, byte[]> goldenSegments;

  /** The checked-in directory of {@code golden/<version>} as the build copied it. */
  static Path golden(String versionDir) {
    URL url = GoldenStoreV1Test.class.getResource("/" + versionDir + "/SHA256SUMS");
    if (url == null) {
      throw new IllegalStateException(
          versionDir + "/SHA256SUMS is not on the test class path (it/src/test/resources)");
    }
    try {
      return Path.of(url.toURI()).getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @BeforeEach
  void copyTheGoldenStore() throws IOException {
    Path golden = golden(VERSION_DIR);
    expected = JsonMapper.builder().build().readTree(golden.resolve("expected.json").toFile());
    store = Files.createDirectories(tmp.resolve("store"));
    goldenSegments = new TreeMap<>();
    try (Stream<Path> files = Files.list(golden.resolve("store"))) {
      for (Path p : files.sorted().toList()) {
        byte[] bytes = Files.readAllBytes(p);
        goldenSegments.put(p.getFileName().toString(), bytes);
        Files.write(store.resolve(p.getFileName()), bytes);
      }
    }
  }

  private List<JsonNode> events() {
    List<JsonNode> out = new ArrayList<>();
    expected.get("events").forEach(out::add);
    return out;
  }

  private List<String> segmentNames() {
    List<String> out = new ArrayList<>();
    expected.get("segments").forEach(s -> out.add(s.get("name").asString()));
    return out;
  }

  private static byte[] hex(JsonNode node) {
    return HEX.parseHex(node.asString());
  }

  /** Segment files of {@code dir} by name. */
  private static Map<String, byte[]> segments(Path dir) throws IOException {
    Map<String, byte[]> out = new TreeMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.sorted().toList()) {
        if (p.getFileName().toString().endsWith(".seg")) {
          out.put(p.getFileName().toString(), Files.readAllBytes(p));
        }
      }
    }
    return out;
  }

  private void assertSegmentsUnchanged(String when) throws IOException {
    Map<String, byte[]> now = segments(store);
    assertEquals(goldenSegments.keySet(), now.keySet(), when + ": segment files");
    for (Map.Entry<String, byte[]> e : goldenSegments.entrySet()) {
      assertArrayEquals(e.getValue(), now.get(e.getKey()), when + ": bytes of " + e.getKey());
    }
  }

  @Test
  void theFilesAreFormatV1AndHoldExactlyTheExpectedContents() throws IOException {
    List<FormatV1.Event> parsed = new ArrayList<>();
    List<JsonNode> segs = new ArrayList<>();
    expected.get("segments").forEach(segs::add);
    assertEquals(segmentNames(), List.copyOf(goldenSegments.keySet()), "segment file names");
    assertTrue(segs.size() >= 3, "the golden store has at least three segments");
    int frameCount = 0;
    boolean batch = false;
    for (JsonNode s : segs) {
      String name = s.get("name").asString();
      byte[] bytes = goldenSegments.get(name);
      FormatV1.Segment seg = FormatV1.segment(name, bytes);
      assertEquals(s.get("bytes").asLong(), bytes.length, name + " size");
      assertEquals(s.get("number").asLong(), seg.number(), name);
      assertEquals(s.get("createdMicros").asLong(), seg.createdMicros(), name);
      assertEquals(s.get("baseGlobalSequence").asLong(), seg.baseGlobalSequence(), name);
      assertEquals(parsed.size(), seg.baseGlobalSequence(), name + ": base = events before it");
      assertEquals("json", seg.codec(), name);
      assertEquals(s.get("codec").asString(), seg.codec(), name);
      assertEquals(s.get("compression").asString(), seg.compression(), name);
      assertEquals(s.get("hash").asString(), seg.hash(), name);
      assertEquals(s.get("header").asString(), FormatV1.hex(seg.header()), name + " header");
      List<JsonNode> frames = new ArrayList<>();
      s.get("frames").forEach(frames::add);
      assertEquals(frames.size(), seg.frames().size(), name + " frames");
      for (int i = 0; i < frames.size(); i++) {
        JsonNode f = frames.get(i);
        FormatV1.Frame fr = seg.frames().get(i);
        String where = name + " frame " + i;
        assertEquals(f.get("offset").asLong(), fr.offset(), where);
        assertEquals(f.get("length").asInt(), fr.length(), where);
        assertEquals(f.get("baseGlobalSequence").asLong(), fr.baseGlobalSequence(), where);
        assertEquals(parsed.size(), fr.baseGlobalSequence(), where + ": dense global sequence");
        assertEquals(f.get("events").asInt(), fr.events().size(), where);
        assertEquals(f.get("durableEnd").asLong(), fr.durableEnd(), where);
        batch |= fr.events().size() > 1;
        parsed.addAll(fr.events());
        frameCount++;
      }
    }
    assertTrue(batch, "the golden store holds an atomic batch (a frame of several events)");
    assertEquals(36, frameCount, "frames");

    List<JsonNode> events = events();
    assertEquals(events.size(), parsed.size(), "events in the files");
    Map<String, FormatV1.Event> heads = new TreeMap<>();
    for (int i = 0; i < events.size(); i++) {
      JsonNode x = events.get(i);
      FormatV1.Event e = parsed.get(i);
      String where = "event " + i;
      assertEquals(i, x.get("globalSequence").asLong(), where);
      assertEquals(i, e.globalSequence(), where);
      assertEquals(x.get("id").asString(), FormatV1.hex(e.id()), where + " id");
      assertEquals(x.get("entity").asString(), e.entity(), where);
      assertEquals(x.get("scope").asString(), e.scope(), where);
      assertEquals(x.get("kind").asString(), String.format("0x%04x", e.kind()), where);
      assertEquals(x.get("streamSequence").asLong(), e.streamSequence(), where);
      assertEquals(x.get("timestampMicros").asLong(), e.timestampMicros(), where);
      assertEquals(x.get("correlation").asString(), FormatV1.hex(e.correlation()), where);
      assertEquals(!x.get("causation").isNull(), e.hasCausation(), where + " causation present");
      if (e.hasCausation()) {
        assertEquals(x.get("causation").asString(), FormatV1.hex(e.causation()), where);
      }
      assertEquals(x.get("payloadVersion").asInt(), e.payloadVersion(), where);
      assertEquals(x.get("flags").asInt(), e.flags(), where);
      Map<String, String> ext = new LinkedHashMap<>();
      e.extensions().forEach((k, v) -> ext.put(k, FormatV1.hex(v)));
      assertEquals(extensions(x), ext, where + " extensions");
      assertEquals(x.get("payloadSize").asInt(), e.payload().length, where);
      assertEquals(x.get("payload").asString(), FormatV1.hex(e.payload()), where + " payload");
      assertEquals(x.get("contentHash").asString(), FormatV1.hex(e.contentHash()), where);
      assertEquals(x.get("prevHash").asString(), FormatV1.hex(e.prevHash()), where);
      assertEquals(x.get("eventHash").asString(), FormatV1.hex(e.eventHash()), where);
      // The hashes recompute from the document's definitions.
      assertArrayEquals(FormatV1.blake3(e.payload()), e.contentHash(), where + " content hash");
      assertArrayEquals(FormatV1.eventHash(e), e.eventHash(), where + " event hash");
      FormatV1.Event head = heads.get(e.entity());
      assertEquals(head == null ? 0 : head.streamSequence() + 1, e.streamSequence(), where);
      assertArrayEquals(
          head == null ? new byte[32] : head.eventHash(), e.prevHash(), where + " chain link");
      heads.put(e.entity(), e);
    }
    assertEquals(9, heads.size(), "streams");
  }

  private static Map<String, String> extensions(JsonNode event) {
    Map<String, String> out = new LinkedHashMap<>();
    event.get("extensions").properties().forEach(p -> out.put(p.getKey(), p.getValue().asString()));
    return out;
  }

  @Test
  void aReadOnlyOpenServesEveryEventAsExpectedAndChangesNoSegment() throws IOException {
    try (Store s = Store.open(StoreConfig.builder(store).readOnly(true).build())) {
      assertOpenReport(s.openReport(), true);
      assertServesTheGoldenEvents(s, events().size());
    }
    assertSegmentsUnchanged("after a read-only open");
    try (Stream<Path> files = Files.list(store)) {
      assertEquals(
          goldenSegments.keySet(),
          new TreeSet<>(files.map(p -> p.getFileName().toString()).toList()),
          "a read-only open adds no file (not even the lock file: issue 8, defect 17)");
    }
  }

  @Test
  void aMutableOpenServesEveryEventAndTakesAnAppendThatSurvivesAReopen() throws IOException {
    List<JsonNode> events = events();
    int n = events.size();
    JsonNode paid = events.get(3);
    JsonNode lastOfStream = events.get(37);
    assertEquals("order:1001", lastOfStream.get("entity").asString());
    assertEquals(15, lastOfStream.get("streamSequence").asLong());
    AppendReceipt appended;
    // A version-1 segment is never written again: the mutable open leaves every golden segment
    // as it was and starts segment 5 in version 2 (header only) for the appends.
    String started = String.format("%010d.seg", segmentNames().size() + 1);
    try (Store s = Store.open(StoreConfig.builder(store).build())) {
      assertOpenReport(s.openReport(), false);
      Map<String, byte[]> opened = segments(store);
      byte[] fresh = opened.remove(started);
      assertEquals(goldenSegments.keySet(), opened.keySet(), "after a mutable open: golden files");
      for (Map.Entry<String, byte[]> e : goldenSegments.entrySet()) {
        assertArrayEquals(e.getValue(), opened.get(e.getKey()), "after a mutable open: bytes");
      }
      assertTrue(fresh != null, "a mutable open of a v1 store starts " + started);
      FormatV1.Segment header = FormatV1.segment(started, fresh, 2);
      assertEquals(fresh.length, header.headerLength(), started + " holds only its header");
      assertEquals(n, header.baseGlobalSequence(), started + " base global sequence");
      assertServesTheGoldenEvents(s, n);

      // The key's derivation is stable (the golden event's id is the key), and a retry of the
      // keyed append returns the original receipt, even with an expected version long passed.
      assertEquals(
          paid.get("id").asString(),
          HEX.formatHex(EventId.of(GoldenStoreGenerator.PAYMENT).toBytes()));
      AppendReceipt retried =
          s.appendTyped(
              Coordinate.of("order:1001", "shop"),
              new OrderPaid("1001", 3399, "card"),
              AppendOptions.defaults()
                  .withIdempotencyKey(GoldenStoreGenerator.PAYMENT)
                  .withCorrelation(CorrelationId.fromBytes(hex(paid.get("correlation"))))
                  .withCausation(CausationId.fromBytes(hex(paid.get("causation"))))
                  .withFlags(0x01)
                  .withExpectedVersion(ExpectedVersion.exactly(0)));
      assertEquals(receipt(paid), retried, "the retried key's receipt");
      assertEquals(n, s.stats().eventCount(), "a retry appends nothing");

      appended =
          s.append(
              Coordinate.of("order:1001", "shop"),
              EventKind.custom(0x1, 0x003),
              Bytes.utf8("{\"after\":\"golden\"}"));
      assertEquals(n, appended.globalSequence());
      assertEquals(16, appended.streamSequence());
      assertEquals(lastOfStream.get("eventHash").asString(), appended.prevHash().toHex());
    }
    try (Store s = Store.open(StoreConfig.builder(store).build())) {
      assertEquals(n + 1, s.openReport().eventsRecovered());
      assertEquals(n + 1, s.stats().eventCount());
      assertServesTheGoldenEvents(s, n + 1);
      assertInstanceOf(ReceiptVerification.Valid.class, s.verifyReceipt(appended));
      assertEquals("{\"after\":\"golden\"}", s.get(appended.eventId()).payload().toUtf8());
    }
    // Every golden segment is untouched and still parses as v1; the new event is in the v2
    // segment, which the clean close sealed and whose frames (the seal cut off) follow the same
    // layout; the second open, finding it sealed, started one more v2 segment, which holds only
    // its header. The new event's hashes follow the document too.
    Map<String, byte[]> now = segments(store);
    String next = String.format("%010d.seg", segmentNames().size() + 2);
    assertEquals(
        new TreeSet<>(List.of(started, next)),
        new TreeSet<>(now.keySet().stream().filter(k -> !goldenSegments.containsKey(k)).toList()),
        "the new segments");
    FormatV1.Segment empty = FormatV1.segment(next, now.remove(next), 2);
    assertEquals(List.of(), empty.frames(), next + " holds only its header");
    assertEquals(n + 1, empty.baseGlobalSequence(), next + " base global sequence");
    List<FormatV1.Event> all = new ArrayList<>();
    for (Map.Entry<String, byte[]> e : now.entrySet()) {
      byte[] golden = goldenSegments.get(e.getKey());
      FormatV1.Segment parsed;
      if (golden != null) {
        assertArrayEquals(golden, e.getValue(), e.getKey() + " changed");
        parsed = FormatV1.segment(e.getKey(), e.getValue());
      } else {
        assertTrue(
            CrashShape.footerOffset(e.getValue()) > 0, started + " ends in a seal after a close");
        parsed = FormatV1.segment(e.getKey(), CrashShape.withoutSeal(e.getValue()), 2);
        assertEquals(n, parsed.baseGlobalSequence(), started + " base global sequence");
      }
      for (FormatV1.Frame f : parsed.frames()) {
        all.addAll(f.events());
      }
    }
    assertEquals(n + 1, all.size());
    FormatV1.Event last = all.get(n);
    assertEquals(appended.eventHash().toHex(), FormatV1.hex(FormatV1.eventHash(last)));
    assertEquals(appended.contentHash().toHex(), FormatV1.hex(FormatV1.blake3(last.payload())));
  }

  private void assertOpenReport(OpenReport r, boolean readOnly) {
    assertEquals(readOnly, r.readOnly());
    assertEquals("json", r.codec());
    assertEquals(segmentNames(), r.segments());
    assertEquals(events().size(), r.eventsRecovered());
    assertEquals(36, r.framesScanned());
    assertFalse(r.tornTail().isPresent(), "a golden store has no torn tail: " + r.tornTail());
  }

  /** The receipt of expected event {@code x}. */
  private static AppendReceipt receipt(JsonNode x) {
    return new AppendReceipt(
        EventId.fromBytes(hex(x.get("id"))),
        x.get("globalSequence").asLong(),
        x.get("streamSequence").asLong(),
        Bytes.of(hex(x.get("contentHash"))),
        Bytes.of(hex(x.get("eventHash"))),
        Bytes.of(hex(x.get("prevHash"))));
  }

  /**
   * {@code s} serves the golden events as expected (and holds {@code total} events in all, the
   * golden ones first).
   */
  private void assertServesTheGoldenEvents(Store s, int total) {
    List<JsonNode> events = events();
    List<EventHeader> headers = allHeaders(s);
    assertEquals(total, headers.size(), "events");
    StoreStats stats = s.stats();
    assertEquals(total, stats.eventCount());
    assertEquals(9, stats.streamCount());
    JsonCodec json = new JsonCodec();
    for (int i = 0; i < events.size(); i++) {
      JsonNode x = events.get(i);
      EventHeader h = headers.get(i);
      String where = "event " + i;
      assertEquals(x.get("id").asString(), HEX.formatHex(h.eventId().toBytes()), where);
      assertEquals(
          Coordinate.of(x.get("entity").asString(), x.get("scope").asString()),
          h.coordinate(),
          where);
      assertEquals(x.get("kind").asString(), String.format("0x%04x", h.kind().raw()), where);
      assertEquals(x.get("streamSequence").asLong(), h.streamSequence(), where);
      assertEquals(x.get("globalSequence").asLong(), h.globalSequence(), where);
      assertEquals(x.get("timestampMicros").asLong(), h.timestampMicros(), where);
      assertEquals(
          x.get("correlation").asString(), HEX.formatHex(h.correlationId().toBytes()), where);
      assertEquals(
          x.get("causation").isNull() ? null : x.get("causation").asString(),
          h.causation().map(c -> HEX.formatHex(c.toBytes())).orElse(null),
          where);
      assertEquals(x.get("payloadVersion").asInt(), h.payloadVersion(), where);
      assertEquals(x.get("flags").asInt(), h.flags(), where);
      Map<String, String> ext = new TreeMap<>();
      h.extensions().forEach((k, v) -> ext.put(k.value(), v.toHex()));
      assertEquals(new TreeMap<>(extensions(x)), ext, where);
      assertEquals(x.get("payloadSize").asInt(), h.payloadSize(), where);
      assertEquals(x.get("contentHash").asString(), h.contentHash().toHex(), where);
      assertEquals(x.get("prevHash").asString(), h.prevHash().toHex(), where);
      assertEquals(x.get("eventHash").asString(), h.eventHash().toHex(), where);
      AppendReceipt receipt = receipt(x);
      JsonNode pos = x.get("position");
      assertEquals(
          new FrameLocation(
              pos.get("segment").asLong(),
              pos.get("frameOffset").asLong(),
              pos.get("frameLength").asInt()),
          FrameLocation.of(s, h.eventId()),
          where);

      assertEquals(h, s.get(h.eventId()).header(), where + ": get and query agree");
      assertEquals(x.get("payload").asString(), s.get(h.eventId()).payload().toHex(), where);
      assertEquals(x.get("payload").asString(), s.get(h.eventId()).payload().toHex(), where);
      if (!x.get("payloadType").isNull()) {
        Class<?> type = GoldenPayloads.BY_NAME.get(x.get("payloadType").asString());
        Object value = s.get(h.eventId(), type);
        assertInstanceOf(type, value, where);
        assertEquals(
            x.get("payload").asString(),
            json.encode(value).toHex(),
            where + ": the json codec re-encodes the decoded value to the stored bytes");
      }

      assertInstanceOf(
          ReceiptVerification.Valid.class, s.verifyReceipt(receipt), where + " receipt");
      byte[] wrong = hex(x.get("eventHash"));
      wrong[0] ^= 1;
      AppendReceipt forged =
          new AppendReceipt(
              receipt.eventId(),
              receipt.globalSequence(),
              receipt.streamSequence(),
              receipt.contentHash(),
              Bytes.of(wrong),
              receipt.prevHash(),
              receipt.signature());
      assertFalse(s.verifyReceipt(forged).isValid(), where + ": a forged receipt verifies");
    }
    // Every stream is a dense chain from sequence 0, and latest() is its head.
    Map<String, List<EventHeader>> streams = new TreeMap<>();
    for (EventHeader h : headers) {
      streams.computeIfAbsent(h.entity(), k -> new ArrayList<>()).add(h);
    }
    assertEquals(9, streams.size(), "streams");
    for (Map.Entry<String, List<EventHeader>> e : streams.entrySet()) {
      List<EventHeader> stream = s.stream(e.getKey());
      assertEquals(e.getValue(), stream, "stream " + e.getKey());
      byte[] prev = new byte[32];
      for (int i = 0; i < stream.size(); i++) {
        assertEquals(i, stream.get(i).streamSequence(), e.getKey());
        assertArrayEquals(prev, stream.get(i).prevHash().toByteArray(), e.getKey() + " link " + i);
        prev = stream.get(i).eventHash().toByteArray();
      }
      assertEquals(stream.get(stream.size() - 1), s.latest(e.getKey()).orElseThrow());
    }
  }

  /** Every visible event of {@code s}, in global order, read a page at a time. */
  private static List<EventHeader> allHeaders(Store s) {
    List<EventHeader> all = new ArrayList<>();
    long after = -1;
    while (true) {
      List<EventHeader> page = s.queryAfter(Region.all(), after, 1000);
      all.addAll(page);
      if (page.size() < 1000) {
        return all;
      }
      after = page.get(page.size() - 1).globalSequence();
    }
  }
}
