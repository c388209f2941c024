package io.batpak.it.docs.samples;

// sample:worker
import io.batpak.*;
import java.nio.file.Path;
import java.time.Duration;

class CursorWorkerSample {
  static void run(Path dir) throws Exception {
    try (Store store = Store.open(StoreConfig.builder(dir).build())) {
      for (int i = 0; i < 10; i++) {
        store.append(
            Coordinate.of("mail:" + i, "shop"), EventKind.custom(1, 2), Bytes.utf8("hi " + i));
      }
      CursorWorker w =
          store.cursorWorker(
              Region.all(),
              "mailer",
              CursorWorkerConfig.defaults().withBatchSize(4).withMaxRestarts(5),
              batch -> batch.forEach(e -> System.out.println(e.payload().toUtf8())));
      store.waitFor(Watermark.APPLIED, 9, Duration.ofSeconds(30)); // all ten handled and saved
      w.stop();
      w.join(); // throws CursorWorkerFailedException if it stopped by a failure
      assert w.metrics().delivered() == 10;
    }
  }
}
// end-sample:worker
