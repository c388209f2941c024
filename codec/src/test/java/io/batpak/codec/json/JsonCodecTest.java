package io.batpak.codec.json;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.Bytes;
import io.batpak.CodecException;
import io.batpak.codec.CodecContractTest;
import io.batpak.spi.Codec;
import io.batpak.spi.CodecProvider;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class JsonCodecTest extends CodecContractTest {

  /** A line of an order. */
  public record OrderLine(String sku, int quantity, BigDecimal unitPrice) {}

  /** The golden record: components deliberately declared out of alphabetical order. */
  public record OrderPlaced(
      String orderId,
      String customerId,
      List<OrderLine> lines,
      Map<String, String> attributes,
      Instant placedAt,
      Status status,
      Optional<String> note) {}

  /** An enum in a payload. */
  public enum Status {
    NEW,
    PAID
  }

  /** Nested generics and collections. */
  public record Nested(Map<String, List<Map<String, Integer>>> deep, Set<String> tags, long[] ids) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Nested n
          && deep.equals(n.deep)
          && tags.equals(n.tags)
          && java.util.Arrays.equals(ids, n.ids);
    }

    @Override
    public int hashCode() {
      return deep.hashCode();
    }
  }

  /** A type Jackson cannot write: no properties. */
  public static final class Opaque {}

  private final Codec codec = new JsonCodec();

  @Override
  protected Codec codec() {
    return new JsonCodec();
  }

  @Override
  protected Bytes garbage() {
    return Bytes.utf8("{\"unterminated\": [1, 2");
  }

  private static OrderPlaced sampleOrder() {
    Map<String, String> attributes = new LinkedHashMap<>();
    attributes.put("channel", "web");
    attributes.put("campaign", "autumn");
    return new OrderPlaced(
        "order:1001",
        "customer:42",
        List.of(
            new OrderLine("SKU-1", 2, new BigDecimal("9.95")),
            new OrderLine("SKU-ü", 1, new BigDecimal("100"))),
        attributes,
        Instant.parse("2026-11-25T17:00:00.123456Z"),
        Status.NEW,
        Optional.of("leave at the door"));
  }

  @Test
  void nameIsJson() {
    assertEquals("json", codec.name());
    assertEquals(JsonCodec.NAME, new JsonCodecProvider().name());
    assertEquals("json", new JsonCodecProvider().create().name());
  }

  @Test
  void providerIsFoundByServiceLoader() {
    List<String> names = new ArrayList<>();
    for (CodecProvider p : ServiceLoader.load(CodecProvider.class)) {
      names.add(p.name());
    }
    assertTrue(names.contains("json"), "providers found: " + names);
  }

  @Test
  void goldenBytesForOneRecord() {
    String expected =
        "{\"attributes\":{\"campaign\":\"autumn\",\"channel\":\"web\"},"
            + "\"customerId\":\"customer:42\","
            + "\"lines\":[{\"quantity\":2,\"sku\":\"SKU-1\",\"unitPrice\":9.95},"
            + "{\"quantity\":1,\"sku\":\"SKU-ü\",\"unitPrice\":100}],"
            + "\"note\":\"leave at the door\","
            + "\"orderId\":\"order:1001\","
            + "\"placedAt\":\"2026-11-25T17:00:00.123456Z\","
            + "\"status\":\"NEW\"}";
    Bytes encoded = codec.encode(sampleOrder());
    assertEquals(expected, encoded.toUtf8());
    assertArrayEquals(expected.getBytes(StandardCharsets.UTF_8), encoded.toByteArray());
    // the 'ü' is raw UTF-8 (0xC3 0xBC), never a \\u escape
    assertTrue(encoded.toHex().contains("c3bc"));
  }

  @Test
  void recordRoundTrips() {
    OrderPlaced order = sampleOrder();
    assertEquals(order, codec.decode(codec.encode(order), OrderPlaced.class));
  }

  @Test
  void emptyOptionalRoundTrips() {
    OrderPlaced order =
        new OrderPlaced(
            "o", "c", List.of(), Map.of(), Instant.EPOCH, Status.PAID, Optional.empty());
    assertEquals(order, codec.decode(codec.encode(order), OrderPlaced.class));
  }

  @Test
  void mapsListsAndNestedTypesRoundTrip() {
    Map<String, Object> map = new HashMap<>();
    map.put("count", 3);
    map.put("names", List.of("a", "b"));
    map.put("inner", Map.of("x", true));
    map.put("nothing", null);
    @SuppressWarnings("unchecked")
    Map<String, Object> decodedMap = codec.decode(codec.encode(map), Map.class);
    assertEquals(map, decodedMap);

    List<Object> list = List.of(1, "two", List.of(3.5), Map.of("k", "v"));
    assertEquals(list, codec.decode(codec.encode(list), List.class));

    Nested nested =
        new Nested(
            Map.of("a", List.of(Map.of("x", 1, "y", 2)), "b", List.of()),
            Set.of("blue", "red"),
            new long[] {Long.MIN_VALUE, 0, Long.MAX_VALUE});
    assertEquals(nested, codec.decode(codec.encode(nested), Nested.class));

    assertEquals("plain", codec.decode(codec.encode("plain"), String.class));
    assertEquals(42L, codec.decode(codec.encode(42L), Long.class));
  }

  @Test
  void sameValueSameBytes() {
    Bytes first = codec.encode(sampleOrder());
    for (int i = 0; i < 10; i++) {
      assertEquals(first, codec.encode(sampleOrder()));
      assertEquals(first, new JsonCodec().encode(sampleOrder()));
    }
  }

  @Test
  void mapInsertionOrderDoesNotMatter() {
    Map<String, Object> forward = new LinkedHashMap<>();
    Map<String, Object> backward = new LinkedHashMap<>();
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      keys.add("key-" + i);
    }
    for (String k : keys) {
      forward.put(k, Map.of("v", k, "w", List.of(k)));
    }
    for (int i = keys.size() - 1; i >= 0; i--) {
      String k = keys.get(i);
      Map<String, Object> inner = new LinkedHashMap<>();
      inner.put("w", List.of(k));
      inner.put("v", k);
      backward.put(k, inner);
    }
    assertEquals(codec.encode(forward), codec.encode(backward));
    assertEquals(codec.encode(forward), codec.encode(new TreeMap<>(backward)));
    assertEquals(
        "{\"a\":1,\"b\":2,\"c\":3}",
        codec.encode(new LinkedHashMap<>(Map.of("c", 3, "a", 1, "b", 2))).toUtf8());
  }

  @Test
  void setInsertionOrderDoesNotMatter() {
    Set<String> one = new HashSet<>();
    Set<String> two = new java.util.LinkedHashSet<>();
    for (int i = 0; i < 40; i++) {
      one.add("t" + i);
      two.add("t" + (39 - i));
    }
    assertEquals(codec.encode(one), codec.encode(two));
  }

  @Test
  void encodeFailureNamesTypeAndReason() {
    CodecException e = assertThrows(CodecException.class, () -> codec.encode(new Opaque()));
    assertTrue(e.getMessage().contains(Opaque.class.getName()), e.getMessage());
    assertTrue(e.getMessage().contains("cannot encode"), e.getMessage());
    assertNotNull(e.getCause());
  }

  /** A record whose map has keys of two types, which the codec cannot order. */
  public record Tagged(Map<Object, String> tags) {}

  @Test
  void aRecordIsNotToldToGrowPublicAccessors() {
    Map<Object, String> mixed = new HashMap<>();
    mixed.put(1, "one");
    mixed.put("two", "two");
    CodecException e = assertThrows(CodecException.class, () -> codec.encode(new Tagged(mixed)));
    // Issue 8, defect 13: the old advice ("give the type public accessors") was wrong for a
    // record, which has them. On the class path no module advice applies either.
    assertTrue(
        e.getMessage()
            .startsWith(
                "json codec cannot encode a value of type " + Tagged.class.getName() + ": "),
        e.getMessage());
    assertTrue(
        e.getMessage()
            .endsWith(
                ". Use component types Jackson can write, and map keys and set elements of one"
                    + " comparable type."),
        e.getMessage());
    assertTrue(!e.getMessage().contains("opens "), e.getMessage());
  }

  @Test
  void incomparableMapKeysAreRefused() {
    Map<Object, String> mixed = new HashMap<>();
    mixed.put(1, "one");
    mixed.put("two", "two");
    CodecException e = assertThrows(CodecException.class, () -> codec.encode(mixed));
    assertTrue(e.getMessage().contains(HashMap.class.getName()), e.getMessage());
  }

  @Test
  void decodeFailureNamesTypeAndReason() {
    CodecException wrongType =
        assertThrows(
            CodecException.class,
            () ->
                codec.decode(
                    Bytes.utf8("{\"sku\":\"A\",\"quantity\":\"many\",\"unitPrice\":1}"),
                    OrderLine.class));
    assertAll(
        () -> assertTrue(wrongType.getMessage().contains(OrderLine.class.getName())),
        () -> assertTrue(wrongType.getMessage().contains("quantity"), wrongType.getMessage()),
        () -> assertTrue(wrongType.getMessage().contains("many"), wrongType.getMessage()));

    CodecException notJson =
        assertThrows(
            CodecException.class, () -> codec.decode(Bytes.utf8("{\"sku\":"), OrderLine.class));
    assertTrue(notJson.getMessage().contains(OrderLine.class.getName()), notJson.getMessage());
    assertTrue(notJson.getMessage().contains("end-of-input"), notJson.getMessage());

    CodecException trailing =
        assertThrows(
            CodecException.class, () -> codec.decode(Bytes.utf8("\"a\" \"b\""), String.class));
    assertTrue(trailing.getMessage().contains("String"), trailing.getMessage());

    CodecException empty =
        assertThrows(CodecException.class, () -> codec.decode(Bytes.empty(), OrderLine.class));
    assertTrue(empty.getMessage().contains("0 bytes"), empty.getMessage());

    CodecException literalNull =
        assertThrows(CodecException.class, () -> codec.decode(Bytes.utf8("null"), OrderLine.class));
    assertTrue(literalNull.getMessage().contains("null"), literalNull.getMessage());

    CodecException nullPrimitive =
        assertThrows(
            CodecException.class,
            () ->
                codec.decode(
                    Bytes.utf8("{\"sku\":\"A\",\"quantity\":null,\"unitPrice\":1}"),
                    OrderLine.class));
    assertInstanceOf(CodecException.class, nullPrimitive);
    assertTrue(nullPrimitive.getMessage().contains("quantity"), nullPrimitive.getMessage());
  }

  @Test
  void unknownPropertiesAreIgnoredOnDecode() {
    OrderLine line =
        codec.decode(
            Bytes.utf8("{\"addedLater\":true,\"quantity\":2,\"sku\":\"A\",\"unitPrice\":1.5}"),
            OrderLine.class);
    assertEquals(new OrderLine("A", 2, new BigDecimal("1.5")), line);
  }

  @Test
  void nullArgumentsAreRefused() {
    assertThrows(NullPointerException.class, () -> codec.encode(null));
    assertThrows(NullPointerException.class, () -> codec.decode(null, String.class));
    assertThrows(NullPointerException.class, () -> codec.decode(Bytes.utf8("1"), null));
  }
}
