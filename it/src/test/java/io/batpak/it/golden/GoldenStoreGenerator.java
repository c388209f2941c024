package io.batpak.it.golden;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.CausationId;
import io.batpak.Coordinate;
import io.batpak.CorrelationId;
import io.batpak.EventHeader;
import io.batpak.EventKind;
import io.batpak.ExpectedVersion;
import io.batpak.ExtensionKey;
import io.batpak.IdempotencyKey;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.engine.FrameLocation;
import io.batpak.fs.sim.SimEntropy;
import io.batpak.fs.sim.SimStoreClock;
import io.batpak.it.golden.GoldenPayloads.CustomerMoved;
import io.batpak.it.golden.GoldenPayloads.CustomerRegistered;
import io.batpak.it.golden.GoldenPayloads.Line;
import io.batpak.it.golden.GoldenPayloads.OrderNote;
import io.batpak.it.golden.GoldenPayloads.OrderPaid;
import io.batpak.it.golden.GoldenPayloads.OrderPlaced;
import io.batpak.it.golden.GoldenPayloads.StockReserved;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes a golden store: a small format-v1 journal, its expected contents and the SHA-256 of every
 * file. <b>No build runs this</b> (it is a {@code main}, not a test). The checked-in store under
 * {@code it/src/test/resources/golden/v1/} was written by it once and is frozen: {@code
 * GoldenStoreFrozenTest} fails the build when any of its files changes, and {@code
 * GoldenStoreV1Test} opens it in every build. A format change gets a new version directory ({@code
 * golden/v2/}) written by a generator of that version; {@code v1} stays as it is, so every later
 * build keeps proving it reads format v1.
 *
 * <p>Run it (from the repository root, after {@code mvn -B -pl it -am test-compile}) with the test
 * class path of {@code it}:
 *
 * <pre>
 * mvn -B -q -pl it dependency:build-classpath -Dmdep.outputFile=/tmp/it.cp
 * java -cp it/target/test-classes:api/target/classes:engine/target/classes:fs-spi/target/classes:\
 * fs-posix/target/classes:fs-sim/target/classes:codec/target/classes:$(cat /tmp/it.cp) \
 *   io.batpak.it.golden.GoldenStoreGenerator /tmp/golden-v1
 * </pre>
 *
 * The target directory must not exist. The output is the same, byte for byte, on every run and
 * machine: the store runs in deterministic mode with a {@link SimStoreClock} (fixed start, fixed
 * steps) and a {@link SimEntropy} of a fixed seed, through the real {@code nio} backend, and the
 * lock file is removed afterwards (only segment files are authoritative).
 *
 * <p>What the store holds: 41 events in 4 segments ({@code segmentMaxBytes} 4096); JSON payloads
 * written by {@code appendTyped} and as objects in batch items, and {@code Bytes} payloads (binary,
 * UTF-8 text, empty); nine streams in six scopes, including non-ASCII entities; keyed (idempotent)
 * and unkeyed events, with a retried key returning its original receipt; correlation and causation
 * ids; extensions and flags; payload versions 0, 1 and 2; two atomic batches (one keyed, and
 * retried) whose items refer to earlier items ({@code causedBy}) and to earlier events.
 */
public final class GoldenStoreGenerator {

  /** The entropy seed of the golden store. */
  static final long SEED = 0x601D_57_0E_2025L;

  /** The segment size limit of the golden store (the smallest allowed). */
  static final int SEGMENT_MAX_BYTES = 4096;

  static final EventKind AUDIT = EventKind.custom(0xE, 0x010);
  static final EventKind NOTE_RAW = EventKind.custom(0xC, 0x7FF);
  static final ExtensionKey TENANT = ExtensionKey.of("app.tenant");
  static final ExtensionKey SPAN = ExtensionKey.of("trace.span");
  static final ExtensionKey ORIGIN = ExtensionKey.of("app.origin");

  /** The idempotency key of the payment, retried once. */
  static final IdempotencyKey PAYMENT = IdempotencyKey.forOperation("golden.pay", "order-1001");

