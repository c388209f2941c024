package io.batpak.it.docs.samples;

// sample:quickstart
import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.EventHeader;
import io.batpak.EventKind;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StoredEvent;
import java.nio.file.Path;
import java.util.List;

public class Quickstart {
  static final EventKind PLACED = EventKind.custom(1, 1);
  static final EventKind PAID = EventKind.custom(1, 2);

  public static void main(String[] args) {
    run(Path.of("data")).forEach(System.out::println);
  }

  static List<String> run(Path dir) {
    try (Store store = Store.open(StoreConfig.builder(dir).build())) {
      Coordinate order = Coordinate.of("order:1", "shop"); // the stream "order:1"
      AppendReceipt placed = store.append(order, PLACED, Bytes.utf8("{\"sku\":\"A-1\"}"));
      store.append(order, PAID, Bytes.utf8("{\"cents\":1250}"));
      // Both appends returned after the fsync that made them durable.
      StoredEvent first = store.get(placed.eventId());
      System.out.println(first.payload().toUtf8()); // {"sku":"A-1"}
      List<EventHeader> history = store.stream("order:1"); // oldest first
      return history.stream().map(h -> h.streamSequence() + " " + h.kind()).toList();
    }
  }
}
// end-sample:quickstart
