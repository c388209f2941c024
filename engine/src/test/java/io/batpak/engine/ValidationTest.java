package io.batpak.engine;

import static io.batpak.engine.StoreFixtures.KIND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.Durability;
import io.batpak.EventKind;
import io.batpak.ExtensionKey;
import io.batpak.IdempotencyKey;
import io.batpak.InvalidCoordinateException;
import io.batpak.InvalidCoordinateException.Component;
import io.batpak.InvalidCoordinateException.Rule;
import io.batpak.InvalidExtensionKeyException;
import io.batpak.Payload;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.ValidationException;
import io.batpak.Watermarks;
import io.batpak.port.StoreFs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Bad inputs get their typed errors and leave the store unchanged. */
class ValidationTest {
  static final int MAX_PAYLOAD = 1024;
  static final int MAX_BATCH_EVENTS = 8;
  static final int MAX_BATCH_BYTES = 2048;
  static final Coordinate C = Coordinate.of("e", "s");

  @TempDir Path dir;
  Store store;

  @BeforeEach
  void open() {
    store =
        Store.open(
            StoreConfig.builder(dir)
                .maxPayloadBytes(MAX_PAYLOAD)
                .maxBatchEvents(MAX_BATCH_EVENTS)
                .maxBatchBytes(MAX_BATCH_BYTES)
                .build());
    store.append(C, KIND, Bytes.utf8("existing"));
  }

  @AfterEach
  void close() {
    store.close();
  }

  /** Event count, watermarks and every file's size. */
  record State(long events, Watermarks watermarks, Map<String, Long> sizes) {}

  State state() {
    return new State(store.stats().eventCount(), store.watermarks(), StoreFixtures.sizes(dir));
  }

  /** Runs {@code call}, expects {@code type}, and checks the store did not change. */
  <T extends Throwable> T rejects(Class<T> type, Executable call) {
    State before = state();
    T e = assertThrows(type, call);
    assertEquals(before, state(), "the store is unchanged after " + e);
    return e;
  }

  static AppendOptions opts() {
    return AppendOptions.defaults();
  }

  @Test
  void everyCoordinateRuleOnBothComponents() {
    Map<String, Rule> bad = new HashMap<>();
    bad.put("", Rule.EMPTY);
    bad.put("x".repeat(Coordinate.MAX_COMPONENT_BYTES + 1), Rule.TOO_LONG);
    bad.put("\u00e9".repeat(Coordinate.MAX_COMPONENT_BYTES / 2 + 1), Rule.TOO_LONG);
    bad.put("a\0b", Rule.NUL_BYTE);
    bad.put("a\tb", Rule.CONTROL_CHAR);
    bad.put("a\u007fb", Rule.CONTROL_CHAR);
    bad.put("a/b", Rule.PATH_TRAVERSAL);
    bad.put("a..b", Rule.PATH_TRAVERSAL);
    bad.put("a|b", Rule.FORBIDDEN_SEPARATOR);
    bad.put("a=b", Rule.FORBIDDEN_SEPARATOR);
    bad.put("a\ud800b", Rule.UNPAIRED_SURROGATE);
    bad.put("a\udc00", Rule.UNPAIRED_SURROGATE);
    for (Map.Entry<String, Rule> e : bad.entrySet()) {
      InvalidCoordinateException entity =
          rejects(InvalidCoordinateException.class, () -> Coordinate.of(e.getKey(), "s"));
      assertEquals(e.getValue(), entity.rule(), e.getKey());
      assertEquals(Component.ENTITY, entity.component());
      InvalidCoordinateException scope =
          rejects(InvalidCoordinateException.class, () -> Coordinate.of("e", e.getKey()));
      assertEquals(e.getValue(), scope.rule(), e.getKey());
      assertEquals(Component.SCOPE, scope.component());
    }
    // The limits are inclusive, in UTF-8 bytes, and such coordinates round-trip.
    String longest = "\u00e9".repeat(Coordinate.MAX_COMPONENT_BYTES / 2);
    store.append(Coordinate.of(longest, "\ud83d\ude00 ok"), KIND, Bytes.utf8("edge"));
    assertEquals(longest, store.stream(longest).get(0).entity());
    assertEquals("\ud83d\ude00 ok", store.stream(longest).get(0).coordinate().scope());
  }

