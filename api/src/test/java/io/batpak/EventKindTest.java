package io.batpak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.InvalidEventKindException.Rule;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EventKindTest {

  @Test
  void customPacksCategoryAndTypeId() {
    EventKind k = EventKind.custom(0x3, 0x0AB);
    assertEquals(0x30AB, k.raw());
    assertEquals(0x3, k.category());
    assertEquals(0x0AB, k.typeId());
    assertEquals("0x30AB", k.toString());
    assertFalse(k.isReserved());
    assertFalse(k.isSystem());
    assertFalse(k.isEffect());
  }

  @Test
  void everyUserCategoryAndTheTypeIdBoundsAreAccepted() {
    for (int category :
        new int[] {0x1, 0x2, 0x3, 0x4, 0x5, 0x6, 0x7, 0x8, 0x9, 0xA, 0xB, 0xC, 0xE, 0xF}) {
      assertEquals(category << 12, EventKind.custom(category, 0).raw());
      assertEquals((category << 12) | 0xFFF, EventKind.custom(category, 0xFFF).raw());
    }
  }

  @ParameterizedTest
  @CsvSource({
    "-1, 0, CATEGORY_OUT_OF_RANGE, category -1",
    "16, 0, CATEGORY_OUT_OF_RANGE, category 16 (0x10)",
    "0, 1, RESERVED_SYSTEM_CATEGORY, category 0 (0x0)",
    "13, 1, RESERVED_EFFECT_CATEGORY, category 13 (0xD)",
    "1, 4096, TYPE_ID_OUT_OF_RANGE, type id 4096 (0x1000)",
    "1, -1, TYPE_ID_OUT_OF_RANGE, type id -1",
    "99, 99999, CATEGORY_OUT_OF_RANGE, type id 99999 (0x1869F)",
    "0, 99999, RESERVED_SYSTEM_CATEGORY, category 0 (0x0)",
  })
  void invalidUserKindsAreRejectedWithTheFirstBrokenRule(
      int category, int typeId, Rule rule, String named) {
    InvalidEventKindException e =
        assertThrows(InvalidEventKindException.class, () -> EventKind.custom(category, typeId));
    assertEquals(rule, e.rule());
    assertEquals(category, e.category());
    assertEquals(typeId, e.typeId());
    assertTrue(e.getMessage().contains(named), e.getMessage());
    assertTrue(e.getMessage().contains(rule.name()), e.getMessage());
    assertTrue(e.getMessage().contains("0x1..0xC or 0xE..0xF"), e.getMessage());
  }

  @Test
  void fromRawAcceptsAnySixteenBitValueIncludingReserved() {
    for (int raw = 0; raw <= 0xFFFF; raw++) {
      EventKind k = EventKind.fromRaw(raw);
      assertEquals(raw, k.raw());
      assertEquals(raw, (k.category() << 12) | k.typeId());
      assertEquals(k.category() == 0 || k.category() == 0xD, k.isReserved());
    }
  }

  @Test
  void fromRawRejectsValuesOutsideSixteenBits() {
    ValidationException e =
        assertThrows(ValidationException.class, () -> EventKind.fromRaw(0x10000));
    assertTrue(e.getMessage().contains("65536"), e.getMessage());
    e = assertThrows(ValidationException.class, () -> EventKind.fromRaw(-1));
    assertTrue(e.getMessage().contains("-1"), e.getMessage());
  }

  @ParameterizedTest
  @CsvSource({
    "DATA, 0x1000", "SYSTEM_INIT, 0x0001", "SYSTEM_SHUTDOWN, 0x0002",
    "SYSTEM_HEARTBEAT, 0x0003", "SYSTEM_CONFIG_CHANGE, 0x0004", "SYSTEM_CHECKPOINT, 0x0005",
    "SYSTEM_BATCH_BEGIN, 0x0006", "SYSTEM_BATCH_COMMIT, 0x0007", "SYSTEM_OPEN_COMPLETED, 0x0008",
    "SYSTEM_CLOSE_COMPLETED, 0x0009", "SYSTEM_DENIAL, 0x000F", "TOMBSTONE, 0x0FFE",
    "EFFECT_ERROR, 0xD001", "EFFECT_RETRY, 0xD002", "EFFECT_ACK, 0xD004",
    "EFFECT_BACKPRESSURE, 0xD005", "EFFECT_CANCEL, 0xD006", "EFFECT_CONFLICT, 0xD007",
  })
  void libraryConstantsHaveTheReferenceRawValues(String name, String hex) throws Exception {
    EventKind k = (EventKind) EventKind.class.getField(name).get(null);
    int raw = Integer.parseInt(hex.substring(2), 16);
    assertEquals(raw, k.raw());
    assertEquals(hex, k.toString());
    assertEquals(EventKind.fromRaw(raw), k);
    assertEquals(!name.equals("DATA"), k.isReserved());
    assertEquals(name.startsWith("SYSTEM") || name.equals("TOMBSTONE"), k.isSystem());
    assertEquals(name.startsWith("EFFECT"), k.isEffect());
  }

  @Test
  void equalityHashAndOrderFollowTheRawValue() {
    assertEquals(EventKind.custom(1, 0), EventKind.DATA);
    assertEquals(EventKind.DATA.hashCode(), EventKind.fromRaw(0x1000).hashCode());
    assertNotEquals(EventKind.custom(1, 1), EventKind.DATA);
    assertNotEquals(EventKind.DATA, (Object) "0x1000");
    List<EventKind> kinds =
        new ArrayList<>(
            List.of(
                EventKind.EFFECT_ERROR,
                EventKind.DATA,
                EventKind.SYSTEM_INIT,
                EventKind.fromRaw(0xFFFF)));
    Collections.sort(kinds);
    assertEquals(
        List.of(
            EventKind.SYSTEM_INIT,
            EventKind.DATA,
            EventKind.EFFECT_ERROR,
            EventKind.fromRaw(0xFFFF)),
        kinds);
  }
}
