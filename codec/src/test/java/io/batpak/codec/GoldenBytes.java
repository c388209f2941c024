package io.batpak.codec;

import io.batpak.codec.Samples.Color;
import io.batpak.codec.Samples.Leaf;
import io.batpak.codec.Samples.Times;
import io.batpak.codec.Samples.Tree;
import io.batpak.codec.cbor.CborCodec;
import io.batpak.codec.json.JsonCodec;
import io.batpak.spi.Codec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * The golden payloads: a fixed set of values and, per codec, the bytes they encode to, kept in
 * {@code codec/src/test/resources/golden/<codec>/<value>.bin}. {@code GoldenBytesTest} compares; no
 * build writes them. After a deliberate change of a codec's encoding (which changes the hash of
 * every event written afterwards, so it needs a new codec name or a very good reason), rewrite them
 * by running this class's {@link #main} from the repository root, as {@code docs/testing.md} shows.
 */
public final class GoldenBytes {

  private GoldenBytes() {}

  /** The codecs that have golden files, by name. */
  static Map<String, Codec> codecs() {
    Map<String, Codec> codecs = new LinkedHashMap<>();
    codecs.put(JsonCodec.NAME, new JsonCodec());
    codecs.put(CborCodec.NAME, new CborCodec());
    return codecs;
  }

  /** The values, by file name (without {@code .bin}), with their type for decoding. */
  static Map<String, Object> values() {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put(
        "leaf",
        new Leaf(
            "caf\u00e9 \ud834\udd1e e\u0301", -42, 9_007_199_254_740_993L, 0.1, true, Color.BLUE));
    values.put("empty-tree", Samples.emptyTree());
    Map<String, Leaf> byName = new LinkedHashMap<>();
    byName.put("zeta", new Leaf("z", 0, 0, -0.0, false, Color.RED));
    byName.put("alpha", new Leaf("", Integer.MIN_VALUE, Long.MAX_VALUE, 1e300, true, Color.GREEN));
    values.put(
        "tree",
        new Tree(
            "order-000123",
            Optional.of("leave at the door \ud83d\ude00"),
            Optional.empty(),
            List.of(new Leaf("SKU-1", 2, 995, 9.95, false, Color.RED)),
            byName,
            Map.of(10L, "ten", -1L, "minus one", 2L, "two"),
            Map.of(Color.GREEN, 2, Color.RED, 1),
            Set.of("gift", "express"),
            Set.of(Color.BLUE, Color.RED),
            Map.of("lines", List.of(Map.of("b", 2, "a", 1), Map.of())),
            new Times(
                Instant.parse("2026-11-25T17:00:00.123456789Z"),
                LocalDate.of(2026, 2, 28),
                LocalDateTime.of(1999, 12, 31, 23, 59, 59),
                OffsetDateTime.of(2026, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC),
                Duration.ofMillis(90_061_001)),
            List.of(Samples.emptyTree())));
    values.put("generated-tree", Samples.tree(new Random(20261204L), 3));
    values.put("map", Map.of("n", 1, "list", List.of(true, "x", 2.5), "nothing", Optional.empty()));
    return values;
  }

  /** The golden file of {@code value} for {@code codec}, under {@code root}. */
  static Path file(Path root, String codec, String value) {
    return root.resolve(codec).resolve(value + ".bin");
  }

  /**
   * Writes every golden file under {@code args[0]} (normally {@code
   * codec/src/test/resources/golden}), replacing what is there.
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      throw new IllegalArgumentException(
          "usage: GoldenBytes <directory>, normally codec/src/test/resources/golden");
    }
    Path root = Path.of(args[0]);
    for (Map.Entry<String, Codec> c : codecs().entrySet()) {
      for (Map.Entry<String, Object> v : values().entrySet()) {
        Path file = file(root, c.getKey(), v.getKey());
        Files.createDirectories(file.getParent());
        Files.write(file, c.getValue().encode(v.getValue()).toByteArray());
        System.out.println("wrote " + file);
      }
    }
  }
}
