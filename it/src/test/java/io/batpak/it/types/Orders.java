package io.batpak.it.types;

import io.batpak.EventKind;
import io.batpak.EventType;
import io.batpak.StoreConfig;
import io.batpak.Upcaster;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Three versions of one event, {@code OrderPlaced} (kind 0x1010), as three applications would have
 * declared it, with the two upcaster steps between them and an independent oracle: {@link
 * #expectedV3(V1)} says in plain Java what a version-1 payload must read as at version 3.
 *
 * <ul>
 *   <li>v1 → v2: the field {@code customer} is renamed {@code customerId}; the decimal text {@code
 *       total} ("12.34") is retyped to {@code long totalCents}.
 *   <li>v2 → v3: {@code shipTo} ("street|city") is split into {@code street} and {@code city}.
 *   <li>needing no step: v1's {@code legacyNote} is removed in v2 (ignored on read), and v3 adds
 *       {@code priority}, absent from older payloads, with the default 3.
 * </ul>
 */
final class Orders {
  static final EventKind KIND = EventKind.custom(0x1, 0x010);

  private Orders() {}

  /** Version 1, as the first application wrote it. Never change it: a checked-in store holds it. */
  @EventType(category = 0x1, typeId = 0x010, version = 1)
  record V1(String orderId, String customer, String total, String shipTo, String legacyNote) {}

  /** Version 2: renamed and retyped; {@code legacyNote} removed. */
  @EventType(category = 0x1, typeId = 0x010, version = 2)
  record V2(String orderId, String customerId, long totalCents, String shipTo) {}

  /** Version 3: {@code shipTo} split; {@code priority} added with a default. */
  @EventType(category = 0x1, typeId = 0x010, version = 3)
  record V3(
      String orderId,
      String customerId,
      long totalCents,
      String street,
      String city,
      Integer priority) {
    V3 {
      if (priority == null) {
        priority = 3; // absent in payloads older than version 3
      }
    }
  }

  /** Step 1 → 2: rename {@code customer}, retype {@code total} from decimal text to cents. */
  static Upcaster step1(Class<?> type) {
    return Upcaster.of(
        type,
        1,
        tree -> {
          tree.put("customerId", tree.remove("customer"));
          String total = (String) tree.remove("total");
          tree.put(
              "totalCents", new java.math.BigDecimal(total).movePointRight(2).longValueExact());
          return tree;
        });
  }

  /** Step 2 → 3: split {@code shipTo} at its first '|'. */
  static Upcaster step2(Class<?> type) {
    return Upcaster.of(
        type,
        2,
        tree -> {
          String shipTo = (String) tree.remove("shipTo");
          int bar = shipTo.indexOf('|');
          tree.put("street", shipTo.substring(0, bar));
          tree.put("city", shipTo.substring(bar + 1));
          return tree;
        });
  }

  /** The configuration of the version-3 application: V3 and its full chain. */
  static StoreConfig.Builder v3(StoreConfig.Builder b) {
    return b.eventTypes(V3.class).upcaster(step1(V3.class)).upcaster(step2(V3.class));
  }

  /** What {@code v1} reads as at version 3, computed without the upcasters. */
  static V3 expectedV3(V1 v1) {
    String[] parts = v1.shipTo().split("\\|", 2);
    return new V3(
        v1.orderId(),
        v1.customer(),
        Long.parseLong(v1.total().replace(".", "")), // always two decimals
        parts[0],
        parts[1],
        null);
  }

  /** What {@code v2} reads as at version 3, computed without the upcasters. */
  static V3 expectedV3(V2 v2) {
    String[] parts = v2.shipTo().split("\\|", 2);
    return new V3(v2.orderId(), v2.customerId(), v2.totalCents(), parts[0], parts[1], null);
  }

  /**
   * {@code n} generated version-1 payloads: unicode, empty strings, '|' in the city, big totals.
   */
  static List<V1> generateV1(Random random, int n) {
    List<V1> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long cents = random.nextInt(4) == 0 ? random.nextInt(100) : random.nextLong() >>> 20;
      String total = java.math.BigDecimal.valueOf(cents, 2).toPlainString();
      out.add(
          new V1(
              "o-" + i,
              text(random),
              total,
              text(random).replace("|", "") + "|" + text(random),
              random.nextBoolean() ? text(random) : null));
    }
    return out;
  }

  /** A version-2 payload from the same generator. */
  static V2 generateV2(Random random, int i) {
    return new V2(
        "p-" + i, text(random), random.nextLong() >>> 1, text(random).replace("|", "") + "|x");
  }

  private static final String[] PIECES = {
    "", "a", "Ada", "Zürich", "東京", "\uD83C\uDF7A", "rue de l'Église 3", "|", " ", "\"q\"", "\\"
  };

  private static String text(Random random) {
    StringBuilder sb = new StringBuilder();
    int parts = random.nextInt(4);
    for (int i = 0; i < parts; i++) {
      sb.append(PIECES[random.nextInt(PIECES.length)]);
    }
    return sb.toString();
  }
}
