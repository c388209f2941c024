package io.batpak.it.docs.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.CausationId;
import io.batpak.CauseWalk;
import io.batpak.Coordinate;
import io.batpak.CorrelationId;
import io.batpak.EventHeader;
import io.batpak.EventKind;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.Watermarks;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The samples of docs/concepts.md, each on a fresh store on the real disk. */
class ConceptsSampleTest {
  static final EventKind OPENED = EventKind.custom(1, 1);
  static final EventKind DEPOSITED = EventKind.custom(1, 2);

  @TempDir Path dir;

  @Test
  void streamsAndSequences() {
    try (Store store = Store.open(StoreConfig.builder(dir).build())) {
      // sample:sequences
      Coordinate alice = Coordinate.of("account:alice", "bank");
      Coordinate bob = Coordinate.of("account:bob", "bank");
      AppendReceipt a0 = store.append(alice, OPENED, Bytes.utf8("{}"));
      AppendReceipt b0 = store.append(bob, OPENED, Bytes.utf8("{}"));
      AppendReceipt a1 = store.append(alice, DEPOSITED, Bytes.utf8("100"));
      // One commit order for the whole store, dense from 0 ...
      assert a0.globalSequence() == 0 && b0.globalSequence() == 1 && a1.globalSequence() == 2;
      // ... and a position in its own stream, dense from 0 in each stream.
      assert a0.streamSequence() == 0 && b0.streamSequence() == 0 && a1.streamSequence() == 1;
      List<EventHeader> aliceOnly = store.stream("account:alice"); // a0, a1
      List<EventHeader> everyAccount = store.queryAfter(Region.entity("account"), -1, 100); // all
      // end-sample:sequences
      assertEquals(List.of(0L, 2L), aliceOnly.stream().map(EventHeader::globalSequence).toList());
      assertEquals(
          List.of(0L, 1L, 2L), everyAccount.stream().map(EventHeader::globalSequence).toList());
    }
  }

  @Test
  void receiptsAndTheHashChain() {
    Coordinate alice = Coordinate.of("account:alice", "bank");
    try (Store store = Store.open(StoreConfig.builder(dir).build())) {
      // sample:receipts
      AppendReceipt opened = store.append(alice, OPENED, Bytes.utf8("{}"));
      AppendReceipt deposit = store.append(alice, DEPOSITED, Bytes.utf8("100"));
      // Each event's hash covers its predecessor's in the same stream: a chain per entity.
      assert opened.prevHash().equals(Bytes.of(new byte[32])); // the first event: zeros
      assert deposit.prevHash().equals(opened.eventHash());
      // Later, or in another process: is the event this receipt names still stored as it was?
      assert store.verifyReceipt(deposit).isValid();
      // end-sample:receipts
      assertTrue(store.verifyReceipt(deposit).isValid());
      assertEquals(opened.eventHash(), deposit.prevHash());
    }
  }

  @Test
  void watermarks() {
    Coordinate alice = Coordinate.of("account:alice", "bank");
    // sample:watermarks
    try (Store store = Store.open(StoreConfig.builder(dir).build())) { // DURABLE, the default
      AppendReceipt r = store.append(alice, OPENED, Bytes.utf8("{}"));
      Watermarks w = store.watermarks(); // counts: the mark covers the sequences below it
      assert w.durable() > r.globalSequence() && w.visible() > r.globalSequence();
    }
    StoreConfig fast = StoreConfig.builder(dir).visible(1000, Duration.ofMillis(50)).build();
    try (Store store = Store.open(fast)) { // VISIBLE: fsync by count or time, after the return
      AppendReceipt r = store.append(alice, DEPOSITED, Bytes.utf8("100"));
      assert store.watermarks().visible() > r.globalSequence(); // readers see it already
      store.sync(); // or waitFor(Watermark.DURABLE, ...) where it matters
      assert store.watermarks().durable() > r.globalSequence();
    }
    // end-sample:watermarks
    try (Store store = Store.open(StoreConfig.builder(dir).build())) {
      assertEquals(2, store.stream("account:alice").size());
    }
  }

  @Test
  void theCausalGraph() {
    EventKind placed = EventKind.custom(2, 1);
    EventKind charged = EventKind.custom(2, 2);
    EventKind shipped = EventKind.custom(2, 3);
    try (Store store = Store.open(StoreConfig.builder(dir).build())) {
      // sample:causal
      AppendReceipt order =
          store.append(Coordinate.of("order:9", "shop"), placed, Bytes.utf8("{}"));
      CorrelationId story = CorrelationId.of(order.eventId()); // an event's default correlation
      AppendReceipt payment =
          store.append(
              Coordinate.of("payment:9", "shop"),
              charged,
              Bytes.utf8("{}"),
              AppendOptions.defaults()
                  .withCorrelation(story)
                  .withCausation(CausationId.of(order.eventId())));
      AppendReceipt shipment =
          store.append(
              Coordinate.of("shipment:9", "shop"),
              shipped,
              Bytes.utf8("{}"),
              AppendOptions.defaults()
                  .withCorrelation(story)
                  .withCausation(CausationId.of(payment.eventId())));
      CauseWalk why = store.walkCauses(shipment.eventId()); // the payment, then the order
      assert why.causes().size() == 2 && why.boundary() == CauseWalk.Boundary.ROOT;
      List<EventHeader> caused = store.consequences(order.eventId()); // the payment
      List<EventHeader> all = store.correlated(story, -1, 100); // order, payment, shipment
      // end-sample:causal
      assertEquals(
          List.of(payment.eventId(), order.eventId()),
          why.causes().stream().map(EventHeader::eventId).toList());
      assertEquals(List.of(payment.eventId()), caused.stream().map(EventHeader::eventId).toList());
      assertEquals(3, all.size());
    }
  }
}
