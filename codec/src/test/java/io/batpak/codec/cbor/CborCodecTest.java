package io.batpak.codec.cbor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.Bytes;
import io.batpak.CodecException;
import io.batpak.codec.CodecContractTest;
import io.batpak.spi.Codec;
import io.batpak.spi.CodecProvider;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CborCodecTest extends CodecContractTest {

  /** A small record, components out of alphabetical order. */
  public record Line(String sku, int qty) {}

  private final Codec codec = new CborCodec();

  @Override
  protected Codec codec() {
    return new CborCodec();
  }

  @Override
  protected Bytes garbage() {
    // A definite-length map of 3 entries that ends after its first key.
    return Bytes.fromHex("a36161");
  }

  @Test
  void nameIsCbor() {
    assertEquals("cbor", codec.name());
    assertEquals(CborCodec.NAME, new CborCodecProvider().name());
    assertEquals("cbor", new CborCodecProvider().create().name());
  }

  @Test
  void providerIsFoundByServiceLoaderBesideJson() {
    List<String> names = new ArrayList<>();
    for (CodecProvider p : ServiceLoader.load(CodecProvider.class)) {
      names.add(p.name());
    }
    assertTrue(names.contains("cbor") && names.contains("json"), "providers found: " + names);
  }

  @Test
  void plainValuesAreRfc8949Items() {
    // Readable by any CBOR tool: the items of RFC 8949 appendix A.
    assertEquals("00", codec.encode(0).toHex());
    assertEquals("1864", codec.encode(100L).toHex(), "shortest form, whatever the Java type");
    assertEquals("3903e7", codec.encode(-1000).toHex());
    assertEquals("f5", codec.encode(true).toHex());
    assertEquals("6449455446", codec.encode("IETF").toHex());
    assertEquals("83010203", codec.encode(List.of(1, 2, 3)).toHex());
    // Maps are CBOR maps of indefinite length (bf ... ff), in key order; integer keys stay
    // integers.
    assertEquals("bf01020304ff", codec.encode(Map.of(3, 4, 1, 2)).toHex());
  }

  @Test
  void aRecordIsAMapWithItsPropertiesInAlphabeticalOrder() {
    // bf (map of indefinite length) "qty" 2 "sku" "A" ff (break)
    assertEquals("bf637174790263736b756141ff", codec.encode(new Line("A", 2)).toHex());
    assertEquals(
        new Line("A", 2), codec.decode(Bytes.fromHex("bf637174790263736b756141ff"), Line.class));
    // Definite length and any key order decode too (what other CBOR tools write).
    assertEquals(
        new Line("A", 2), codec.decode(Bytes.fromHex("a263736b7561416371747902"), Line.class));
  }

  @Test
  void repeatedStringsAreWrittenInFullEachTime() {
    // No stringref (tag 25/256): an item never refers to an earlier one.
    String s = "warehouse-north";
    Bytes one = codec.encode(List.of(s));
    Bytes three = codec.encode(List.of(s, s, s));
    assertEquals(1 + 3 * (one.size() - 1), three.size());
  }

  @Test
  void insertionOrderDoesNotMatter() {
    Map<String, Object> forward = new LinkedHashMap<>();
    Map<String, Object> backward = new LinkedHashMap<>();
    for (int i = 0; i < 50; i++) {
      forward.put("key-" + i, List.of(i));
      backward.put("key-" + (49 - i), List.of(49 - i));
    }
    assertEquals(codec.encode(forward), codec.encode(backward));
    Set<String> one = new HashSet<>();
    Set<String> two = new java.util.LinkedHashSet<>();
    for (int i = 0; i < 40; i++) {
      one.add("t" + i);
      two.add("t" + (39 - i));
    }
    assertEquals(codec.encode(one), codec.encode(two));
  }

  @Test
  void incomparableMapKeysAreRefused() {
    Map<Object, String> mixed = new HashMap<>();
    mixed.put(1, "one");
    mixed.put("two", "two");
    CodecException e = assertThrows(CodecException.class, () -> codec.encode(mixed));
    assertTrue(
        e.getMessage().startsWith("cbor codec cannot encode a value of type java.util.HashMap: "),
        e.getMessage());
  }

  @Test
  void decodeFailuresNameTheTypeAndTheReason() {
    CodecException wrongType =
        assertThrows(
            CodecException.class,
            // {"qty": "many", "sku": "A"}
            () -> codec.decode(Bytes.fromHex("a263717479646d616e7963736b756141"), Line.class));
    assertTrue(
        wrongType
            .getMessage()
            .startsWith("cbor codec cannot decode 16 bytes as " + Line.class.getName()),
        wrongType.getMessage());
    assertTrue(wrongType.getMessage().contains("qty"), wrongType.getMessage());

    CodecException truncated =
        assertThrows(CodecException.class, () -> codec.decode(Bytes.fromHex("bf6371"), Line.class));
    assertTrue(truncated.getMessage().contains(Line.class.getName()), truncated.getMessage());

    CodecException trailing =
        assertThrows(
            CodecException.class,
            () -> codec.decode(Bytes.fromHex("6141 6142".replace(" ", "")), String.class));
    assertTrue(trailing.getMessage().contains("java.lang.String"), trailing.getMessage());

    CodecException empty =
        assertThrows(CodecException.class, () -> codec.decode(Bytes.empty(), Line.class));
    assertTrue(empty.getMessage().contains("0 bytes"), empty.getMessage());

    CodecException cborNull =
        assertThrows(CodecException.class, () -> codec.decode(Bytes.fromHex("f6"), Line.class));
    assertEquals(
        "cbor codec cannot decode 1 bytes as "
            + Line.class.getName()
            + ": the CBOR data item is null, which is no value of that type",
        cborNull.getMessage());

    CodecException nullPrimitive =
        assertThrows(
            CodecException.class,
            // {"qty": null, "sku": "A"}
            () -> codec.decode(Bytes.fromHex("a263717479f663736b756141"), Line.class));
    assertTrue(nullPrimitive.getMessage().contains("qty"), nullPrimitive.getMessage());
  }

  @Test
  void unknownPropertiesAreIgnoredOnDecode() {
    // {"new": true, "qty": 2, "sku": "A"}
    assertEquals(
        new Line("A", 2),
        codec.decode(Bytes.fromHex("a3636e6577f56371747902" + "63736b756141"), Line.class));
  }

  @Test
  void nullArgumentsAreRefused() {
    assertThrows(NullPointerException.class, () -> codec.encode(null));
    assertThrows(NullPointerException.class, () -> codec.decode(null, String.class));
    assertThrows(NullPointerException.class, () -> codec.decode(Bytes.fromHex("00"), null));
  }
}
