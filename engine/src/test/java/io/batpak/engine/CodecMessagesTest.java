package io.batpak.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.CodecException;
import io.batpak.Coordinate;
import io.batpak.ProviderException;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.ValidationException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8, defect 14: what the store says about its payload codec when no codec is on the class
 * path (the engine's tests run without {@code batpak-codec}). A store created that way is a {@code
 * bytes} store for life; every message says so and names a way forward. The same situations with
 * the codec on the class path are in {@code it}'s {@code CodecMessagesIT}.
 */
class CodecMessagesTest {

  private static final Coordinate C = Coordinate.of("order-1", "shop");

  /** An object payload, which only a codec can turn into bytes. */
  record OrderPlaced(String sku, int qty) {}

  @TempDir Path dir;

  private Store open(StoreConfig.Builder b) {
    return Store.open(b.build());
  }

  @Test
  void aBytesStoreGivenAnObjectSaysItKeepsBytesForLifeAndWhatToDo() {
    AppendReceipt r;
    try (Store store = open(StoreConfig.builder(dir))) {
      assertEquals("bytes", store.openReport().codec());
      r = store.append(C, StoreFixtures.KIND, Bytes.utf8("{\"sku\":\"A-1\"}"));
      CodecException e =
          assertThrows(
              CodecException.class,
              () -> store.appendEncoded(C, StoreFixtures.KIND, new OrderPlaced("A-1", 2)));
      assertEquals(
          "cannot encode a payload of type io.batpak.engine.CodecMessagesTest$OrderPlaced: this"
              + " store has no payload codec. It was created without one (its segment headers name"
              + " codec 'bytes'), and a store keeps its codec for life. Pass the payload as Bytes"
              + " (encode it yourself), or create a new store while io.batpak:batpak-codec is on"
              + " the class path (it then uses codec 'json') and copy the events into it. See"
              + " docs/codecs.md#bytes-stores",
          e.getMessage());
      CodecException onGet =
          assertThrows(CodecException.class, () -> store.get(r.eventId(), OrderPlaced.class));
      assertEquals(
          "cannot decode event "
              + r.eventId()
              + " as io.batpak.engine.CodecMessagesTest$OrderPlaced: this store has no payload"
              + " codec. It was created without one (its segment headers name codec 'bytes'), and"
              + " a store keeps its codec for life, so its payloads are the bytes the application"
              + " passed. Read them with get(id).payload() and decode them"
              + " yourself. See docs/codecs.md#bytes-stores",
          onGet.getMessage());
      assertEquals(1, store.stats().eventCount(), "the refused append wrote nothing");
    }
  }

  @Test
  void aBytesStoreOpenedWithTheJsonOptionSaysRemovingItOpensTheStore() {
    try (Store store = open(StoreConfig.builder(dir))) {
      store.append(C, StoreFixtures.KIND, Bytes.utf8("a"));
    }
    ValidationException e =
        assertThrows(ValidationException.class, () -> open(StoreConfig.builder(dir).codec("json")));
    assertEquals(
        "the store in "
            + dir
            + " was created without a payload codec: its segment headers name codec 'bytes', and"
            + " a store keeps its codec for life, so it cannot be opened with codec 'json'. Remove"
            + " the codec option to open it as a 'bytes' store (it takes Bytes payloads, which you"
            + " encode yourself), or create a new store with codec 'json' and copy the events into"
            + " it. See docs/codecs.md#bytes-stores",
        e.getMessage());
    // What the message promises: without the option the store opens, and so does 'bytes'.
    try (Store store = open(StoreConfig.builder(dir))) {
      assertEquals(1, store.stats().eventCount());
      assertEquals("bytes", store.openReport().codec());
    }
    try (Store store = open(StoreConfig.builder(dir).codec("bytes"))) {
      assertEquals(1, store.stats().eventCount());
    }
  }

  @Test
  void aNewStoreAskingForJsonWithoutTheCodecNamesTheArtifact() throws Exception {
    Path fresh = dir.resolve("fresh");
    ProviderException e =
        assertThrows(ProviderException.class, () -> open(StoreConfig.builder(fresh).codec("json")));
    assertEquals(
        "BATPAK-CODEC-002 the configuration asks for codec 'json' for the new store in "
            + fresh
            + ", and no codec of that name is on the class path or module path. Codecs found:"
            + " none (and 'bytes', a store without a payload codec). Add io.batpak:batpak-codec,"
            + " which provides codec 'json', to the class path or module path, name a codec that"
            + " was found, or remove the codec option (a new store then uses 'json' when it is on"
            + " the class path, else 'bytes'). A store keeps the codec it is created with for"
            + " life. See docs/codecs.md#choosing-a-codec",
        e.getMessage());
    assertNoSegments(fresh);
  }

  @Test
  void aNewStoreAskingForAnUnknownCodecListsTheCodecsFound() throws Exception {
    Path fresh = dir.resolve("fresh");
    ProviderException e =
        assertThrows(ProviderException.class, () -> open(StoreConfig.builder(fresh).codec("nope")));
    assertEquals(
        "BATPAK-CODEC-002 the configuration asks for codec 'nope' for the new store in "
            + fresh
            + ", and no codec of that name is on the class path or module path. Codecs found:"
            + " none (and 'bytes', a store without a payload codec). Add the artifact that"
            + " provides codec 'nope' to the class path or module path, name a codec that was"
            + " found, or remove the codec option (a new store then uses 'json' when it is on the"
            + " class path, else 'bytes'). A store keeps the codec it is created with for life."
            + " See docs/codecs.md#choosing-a-codec",
        e.getMessage());
    assertNoSegments(fresh);
  }

  /** A refused open wrote no segment, so the store was not created with a codec it lacks. */
  private static void assertNoSegments(Path store) throws Exception {
    if (Files.isDirectory(store)) {
      try (var files = Files.list(store)) {
        assertFalse(
            files.anyMatch(p -> p.getFileName().toString().endsWith(".seg")),
            "a refused open left a segment in " + store);
      }
    }
  }
}
