package io.batpak.it.docs.samples;

// sample:subscription
import io.batpak.*;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

class SubscriptionSample {
  static void run(Path dir) throws Exception {
    try (Store store = Store.open(StoreConfig.builder(dir).build())) {
      Coordinate order = Coordinate.of("order:1", "shop");
      EventKind placed = EventKind.custom(1, 1);
      store.append(order, placed, Bytes.utf8("{\"sku\":\"A-1\"}"));

      // Catch-up: the history after -1 (the whole journal), then live, with no gap between them.
      try (Subscription sub =
          store.subscribeFrom(Region.entity("order"), -1, SubscriptionOptions.defaults())) {
        store.append(order, placed, Bytes.utf8("{\"sku\":\"B-2\"}"));
        EventHeader first = sub.poll(Duration.ofSeconds(5)).orElseThrow();
        EventHeader second = sub.poll(Duration.ofSeconds(5)).orElseThrow();
        assert first.globalSequence() == 0 && second.globalSequence() == 1;
        assert store
            .get(second.eventId())
            .payload()
            .toUtf8()
            .contains("B-2"); // payloads through get
      }

      // The outbox: nothing is written until flush, which commits everything as one batch.
      Outbox outbox = store.outbox();
      outbox.stage(order, placed, Bytes.utf8("{\"paid\":true}"), AppendOptions.defaults());
      outbox.stage(
          Coordinate.of("mail:1", "shop"), placed, Bytes.utf8("{}"), AppendOptions.defaults());
      List<AppendReceipt> receipts = outbox.flush();
      assert receipts.size() == 2;
    }
  }
}
// end-sample:subscription
