package io.batpak.it.types;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendReceipt;
import io.batpak.CodecException;
import io.batpak.Coordinate;
import io.batpak.Durability;
import io.batpak.EventType;
import io.batpak.Store;
import io.batpak.StoreConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compatibility rules of docs/schema-evolution.md, as the {@code json} codec (Jackson 3)
 * applies them when a newer class reads an older payload of the same version, with no upcaster: a
 * removed field is ignored; an added field that the old payload lacks is null for a boxed or
 * reference component (which the compact constructor may default), empty for an {@code Optional},
 * and Java's default (0, false) for a primitive: Jackson 3 reads an absent primitive creator
 * property as its absent value even with {@code FAIL_ON_NULL_FOR_PRIMITIVES}, and has no feature
 * that refuses it alone. If these change, docs/schema-evolution.md must change with them.
 */
class SchemaEvolutionRulesTest {
  private static final Coordinate C = Coordinate.of("customer:1", "crm");

  @TempDir Path dir;

  @EventType(category = 0x2, typeId = 0x001)
  record Before(String name, String fax) {}

  /** Same kind and version: {@code fax} removed, four fields added. */
  @EventType(category = 0x2, typeId = 0x001)
  record After(
      String name, Integer visits, Optional<String> email, List<String> tags, String tier) {
    After {
      tags = tags == null ? List.of() : List.copyOf(tags);
      tier = tier == null ? "basic" : tier;
    }
  }

  /** Same kind and version, but a primitive added: old payloads give it no value. */
  @EventType(category = 0x2, typeId = 0x001)
  record WithPrimitive(String name, int visits) {}

  private AppendReceipt writeBefore() {
    try (Store s = Store.open(config().eventTypes(Before.class).build())) {
      return s.appendTyped(C, new Before("Ada", "+44 20 0000"));
    }
  }

  private StoreConfig.Builder config() {
    return StoreConfig.builder(dir).codec("json").durability(Durability.VISIBLE);
  }

  @Test
  void removedAndAddedFieldsNeedNoUpcaster() {
    AppendReceipt r = writeBefore();
    try (Store s = Store.open(config().eventTypes(After.class).build())) {
      assertEquals(
          new After("Ada", null, Optional.empty(), List.of(), "basic"),
          s.get(r.eventId(), After.class));
    }
  }

  @Test
  void anAddedPrimitiveReadsAsItsJavaDefault() {
    AppendReceipt r = writeBefore();
    try (Store s = Store.open(config().eventTypes(WithPrimitive.class).build())) {
      assertEquals(new WithPrimitive("Ada", 0), s.get(r.eventId(), WithPrimitive.class));
    }
  }

  @Test
  void anExplicitNullForAPrimitiveIsRefused() {
    AppendReceipt r;
    try (Store s = Store.open(config().build())) {
      r =
          s.appendEncoded(
              C,
              io.batpak.EventTypes.kindOf(After.class),
              java.util.Collections.singletonMap("visits", null));
    }
    try (Store s = Store.open(config().eventTypes(WithPrimitive.class).build())) {
      CodecException e =
          assertThrows(CodecException.class, () -> s.get(r.eventId(), WithPrimitive.class));
      assertTrue(e.getMessage().contains("visits"), e.getMessage());
    }
  }
}
