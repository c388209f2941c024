package com.example.orders;

// sample:crash-test
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.batpak.Store;
import io.batpak.StoreException;
import io.batpak.fs.sim.CrashProfile;
import io.batpak.fs.sim.FaultAction;
import io.batpak.fs.sim.FaultRule;
import io.batpak.fs.sim.FaultTrigger;
import io.batpak.fs.sim.FsOp;
import io.batpak.test.BatpakTest;
import io.batpak.test.SimStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

@BatpakTest
class OrdersCrashTest {

  @Test
  void aPowerLossMidScenarioLosesNothingAcknowledged(SimStore sim, Random random) {
    Store store = sim.open(config -> config.eventTypes(OrderEvents.ALL));
    Orders orders = new Orders(store);
    Map<String, OrderState> acknowledged = new LinkedHashMap<>();
    for (int i = 0; i < 20; i++) {
      String id = "A-" + i;
      orders.place(
          id, "sku-" + random.nextInt(5), 1 + random.nextInt(3), 100 + random.nextInt(900));
      if (random.nextBoolean()) {
        orders.pay(id, orders.state(id).totalCents());
      }
      acknowledged.put(id, orders.state(id));
    }

    // The power goes out during the fsync of the next order: it is never acknowledged.
    sim.inject(FaultRule.on(FsOp.SYNC, FaultTrigger.nth(1), FaultAction.crashBefore()));
    assertThrows(StoreException.class, () -> orders.place("B-1", "sku-0", 1, 100));
    Orders recovered = new Orders(sim.crashAndReopen(CrashProfile.SECTOR));

    // Every acknowledged order is there exactly as it was, and the store goes on.
    acknowledged.forEach((id, state) -> assertEquals(state, recovered.state(id)));
    recovered.place("C-1", "sku-1", 2, 250);
    assertEquals(500, recovered.state("C-1").totalCents());
    // After the test the kit closes, cuts the power, reopens and verifies every receipt.
  }
}
// end-sample:crash-test
