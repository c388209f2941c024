package io.batpak.it.docs.samples;

// sample:fork
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.CopyReport;
import io.batpak.EventKind;
import io.batpak.Store;
import io.batpak.StoreConfig;
import java.nio.file.Path;

class ForkSample {
  static void run(Path work) throws Exception {
    StoreConfig small = StoreConfig.builder(work.resolve("data")).segmentMaxBytes(4096).build();
    try (Store store = Store.open(small)) {
      for (int i = 0; i < 100; i++) {
        store.append(Coordinate.of("order:" + i, "shop"), EventKind.custom(1, 1), Bytes.utf8("{}"));
      }
      CopyReport r = store.fork(work.resolve("experiment"));
      // every sealed segment shared (reflink or hard link), the active one copied
      assert r.count(CopyReport.Sharing.COPY) == 1 && r.segments().size() > 1;
    }
    try (Store fork = Store.open(StoreConfig.builder(work.resolve("experiment")).build())) {
      fork.append(Coordinate.of("order:x", "shop"), EventKind.custom(1, 1), Bytes.utf8("{}"));
      assert fork.stats().eventCount() == 101; // the source still holds 100
    }
  }
}
// end-sample:fork
