package io.batpak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.CodecException;
import io.batpak.Coordinate;
import io.batpak.EventKind;
import io.batpak.ProviderException;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.ValidationException;
import io.batpak.fs.sim.SimStoreFs;
import io.batpak.spi.StoreEngine;
import java.io.File;
import java.io.IOException;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 8, defect 14, end to end: a store keeps the codec it was created with for life, and every
 * message about a codec says what is true and what the user can do, with {@code batpak-codec} on
 * the class path (this module's test class path) and without it (the engine loaded in its own class
 * loader, whose parent {@link ApiOnlyClassLoader} hides everything but {@code api} and {@code
 * fs-spi}, so its {@link java.util.ServiceLoader} finds no codec). Both open the same {@link
 * SimStoreFs}, passed as an instance. Every message is asserted in full.
 */
class CodecMessagesIT {

  private static final Path DIR = Path.of("/stores/orders");
  private static final Coordinate C = Coordinate.of("order-1", "shop");
  private static final EventKind KIND = EventKind.custom(1, 1);

  /** An object payload for the json codec. */
  public record OrderPlaced(String sku, int qty) {}

  private final SimStoreFs fs = new SimStoreFs(8);

  private StoreConfig.Builder config() {
    return StoreConfig.builder(DIR).fs(fs);
  }

  /** The class loaders of engines without a codec, closed after each test. */
  private final List<URLClassLoader> loaders = new ArrayList<>();

  @AfterEach
  void closeLoaders() throws IOException {
    for (URLClassLoader l : loaders) {
      l.close();
    }
  }

  /**
   * Opens {@code config} with an engine that sees no codec. Its class loader stays open until the
   * test ends, since the store loads classes lazily.
   */
  private Store openWithoutCodec(StoreConfig config) throws Exception {
    StoreEngine engine =
        ApiOnlyClassLoader.engineSeeing(
            "no-codec",
            List.of(
                TestClasspath.requireModule("engine").toUri().toURL(), bcprov().toUri().toURL()),
            CodecMessagesIT.class,
            loaders);
    return engine.open(config);
  }

  private static Path bcprov() {
    Pattern jar = Pattern.compile("bcprov-[^" + Pattern.quote(File.separator) + "]*\\.jar");
    for (Path p : TestClasspath.entries()) {
      if (jar.matcher(p.getFileName().toString()).matches()) {
        return p;
      }
    }
    throw new IllegalStateException("bcprov is not in the test class path");
  }

  @Test
  void aStoreCreatedWithoutACodecStaysBytesWhenTheCodecArrives() throws Exception {
    try (Store store = openWithoutCodec(config().build())) {
      store.append(C, KIND, Bytes.utf8("{\"qty\":1,\"sku\":\"A-1\"}"));
    }
    try (Store store = Store.open(config().build())) {
      assertEquals(
          "bytes", store.openReport().codec(), "the codec on the class path changes nothing");
      CodecException e =
          assertThrows(
              CodecException.class, () -> store.appendEncoded(C, KIND, new OrderPlaced("A-1", 2)));
      assertEquals(
          "cannot encode a payload of type io.batpak.it.CodecMessagesIT$OrderPlaced: this store"
              + " has no payload codec. It was created without one (its segment headers name codec"
              + " 'bytes'), and a store keeps its codec for life, even now that a codec is on the"
              + " class path (cbor, json). Pass the payload as Bytes (encode it yourself), or create a"
              + " new store while io.batpak:batpak-codec is on the class path (it then uses codec"
              + " 'json') and copy the events into it. See docs/codecs.md#bytes-stores",
          e.getMessage());
      // What the message offers works: Bytes the application encoded itself.
      store.append(C, KIND, Bytes.utf8("{\"qty\":2,\"sku\":\"A-1\"}"));
      assertEquals(2, store.stats().eventCount());
    }
    ValidationException withOption =
        assertThrows(ValidationException.class, () -> Store.open(config().codec("json").build()));
    assertEquals(
        "the store in /stores/orders was created without a payload codec: its segment headers"
            + " name codec 'bytes', and a store keeps its codec for life, so it cannot be opened"
            + " with codec 'json', even though that codec is on the class path now. Remove the"
            + " codec option to open it as a 'bytes' store (it takes Bytes payloads, which you"
            + " encode yourself), or create a new store with codec 'json' and copy the events into"
            + " it. See docs/codecs.md#bytes-stores",
        withOption.getMessage());
  }