  @Test
  void reservedKinds() {
    for (int raw : new int[] {0x0000, 0x0001, 0x0FFE, 0xD001, 0xDFFF}) {
      EventKind kind = EventKind.fromRaw(raw);
      rejects(ValidationException.class, () -> store.append(C, kind, Bytes.utf8("x")));
      rejects(
          ValidationException.class,
          () ->
              store.appendBatch(
                  List.of(
                      BatchItem.of(C, KIND, Bytes.utf8("ok")),
                      BatchItem.of(C, kind, Bytes.utf8("x")))));
      rejects(ValidationException.class, () -> store.submit(C, kind, Bytes.utf8("x"), opts()));
    }
  }

  @Test
  void payloadLimit() {
    rejects(
        ValidationException.class,
        () -> store.append(C, KIND, Bytes.ofOwned(new byte[MAX_PAYLOAD + 1])));
    rejects(
        ValidationException.class,
        () ->
            store.appendBatch(
                List.of(BatchItem.of(C, KIND, Bytes.ofOwned(new byte[MAX_PAYLOAD + 1])))));
    store.append(C, KIND, Bytes.ofOwned(new byte[MAX_PAYLOAD]));
    store.append(C, KIND, Bytes.empty());
    assertEquals(3, store.stats().eventCount());
  }

