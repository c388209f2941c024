package io.batpak.it.docs.samples;

// sample:reactor
import io.batpak.*;
import java.nio.file.Path;
import java.time.Duration;

class ReactorSample {
  static void run(Path dir) throws Exception {
    EventKind placed = EventKind.custom(1, 3);
    EventKind ship = EventKind.custom(1, 4);
    try (Store store = Store.open(StoreConfig.builder(dir).build())) {
      AppendReceipt order = store.append(Coordinate.of("order:7", "shop"), placed, Bytes.utf8("7"));
      CursorWorker r =
          store.reactor(
              Region.all().withKind(placed),
              "fulfilment",
              CursorWorkerConfig.defaults(),
              (source, reactions) ->
                  reactions.append(
                      Coordinate.of("shipment:" + source.payload().toUtf8(), "shop"),
                      ship,
                      source.payload()));
      store.waitFor(Watermark.APPLIED, order.globalSequence(), Duration.ofSeconds(30));
      r.stop();
      r.join();
      EventHeader shipment = store.latest("shipment:7").orElseThrow();
      assert shipment.causation().orElseThrow().equals(CausationId.of(order.eventId()));
      assert shipment.correlationId().equals(store.get(order.eventId()).header().correlationId());
    }
  }
}
// end-sample:reactor