  private GoldenStoreGenerator() {}

  /**
   * Writes a golden store into {@code args[0]}, which must not exist.
   *
   * @throws IOException if the directory cannot be written
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      throw new IllegalArgumentException(
          "usage: GoldenStoreGenerator <new directory>; see the class javadoc");
    }
    Path out = Path.of(args[0]).toAbsolutePath();
    if (Files.exists(out)) {
      throw new IllegalArgumentException(
          out
              + " exists. The golden store is frozen: write a new one into a new directory, and"
              + " never over a checked-in version (a format change needs a new version"
              + " directory).");
    }
    Path store = out.resolve("store");
    Map<EventHeaderKey, String> types = write(store);
    String expected = expected(store, types);
    Files.delete(store.resolve(".batpak.lock"));
    Files.writeString(out.resolve("expected.json"), expected, StandardCharsets.UTF_8);
    Files.writeString(out.resolve("SHA256SUMS"), sha256sums(out), StandardCharsets.UTF_8);
    System.out.println("wrote " + out);
  }

  /** An event id, as the key of the payload type map. */
  private record EventHeaderKey(long high, long low) {}

  private static StoreConfig config(Path dir, SimStoreClock clock) {
    return StoreConfig.builder(dir)
        .fsBackend("nio")
        .clock(clock)
        .entropy(new SimEntropy(SEED))
        .deterministic(true)
        .segmentMaxBytes(SEGMENT_MAX_BYTES)
        .codec("json")
        .build();
  }

