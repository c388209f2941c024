package com.example.orders;

// sample:projection-test
import com.example.orders.OrderEvents.OrderPlaced;
import com.example.orders.OrderEvents.PaymentReceived;
import io.batpak.ConcurrencyConflictException;
import io.batpak.Coordinate;
import io.batpak.Region;
import io.batpak.fs.sim.CrashProfile;
import io.batpak.test.BatpakTest;
import io.batpak.test.ProjectionFixture;
import io.batpak.test.SimStore;
import java.util.List;
import org.junit.jupiter.api.Test;

@BatpakTest
class ShippingQueueTest {
  static final Coordinate A1 = Coordinate.of("order:A-1", "shop");
  static final Coordinate B2 = Coordinate.of("order:B-2", "shop");

  @Test
  void paidOrdersWaitUntilTheyShip(SimStore sim) {
    sim.open(config -> config.eventTypes(OrderEvents.ALL));
    ProjectionFixture.on(sim, ShippingQueue.PROJECTION)
        .givenTyped(A1, new OrderPlaced("A-1", "sku-1", 1, 500), new PaymentReceived("A-1", 500))
        .givenTyped(B2, new OrderPlaced("B-2", "sku-2", 2, 100), new PaymentReceived("B-2", 200))
        .when(store -> new Orders(store).ship("A-1")) // the command under test
        .thenRegion(Region.entity("order"))
        .expectState(new ShippingQueue(List.of("B-2")))
        .expectWatermark(4)
        .expectSameAfterCrash(CrashProfile.SECTOR); // replay after a power loss: same queue
  }

  @Test
  void placingAnOrderTwiceIsRefused(SimStore sim) {
    sim.open(config -> config.eventTypes(OrderEvents.ALL));
    ProjectionFixture.on(sim, ShippingQueue.PROJECTION)
        .givenTyped(A1, new OrderPlaced("A-1", "sku-1", 1, 500))
        .when(store -> new Orders(store).place("A-1", "sku-1", 1, 500))
        .thenRefused(ConcurrencyConflictException.class);
  }
}
// end-sample:projection-test
