package io.batpak.codec;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * Payload types and a plain seeded generator of their values, for the round trips and golden files
 * of every codec: nested records, {@code Optional}, lists, sets, maps (with text, number and enum
 * keys), unicode text (astral plane, combining marks, controls), {@code java.time} values and
 * enums.
 */
public final class Samples {

  private Samples() {}

  /** An enum in payloads. */
  public enum Color {
    RED,
    GREEN,
    BLUE
  }

  /**
   * Scalars of every kind.
   *
   * @param text text
   * @param small an int
   * @param big a long
   * @param ratio a finite double
   * @param flag a boolean
   * @param color an enum
   */
  public record Leaf(String text, int small, long big, double ratio, boolean flag, Color color) {}

  /**
   * The {@code java.time} values the codecs write as ISO-8601 text.
   *
   * @param instant an instant
   * @param date a date
   * @param local a local date-time
   * @param offset a date-time at UTC (an offset other than UTC reads back as UTC)
   * @param duration a duration
   */
  public record Times(
      Instant instant,
      LocalDate date,
      LocalDateTime local,
      OffsetDateTime offset,
      Duration duration) {}

  /**
   * The nested record: every shape, and itself as children.
   *
   * @param name text
   * @param note an optional text
   * @param leaf an optional record
   * @param leaves a list of records
   * @param byName a map of records by text key
   * @param byNumber a map with number keys
   * @param byColor a map with enum keys
   * @param tags a set of text
   * @param colors a set of enums
   * @param deep nested collections
   * @param times time values
   * @param children nested trees
   */
  public record Tree(
      String name,
      Optional<String> note,
      Optional<Leaf> leaf,
      List<Leaf> leaves,
      Map<String, Leaf> byName,
      Map<Long, String> byNumber,
      Map<Color, Integer> byColor,
      Set<String> tags,
      Set<Color> colors,
      Map<String, List<Map<String, Integer>>> deep,
      Times times,
      List<Tree> children) {}

  private static final String[] PIECES = {
    "a",
    "Z",
    "0",
    " ",
    "-",
    "\"",
    "\\",
    "/",
    "\n",
    "\t",
    "\u0000",
    "\u001f",
    "\u00e9",
    "\u00fc",
    "e\u0301",
    "a\u0308\u0323",
    "\u4e2d\u6587",
    "\u0627\u0644\u0639",
    "\ud83d\ude00",
    "\ud834\udd1e",
    "\ud83d\udc69\u200d\ud83d\udcbb",
    "\uffff",
    "\u2028"
  };

  /**
   * Text of up to {@code max} pieces, mixing ASCII, escapes, combining marks and astral code
   * points.
   */
  public static String text(Random r, int max) {
    StringBuilder b = new StringBuilder();
    int n = r.nextInt(max + 1);
    for (int i = 0; i < n; i++) {
      b.append(PIECES[r.nextInt(PIECES.length)]);
    }
    return b.toString();
  }

  /** A random leaf. */
  public static Leaf leaf(Random r) {
    return new Leaf(
        text(r, 8),
        r.nextInt(),
        r.nextBoolean() ? r.nextLong() : r.nextInt(100),
        r.nextBoolean() ? r.nextDouble() * 1e6 - 5e5 : (double) r.nextInt(10) / 4,
        r.nextBoolean(),
        Color.values()[r.nextInt(Color.values().length)]);
  }

  /** Random time values, to the nanosecond, from year 1 to 9999. */
  public static Times times(Random r) {
    long seconds = Math.floorMod(r.nextLong(), 315_537_897_599L) - 62_135_596_800L;
    Instant instant = Instant.ofEpochSecond(seconds, r.nextInt(1_000_000_000));
    LocalDateTime local = LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
    return new Times(
        instant,
        local.toLocalDate(),
        local,
        OffsetDateTime.ofInstant(instant, ZoneOffset.UTC),
        Duration.ofSeconds(r.nextInt(1_000_000), r.nextInt(1_000_000_000)));
  }

  /**
   * A random tree of at most {@code depth} levels, its maps and sets in hash order (so that only
   * the codec's ordering makes the encoding deterministic).
   */
  public static Tree tree(Random r, int depth) {
    List<Leaf> leaves = new ArrayList<>();
    Map<String, Leaf> byName = new HashMap<>();
    Map<Long, String> byNumber = new HashMap<>();
    Map<Color, Integer> byColor = new HashMap<>();
    Set<String> tags = new HashSet<>();
    Set<Color> colors = new HashSet<>();
    Map<String, List<Map<String, Integer>>> deep = new HashMap<>();
    int n = r.nextInt(5);
    for (int i = 0; i < n; i++) {
      leaves.add(leaf(r));
      byName.put(text(r, 4), leaf(r));
      byNumber.put(r.nextLong(), text(r, 3));
      byColor.put(Color.values()[r.nextInt(Color.values().length)], r.nextInt());
      tags.add(text(r, 5));
      colors.add(Color.values()[r.nextInt(Color.values().length)]);
      List<Map<String, Integer>> inner = new ArrayList<>();
      for (int j = r.nextInt(3); j > 0; j--) {
        inner.add(Map.of(text(r, 2), r.nextInt()));
      }
      deep.put(text(r, 3), inner);
    }
    List<Tree> children = new ArrayList<>();
    if (depth > 1) {
      for (int i = r.nextInt(3); i > 0; i--) {
        children.add(tree(r, depth - 1));
      }
    }
    return new Tree(
        text(r, 10),
        r.nextBoolean() ? Optional.of(text(r, 6)) : Optional.empty(),
        r.nextBoolean() ? Optional.of(leaf(r)) : Optional.empty(),
        leaves,
        byName,
        byNumber,
        byColor,
        tags,
        colors,
        deep,
        times(r),
        children);
  }

  /** A tree whose every text, collection and optional is empty. */
  public static Tree emptyTree() {
    return new Tree(
        "",
        Optional.empty(),
        Optional.empty(),
        List.of(),
        Map.of(),
        Map.of(),
        Map.of(),
        Set.of(),
        Set.of(),
        Map.of(),
        new Times(
            Instant.EPOCH,
            LocalDate.of(1970, 1, 1),
            LocalDateTime.of(1970, 1, 1, 0, 0),
            OffsetDateTime.of(1970, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC),
            Duration.ZERO),
        List.of());
  }

  /** A tree of more than {@code bytes} bytes in any codec: long unicode text and many leaves. */
  public static Tree large(Random r, int bytes) {
    StringBuilder big = new StringBuilder();
    while (big.length() < bytes) {
      big.append(text(r, 64));
    }
    List<Leaf> leaves = new ArrayList<>();
    for (int i = 0; i < bytes / 256; i++) {
      leaves.add(leaf(r));
    }
    Tree t = tree(r, 2);
    return new Tree(
        big.toString(),
        t.note(),
        t.leaf(),
        leaves,
        t.byName(),
        t.byNumber(),
        t.byColor(),
        t.tags(),
        t.colors(),
        t.deep(),
        t.times(),
        t.children());
  }
}
