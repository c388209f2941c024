package io.batpak.it.docs.samples;

// sample:cursor
import io.batpak.*;
import java.nio.file.Path;
import java.util.List;

class CursorSample {
  static void run(Path dir) {
    try (Store store = Store.open(StoreConfig.builder(dir).build())) {
      store.append(Coordinate.of("order:1", "shop"), EventKind.custom(1, 1), Bytes.utf8("placed"));
      try (Cursor c = store.cursor(Region.entity("order"), "billing")) {
        List<StoredEvent> batch = c.pollBatch(100); // never waits; empty when there is nothing
        assert batch.size() == 1; // your side effects go here
        c.checkpoint(); // durable on return
      }
      try (Cursor again = store.cursor(Region.entity("order"), "billing")) {
        assert again.position() == 0; // resumed after the checkpoint
        assert again.poll().isEmpty();
      }
    }
  }
}
// end-sample:cursor
