package com.example.orders;

// sample:reactor-test
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.example.orders.OrderEvents.OrderPlaced;
import com.example.orders.OrderEvents.OrderShipped;
import com.example.orders.OrderEvents.PaymentReceived;
import io.batpak.Coordinate;
import io.batpak.fs.sim.CrashProfile;
import io.batpak.test.BatpakTest;
import io.batpak.test.Reaction;
import io.batpak.test.ReactorFixture;
import io.batpak.test.SimStore;
import org.junit.jupiter.api.Test;

@BatpakTest
class FulfilmentTest {
  static final Coordinate A1 = Coordinate.of("order:A-1", "shop");
  static final Coordinate B2 = Coordinate.of("order:B-2", "shop");

  @Test
  void aPaidOrderShipsOnceEvenWhenAPowerLossDeliversThePaymentAgain(SimStore sim) {
    sim.open(config -> config.eventTypes(OrderEvents.ALL));
    ReactorFixture.on(sim, Fulfilment.REGION, "fulfilment", new Fulfilment())
        .givenTyped(A1, new OrderPlaced("A-1", "sku-1", 1, 500)) // given event 0
        .givenTyped(A1, new PaymentReceived("A-1", 500)) // 1
        .givenTyped(B2, new OrderPlaced("B-2", "sku-2", 1, 900)) // 2: not paid
        // The reactor runs; the power goes out after it appended the shipment, before it saved
        // its checkpoint; after the reopen it runs again and gets the payment a second time.
        .whenCrashBeforeCheckpoint(CrashProfile.SECTOR)
        .expectReactionsTo(1, Reaction.typed(A1, new OrderShipped("A-1")))
        .expectReactionsTo(2); // nothing for an unpaid order
    assertTrue(new Orders(sim.store()).state("A-1").shipped());
  }
}
// end-sample:reactor-test