  /** Appends the golden workload; returns the payload type of every JSON event. */
  private static Map<EventHeaderKey, String> write(Path dir) {
    SimStoreClock clock = new SimStoreClock();
    Map<EventHeaderKey, String> types = new LinkedHashMap<>();
    try (Store s = Store.open(config(dir, clock))) {
      Coordinate customer = Coordinate.of("customer:7", "crm");
      Coordinate order1 = Coordinate.of("order:1001", "shop");
      Coordinate order2 = Coordinate.of("order:1002", "shop");
      Coordinate stockA = Coordinate.of("inventory:A-1", "warehouse");
      Coordinate stockB = Coordinate.of("inventory:B-7", "warehouse");
      Coordinate audit = Coordinate.of("audit", "ops");
      Coordinate cafe = Coordinate.of("café:1", "bistro-zürich");
      Coordinate beer = Coordinate.of("tab:\uD83C\uDF7A", "bar");

      clock.advance(Duration.ofMillis(3));
      AppendReceipt registered =
          s.appendTyped(
              customer,
              new CustomerRegistered("7", "Ada Lovelace", "ada@example.com"),
              AppendOptions.defaults()
                  .withExpectedVersion(ExpectedVersion.noStream())
                  .withExtension(TENANT, Bytes.utf8("acme")));
      types.put(key(registered), "CustomerRegistered");

      clock.advance(Duration.ofMillis(17));
      CorrelationId saga = CorrelationId.of(registered.eventId());
      AppendReceipt placed =
          s.appendTyped(
              order1,
              new OrderPlaced(
                  "1001",
                  "7",
                  List.of(new Line("A-1", 2, 1250), new Line("C-3", 1, 899)),
                  new TreeMap<>(Map.of("channel", "web", "gift", "no")),
                  Instant.parse("2033-05-18T03:33:20.020Z")),
              AppendOptions.defaults()
                  .withCorrelation(saga)
                  .withCausation(CausationId.of(registered.eventId()))
                  .withExtension(TENANT, Bytes.utf8("acme"))
                  .withExtension(SPAN, Bytes.of(new byte[] {0, 1, 2, 3, 4, 5, 6, 7})));
      types.put(key(placed), "OrderPlaced");

      clock.advance(Duration.ofMillis(1));
      AppendReceipt reserved =
          s.appendTyped(
              stockA,
              new StockReserved("A-1", 2, "1001"),
              AppendOptions.defaults()
                  .withCorrelation(saga)
                  .withCausation(CausationId.of(placed.eventId())));
      types.put(key(reserved), "StockReserved");

      clock.advance(Duration.ofMillis(250));
      AppendOptions payment =
          AppendOptions.defaults()
              .withIdempotencyKey(PAYMENT)
              .withCorrelation(saga)
              .withCausation(CausationId.of(placed.eventId()))
              .withFlags(0x01)
              .withExpectedVersion(ExpectedVersion.exactly(0));
      AppendReceipt paid = s.appendTyped(order1, new OrderPaid("1001", 3399, "card"), payment);
      types.put(key(paid), "OrderPaid");
      clock.advance(Duration.ofMillis(5));
      AppendReceipt retried = s.appendTyped(order1, new OrderPaid("1001", 3399, "card"), payment);
      if (!retried.equals(paid)) {
        throw new IllegalStateException("the retried payment got a new receipt: " + retried);
      }

      clock.advance(Duration.ofMillis(2));
      byte[] all = new byte[256];
      for (int i = 0; i < all.length; i++) {
        all[i] = (byte) i;
      }
      s.append(audit, AUDIT, Bytes.of(all), AppendOptions.defaults().withFlags(0x80));
      clock.advance(Duration.ofMillis(2));
      s.append(
          audit,
          AUDIT,
          Bytes.empty(),
          AppendOptions.defaults().withExtension(ORIGIN, Bytes.empty()));

      clock.advance(Duration.ofMillis(40));
      // A keyed batch (keys on every item or none), retried once.
      List<BatchItem> keyedBatch =
          List.of(
              BatchItem.encoded(
                      order2,
                      EventKind.custom(0x1, 0x001),
                      new OrderPlaced(
                          "1002",
                          "7",
                          List.of(new Line("B-7", 5, 120)),
                          Map.of(),
                          Instant.parse("2033-05-18T03:33:20.400Z")))
                  .withOptions(
                      AppendOptions.defaults()
                          .withCorrelation(saga)
                          .withIdempotencyKey(IdempotencyKey.forOperation("golden.place", "1002"))),
              BatchItem.encoded(
                      stockB, EventKind.custom(0x3, 0x001), new StockReserved("B-7", 5, "1002"))
                  .withOptions(
                      AppendOptions.defaults()
                          .withIdempotencyKey(
                              IdempotencyKey.forOperation("golden.reserve", "B-7", "1002")))
                  .causedBy(0),
              BatchItem.encoded(
                      customer,
                      EventKind.custom(0x2, 0x002),
                      new CustomerMoved("7", "Zürich", Optional.empty()))
                  .withOptions(
                      AppendOptions.defaults()
                          .withIdempotencyKey(
                              IdempotencyKey.forOperation("golden.move", "7", "Zürich"))
                          .withCausation(CausationId.of(registered.eventId()))
                          .withExtension(TENANT, Bytes.utf8("acme"))));
      List<AppendReceipt> batch = s.appendBatch(keyedBatch);
      clock.advance(Duration.ofMillis(4));
      if (!s.appendBatch(keyedBatch).equals(batch)) {
        throw new IllegalStateException("the retried batch got new receipts");
      }
      types.put(key(batch.get(0)), "OrderPlaced");
      types.put(key(batch.get(1)), "StockReserved");
      types.put(key(batch.get(2)), "CustomerMoved");

      clock.advance(Duration.ofMillis(9));
      s.append(cafe, NOTE_RAW, Bytes.utf8("crème brûlée, 2×"));
      clock.advance(Duration.ofMillis(9));
      s.append(beer, NOTE_RAW, Bytes.utf8("\uD83C\uDF7A\uD83C\uDF7A"));

      // Notes spread over the orders, enough to fill the segments.
      String lorem =
          "Deliver to the side door; ring twice. The parcel may wait with the neighbour at"
              + " number 12 if nobody answers. Fragile: glassware inside.";
      List<Coordinate> orders =
          List.of(order1, order2, Coordinate.of("order:1003", "shop"), order1);
      AppendReceipt last = paid;
      for (int n = 0; n < 24; n++) {
        clock.advance(Duration.ofMillis(1 + (n * 7) % 31));
        AppendOptions o = AppendOptions.defaults().withCorrelation(saga);
        if (n % 5 == 0) {
          o = o.withExtension(SPAN, Bytes.of(new byte[] {(byte) n, (byte) (n * 3)}));
        }
        if (n % 6 == 0) {
          o = o.withCausation(CausationId.of(last.eventId()));
        }
        Coordinate c = orders.get(n % orders.size());
        last =
            s.appendTyped(
                c, new OrderNote(c.entity().substring(6), n, lorem.substring(0, 60 + n * 3)), o);
        types.put(key(last), "OrderNote");
        if (n == 11) {
          clock.advance(Duration.ofMillis(3));
          // A Bytes payload that is JSON text, written without the codec.
          s.append(c, EventKind.custom(0x1, 0x003), Bytes.utf8("{\"hand\":\"written\"}"));
        }
      }

      clock.advance(Duration.ofMillis(60));
      List<AppendReceipt> closing =
          s.appendBatch(
              List.of(
                  BatchItem.of(audit, AUDIT, Bytes.utf8("closing batch: begin")),
                  BatchItem.encoded(
                          order1, EventKind.custom(0x1, 0x002), new OrderPaid("1001", 1, "fee"))
                      .causedBy(0),
                  BatchItem.encoded(
                          Coordinate.of("order:1003", "shop"),
                          EventKind.custom(0x1, 0x002),
                          new OrderPaid("1003", 4500, "invoice"))
                      .withOptions(AppendOptions.defaults().withFlags(0x03))
                      .causedBy(1),
                  BatchItem.of(audit, AUDIT, Bytes.utf8("closing batch: end"))
                      .withOptions(
                          AppendOptions.defaults().withCausation(CausationId.of(paid.eventId())))));
      types.put(key(closing.get(1)), "OrderPaid");
      types.put(key(closing.get(2)), "OrderPaid");

      clock.advance(Duration.ofMillis(1));
      AppendReceipt lastTyped =
          s.appendTyped(beer, new CustomerMoved("tab", "Bern", Optional.of("last one")));
      types.put(key(lastTyped), "CustomerMoved");
    }
    return types;
  }

