package io.batpak;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.InvalidCoordinateException.Component;
import io.batpak.InvalidCoordinateException.Rule;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class CoordinateTest {

  @Test
  void validCoordinateKeepsItsParts() {
    Coordinate c = Coordinate.of("alice:orders", "prod");
    assertEquals("alice:orders", c.entity());
    assertEquals("prod", c.scope());
    assertEquals("alice:orders@prod", c.toString());
    assertEquals(new Coordinate("alice:orders", "prod"), c);
    assertEquals(c.hashCode(), new Coordinate("alice:orders", "prod").hashCode());
    assertNotEquals(Coordinate.of("alice", "prod"), c);
  }

  @Test
  void acceptsUnicodeSingleDotsAtSignsAndSpaces() {
    Coordinate c = Coordinate.of("user@example.com", "é 😀 v1.2");
    assertEquals("user@example.com@é 😀 v1.2", c.toString());
    assertEquals(c, Coordinate.parse(c.toString()));
  }

  @Test
  void nullComponentsThrowNullPointerExceptionNamingThem() {
    NullPointerException e =
        assertThrows(NullPointerException.class, () -> Coordinate.of(null, "s"));
    assertEquals("entity", e.getMessage());
    e = assertThrows(NullPointerException.class, () -> Coordinate.of("e", null));
    assertEquals("scope", e.getMessage());
  }

  /** One bad value per rule; each is checked as entity and as scope. */
  @ParameterizedTest
  @CsvSource(
      delimiter = ';',
      quoteCharacter = '`',
      value = {
        "EMPTY;``;`\"\"`",
        "NUL_BYTE;`a\\0b`;`\"a\\u0000b\"`",
        "CONTROL_CHAR;`a\\nb`;`\"a\\u000Ab\"`",
        "CONTROL_CHAR;`a\\u007fb`;`\"a\\u007Fb\"`",
        "CONTROL_CHAR;`\\u001f`;`\"\\u001F\"`",
        "PATH_TRAVERSAL;`a/b`;`\"a/b\"`",
        "PATH_TRAVERSAL;`a..b`;`\"a..b\"`",
        "PATH_TRAVERSAL;`..`;`\"..\"`",
        "FORBIDDEN_SEPARATOR;`a|b`;`\"a|b\"`",
        "FORBIDDEN_SEPARATOR;`k=v`;`\"k=v\"`",
        "UNPAIRED_SURROGATE;`a\\ud800`;`\"a\\uD800\"`",
        "UNPAIRED_SURROGATE;`\\udc00b`;`\"\\uDC00b\"`",
      })
  void eachRuleRejectsItsValueWithATypedError(Rule rule, String escapedValue, String quoted) {
    String value = unescape(escapedValue);
    String expectedQuote = quoted;
    InvalidCoordinateException e =
        assertThrows(InvalidCoordinateException.class, () -> Coordinate.of(value, "ok"));
    assertAll(
        () -> assertEquals(Component.ENTITY, e.component()),
        () -> assertEquals(rule, e.rule()),
        () -> assertEquals(value, e.value()),
        () -> assertTrue(e.getMessage().contains("entity " + expectedQuote), e.getMessage()),
        () -> assertTrue(e.getMessage().contains(rule.name()), e.getMessage()));
    InvalidCoordinateException s =
        assertThrows(InvalidCoordinateException.class, () -> Coordinate.of("ok", value));
    assertAll(
        () -> assertEquals(Component.SCOPE, s.component()),
        () -> assertEquals(rule, s.rule()),
        () -> assertEquals(value, s.value()),
        () -> assertTrue(s.getMessage().contains("scope " + expectedQuote), s.getMessage()));
  }

  @Test
  void tooLongCountsUtf8BytesNotChars() {
    String ascii1024 = "a".repeat(1024);
    assertEquals(ascii1024, Coordinate.of(ascii1024, "s").entity());
    // 512 two-byte chars = 1024 bytes: fine; one more byte is too long.
    String twoByte = "é".repeat(512);
    Coordinate.of("e", twoByte);
    InvalidCoordinateException e =
        assertThrows(InvalidCoordinateException.class, () -> Coordinate.of("e", twoByte + "x"));
    assertEquals(Rule.TOO_LONG, e.rule());
    assertEquals(Component.SCOPE, e.component());
    assertTrue(e.getMessage().contains("1025 UTF-8 bytes"), e.getMessage());
    assertTrue(e.getMessage().contains("maximum is 1024"), e.getMessage());
    // 256 emoji = 1024 bytes (4 each) in 512 chars.
    String emoji = "😀".repeat(256);
    Coordinate.of(emoji, "s");
    assertEquals(
        Rule.TOO_LONG,
        assertThrows(InvalidCoordinateException.class, () -> Coordinate.of(emoji + "a", "s"))
            .rule());
  }

  @Test
  void longValuesAreTruncatedInTheMessageButKeptInValue() {
    String value = "x".repeat(2000);
    InvalidCoordinateException e =
        assertThrows(InvalidCoordinateException.class, () -> Coordinate.of(value, "s"));
    assertEquals(value, e.value());
    assertTrue(
        e.getMessage().contains("\"" + "x".repeat(64) + "\"... (2000 chars)"), e.getMessage());
    assertTrue(e.getMessage().length() < 400, e.getMessage());
  }

  @Test
  void rulesAreCheckedInOrder() {
    // Each value breaks its own rule and every later one; the earliest is reported.
    assertRule(Rule.TOO_LONG, "/|\0".repeat(400));
    assertRule(Rule.NUL_BYTE, "\0\n/|\ud800");
    assertRule(Rule.CONTROL_CHAR, "\n/|=\ud800");
    assertRule(Rule.PATH_TRAVERSAL, "|=..\ud800");
    assertRule(Rule.FORBIDDEN_SEPARATOR, "=\ud800");
  }

  @Test
  void entityIsCheckedBeforeScope() {
    InvalidCoordinateException e =
        assertThrows(InvalidCoordinateException.class, () -> Coordinate.of("a|b", ""));
    assertEquals(Component.ENTITY, e.component());
    assertEquals(Rule.FORBIDDEN_SEPARATOR, e.rule());
  }

  @ParameterizedTest
  @EnumSource(Rule.class)
  void everyRuleHasAdviceInItsMessage(Rule rule) {
    String bad =
        switch (rule) {
          case EMPTY -> "";
          case TOO_LONG -> "a".repeat(1025);
          case NUL_BYTE -> "\0";
          case CONTROL_CHAR -> "\t";
          case PATH_TRAVERSAL -> "/";
          case FORBIDDEN_SEPARATOR -> "|";
          case UNPAIRED_SURROGATE -> "\udfff";
        };
    InvalidCoordinateException e =
        assertThrows(InvalidCoordinateException.class, () -> Coordinate.of(bad, "s"));
    assertEquals(rule, e.rule());
    String message = e.getMessage();
    int advice = message.lastIndexOf("; ");
    assertTrue(advice > 0 && message.length() - advice > 10, message);
  }

  @Test
  void parseSplitsAtTheLastAtSign() {
    assertEquals(Coordinate.of("a@b", "c"), Coordinate.parse("a@b@c"));
    assertEquals(Coordinate.of("alice", "prod"), Coordinate.parse("alice@prod"));
  }

  @Test
  void parseWithoutAtSignIsAValidationExceptionNamingTheText() {
    ValidationException e =
        assertThrows(ValidationException.class, () -> Coordinate.parse("no-at-sign"));
    assertTrue(e.getMessage().contains("\"no-at-sign\""), e.getMessage());
    assertTrue(e.getMessage().contains("entity@scope"), e.getMessage());
    assertThrows(NullPointerException.class, () -> Coordinate.parse(null));
  }

  @Test
  void parseValidatesTheParts() {
    InvalidCoordinateException e =
        assertThrows(InvalidCoordinateException.class, () -> Coordinate.parse("alice@"));
    assertEquals(Component.SCOPE, e.component());
    assertEquals(Rule.EMPTY, e.rule());
    e = assertThrows(InvalidCoordinateException.class, () -> Coordinate.parse("@prod"));
    assertEquals(Component.ENTITY, e.component());
  }

  @Test
  void invalidCoordinateExceptionIsAValidationException() {
    assertSame(ValidationException.class, InvalidCoordinateException.class.getSuperclass());
  }

  /** Generated pairs are either valid or rejected with the first failing rule, entity first. */
  @Test
  void generatedComponentsAreValidOrRejectedWithTheFirstFailingRule() {
    java.util.EnumMap<Rule, Integer> seen = new java.util.EnumMap<>(Rule.class);
    int[] valid = {0};
    Seeded.check(
        "CoordinateTest.generatedComponentsAreValidOrRejectedWithTheFirstFailingRule",
        5_000,
        random -> {
          String entity = generate(random);
          String scope = generate(random);
          Rule entityRule = oracle(entity);
          Rule scopeRule = oracle(scope);
          if (entityRule == null && scopeRule == null) {
            valid[0]++;
            Coordinate c = Coordinate.of(entity, scope);
            assertEquals(entity, c.entity());
            assertEquals(scope, c.scope());
            if (scope.indexOf('@') < 0) {
              assertEquals(c, Coordinate.parse(c.toString()));
            }
            return;
          }
          InvalidCoordinateException e =
              assertThrows(
                  InvalidCoordinateException.class,
                  () -> Coordinate.of(entity, scope),
                  () ->
                      "entity "
                          + MessageQuoting.quote(entity)
                          + ", scope "
                          + MessageQuoting.quote(scope));
          Component component = entityRule != null ? Component.ENTITY : Component.SCOPE;
          Rule rule = entityRule != null ? entityRule : scopeRule;
          String value = entityRule != null ? entity : scope;
          seen.merge(rule, 1, Integer::sum);
          assertEquals(component, e.component(), e.getMessage());
          assertEquals(rule, e.rule(), e.getMessage());
          assertEquals(value, e.value());
          assertTrue(e.getMessage().contains(component.label()), e.getMessage());
          assertTrue(e.getMessage().contains(rule.name()), e.getMessage());
        });
    // The generator must exercise every rule and the valid case, or the test proves little.
    assertEquals(java.util.EnumSet.allOf(Rule.class), seen.keySet(), seen.toString());
    assertTrue(valid[0] > 100, "valid pairs: " + valid[0]);
  }

  private static final String[] SAFE = {
    "a", "b", "z", "Q", "0", "9", ":", "@", "-", "_", ".", " ", "é", "€", "😀", "~", "#"
  };
  private static final String[] SPECIAL = {
    "\0", "\n", "\t", "\u001f", "\u007f", "/", "..", "|", "=", "\ud800", "\udc00", "\ud83d"
  };

  /** A string that is often valid and otherwise breaks one or more rules. */
  private static String generate(SplittableRandom random) {
    int roll = random.nextInt(100);
    if (roll < 3) {
      return "";
    }
    int tokens = roll < 10 ? 250 + random.nextInt(600) : 1 + random.nextInt(12);
    int specialPercent = random.nextInt(4) == 0 ? 0 : 1 + random.nextInt(15);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < tokens; i++) {
      String[] pool = random.nextInt(100) < specialPercent ? SPECIAL : SAFE;
      sb.append(pool[random.nextInt(pool.length)]);
    }
    return sb.toString();
  }

  /** An independent statement of the rules: the first one {@code s} breaks, or null. */
  private static Rule oracle(String s) {
    if (s.isEmpty()) {
      return Rule.EMPTY;
    }
    // Unpaired surrogates count as 3 bytes, as in generalized UTF-8.
    long bytes =
        s.codePoints().mapToLong(cp -> cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4).sum();
    if (bytes > 1024) {
      return Rule.TOO_LONG;
    }
    if (s.chars().anyMatch(c -> c == 0)) {
      return Rule.NUL_BYTE;
    }
    if (s.chars().anyMatch(c -> c < 0x20 || c == 0x7F)) {
      return Rule.CONTROL_CHAR;
    }
    if (s.contains("/") || s.contains("..")) {
      return Rule.PATH_TRAVERSAL;
    }
    if (s.contains("|") || s.contains("=")) {
      return Rule.FORBIDDEN_SEPARATOR;
    }
    if (s.codePoints().anyMatch(cp -> cp >= 0xD800 && cp <= 0xDFFF)) {
      return Rule.UNPAIRED_SURROGATE;
    }
    // Cross-check: a valid component survives a UTF-8 round trip unchanged.
    assertEquals(s, new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
    return null;
  }

  private static void assertRule(Rule expected, String value) {
    InvalidCoordinateException e =
        assertThrows(InvalidCoordinateException.class, () -> Coordinate.of(value, "s"));
    assertEquals(expected, e.rule(), e.getMessage());
  }

  /** Turns {@code \0}, {@code \n} and {@code \\uXXXX} escapes in test data into characters. */
  private static String unescape(String s) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '\\') {
        sb.append(c);
      } else if (s.charAt(i + 1) == '0') {
        sb.append('\0');
        i++;
      } else if (s.charAt(i + 1) == 'n') {
        sb.append('\n');
        i++;
      } else {
        sb.append((char) Integer.parseInt(s.substring(i + 2, i + 6), 16));
        i += 5;
      }
    }
    return sb.toString();
  }
}
