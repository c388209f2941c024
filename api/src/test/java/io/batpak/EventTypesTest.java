package io.batpak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Test;

class EventTypesTest {

  @EventType(category = 0x2, typeId = 0x0A1, version = 3)
  record OrderPlaced(String orderId) {}

  @EventType(category = 0xF, typeId = 0xFFF)
  static final class DefaultVersion {}

  static final class NotAnnotated {}

  @EventType(category = 0x0, typeId = 1)
  static final class SystemCategory {}

  @EventType(category = 0xD, typeId = 1)
  static final class EffectCategory {}

  @EventType(category = 0x10, typeId = 1)
  static final class CategoryTooBig {}

  @EventType(category = 0x1, typeId = 0x1000)
  static final class TypeIdTooBig {}

  @EventType(category = 0x1, typeId = 1, version = 0)
  static final class VersionZero {}

  static final class Subclass extends Base {}

  @EventType(category = 0x1, typeId = 2)
  static class Base {}

  @Test
  void readsKindAndVersion() {
    assertEquals(EventKind.custom(0x2, 0x0A1), EventTypes.kindOf(OrderPlaced.class));
    assertEquals(3, EventTypes.versionOf(OrderPlaced.class));
    assertEquals(EventKind.fromRaw(0xFFFF), EventTypes.kindOf(DefaultVersion.class));
    assertEquals(1, EventTypes.versionOf(DefaultVersion.class));
    // Cached results stay the same.
    assertEquals(EventTypes.kindOf(OrderPlaced.class), EventTypes.kindOf(OrderPlaced.class));
  }

  @Test
  void annotationIsRuntimeRetainedOnTypesOnly() {
    assertEquals(RetentionPolicy.RUNTIME, EventType.class.getAnnotation(Retention.class).value());
    assertEquals(1, EventType.class.getAnnotation(Target.class).value().length);
    assertEquals(ElementType.TYPE, EventType.class.getAnnotation(Target.class).value()[0]);
  }

  @Test
  void missingAnnotationNamesTheClass() {
    for (int i = 0; i < 2; i++) { // second call comes from the cache
      ValidationException e =
          assertThrows(ValidationException.class, () -> EventTypes.kindOf(NotAnnotated.class));
      assertTrue(e.getMessage().contains(NotAnnotated.class.getName()), e.getMessage());
      assertTrue(e.getMessage().contains("no @EventType"), e.getMessage());
      assertNull(e.getCause());
      assertThrows(ValidationException.class, () -> EventTypes.versionOf(NotAnnotated.class));
    }
  }

  @Test
  void annotationIsNotInherited() {
    assertEquals(EventKind.custom(1, 2), EventTypes.kindOf(Base.class));
    assertThrows(ValidationException.class, () -> EventTypes.kindOf(Subclass.class));
  }

  @Test
  void invalidKindsNameTheClassAndCarryTheKindError() {
    assertInvalidKind(
        SystemCategory.class, InvalidEventKindException.Rule.RESERVED_SYSTEM_CATEGORY);
    assertInvalidKind(
        EffectCategory.class, InvalidEventKindException.Rule.RESERVED_EFFECT_CATEGORY);
    assertInvalidKind(CategoryTooBig.class, InvalidEventKindException.Rule.CATEGORY_OUT_OF_RANGE);
    assertInvalidKind(TypeIdTooBig.class, InvalidEventKindException.Rule.TYPE_ID_OUT_OF_RANGE);
  }

  @Test
  void versionBelowOneIsRejectedByBothMethods() {
    ValidationException e =
        assertThrows(ValidationException.class, () -> EventTypes.versionOf(VersionZero.class));
    assertTrue(e.getMessage().contains(VersionZero.class.getName()), e.getMessage());
    assertTrue(e.getMessage().contains("version 0"), e.getMessage());
    e = assertThrows(ValidationException.class, () -> EventTypes.kindOf(VersionZero.class));
    assertTrue(e.getMessage().contains("version 0"), e.getMessage());
  }

  @Test
  void nullClassIsRejected() {
    assertThrows(NullPointerException.class, () -> EventTypes.kindOf(null));
    assertThrows(NullPointerException.class, () -> EventTypes.versionOf(null));
  }

  private static void assertInvalidKind(Class<?> type, InvalidEventKindException.Rule rule) {
    ValidationException e = assertThrows(ValidationException.class, () -> EventTypes.kindOf(type));
    assertTrue(e.getMessage().contains(type.getName()), e.getMessage());
    assertTrue(e.getMessage().contains(rule.name()), e.getMessage());
    InvalidEventKindException cause =
        assertInstanceOf(InvalidEventKindException.class, e.getCause());
    assertEquals(rule, cause.rule());
    assertThrows(ValidationException.class, () -> EventTypes.versionOf(type));
  }
}