  private static EventHeaderKey key(AppendReceipt r) {
    return new EventHeaderKey(r.eventId().high(), r.eventId().low());
  }

  /**
   * The expected contents: every segment (name, size, header fields and bytes, frames) read with
   * {@link FormatV1}, and every event as the engine reports it, after checking that the two agree.
   */
  private static String expected(Path dir, Map<EventHeaderKey, String> types) throws IOException {
    HexFormat hex = HexFormat.of();
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode root = f.objectNode();
    root.put("format", 1);
    root.put(
        "note",
        "Frozen. Written once by io.batpak.it.golden.GoldenStoreGenerator; checked by"
            + " GoldenStoreV1Test and GoldenStoreFrozenTest. Hex is lowercase; timestamps are"
            + " microseconds since the Unix epoch.");
    List<FormatV1.Event> parsed = new ArrayList<>();
    ArrayNode segments = root.putArray("segments");
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.getFileName().toString().endsWith(".seg")).sorted().toList();
    }
    for (Path p : files) {
      byte[] bytes = Files.readAllBytes(p);
      FormatV1.Segment seg = FormatV1.segment(p.getFileName().toString(), bytes);
      ObjectNode sn = segments.addObject();
      sn.put("name", seg.name());
      sn.put("bytes", bytes.length);
      sn.put("number", seg.number());
      sn.put("createdMicros", seg.createdMicros());
      sn.put("baseGlobalSequence", seg.baseGlobalSequence());
      sn.put("codec", seg.codec());
      sn.put("compression", seg.compression());
      sn.put("hash", seg.hash());
      sn.put("header", hex.formatHex(seg.header()));
      ArrayNode frames = sn.putArray("frames");
      for (FormatV1.Frame fr : seg.frames()) {
        ObjectNode fn = frames.addObject();
        fn.put("offset", fr.offset());
        fn.put("length", fr.length());
        fn.put("baseGlobalSequence", fr.baseGlobalSequence());
        fn.put("events", fr.events().size());
        fn.put("durableEnd", fr.durableEnd());
        parsed.addAll(fr.events());
      }
    }
    ArrayNode events = root.putArray("events");
    StoreConfig readOnly = StoreConfig.builder(dir).fsBackend("nio").readOnly(true).build();
    try (Store s = Store.open(readOnly)) {
      List<EventHeader> headers = allHeaders(s);
      if (headers.size() != parsed.size()) {
        throw new IllegalStateException(
            "the engine sees " + headers.size() + " events, the files hold " + parsed.size());
      }
      for (int i = 0; i < headers.size(); i++) {
        EventHeader h = headers.get(i);
        FormatV1.Event e = parsed.get(i);
        byte[] payload = s.get(h.eventId()).payload().toByteArray();
        if (!hex.formatHex(e.id()).equals(hex.formatHex(h.eventId().toBytes()))
            || !java.util.Arrays.equals(e.payload(), payload)
            || !java.util.Arrays.equals(e.eventHash(), h.eventHash().toByteArray())
            || !java.util.Arrays.equals(FormatV1.eventHash(e), e.eventHash())) {
          throw new IllegalStateException("event " + i + ": the engine and the files disagree");
        }
        ObjectNode en = events.addObject();
        en.put("globalSequence", h.globalSequence());
        en.put("id", hex.formatHex(h.eventId().toBytes()));
        en.put("entity", h.coordinate().entity());
        en.put("scope", h.coordinate().scope());
        en.put("kind", String.format("0x%04x", h.kind().raw()));
        en.put("streamSequence", h.streamSequence());
        en.put("timestampMicros", h.timestampMicros());
        en.put("correlation", hex.formatHex(h.correlationId().toBytes()));
        if (h.causation().isPresent()) {
          en.put("causation", hex.formatHex(h.causation().get().toBytes()));
        } else {
          en.putNull("causation");
        }
        en.put("payloadVersion", h.payloadVersion());
        en.put("flags", h.flags());
        ObjectNode ext = en.putObject("extensions");
        new TreeMap<>(h.extensions())
            .forEach((k, v) -> ext.put(k.value(), hex.formatHex(v.toByteArray())));
        String type = types.get(new EventHeaderKey(h.eventId().high(), h.eventId().low()));
        if (type == null) {
          en.putNull("payloadType");
        } else {
          en.put("payloadType", type);
        }
        en.put("payloadSize", h.payloadSize());
        en.put("payload", hex.formatHex(payload));
        en.put("contentHash", h.contentHash().toHex());
        en.put("prevHash", h.prevHash().toHex());
        en.put("eventHash", h.eventHash().toHex());
        FrameLocation frame = FrameLocation.of(s, h.eventId());
        ObjectNode pos = en.putObject("position");
        pos.put("segment", frame.segmentId());
        pos.put("frameOffset", frame.offset());
        pos.put("frameLength", frame.length());
      }
    }
    JsonMapper mapper = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
    return mapper.writeValueAsString(root).replace("\r\n", "\n") + "\n";
  }

  /** {@code sha256sum} lines for every file under {@code dir}, sorted by path. */
  public static String sha256sums(Path dir) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, String> e : digests(dir).entrySet()) {
      sb.append(e.getValue()).append("  ").append(e.getKey()).append('\n');
    }
    return sb.toString();
  }

  /** SHA-256 of every regular file under {@code dir} except {@code SHA256SUMS}, by path. */
  public static TreeMap<String, String> digests(Path dir) throws IOException {
    TreeMap<String, String> out = new TreeMap<>();
    List<Path> files;
    try (Stream<Path> s = Files.walk(dir)) {
      files = s.filter(Files::isRegularFile).toList();
    }
    for (Path p : files) {
      String rel = dir.relativize(p).toString().replace('\\', '/');
      if (!rel.equals("SHA256SUMS")) {
        out.put(rel, sha256(Files.readAllBytes(p)));
      }
    }
    return out;
  }

  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
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
