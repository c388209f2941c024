package io.batpak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RegionTest {
  private static final EventKind ORDER = EventKind.custom(0x2, 0x001);
  private static final EventKind REFUND = EventKind.custom(0x2, 0x002);
  private static final EventKind LOGIN = EventKind.custom(0x3, 0x001);

  @ParameterizedTest(name = "prefix {1} vs entity {0}: {2}")
  @CsvSource({
    "alice, alice, true",
    "alice:child, alice, true",
    "alice:child:grandchild, alice, true",
    "alice:, alice, true",
    "alice2, alice, false",
    "alice-prod, alice, false",
    "alic, alice, false",
    "bob, alice, false",
    "xalice, alice, false",
    "alice.child, alice, false",
    "alice:child, alice:child, true",
    "alice:children, alice:child, false",
    "alice, alice:child, false",
    "alice::x, alice:, true",
    "Alice, alice, false",
  })
  void entityPrefixIsANamespacePrefix(String entity, String prefix, boolean expected) {
    assertEquals(expected, Region.entityMatchesPrefix(entity, prefix));
    assertEquals(expected, Region.entity(prefix).matches(entity, "s", ORDER, 0));
  }

  @Test
  void emptyPrefixInTheStaticHelperMatchesOnlyEmptyOrColonNames() {
    assertTrue(Region.entityMatchesPrefix("", ""));
    assertTrue(Region.entityMatchesPrefix(":a", ""));
    assertFalse(Region.entityMatchesPrefix("a", ""));
  }

  /** Each row: region parts (blank = unset) and an event; does it match? */
  @ParameterizedTest
  @CsvSource(
      nullValues = "-",
      value = {
        // prefix, scope, kind, category, from, to | entity, scope, kind, seq | match
        "-, -, -, -, -, -, anyone, any, 0x2001, 0, true",
        "alice, -, -, -, -, -, alice:orders, prod, 0x2001, 5, true",
        "alice, prod, -, -, -, -, alice:orders, prod, 0x2001, 5, true",
        "alice, prod, -, -, -, -, alice:orders, test, 0x2001, 5, false",
        "-, prod, -, -, -, -, bob, prod, 0x2001, 5, true",
        "-, prod, -, -, -, -, bob, production, 0x2001, 5, false",
        "-, prod, -, -, -, -, bob, Prod, 0x2001, 5, false",
        "-, -, 0x2001, -, -, -, bob, s, 0x2001, 5, true",
        "-, -, 0x2001, -, -, -, bob, s, 0x2002, 5, false",
        "-, -, -, 2, -, -, bob, s, 0x2002, 5, true",
        "-, -, -, 2, -, -, bob, s, 0x3001, 5, false",
        "-, -, -, 0, -, -, bob, s, 0x0001, 5, true",
        "-, -, -, 13, -, -, bob, s, 0xD001, 5, true",
        "-, -, -, -, 3, 7, bob, s, 0x2001, 2, false",
        "-, -, -, -, 3, 7, bob, s, 0x2001, 3, true",
        "-, -, -, -, 3, 7, bob, s, 0x2001, 7, true",
        "-, -, -, -, 3, 7, bob, s, 0x2001, 8, false",
        "-, -, -, -, 0, 0, bob, s, 0x2001, 0, true",
        "-, -, -, -, 0, 9223372036854775807, bob, s, 0x2001, 9223372036854775807, true",
        "alice, prod, 0x2001, -, 1, 10, alice, prod, 0x2001, 10, true",
        "alice, prod, 0x2001, -, 1, 10, alice2, prod, 0x2001, 10, false",
        "alice, prod, -, 2, 1, 10, alice:x, prod, 0x2FFF, 1, true",
        "alice, prod, -, 2, 1, 10, alice:x, prod, 0x2FFF, 11, false",
      })
  void matchingTable(
      String prefix,
      String scope,
      String kind,
      Integer category,
      Long from,
      Long to,
      String entity,
      String eventScope,
      String eventKind,
      long sequence,
      boolean expected) {
    Region region = Region.all();
    if (prefix != null) {
      region = region.withEntityPrefix(prefix);
    }
    if (scope != null) {
      region = region.withScope(scope);
    }
    if (kind != null) {
      region = region.withKind(EventKind.fromRaw(Integer.decode(kind)));
    }
    if (category != null) {
      region = region.withCategory(category);
    }
    if (from != null) {
      region = region.withStreamSequenceRange(from, to);
    }
    EventKind k = EventKind.fromRaw(Integer.decode(eventKind));
    assertEquals(expected, region.matches(entity, eventScope, k, sequence), region.toString());
    assertEquals(
        expected,
        region.matches(Coordinate.of(entity, eventScope), k, sequence),
        region.toString());
  }

  @Test
  void accessorsReportWhatIsSet() {
    Region all = Region.all();
    assertEquals(Optional.empty(), all.entityPrefix());
    assertEquals(Optional.empty(), all.scope());
    assertEquals(Optional.empty(), all.kind());
    assertEquals(OptionalInt.empty(), all.category());
    assertEquals(OptionalLong.empty(), all.streamSequenceFrom());
    assertEquals(OptionalLong.empty(), all.streamSequenceTo());
    assertTrue(all.isAll());

    Region r =
        Region.entity("alice").withScope("prod").withKind(ORDER).withStreamSequenceRange(2, 9);
    assertEquals(Optional.of("alice"), r.entityPrefix());
    assertEquals(Optional.of("prod"), r.scope());
    assertEquals(Optional.of(ORDER), r.kind());
    assertEquals(OptionalInt.empty(), r.category());
    assertEquals(OptionalLong.of(2), r.streamSequenceFrom());
    assertEquals(OptionalLong.of(9), r.streamSequenceTo());
    assertFalse(r.isAll());
    assertEquals(Optional.of("prod"), Region.scope("prod").scope());
  }

  @Test
  void kindAndCategoryShareOneFilterSlot() {
    Region byCategory = Region.all().withKind(ORDER).withCategory(3);
    assertEquals(Optional.empty(), byCategory.kind());
    assertEquals(OptionalInt.of(3), byCategory.category());
    assertTrue(byCategory.matches("e", "s", LOGIN, 0));
    Region byKind = Region.all().withCategory(3).withKind(REFUND);
    assertEquals(OptionalInt.empty(), byKind.category());
    assertEquals(Optional.of(REFUND), byKind.kind());
    assertTrue(byKind.matches("e", "s", REFUND, 0));
    assertFalse(byKind.matches("e", "s", LOGIN, 0));
  }

  @Test
  void withMethodsReplaceAndLeaveTheOriginalUnchanged() {
    Region a = Region.entity("alice");
    Region b = a.withEntityPrefix("bob");
    assertEquals(Optional.of("alice"), a.entityPrefix());
    assertEquals(Optional.of("bob"), b.entityPrefix());
    assertEquals(
        OptionalLong.of(5),
        a.withStreamSequenceRange(1, 2).withStreamSequenceRange(5, 6).streamSequenceFrom());
  }

  @Test
  void invalidCategoryIsRejectedNamingIt() {
    for (int bad : new int[] {-1, 16, 255}) {
      ValidationException e =
          assertThrows(ValidationException.class, () -> Region.all().withCategory(bad));
      assertTrue(e.getMessage().contains("category " + bad), e.getMessage());
      assertTrue(e.getMessage().contains("0..15"), e.getMessage());
    }
  }

  @Test
  void invalidSequenceRangeIsRejectedNamingBothBounds() {
    ValidationException e =
        assertThrows(ValidationException.class, () -> Region.all().withStreamSequenceRange(7, 3));
    assertTrue(e.getMessage().contains("7..3"), e.getMessage());
    assertTrue(e.getMessage().contains("swap"), e.getMessage());
    e = assertThrows(ValidationException.class, () -> Region.all().withStreamSequenceRange(-1, 3));
    assertTrue(e.getMessage().contains("-1..3"), e.getMessage());
  }

  @Test
  void prefixAndScopeAreValidatedLikeCoordinateComponents() {
    InvalidCoordinateException e =
        assertThrows(InvalidCoordinateException.class, () -> Region.entity("a/b"));
    assertEquals(InvalidCoordinateException.Component.ENTITY, e.component());
    assertEquals(InvalidCoordinateException.Rule.PATH_TRAVERSAL, e.rule());
    assertTrue(e.getMessage().contains("\"a/b\""), e.getMessage());
    e = assertThrows(InvalidCoordinateException.class, () -> Region.scope(""));
    assertEquals(InvalidCoordinateException.Component.SCOPE, e.component());
    assertEquals(InvalidCoordinateException.Rule.EMPTY, e.rule());
    assertThrows(NullPointerException.class, () -> Region.entity(null));
    assertThrows(NullPointerException.class, () -> Region.all().withKind(null));
  }

  @Test
  void matchesRejectsNullAttributes() {
    Region r = Region.all();
    assertThrows(NullPointerException.class, () -> r.matches(null, "s", ORDER, 0));
    assertThrows(NullPointerException.class, () -> r.matches("e", null, ORDER, 0));
    assertThrows(NullPointerException.class, () -> r.matches("e", "s", null, 0));
    assertThrows(NullPointerException.class, () -> Region.entityMatchesPrefix(null, "a"));
    assertThrows(NullPointerException.class, () -> Region.entityMatchesPrefix("a", null));
  }

  @Test
  void equalityHashCodeAndToString() {
    Region a = Region.entity("alice").withScope("prod").withCategory(2);
    Region b = Region.scope("prod").withCategory(2).withEntityPrefix("alice");
    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());
    assertNotEquals(a, a.withCategory(3));
    assertNotEquals(a, a.withStreamSequenceRange(0, 1));
    assertNotEquals(Region.all().withKind(EventKind.DATA), Region.all().withCategory(1));
    assertSame(Region.all(), Region.all());
    assertNotEquals(Region.all(), Region.all().withKind(ORDER));
    assertEquals(
        "Region[entity=\"alice\", scope=\"prod\", kind=category 0x2, streamSequence=*]",
        a.toString());
    assertEquals(
        "Region[entity=*, scope=*, kind=0x2001, streamSequence=3..7]",
        Region.all().withKind(ORDER).withStreamSequenceRange(3, 7).toString());
    assertEquals("Region[entity=*, scope=*, kind=*, streamSequence=*]", Region.all().toString());
  }
}
