package io.batpak.it.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.batpak.AppendReceipt;
import io.batpak.Coordinate;
import io.batpak.EventKind;
import io.batpak.EventType;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.ValidationException;
import io.batpak.codec.cbor.CborCodec;
import io.batpak.codec.json.JsonCodec;
import io.batpak.fs.sim.SimStoreFs;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A store created with {@code .codec("cbor")} on {@link SimStoreFs}: typed and encoded appends are
 * stored as the codec's bytes, survive a reopen, and read back as equal values; the codec is the
 * store's for life, so opening it with {@code json} (or a {@code json} store with {@code cbor}) is
 * the usual {@link ValidationException}.
 */
class CborStoreTest {

  private static final Path DIR = Path.of("/stores/orders");
  private static final Coordinate C = Coordinate.of("order-1", "shop");
  private static final EventKind KIND = EventKind.custom(1, 2);

  /** A typed event. */
  @EventType(category = 1, typeId = 1)
  public record OrderPlaced(
      String sku, int qty, Optional<String> note, Instant at, Map<String, List<Integer>> lots) {}

  private final SimStoreFs fs = new SimStoreFs(8);

  private StoreConfig.Builder config() {
    return StoreConfig.builder(DIR).fs(fs);
  }

  @Test
  void cborPayloadsSurviveAReopen() {
    OrderPlaced typed =
        new OrderPlaced(
            "SKU-\ud83d\ude00",
            3,
            Optional.of("gift"),
            Instant.parse("2026-12-04T10:00:00.5Z"),
            Map.of("b", List.of(2), "a", List.of(1, 1)));
    OrderPlaced encoded = new OrderPlaced("SKU-2", 1, Optional.empty(), Instant.EPOCH, Map.of());
    AppendReceipt first;
    AppendReceipt second;
    try (Store store = Store.open(config().codec("cbor").build())) {
      assertEquals("cbor", store.openReport().codec());
      first = store.appendTyped(C, typed);
      second = store.appendEncoded(C, KIND, encoded);
    }
    try (Store store = Store.open(config().build())) {
      assertEquals("cbor", store.openReport().codec(), "the store's codec, without the option");
      assertEquals(typed, store.get(first.eventId(), OrderPlaced.class));
      assertEquals(encoded, store.get(second.eventId(), OrderPlaced.class));
      // What is stored (and hashed) is exactly the codec's encoding.
      assertEquals(new CborCodec().encode(typed), store.get(first.eventId()).payload());
      assertEquals(new CborCodec().encode(encoded), store.get(second.eventId()).payload());
    }
    try (Store store = Store.open(config().codec("cbor").build())) {
      assertEquals(typed, store.get(first.eventId(), OrderPlaced.class));
    }
  }

  @Test
  void aCborStoreOpenedAsJsonIsRefused() {
    try (Store store = Store.open(config().codec("cbor").build())) {
      store.appendEncoded(C, KIND, List.of(1, 2));
    }
    ValidationException e =
        assertThrows(ValidationException.class, () -> Store.open(config().codec("json").build()));
    assertEquals(
        "the store in /stores/orders was created with codec 'cbor' (its segment headers name it),"
            + " and a store keeps its codec for life, so it cannot be opened with codec 'json'."
            + " Remove the codec option (the store then uses 'cbor') or set it to 'cbor'. See"
            + " docs/codecs.md#choosing-a-codec",
        e.getMessage());
  }

  @Test
  void aJsonStoreOpenedAsCborIsRefused() {
    OrderPlaced value = new OrderPlaced("A", 1, Optional.empty(), Instant.EPOCH, Map.of());
    AppendReceipt r;
    try (Store store = Store.open(config().build())) {
      assertEquals("json", store.openReport().codec(), "json stays the default");
      r = store.appendTyped(C, value);
    }
    ValidationException e =
        assertThrows(ValidationException.class, () -> Store.open(config().codec("cbor").build()));
    assertEquals(
        "the store in /stores/orders was created with codec 'json' (its segment headers name it),"
            + " and a store keeps its codec for life, so it cannot be opened with codec 'cbor'."
            + " Remove the codec option (the store then uses 'json') or set it to 'json'. See"
            + " docs/codecs.md#choosing-a-codec",
        e.getMessage());
    try (Store store = Store.open(config().build())) {
      assertEquals(new JsonCodec().encode(value), store.get(r.eventId()).payload());
    }
  }
}
