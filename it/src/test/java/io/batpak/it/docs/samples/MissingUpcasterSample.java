package io.batpak.it.docs.samples;

// sample:missing-step
import io.batpak.EventType;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.ValidationException;
import java.nio.file.Files;
import java.nio.file.Path;

class MissingUpcasterSample {
  @EventType(category = 1, typeId = 0x020, version = 3)
  record CustomerMoved(String customerId, String street, String city) {}

  static void run(Path dir) throws Exception {
    try {
      Store.open(StoreConfig.builder(dir).eventTypes(CustomerMoved.class).build()).close();
      throw new AssertionError("a chain without steps must not open");
    } catch (ValidationException e) {
      // One line per missing step: from version 1 and from version 2.
      assert e.getMessage().contains("no upcaster reads version 1") : e.getMessage();
      assert e.getMessage().contains("no upcaster reads version 2") : e.getMessage();
    }
    assert !Files.exists(dir) : "a refused open creates nothing";
  }
}
// end-sample:missing-step
