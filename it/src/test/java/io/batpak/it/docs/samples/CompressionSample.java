package io.batpak.it.docs.samples;

// sample:compression
import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.EventKind;
import io.batpak.Store;
import io.batpak.StoreConfig;
import java.nio.file.Path;

class CompressionSample {
  static void run(Path dir) {
    StoreConfig config =
        StoreConfig.builder(dir)
            .compression("zstd") // or "lz4", or "none" (the default)
            .compressionThreshold(256) // smaller payloads are stored as they are
            .build();
    Bytes order = Bytes.utf8("{\"sku\":\"A-1\",\"qty\":2}".repeat(50));
    try (Store store = Store.open(config)) {
      AppendReceipt r =
          store.append(Coordinate.of("order:1", "shop"), EventKind.custom(1, 1), order);
      assert store.get(r.eventId()).payload().equals(order); // stored compressed, read as written
    }
  }
}
// end-sample:compression
