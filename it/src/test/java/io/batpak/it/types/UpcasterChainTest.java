package io.batpak.it.types;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendReceipt;
import io.batpak.CodecException;
import io.batpak.Coordinate;
import io.batpak.Durability;
import io.batpak.EventKind;
import io.batpak.EventType;
import io.batpak.FutureEventVersionException;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StoredEvent;
import io.batpak.Upcaster;
import io.batpak.it.types.Orders.V1;
import io.batpak.it.types.Orders.V2;
import io.batpak.it.types.Orders.V3;
import io.batpak.test.BatpakTest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The decode rules of docs/schema-evolution.md, end to end with the {@code json} codec: events
 * written by the version-1 and version-2 applications read as version 3 through the upcaster chain
 * (seeded generated payloads: a rename, a retype, a split, a removed and an added field), version 0
 * and the current version decoded directly, a newer version refused with {@link
 * FutureEventVersionException}, and a failing step named.
 */
@BatpakTest
class UpcasterChainTest {
  private static final Coordinate ORDERS = Coordinate.of("orders", "shop");

  @TempDir Path dir;

  private StoreConfig.Builder config() {
    return StoreConfig.builder(dir).codec("json").durability(Durability.VISIBLE);
  }

  @Test
  void versionOneAndTwoEventsReadAsVersionThreeThroughTheChain(Random random) {
    List<V1> v1s = Orders.generateV1(random, 200);
    List<AppendReceipt> v1Receipts = new ArrayList<>();
    try (Store s = Store.open(config().eventTypes(V1.class).build())) {
      for (V1 v : v1s) {
        v1Receipts.add(s.appendTyped(ORDERS, v));
      }
    }
    List<V2> v2s = new ArrayList<>();
    List<AppendReceipt> v2Receipts = new ArrayList<>();
    try (Store s =
        Store.open(config().eventTypes(V2.class).upcaster(Orders.step1(V2.class)).build())) {
      // The version-2 application reads version-1 events through step 1 alone.
      for (int i = 0; i < v1s.size(); i++) {
        V2 read = s.get(v1Receipts.get(i).eventId(), V2.class);
        V3 expected = Orders.expectedV3(v1s.get(i));
        assertEquals(expected.customerId(), read.customerId(), "event " + i);
        assertEquals(expected.totalCents(), read.totalCents(), "event " + i);
        assertEquals(v1s.get(i).shipTo(), read.shipTo(), "event " + i);
      }
      for (int i = 0; i < 50; i++) {
        V2 v = Orders.generateV2(random, i);
        v2s.add(v);
        v2Receipts.add(s.appendTyped(ORDERS, v));
      }
    }
    try (Store s = Store.open(Orders.v3(config()).build())) {
      for (int i = 0; i < v1s.size(); i++) {
        StoredEvent e = s.get(v1Receipts.get(i).eventId());
        assertEquals(1, e.header().payloadVersion());
        V3 expected = Orders.expectedV3(v1s.get(i));
        assertEquals(expected, s.get(e.header().eventId(), V3.class), "v1 " + i);
        assertEquals(expected, s.decode(e, V3.class), "v1 " + i);
        assertEquals(3, expected.priority(), "the added field takes its default");
      }
      for (int i = 0; i < v2s.size(); i++) {
        assertEquals(
            Orders.expectedV3(v2s.get(i)), s.get(v2Receipts.get(i).eventId(), V3.class), "v2 " + i);
      }
      // The journal was never rewritten: the stored bytes are still the version-1 payloads.
      StoredEvent first = s.get(v1Receipts.get(0).eventId());
      assertEquals(1, first.header().payloadVersion());
      assertTrue(first.payload().toUtf8().contains("\"customer\""), first.payload().toUtf8());
    }
  }

  @Test
  void currentAndVersionZeroPayloadsAreDecodedDirectly() {
    // A step that fails proves no step runs for these two.
    Upcaster broken =
        Upcaster.of(
            V2.class,
            1,
            tree -> {
              throw new AssertionError("no step runs for a current or version-0 payload");
            });
    try (Store s = Store.open(config().eventTypes(V2.class).upcaster(broken).build())) {
      V2 current = new V2("o", "c", 5, "s|c");
      AppendReceipt typed = s.appendTyped(ORDERS, current);
      AppendReceipt untyped = s.appendEncoded(ORDERS, Orders.KIND, current);
      assertEquals(0, s.get(untyped.eventId()).header().payloadVersion());
      assertEquals(current, s.get(typed.eventId(), V2.class));
      assertEquals(current, s.get(untyped.eventId(), V2.class));
    }
  }

