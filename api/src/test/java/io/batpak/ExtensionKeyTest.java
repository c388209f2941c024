package io.batpak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.InvalidExtensionKeyException.Rule;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ExtensionKeyTest {

  @Test
  void validKeySplitsAtTheDot() {
    ExtensionKey k = ExtensionKey.of("myapp.trace_id");
    assertEquals("myapp.trace_id", k.value());
    assertEquals("myapp", k.namespace());
    assertEquals("trace_id", k.field());
    assertEquals("myapp.trace_id", k.toString());
    assertEquals(ExtensionKey.of("myapp.trace_id"), k);
    assertEquals(ExtensionKey.of("myapp.trace_id").hashCode(), k.hashCode());
    assertNotEquals(ExtensionKey.of("myapp.trace"), k);
    assertNotEquals((Object) "myapp.trace_id", k);
  }

  @Test
  void boundaryKeysAreAccepted() {
    assertEquals("a.b", ExtensionKey.of("a.b").value());
    String max = "n." + "f".repeat(254);
    assertEquals(256, ExtensionKey.of(max).value().length());
    assertEquals(
        "~!#$%&'()*+,-/:;<=>?@[]^`{|}",
        ExtensionKey.of("~!#$%&'()*+,-/:;<=>?@[]^`{|}.x").namespace());
    assertEquals("batpak2", ExtensionKey.of("batpak2.x").namespace());
    assertEquals("x", ExtensionKey.of("x.batpak").namespace());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = ';',
      quoteCharacter = '`',
      value = {
        "EMPTY;``;`\"\"`",
        "NON_ASCII;`caf\u00e9.x`;`'\u00e9' at index 3`",
        "NON_ASCII;`a b.c`;`' ' at index 1`",
        "NON_ASCII;`a.\\tb`;`'\\u0009' at index 2`",
        "NON_ASCII;`a.b\\u007f`;`'\\u007F' at index 3`",
        "INVALID_NAMESPACE_FORMAT;`nodot`;`\"nodot\"`",
        "INVALID_NAMESPACE_FORMAT;`a.b.c`;`more than one '.'`",
        "INVALID_NAMESPACE_FORMAT;`.field`;`namespace before '.' is empty`",
        "INVALID_NAMESPACE_FORMAT;`ns.`;`field after '.' is empty`",
        "INVALID_NAMESPACE_FORMAT;`.`;`\".\"`",
        "RESERVED_NAMESPACE;`batpak.receipt`;`\"batpak.receipt\"`",
        "RESERVED_NAMESPACE;`BatPak.x`;`\"BatPak\" is reserved`",
      })
  void eachRuleRejectsItsValue(Rule rule, String escaped, String named) {
    String key = escaped.replace("\\t", "\t").replace("\\u007f", "\u007f");
    InvalidExtensionKeyException e =
        assertThrows(InvalidExtensionKeyException.class, () -> ExtensionKey.of(key));
    assertEquals(rule, e.rule());
    assertEquals(key, e.value());
    assertTrue(e.getMessage().contains(named), e.getMessage());
    assertTrue(e.getMessage().contains(rule.name()), e.getMessage());
    assertTrue(e.getMessage().contains("namespace.field"), e.getMessage());
  }

  @Test
  void tooLongNamesTheLengthAndTruncatesTheValue() {
    String key = "n." + "f".repeat(255);
    InvalidExtensionKeyException e =
        assertThrows(InvalidExtensionKeyException.class, () -> ExtensionKey.of(key));
    assertEquals(Rule.TOO_LONG, e.rule());
    assertEquals(key, e.value());
    assertTrue(e.getMessage().contains("257 characters"), e.getMessage());
    assertTrue(e.getMessage().contains("... (257 chars)"), e.getMessage());
  }

  @Test
  void rulesAreCheckedInOrder() {
    assertEquals(Rule.NON_ASCII, ruleOf("é".repeat(300)));
    assertEquals(Rule.TOO_LONG, ruleOf("batpak" + "x".repeat(300)));
    assertEquals(Rule.INVALID_NAMESPACE_FORMAT, ruleOf("batpak.a.b"));
  }

  @Test
  void nullIsRejected() {
    assertEquals(
        "key", assertThrows(NullPointerException.class, () -> ExtensionKey.of(null)).getMessage());
  }

  @Test
  void orderIsByValue() {
    TreeSet<ExtensionKey> keys = new TreeSet<>();
    for (String s : List.of("b.a", "a.b", "a.a", "B.z", "a_.x")) {
      keys.add(ExtensionKey.of(s));
    }
    assertEquals("[B.z, a.a, a.b, a_.x, b.a]", keys.toString());
  }

  private static Rule ruleOf(String key) {
    return assertThrows(InvalidExtensionKeyException.class, () -> ExtensionKey.of(key)).rule();
  }
}