  @Test
  void aJsonStoreOpenedWithoutTheCodecNamesTheArtifact() throws Exception {
    AppendReceipt typed;
    try (Store store = Store.open(config().build())) {
      assertEquals("json", store.openReport().codec());
      typed = store.appendEncoded(C, KIND, new OrderPlaced("A-1", 2));
    }
    try (Store store = openWithoutCodec(config().build())) {
      assertEquals("json", store.openReport().codec(), "the store's codec, though missing");
      // Bytes payloads and raw reads need no codec.
      AppendReceipt raw = store.append(C, KIND, Bytes.utf8("{\"qty\":3,\"sku\":\"B-2\"}"));
      assertEquals("{\"qty\":2,\"sku\":\"A-1\"}", store.get(typed.eventId()).payload().toUtf8());
      CodecException onAppend =
          assertThrows(
              CodecException.class, () -> store.appendEncoded(C, KIND, new OrderPlaced("C-3", 1)));
      assertEquals(
          "cannot encode a payload of type io.batpak.it.CodecMessagesIT$OrderPlaced: this"
              + " store's codec is 'json' (its segment headers name it), and no codec of that name"
              + " is on the class path or module path (codecs found: none). Add"
              + " io.batpak:batpak-codec, which provides codec 'json', to the class path or module"
              + " path, or pass the payload as Bytes (encoded with codec 'json'). See"
              + " docs/codecs.md#missing-codec",
          onAppend.getMessage());
      CodecException onGet =
          assertThrows(CodecException.class, () -> store.get(typed.eventId(), OrderPlaced.class));
      assertEquals(
          "cannot decode event "
              + typed.eventId()
              + " as io.batpak.it.CodecMessagesIT$OrderPlaced: this store's codec is 'json' (its"
              + " segment headers name it), and no codec of that name is on the class path or"
              + " module path (codecs found: none). Add io.batpak:batpak-codec, which provides"
              + " codec 'json', to the class path or module path, or read the payload with"
              + " get(id).payload() and decode it yourself. See docs/codecs.md#missing-codec",
          onGet.getMessage());
      assertEquals(2, store.stats().eventCount());
      assertEquals(1, raw.streamSequence());
    }
    ProviderException asked =
        assertThrows(
            ProviderException.class, () -> openWithoutCodec(config().codec("json").build()));
    assertEquals(
        "BATPAK-CODEC-002 the configuration asks for codec 'json', the codec of the store in"
            + " /stores/orders, and"
            + " no codec of that name is on the class path or module path (codecs found: none)."
            + " Add io.batpak:batpak-codec, which provides codec 'json', to the class path or"
            + " module path, or remove the codec option to open the store without it (Bytes"
            + " payloads and get(id).payload() still work). See docs/codecs.md#missing-codec",
        asked.getMessage());
    // Back with the codec, both events decode.
    try (Store store = Store.open(config().build())) {
      assertEquals(new OrderPlaced("A-1", 2), store.get(typed.eventId(), OrderPlaced.class));
    }
  }

  @Test
  void anUnknownCodecForANewStoreListsTheCodecsFound() {
    ProviderException e =
        assertThrows(ProviderException.class, () -> Store.open(config().codec("nope").build()));
    assertEquals(
        "BATPAK-CODEC-002 the configuration asks for codec 'nope' for the new store in"
            + " /stores/orders, and no"
            + " codec of that name is on the class path or module path. Codecs found: cbor, json (and"
            + " 'bytes', a store without a payload codec). Add the artifact that provides codec"
            + " 'nope' to the class path or module path, name a codec that was found, or remove"
            + " the codec option (a new store then uses 'json' when it is on the class path, else"
            + " 'bytes'). A store keeps the codec it is created with for life. See"
            + " docs/codecs.md#choosing-a-codec",
        e.getMessage());
  }
}
