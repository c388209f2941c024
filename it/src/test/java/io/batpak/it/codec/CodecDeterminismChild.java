package io.batpak.it.codec;

import io.batpak.codec.cbor.CborCodec;
import io.batpak.codec.json.JsonCodec;
import io.batpak.spi.Codec;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Encodes a fixed set of values with every codec and prints one line per value and codec: {@code
 * <codec> <value> <hex>}. {@link CodecDeterminismIT} runs it in this JVM and in a child JVM with
 * other identity hash codes, time zone and locale, and with its maps and sets filled in the
 * opposite order ({@code reverse}), and compares the lines.
 */
public final class CodecDeterminismChild {

  private CodecDeterminismChild() {}

  /** An enum: its hash code is the object's identity hash, so hash order varies per JVM. */
  public enum Stage {
    PLACED,
    PAID,
    PACKED,
    SHIPPED,
    RETURNED
  }

  /**
   * A map key that is no string: written as its {@code toString}, ordered by {@code compareTo}.
   *
   * @param code the article code
   */
  public record Sku(String code) implements Comparable<Sku> {
    @Override
    public int compareTo(Sku o) {
      return code.compareTo(o.code);
    }

    @Override
    public String toString() {
      return code;
    }
  }

  /**
   * A payload whose maps and sets come in hash or insertion order.
   *
   * @param order the order
   * @param stages stage counts, keyed by enum
   * @param seen stages seen, a set of enums
   * @param attributes free text attributes
   * @param tags labels
   * @param at when
   * @param on the day
   * @param took how long
   * @param offset a date-time at UTC
   * @param note an optional text
   */
  public record Payload(
      String order,
      Map<Stage, Integer> stages,
      Set<Stage> seen,
      Map<String, Object> attributes,
      Set<String> tags,
      Instant at,
      LocalDate on,
      Duration took,
      OffsetDateTime offset,
      Optional<String> note) {}

  /** The values, their maps and sets filled forward or in reverse. */
  static Map<String, Object> values(boolean reverse) {
    List<Stage> stages = new ArrayList<>(List.of(Stage.values()));
    List<String> words = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      words.add("w\u00f6rd-" + i + (i % 7 == 0 ? "\ud83d\ude00" : ""));
    }
    if (reverse) {
      Collections.reverse(stages);
      Collections.reverse(words);
    }
    Map<Stage, Integer> counts = new HashMap<>();
    Set<Stage> seen = new HashSet<>();
    for (Stage s : stages) {
      counts.put(s, s.ordinal() * 10);
      seen.add(s);
    }
    Map<String, Object> attributes = new LinkedHashMap<>();
    Set<String> tags = new HashSet<>();
    Map<Sku, String> bySku = new HashMap<>();
    for (String w : words) {
      attributes.put(w, List.of(w.length(), w));
      tags.add(w);
      bySku.put(new Sku(w), w.toUpperCase(java.util.Locale.ROOT));
    }
    Map<String, Object> values = new LinkedHashMap<>();
    values.put(
        "payload",
        new Payload(
            "order-1",
            counts,
            seen,
            attributes,
            tags,
            Instant.parse("2026-12-04T10:15:30.123456789Z"),
            LocalDate.of(2026, 12, 4),
            Duration.ofMinutes(90),
            OffsetDateTime.of(2026, 12, 4, 10, 15, 30, 0, ZoneOffset.UTC),
            Optional.of("i\u0307 \u0130 \u0131")));
    values.put("map", attributes);
    values.put("set", seen);
    values.put("keys", bySku);
    values.put("number", 1.0e-7);
    return values;
  }

  /** The lines for {@code values(reverse)}. */
  static List<String> lines(boolean reverse) {
    List<String> lines = new ArrayList<>();
    for (Codec codec : List.of(new JsonCodec(), new CborCodec())) {
      for (Map.Entry<String, Object> v : values(reverse).entrySet()) {
        lines.add(codec.name() + " " + v.getKey() + " " + codec.encode(v.getValue()).toHex());
      }
    }
    return lines;
  }

  /** Prints the lines; {@code reverse} as the argument fills maps and sets in reverse. */
  public static void main(String[] args) {
    boolean reverse = args.length > 0 && args[0].equals("reverse");
    for (String line : lines(reverse)) {
      System.out.println(line);
    }
  }
}