  @Test
  void anEventOfANewerVersionIsRefusedWithTheTypedError() {
    AppendReceipt r;
    try (Store s = Store.open(Orders.v3(config()).build())) {
      r = s.appendTyped(ORDERS, new V3("o-9", "c", 100, "st", "city", 1));
    }
    try (Store s =
        Store.open(config().eventTypes(V2.class).upcaster(Orders.step1(V2.class)).build())) {
      FutureEventVersionException e =
          assertThrows(FutureEventVersionException.class, () -> s.get(r.eventId(), V2.class));
      assertEquals(r.eventId(), e.eventId());
      assertEquals(V2.class.getName(), e.typeName());
      assertEquals(3, e.storedVersion());
      assertEquals(2, e.knownVersion());
      assertEquals(
          "event "
              + r.eventId()
              + " (kind 0x1010) is stored at payload version 3, but "
              + V2.class.getName()
              + ", the registered type of its kind, knows versions up to 2: a newer version of the"
              + " application wrote it. Upgrade this application to one whose V2 knows version 3,"
              + " or read the raw payload with Store.get(id).payload(). Nothing was changed",
          e.getMessage());
      StoredEvent stored = s.get(r.eventId());
      assertThrows(FutureEventVersionException.class, () -> s.decode(stored, V2.class));
      // An unregistered type is decoded as before: the payload as it is.
      assertEquals(new V3("o-9", "c", 100, "st", "city", 1), s.get(r.eventId(), V3.class));
    }
  }

  @EventType(category = 0x1, typeId = 0x011, version = 2)
  record Renamed(String name) {}

  @EventType(category = 0x1, typeId = 0x011, version = 1)
  record RenamedV1(String first) {}

  @Test
  void aFailingStepIsNamedWithTheEvent() {
    AppendReceipt r;
    try (Store s = Store.open(config().build())) {
      r = s.appendEncoded(ORDERS, EventKind.custom(0x1, 0x011), new Orders.V2("o", "c", 1, "a|b"));
    }
    AppendReceipt v1;
    try (Store s = Store.open(config().eventTypes(RenamedV1.class).build())) {
      v1 = s.appendTyped(ORDERS, new RenamedV1("x"));
    }
    IllegalStateException boom = new IllegalStateException("boom");
    Upcaster throwing =
        Upcaster.of(
            Renamed.class,
            1,
            tree -> {
              throw boom;
            });
    try (Store s = Store.open(config().eventTypes(Renamed.class).upcaster(throwing).build())) {
      CodecException e =
          assertThrows(CodecException.class, () -> s.get(v1.eventId(), Renamed.class));
      assertSame(boom, e.getCause());
      assertEquals(
          "event "
              + v1.eventId()
              + " (kind 0x1011) could not be upcast: the upcaster of "
              + Renamed.class.getName()
              + " from version 1 (Upcaster["
              + Renamed.class.getName()
              + " v1 -> v2]) threw java.lang.IllegalStateException: boom",
          e.getMessage());
      // The version-0 event of the same kind runs no step: decoded directly, unknown fields
      // ignored.
      assertEquals(new Renamed(null), s.get(r.eventId(), Renamed.class));
    }
    Upcaster returnsNull = Upcaster.of(Renamed.class, 1, tree -> null);
    try (Store s = Store.open(config().eventTypes(Renamed.class).upcaster(returnsNull).build())) {
      CodecException e =
          assertThrows(CodecException.class, () -> s.get(v1.eventId(), Renamed.class));
      assertTrue(
          e.getMessage()
              .endsWith("returned null; a step returns the payload tree of the next version"),
          e.getMessage());
    }
    Upcaster wrongShape =
        Upcaster.of(
            Renamed.class,
            1,
            tree -> {
              tree.put("name", List.of(1, 2)); // not a string
              return tree;
            });
    try (Store s = Store.open(config().eventTypes(Renamed.class).upcaster(wrongShape).build())) {
      CodecException e =
          assertThrows(CodecException.class, () -> s.get(v1.eventId(), Renamed.class));
      assertTrue(
          e.getMessage()
              .startsWith(
                  "event "
                      + v1.eventId()
                      + " (kind 0x1011), stored at payload version 1, was upcast to version 2, and"
                      + " the result does not decode as "
                      + Renamed.class.getName()),
          e.getMessage());
    }
  }
}
