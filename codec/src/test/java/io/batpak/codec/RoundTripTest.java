package io.batpak.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.Bytes;
import io.batpak.codec.Samples.Tree;
import io.batpak.codec.cbor.CborCodec;
import io.batpak.codec.json.JsonCodec;
import io.batpak.spi.Codec;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Round trips of seeded generated values through every codec ({@link Samples}): a value decodes to
 * an equal value, encodes to the same bytes again, and decodes as {@code Map} (the tree form the
 * typed-event upcasters work on) into a map that encodes and decodes back to the same value. The
 * seed is printed on failure; {@code -Dbatpak.test.seed=<seed>} replays it.
 */
class RoundTripTest {
  private static final long SEED = Long.getLong("batpak.test.seed", new Random().nextLong());

  private static String seed() {
    return " (seed " + SEED + ", rerun with -Dbatpak.test.seed=" + SEED + ")";
  }

  static Codec codec(String name) {
    return switch (name) {
      case "json" -> new JsonCodec();
      case "cbor" -> new CborCodec();
      default -> throw new IllegalArgumentException(name);
    };
  }

  /** Round trip of {@code value} through {@code codec}, both as its type and as a map. */
  private static void roundTrip(Codec codec, Tree value, String what) {
    Bytes bytes = codec.encode(value);
    assertEquals(value, codec.decode(bytes, Tree.class), codec.name() + " " + what + seed());
    assertEquals(bytes, codec.encode(value), codec.name() + " re-encode " + what + seed());
    @SuppressWarnings("unchecked")
    Map<String, Object> tree = codec.decode(bytes, Map.class);
    Bytes fromTree = codec.encode(tree);
    assertEquals(
        value, codec.decode(fromTree, Tree.class), codec.name() + " via map " + what + seed());
    assertEquals(
        tree, codec.decode(fromTree, Map.class), codec.name() + " map again " + what + seed());
  }

  @ParameterizedTest
  @ValueSource(strings = {"json", "cbor"})
  void generatedTreesRoundTrip(String name) {
    Codec codec = codec(name);
    Random r = new Random(SEED);
    for (int i = 0; i < 300; i++) {
      roundTrip(codec, Samples.tree(r, 3), "tree " + i);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"json", "cbor"})
  void emptyValuesRoundTrip(String name) {
    Codec codec = codec(name);
    roundTrip(codec, Samples.emptyTree(), "empty tree");
    assertEquals(List.of(), codec.decode(codec.encode(List.of()), List.class));
    assertEquals(Map.of(), codec.decode(codec.encode(Map.of()), Map.class));
    assertEquals("", codec.decode(codec.encode(""), String.class));
  }

  /** A record without components. */
  public record Nothing() {}

  @ParameterizedTest
  @ValueSource(strings = {"json", "cbor"})
  void aRecordWithoutComponentsIsAnEmptyObject(String name) {
    Codec codec = codec(name);
    Bytes bytes = codec.encode(new Nothing());
    assertEquals(name.equals("json") ? "7b7d" : "bfff", bytes.toHex(), "{} in either form");
    assertEquals(new Nothing(), codec.decode(bytes, Nothing.class));
    assertEquals(Map.of(), codec.decode(bytes, Map.class));
  }

  @ParameterizedTest
  @ValueSource(strings = {"json", "cbor"})
  void largeValuesRoundTrip(String name) {
    Codec codec = codec(name);
    Random r = new Random(SEED);
    Tree large = Samples.large(r, 1 << 20);
    Bytes bytes = codec.encode(large);
    assertTrue(bytes.size() >= 1 << 20, bytes.size() + " bytes" + seed());
    roundTrip(codec, large, "large");
  }

  @ParameterizedTest
  @ValueSource(strings = {"json", "cbor"})
  void unicodeTextSurvivesCodePointForCodePoint(String name) {
    Codec codec = codec(name);
    Random r = new Random(SEED);
    for (int i = 0; i < 500; i++) {
      String s = Samples.text(r, 40);
      String back = codec.decode(codec.encode(s), String.class);
      assertEquals(s, back, codec.name() + " text " + i + seed());
    }
    // Astral plane, combining marks and a ZWJ sequence, unnormalized: never composed or split.
    String tricky = "e\u0301 \u00e9 \ud834\udd1e \ud83d\udc69\u200d\ud83d\udcbb";
    assertEquals(tricky, codec.decode(codec.encode(List.of(tricky)), List.class).get(0));
  }
}
