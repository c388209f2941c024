package io.batpak.it.types;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.batpak.AppendReceipt;
import io.batpak.EventHeader;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StoreVerification;
import io.batpak.StoredEvent;
import io.batpak.VerificationProgress;
import io.batpak.it.golden.GoldenStoreGenerator;
import io.batpak.it.types.Orders.V1;
import io.batpak.it.types.Orders.V3;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replays the checked-in store {@code stores/orders-v1/}, written once by {@link
 * OrdersV1StoreGenerator} with the version-1 classes, through the version-3 application's upcaster
 * chain: every {@code OrderPlaced} event reads as version 3 exactly as the oracle {@link
 * Orders#expectedV3(V1)} computes from the version-1 payload, untyped events of another kind are
 * untouched, and the checked-in files never change (their sums are pinned, and checked again after
 * each test). Each test works on a copy in a temporary directory.
 */
class OrdersV1StoreTest {

  /** SHA-256 of {@code stores/orders-v1/SHA256SUMS}. Never change it: write a new store instead. */
  static final String SUMS_SHA256 =
      "85c6daa7bd535ec9b102de5950048bdd04f6d780e9ea0c76543fbf503d010e22";

  @TempDir Path tmp;

  private Path checkedIn;
  private Path store;

  private static Path checkedIn() {
    URL url = OrdersV1StoreTest.class.getResource("/stores/orders-v1/SHA256SUMS");
    if (url == null) {
      throw new IllegalStateException(
          "stores/orders-v1/SHA256SUMS is not on the test class path (it/src/test/resources)");
    }
    try {
      return Path.of(url.toURI()).getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @BeforeEach
  void copyTheStore() throws IOException {
    checkedIn = checkedIn();
    assertFrozen();
    store = Files.createDirectories(tmp.resolve("store"));
    try (Stream<Path> files = Files.list(checkedIn.resolve("store"))) {
      for (Path p : files.sorted().toList()) {
        Files.copy(p, store.resolve(p.getFileName()));
      }
    }
  }

  /** The checked-in files are the ones their pinned sums list: no file changed, added or lost. */
  private void assertFrozen() throws IOException {
    Path sums = checkedIn.resolve("SHA256SUMS");
    assertEquals(
        SUMS_SHA256,
        GoldenStoreGenerator.sha256(Files.readAllBytes(sums)),
        "stores/orders-v1 is frozen: restore it with git checkout, never regenerate it");
    Map<String, String> listed = new TreeMap<>();
    for (String line : Files.readAllLines(sums, StandardCharsets.UTF_8)) {
      listed.put(line.substring(66), line.substring(0, 64));
    }
    assertEquals(listed, GoldenStoreGenerator.digests(checkedIn), "stores/orders-v1 changed");
  }

  private static List<EventHeader> all(Store s) {
    return s.queryAfter(Region.all(), -1, 10_000);
  }

  @Test
  void everyVersionOneEventReplaysAsVersionThree() throws IOException {
    List<V1> written = OrdersV1StoreGenerator.payloads();
    try (Store s = Store.open(Orders.v3(StoreConfig.builder(store)).build())) {
      List<V3> orders = new ArrayList<>();
      int notes = 0;
      for (EventHeader h : all(s)) {
        StoredEvent e = s.get(h.eventId());
        if (h.kind().equals(Orders.KIND)) {
          assertEquals(1, h.payloadVersion(), "written by the version-1 application");
          int i = orders.size();
          assertEquals(OrdersV1StoreGenerator.streamOf(i), h.coordinate());
          V1 stored = s.get(h.eventId(), V1.class); // not registered here: decoded as is
          assertEquals(written.get(i), stored, "the store holds what the generator wrote");
          V3 read = s.decode(e, V3.class);
          assertEquals(Orders.expectedV3(stored), read, "order " + i);
          assertEquals(read, s.get(h.eventId(), V3.class));
          orders.add(read);
        } else {
          assertEquals(OrdersV1StoreGenerator.NOTE, h.kind());
          assertEquals(0, h.payloadVersion());
          assertEquals(Map.of("n", notes * 10), s.get(h.eventId(), Map.class));
          notes++;
        }
      }
      assertEquals(OrdersV1StoreGenerator.ORDERS, orders.size());
      assertEquals(OrdersV1StoreGenerator.NOTES, notes);
      StoreVerification v = s.verifyAll(VerificationProgress.none());
      assertEquals(0, v.problemCount(), "the old store still verifies: " + v.problems());
      assertEquals(OrdersV1StoreGenerator.ORDERS + OrdersV1StoreGenerator.NOTES, v.eventsChecked());

      // Opened read-write: the version-3 application appends beside the old events.
      V3 now = new V3("o-new", "c-9", 4200, "Main St 1", "Springfield", 1);
      AppendReceipt r = s.appendTyped(OrdersV1StoreGenerator.streamOf(0), now);
      assertEquals(3, s.get(r.eventId()).header().payloadVersion());
      assertEquals(now, s.get(r.eventId(), V3.class));
    }
    assertFrozen();
  }

  @Test
  void aReadOnlyOpenReplaysTheSame() throws IOException {
    List<V1> written = OrdersV1StoreGenerator.payloads();
    try (Store s = Store.open(Orders.v3(StoreConfig.builder(store)).readOnly(true).build())) {
      int i = 0;
      for (EventHeader h : all(s)) {
        if (h.kind().equals(Orders.KIND)) {
          assertEquals(Orders.expectedV3(written.get(i)), s.get(h.eventId(), V3.class));
          i++;
        }
      }
      assertEquals(OrdersV1StoreGenerator.ORDERS, i);
    }
    assertFrozen();
  }
}
