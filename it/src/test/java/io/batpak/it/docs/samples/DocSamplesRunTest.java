package io.batpak.it.docs.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.EventHeader;
import io.batpak.EventKind;
import io.batpak.Store;
import io.batpak.StoreConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs every whole-class sample that README.md and docs/ show (DocSamplesTest proves the Markdown
 * shows exactly these regions), each on a fresh directory of the real disk. The samples check their
 * claims with {@code assert}; the first test proves assertions are on, and the others add checks of
 * what each sample leaves behind.
 */
class DocSamplesRunTest {
  @TempDir Path tmp;

  @Test
  @SuppressWarnings("AssertionFailureIgnored")
  void assertionsAreOnSoTheSamplesAssertsAreChecked() {
    assertThrows(
        AssertionError.class,
        () -> {
          assert tmp == null : "assertions are on";
        });
  }

  @Test
  void readmeUseIt() {
    List<EventHeader> history = OrdersExample.run(tmp);
    assertEquals(3, history.size());
    assertEquals(EventKind.custom(1, 1), history.get(0).kind());
    assertEquals(EventKind.custom(1, 3), history.get(2).kind()); // from @EventType(1, 3)
    assertEquals(1, history.get(2).payloadVersion());
  }

  @Test
  void quickstart() {
    List<String> lines = Quickstart.run(tmp);
    assertEquals(2, lines.size(), lines::toString);
    assertTrue(lines.get(0).startsWith("0 "), lines::toString);
    assertTrue(lines.get(1).startsWith("1 "), lines::toString);
    try (Store again = Store.open(StoreConfig.builder(tmp).build())) {
      assertEquals(2, again.stats().eventCount(), "the events are on disk after the close");
    }
  }

  @Test
  void codecsCompression() {
    CompressionSample.run(tmp);
  }

  @Test
  void cursors() throws Exception {
    CursorSample.run(tmp.resolve("a"));
    CursorWorkerSample.run(tmp.resolve("b"));
    ReactorSample.run(tmp.resolve("c"));
  }

  @Test
  void fences() {
    FenceSample.run(tmp);
  }

  @Test
  void gates() {
    GatesExample.run(tmp);
    try (Store store = Store.open(StoreConfig.builder(tmp).build())) {
      assertEquals(
          List.of(
              GatesExample.MOVED,
              EventKind.SYSTEM_DENIAL,
              EventKind.SYSTEM_DENIAL,
              GatesExample.MOVED),
          store.stream("acc-1").stream().map(EventHeader::kind).toList());
    }
  }

  @Test
  void projections() {
    ProjectionSample.run(tmp);
  }

  @Test
  void operationsSnapshotForkAndCompaction() throws Exception {
    SnapshotSample.run(Files.createDirectories(tmp.resolve("snapshot")));
    assertTrue(Files.isDirectory(tmp.resolve("snapshot/backups/orders-2026-12-03")));
    ForkSample.run(Files.createDirectories(tmp.resolve("fork")));
    try (Store source = Store.open(StoreConfig.builder(tmp.resolve("fork/data")).build())) {
      assertEquals(100, source.stats().eventCount(), "the fork's append stays in the fork");
    }
    CompactionSample.run(tmp.resolve("compaction"));
  }

  @Test
  void receipts() throws Exception {
    SigningSample.run(tmp.resolve("signed"));
    ReceiptVerifierSample.run(tmp.resolve("store"));
  }

  @Test
  void schemaEvolution() throws Exception {
    UpcasterSample.run(tmp.resolve("data"));
    Path customers = tmp.resolve("customers");
    MissingUpcasterSample.run(customers);
    assertFalse(Files.exists(customers));
  }

  @Test
  void subscriptions() throws Exception {
    SubscriptionSample.run(tmp);
  }
}
