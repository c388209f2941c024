package io.batpak.it.docs.samples;

// sample:fence
import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.EventKind;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.VisibilityFence;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;

public class FenceSample {
  public static void main(String[] args) throws Exception {
    run(Files.createTempDirectory("batpak-fence-sample"));
  }

  static void run(Path dir) {
    EventKind placed = EventKind.custom(1, 1);
    Coordinate order = Coordinate.of("order-1", "shop");
    Coordinate stock = Coordinate.of("sku-9", "shop");
    try (Store store = Store.open(StoreConfig.builder(dir).build())) {
      CompletableFuture<AppendReceipt> invoice;
      try (VisibilityFence fence = store.beginFence()) {
        fence.append(order, placed, Bytes.utf8("placed"));
        fence.appendBatch(List.of(BatchItem.of(stock, placed, Bytes.utf8("reserved"))));
        invoice = fence.submit(order, placed, Bytes.utf8("invoiced"), AppendOptions.defaults());
        if (store.stats().eventCount() != 0) {
          throw new AssertionError("nothing is visible before the commit");
        }
        fence.commit(); // all three become visible here, together
      } // close() without commit() would have cancelled them
      if (store.stats().eventCount() != 3 || invoice.join().streamSequence() != 1) {
        throw new AssertionError("all three are visible after the commit");
      }
    }
  }
}
// end-sample:fence
