package io.batpak.it.docs.samples;

// sample:snapshot
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.CopyReport;
import io.batpak.EventKind;
import io.batpak.Store;
import io.batpak.StoreConfig;
import java.nio.file.Files;
import java.nio.file.Path;

class SnapshotSample {
  static void run(Path work) throws Exception {
    Path backups = Files.createDirectories(work.resolve("backups")); // the parent must exist
    try (Store store = Store.open(StoreConfig.builder(work.resolve("data")).build())) {
      store.append(Coordinate.of("order:1", "shop"), EventKind.custom(1, 1), Bytes.utf8("{}"));
      CopyReport r = store.snapshot(backups.resolve("orders-2026-12-03"));
      // the copy holds exactly the events with a global sequence below r.watermark()
      assert r.watermark() == 1 && r.count(CopyReport.Sharing.COPY) == r.segments().size();
      store.append(Coordinate.of("order:2", "shop"), EventKind.custom(1, 1), Bytes.utf8("{}"));
    }
    try (Store copy =
        Store.open(StoreConfig.builder(backups.resolve("orders-2026-12-03")).build())) {
      assert copy.stats().eventCount() == 1; // the append after the snapshot is not in it
    }
  }
}
// end-sample:snapshot
