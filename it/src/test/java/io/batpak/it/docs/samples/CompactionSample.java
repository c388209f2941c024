package io.batpak.it.docs.samples;

// sample:compaction
import io.batpak.Bytes;
import io.batpak.CompactionConfig;
import io.batpak.CompactionResult;
import io.batpak.Coordinate;
import io.batpak.EventKind;
import io.batpak.ReceiptVerification;
import io.batpak.Store;
import io.batpak.StoreConfig;
import java.nio.file.Path;

class CompactionSample {
  static void run(Path dir) throws Exception {
    StoreConfig config = StoreConfig.builder(dir).build();
    io.batpak.AppendReceipt expired = null;
    for (int session = 0; session < 3; session++) { // each clean close seals a small segment
      try (Store store = Store.open(config)) {
        store.append(
            Coordinate.of("order:" + session, "shop"), EventKind.custom(1, 1), Bytes.utf8("{}"));
        expired =
            store.append(
                Coordinate.of("session-" + session, "web"),
                EventKind.custom(1, 2),
                Bytes.utf8("{}"));
      }
    }
    try (Store store = Store.open(config)) {
      // Join the small sealed segments the open/close cycles left behind.
      CompactionResult merged = store.compact(CompactionConfig.merge());
      assert merged.outcome() == CompactionResult.Outcome.PERFORMED && merged.segmentsAfter() == 1;
      // Keep only what the predicate accepts; the rest is dropped (its header and hashes stay).
      CompactionResult retained =
          store.compact(
              CompactionConfig.retain(
                  e -> !e.header().coordinate().entity().startsWith("session-")));
      assert retained.eventsDropped() == 3 && retained.eventsKept() == 3;
      assert store.verifyReceipt(expired) instanceof ReceiptVerification.CompactedAway;
    }
  }
}
// end-sample:compaction
