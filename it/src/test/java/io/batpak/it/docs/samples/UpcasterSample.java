package io.batpak.it.docs.samples;

// sample:upcaster
import io.batpak.Coordinate;
import io.batpak.EventId;
import io.batpak.EventType;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.Upcaster;
import java.nio.file.Path;

class UpcasterSample {
  // Release 1 wrote this.
  @EventType(category = 1, typeId = 0x010, version = 1)
  record OrderPlacedV1(String orderId, String customer, String fax) {}

  // Release 2 renames "customer" (needs a step), drops "fax" and adds "note" (need none).
  @EventType(category = 1, typeId = 0x010, version = 2)
  record OrderPlaced(String orderId, String customerId, String note) {
    OrderPlaced {
      if (note == null) {
        note = ""; // events older than version 2 have no note
      }
    }
  }

  static void run(Path dir) throws Exception {
    Coordinate order = Coordinate.of("order:1", "shop");
    EventId id;
    try (Store release1 =
        Store.open(StoreConfig.builder(dir).eventTypes(OrderPlacedV1.class).build())) {
      id = release1.appendTyped(order, new OrderPlacedV1("1", "ada", "+44 20 0000")).eventId();
    }

    StoreConfig release2 =
        StoreConfig.builder(dir)
            .eventTypes(OrderPlaced.class)
            .upcaster(
                Upcaster.of(
                    OrderPlaced.class,
                    1,
                    tree -> {
                      tree.put("customerId", tree.remove("customer"));
                      return tree;
                    }))
            .build();
    try (Store store = Store.open(release2)) {
      OrderPlaced read = store.get(id, OrderPlaced.class); // upcast in memory, v1 -> v2
      assert read.equals(new OrderPlaced("1", "ada", "")) : read;
      assert store.get(id).header().payloadVersion() == 1; // the journal still holds version 1
    }
  }
}
// end-sample:upcaster
