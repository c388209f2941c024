package io.batpak.it.docs.samples;

// sample:use-it
import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.EventHeader;
import io.batpak.EventKind;
import io.batpak.EventType;
import io.batpak.ExpectedVersion;
import io.batpak.Store;
import io.batpak.StoreConfig;
import java.nio.file.Path;
import java.util.List;

public class OrdersExample {
  record OrderLineAdded(String sku, int quantity) {}

  // The kind and the schema version travel with the type: appendTyped needs no EventKind.
  @EventType(category = 1, typeId = 3, version = 1)
  record OrderConfirmed(String orderId) {}

  public static void main(String[] args) {
    System.out.println(run(Path.of("data")));
  }

  static List<EventHeader> run(Path dir) {
    // Registered types are checked at open and read through their upcasters when they change
    // (docs/schema-evolution.md).
    StoreConfig config = StoreConfig.builder(dir).eventTypes(OrderConfirmed.class).build();
    try (Store store = Store.open(config)) {
      Coordinate order = Coordinate.of("order:1001", "shop");
      EventKind placed = EventKind.custom(1, 1);
      AppendOptions first =
          AppendOptions.defaults().withExpectedVersion(ExpectedVersion.noStream());
      // Raw bytes need no codec ...
      AppendReceipt receipt = store.append(order, placed, Bytes.utf8("{\"sku\":\"A-1\"}"), first);
      // ... objects go through the store's codec (batpak-codec on the class path): appendEncoded,
      // or appendTyped for a record annotated with @EventType, which carries its own kind.
      store.appendEncoded(order, EventKind.custom(1, 2), new OrderLineAdded("A-1", 2));
      AppendReceipt confirmed = store.appendTyped(order, new OrderConfirmed("1001"));
      // durable and visible here
      assert store.verifyReceipt(receipt).isValid();
      assert store.get(confirmed.eventId(), OrderConfirmed.class).orderId().equals("1001");
      return store.stream("order:1001", 0, 100); // one stream, paged
    }
  }
}
// end-sample:use-it