  static List<BatchItem> items(int n, int payloadBytes) {
    List<BatchItem> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(BatchItem.of(C, KIND, Bytes.ofOwned(new byte[payloadBytes])));
    }
    return out;
  }

  @Test
  void batchLimitsAndShape() {
    rejects(ValidationException.class, () -> store.appendBatch(items(MAX_BATCH_EVENTS + 1, 1)));
    rejects(ValidationException.class, () -> store.appendBatch(items(3, MAX_BATCH_BYTES / 3 + 1)));
    rejects(ValidationException.class, () -> store.appendBatch(List.of()));
    // A cause must be an earlier item: not a later one, not itself.
    rejects(
        ValidationException.class,
        () ->
            store.appendBatch(
                List.of(
                    BatchItem.of(C, KIND, Bytes.utf8("a")).causedBy(1),
                    BatchItem.of(C, KIND, Bytes.utf8("b")))));
    rejects(
        ValidationException.class,
        () ->
            store.appendBatch(
                List.of(
                    BatchItem.of(C, KIND, Bytes.utf8("a")),
                    BatchItem.of(C, KIND, Bytes.utf8("b")).causedBy(1))));
    rejects(ValidationException.class, () -> BatchItem.of(C, KIND, Bytes.utf8("a")).causedBy(-2));
    // Keys on every item or on none.
    rejects(
        ValidationException.class,
        () ->
            store.appendBatch(
                List.of(
                    BatchItem.of(C, KIND, Bytes.utf8("a"))
                        .withOptions(opts().withIdempotencyKey(IdempotencyKey.of(1, 2))),
                    BatchItem.of(C, KIND, Bytes.utf8("b")))));
    // The limits are inclusive.
    assertEquals(MAX_BATCH_EVENTS, store.appendBatch(items(MAX_BATCH_EVENTS, 1)).size());
    // maxBatchBytes bounds the encoded frame: 8 + 24 bytes of frame and body header, then per
    // item 182 bytes of record for this coordinate without extensions, then its payload.
    int exact = (MAX_BATCH_BYTES - 8 - 24) / 2 - 182;
    assertEquals(2, store.appendBatch(items(2, exact)).size());
    List<BatchItem> oneOver = new ArrayList<>(items(1, exact));
    oneOver.addAll(items(1, exact + 1));
    rejects(ValidationException.class, () -> store.appendBatch(oneOver));
  }

  @Test
  void extensionLimits() {
    AppendOptions many = opts();
    for (int i = 0; i <= StoreConfig.MAX_EXTENSIONS; i++) {
      many = many.withExtension(ExtensionKey.of("app.k" + i), Bytes.utf8("v"));
    }
    AppendOptions tooMany = many;
    rejects(ValidationException.class, () -> store.append(C, KIND, Bytes.utf8("x"), tooMany));
    AppendOptions big =
        opts()
            .withExtension(
                ExtensionKey.of("app.big"),
                Bytes.ofOwned(new byte[StoreConfig.MAX_EXTENSION_BYTES]));
    rejects(ValidationException.class, () -> store.append(C, KIND, Bytes.utf8("x"), big));
    rejects(
        ValidationException.class,
        () -> store.appendBatch(List.of(BatchItem.of(C, KIND, Bytes.utf8("x")).withOptions(big))));
    // At the limits it is accepted and read back.
    AppendOptions full = opts();
    for (int i = 0; i < StoreConfig.MAX_EXTENSIONS; i++) {
      full = full.withExtension(ExtensionKey.of("app.k" + i), Bytes.utf8("v" + i));
    }
    var r = store.append(C, KIND, Bytes.utf8("full"), full);
    assertEquals(full.extensions(), store.get(r.eventId()).header().extensions());
  }

  @Test
  void badExtensionKeys() {
    Map<String, InvalidExtensionKeyException.Rule> bad = new HashMap<>();
    bad.put("", InvalidExtensionKeyException.Rule.EMPTY);
    bad.put("app .x", InvalidExtensionKeyException.Rule.NON_ASCII);
    bad.put("app.\u00e9", InvalidExtensionKeyException.Rule.NON_ASCII);
    bad.put(
        "app." + "x".repeat(ExtensionKey.MAX_LENGTH), InvalidExtensionKeyException.Rule.TOO_LONG);
    bad.put("nodot", InvalidExtensionKeyException.Rule.INVALID_NAMESPACE_FORMAT);
    bad.put("a.b.c", InvalidExtensionKeyException.Rule.INVALID_NAMESPACE_FORMAT);
    bad.put(".x", InvalidExtensionKeyException.Rule.INVALID_NAMESPACE_FORMAT);
    bad.put("x.", InvalidExtensionKeyException.Rule.INVALID_NAMESPACE_FORMAT);
    bad.put("batpak.x", InvalidExtensionKeyException.Rule.RESERVED_NAMESPACE);
    bad.put("BatPak.x", InvalidExtensionKeyException.Rule.RESERVED_NAMESPACE);
    for (Map.Entry<String, InvalidExtensionKeyException.Rule> e : bad.entrySet()) {
      InvalidExtensionKeyException x =
          rejects(InvalidExtensionKeyException.class, () -> ExtensionKey.of(e.getKey()));
      assertEquals(e.getValue(), x.rule(), e.getKey());
    }
    ExtensionKey.of("batpakx.ok");
  }

  @Test
  void otherBadArguments() {
    rejects(ValidationException.class, () -> opts().withFlags(256));
    rejects(ValidationException.class, () -> opts().withFlags(-1));
    rejects(ValidationException.class, () -> store.queryAfter(Region.all(), -1, 0));
    rejects(ValidationException.class, () -> store.queryAfter(Region.all(), -2, 10));
    rejects(io.batpak.CodecException.class, () -> store.appendEncoded(C, KIND, new Object()));
  }

  /**
   * Bytes go to {@code append} (stored as is) and objects to {@code appendEncoded} (the codec): a
   * {@code Bytes} handed to the encoded form is refused with a message that names the raw form,
   * before anything is written, in every place the encoded form exists.
   */
  @Test
  void bytesAreNeverHandedToTheCodec() {
    Bytes raw = Bytes.utf8("raw");
    for (Executable call :
        List.<Executable>of(
            () -> store.appendEncoded(C, KIND, raw),
            () -> store.submitEncoded(C, KIND, raw, opts()),
            () -> store.appendBatch(List.of(BatchItem.encoded(C, KIND, raw))),
            () -> Payload.encoded(Payload.raw(raw)))) {
      ValidationException e = rejects(ValidationException.class, call);
      assertTrue(e.getMessage().contains("Payload.raw"), e.getMessage());
    }
    AppendReceipt r = store.append(C, KIND, raw);
    assertEquals(raw, store.get(r.eventId()).payload(), "raw bytes are stored as they are");
  }

  @Test
  void directoriesThatCannotHoldAStore() throws Exception {
    Path file = dir.resolve("a-file");
    java.nio.file.Files.write(file, new byte[] {1});
    assertThrows(
        io.batpak.StoreIoException.class, () -> Store.open(StoreConfig.builder(file).build()));
    Path missing = dir.resolve("missing");
    assertThrows(
        io.batpak.StoreIoException.class,
        () -> Store.open(StoreConfig.builder(missing).readOnly(true).build()));
    assertTrue(!java.nio.file.Files.exists(missing), "a read-only open creates nothing");
    assertEquals(1, java.nio.file.Files.size(file));
  }

  /**
   * A store directory that is a file, or lies below one, is refused with a message that says so and
   * what to do; it used to be "opening the store in X failed: X", the bare path of the
   * NotDirectoryException.
   */
  @Test
  void aStoreDirectoryThatIsAFileIsNamedAsSuch() throws Exception {
    Path file = dir.resolve("a-file");
    java.nio.file.Files.write(file, new byte[] {1});
    for (StoreConfig config :
        List.of(
            StoreConfig.builder(file).build(),
            StoreConfig.builder(file.resolve("below")).build(),
            StoreConfig.builder(file).readOnly(true).build())) {
      io.batpak.StoreIoException e =
          assertThrows(io.batpak.StoreIoException.class, () -> Store.open(config));
      assertTrue(
          e.getMessage().contains(file + " is a file, not a directory")
              && e.getMessage().contains("name a directory"),
          config.directory() + ": " + e.getMessage());
    }
    assertEquals(1, java.nio.file.Files.size(file));
  }

  @Test
  void configBuilderListsEveryBadOptionAtOnce() throws Exception {
    Supplier<StoreConfig.Builder> b = () -> StoreConfig.builder(dir.resolve("never"));
    try (StoreFs fs = StoreFixtures.posix()) {
      checkEveryBadOption(b, fs);
    }
    assertThrows(ValidationException.class, () -> b.get().durability(null).build(), "durability");
    assertEquals(Durability.VISIBLE, b.get().visible(1, Duration.ofMillis(1)).build().durability());
    assertTrue(!java.nio.file.Files.exists(dir.resolve("never")), "building opens nothing");
  }

  private static void checkEveryBadOption(Supplier<StoreConfig.Builder> b, StoreFs fs) {
    ValidationException e =
        assertThrows(
            ValidationException.class,
            () ->
                b.get()
                    .visible(0, Duration.ZERO)
                    .segmentMaxBytes(100)
                    .queueCapacity(0)
                    .whenQueueFull(null, Duration.ofSeconds(-1))
                    .maxGroupEvents(0)
                    .maxPayloadBytes(StoreConfig.MAX_PAYLOAD_BYTES_LIMIT + 1)
                    .maxBatchEvents(StoreConfig.MAX_BATCH_EVENTS_LIMIT + 1)
                    .maxBatchBytes(0)
                    .closeTimeout(Duration.ZERO)
                    .syncMode(null)
                    .fs(fs)
                    .fsBackend("posix")
                    .codec("Not A Codec")
                    .build());
    String m = e.getMessage();
    for (String option :
        List.of(
            "visibleSyncEveryEvents",
            "visibleSyncInterval",
            "segmentMaxBytes",
            "queueCapacity",
            "queueFullPolicy",
            "queueFullTimeout",
            "maxGroupEvents",
            "maxPayloadBytes",
            "maxBatchEvents",
            "maxBatchBytes",
            "closeTimeout",
            "syncMode",
            "fsBackend",
            "codec")) {
      assertTrue(m.contains(option + ":") || m.contains(option + " "), option + " in: " + m);
    }
    assertTrue(m.contains("100") && m.contains("4096"), "value and range: " + m);
    assertEquals(14, m.split("\n").length - 1, "one line per bad option: " + m);
  }
}
