package com.example.orders;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.ConcurrencyConflictException;
import io.batpak.test.BatpakTest;
import io.batpak.test.SimStore;
import org.junit.jupiter.api.Test;

/** The order rules, on the simulator. */
@BatpakTest
class OrdersTest {

  @Test
  void anOrderIsPlacedPaidAndShipped(SimStore sim) {
    Orders orders = new Orders(sim.open(config -> config.eventTypes(OrderEvents.ALL)));
    orders.place("A-1", "sku-7", 3, 250);
    assertEquals(new OrderState("A-1", 750, 0, false, 0), orders.state("A-1"));
    orders.pay("A-1", 750);
    orders.ship("A-1");
    assertEquals(new OrderState("A-1", 750, 750, true, 2), orders.state("A-1"));
  }

  @Test
  void theRulesRefuseWhatMustNotHappen(SimStore sim) {
    Orders orders = new Orders(sim.open(config -> config.eventTypes(OrderEvents.ALL)));
    orders.place("A-1", "sku-7", 1, 100);
    assertThrows(ConcurrencyConflictException.class, () -> orders.place("A-1", "sku-7", 1, 100));
    IllegalStateException unpaid =
        assertThrows(IllegalStateException.class, () -> orders.ship("A-1"));
    assertTrue(unpaid.getMessage().contains("cannot ship"), unpaid.getMessage());
    orders.pay("A-1", 100);
    assertThrows(IllegalStateException.class, () -> orders.pay("A-1", 100));
    assertThrows(IllegalStateException.class, () -> orders.state("nope"));
    assertThrows(IllegalArgumentException.class, () -> orders.place("A-2", "sku-7", 0, 100));
  }
}
