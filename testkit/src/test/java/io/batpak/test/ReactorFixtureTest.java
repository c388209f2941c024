package io.batpak.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendOptions;
import io.batpak.Bytes;
import io.batpak.CausationId;
import io.batpak.Coordinate;
import io.batpak.CursorWorkerConfig;
import io.batpak.CursorWorkerFailedException;
import io.batpak.EventKind;
import io.batpak.EventType;
import io.batpak.Reactor;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoredEvent;
import io.batpak.fs.sim.CrashProfile;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/**
 * {@link ReactorFixture} drives the store's own reactor over the given events, checks that every
 * event it appended is a follow-up of a source with the source's correlation, and that a power loss
 * between its reactions and its checkpoint redelivers without appending anything twice; a wrong
 * expectation, a failing reactor, a reactor that appends past its {@code Reactions} and a reactor
 * that stages something else on redelivery each fail with a message that says so.
 */
@BatpakTest
class ReactorFixtureTest {
  static final EventKind PLACED = EventKind.custom(1, 3);
  static final EventKind SHIP = EventKind.custom(1, 4);
  static final EventKind NOTE = EventKind.custom(1, 5);
  static final Region PLACED_ORDERS = Region.all().withKind(PLACED);

  static Coordinate order(int n) {
    return Coordinate.of("order:" + n, "shop");
  }

  static Coordinate shipment(String n) {
    return Coordinate.of("shipment:" + n, "shop");
  }

  /** Ships every placed order whose payload is its number. */
  static final Reactor FULFILMENT =
      (source, reactions) -> {
        String n = source.payload().toUtf8();
        reactions.append(shipment(n), SHIP, source.payload());
      };

  @EventType(category = 3, typeId = 1)
  record Shipped(String order) {}

  @Test
  void theReactionsOfEachSourceCarryItsCausationAndCorrelation(SimStore sim) {
    sim.open();
    ReactorFixture.Outcome outcome =
        ReactorFixture.on(sim, PLACED_ORDERS, "fulfilment", FULFILMENT)
            .given(order(7), PLACED, Bytes.utf8("7"))
            .given(order(8), NOTE, Bytes.utf8("gift wrap")) // not in the region
            .given(order(9), PLACED, Bytes.utf8("9"))
            .whenReactorRuns()
            .expectReactionsTo(0, Reaction.of(shipment("7"), SHIP, Bytes.utf8("7")))
            .expectReactionsTo(1)
            .expectReactionsTo(2, Reaction.of(shipment("9"), SHIP, Bytes.utf8("9")))
            .expectReactions(
                Reaction.of(shipment("7"), SHIP, Bytes.utf8("7")),
                Reaction.of(shipment("9"), SHIP, Bytes.utf8("9")));
    Store store = sim.store();
    StoredEvent source = store.get(sim.acknowledged().get(0).eventId());
    StoredEvent reaction = outcome.reactions().get(0);
    assertEquals(
        CausationId.of(source.header().eventId()), reaction.header().causation().orElseThrow());
    assertEquals(source.header().correlationId(), reaction.header().correlationId());
  }

  @Test
  void typedReactionsAreComparedDecoded(SimStore sim) {
    sim.open(config -> config.eventTypes(Shipped.class));
    ReactorFixture.on(
            sim,
            PLACED_ORDERS,
            "typed",
            (source, reactions) ->
                reactions.appendEncoded(
                    shipment(source.payload().toUtf8()),
                    io.batpak.EventTypes.kindOf(Shipped.class),
                    new Shipped(source.payload().toUtf8())))
        .given(order(1), PLACED, Bytes.utf8("1"))
        .whenReactorRuns()
        .expectReactionsTo(0, Reaction.typed(shipment("1"), new Shipped("1")));
  }

  @Test
  void aPowerLossBetweenReactionsAndCheckpointRedeliversAndAppendsNothingTwice(
      SimStore sim, Random random) {
    sim.open();
    int orders = 2 + random.nextInt(20);
    ReactorFixture fixture =
        ReactorFixture.on(sim, PLACED_ORDERS, "fulfilment", FULFILMENT)
            .withConfig(CursorWorkerConfig.defaults().withBatchSize(1 + random.nextInt(5)));
    List<Reaction> expected = new ArrayList<>();
    for (int i = 0; i < orders; i++) {
      fixture.given(order(i), PLACED, Bytes.utf8("" + i));
      expected.add(Reaction.of(shipment("" + i), SHIP, Bytes.utf8("" + i)));
    }
    CrashProfile profile = CrashProfile.values()[random.nextInt(CrashProfile.values().length)];
    fixture
        .whenCrashBeforeCheckpoint(profile)
        .expectReactions(expected.toArray(Reaction[]::new))
        .expectReactionsTo(orders - 1, expected.get(orders - 1));
    // A later run on the reopened store finds nothing left to do.
    fixture.whenReactorRuns().expectReactions();
  }

  @Test
  void aWrongExpectationFailsListingBothAndTheSources(SimStore sim) {
    sim.open();
    ReactorFixture.Outcome outcome =
        ReactorFixture.on(sim, PLACED_ORDERS, "fulfilment", FULFILMENT)
            .given(order(7), PLACED, Bytes.utf8("7"))
            .whenReactorRuns();
    AssertionFailedError e =
        assertThrows(
            AssertionFailedError.class,
            () -> outcome.expectReactionsTo(0, Reaction.of(shipment("7"), SHIP, Bytes.utf8("8"))));
    String m = e.getMessage();
    assertTrue(m.contains("reactor 'fulfilment' over "), m);
    assertTrue(m.contains("the follow-ups of given event 0 differ: expected 1:"), m);
    assertTrue(m.contains("shipment:7@shop 0x1004 \"8\""), m);
    assertTrue(m.contains("but found 1:"), m);
    assertTrue(
        m.contains("(delivered 1x; staged the last time: [shipment:7@shop 0x1004 \"7\"])"), m);
    assertTrue(m.contains("seed " + sim.seed()), m);
    AssertionFailedError none =
        assertThrows(AssertionFailedError.class, () -> outcome.expectReactions());
    assertTrue(none.getMessage().contains("expected 0 (none)"), none.getMessage());
    assertThrows(IndexOutOfBoundsException.class, () -> outcome.expectReactionsTo(1));
  }

  @Test
  void aReactorThatKeepsFailingIsReportedWithItsFailure(SimStore sim) {
    sim.open();
    ReactorFixture fixture =
        ReactorFixture.on(
                sim,
                PLACED_ORDERS,
                "failing",
                (source, reactions) -> {
                  throw new IllegalStateException("no warehouse for " + source.payload().toUtf8());
                })
            .withConfig(
                CursorWorkerConfig.defaults()
                    .withMaxRestarts(2)
                    .withBackoff(Duration.ofMillis(1), Duration.ofMillis(4)))
            .given(order(1), PLACED, Bytes.utf8("1"));
    AssertionFailedError e = assertThrows(AssertionFailedError.class, fixture::whenReactorRuns);
    assertTrue(e.getMessage().contains("the reactor failed"), e.getMessage());
    CursorWorkerFailedException failed =
        assertInstanceOf(CursorWorkerFailedException.class, e.getCause());
    assertEquals(CursorWorkerFailedException.Reason.RESTARTS_EXHAUSTED, failed.reason());
  }

  @Test
  void aReactorThatAppendsPastItsReactionsIsCaught(SimStore sim) {
    Store store = sim.open();
    ReactorFixture fixture =
        ReactorFixture.on(
                sim,
                PLACED_ORDERS,
                "sneaky",
                (source, reactions) -> store.append(shipment("x"), SHIP, Bytes.utf8("direct")))
            .given(order(1), PLACED, Bytes.utf8("1"));
    AssertionFailedError e = assertThrows(AssertionFailedError.class, fixture::whenReactorRuns);
    assertTrue(e.getMessage().contains("is not a follow-up of a source"), e.getMessage());
    assertTrue(e.getMessage().contains("\"direct\""), e.getMessage());
  }

  @Test
  void aReactorThatLinksItsOwnAppendsIsCaughtDuplicatingThemOnRedelivery(SimStore sim) {
    sim.open();
    // It sets the links itself but has no idempotency key: a redelivery appends it again.
    Reactor linked =
        (source, reactions) ->
            sim.store()
                .append(
                    shipment(source.payload().toUtf8()),
                    SHIP,
                    source.payload(),
                    AppendOptions.defaults()
                        .withCausation(CausationId.of(source.header().eventId()))
                        .withCorrelation(source.header().correlationId()));
    ReactorFixture fixture =
        ReactorFixture.on(sim, PLACED_ORDERS, "linked", linked)
            .given(order(1), PLACED, Bytes.utf8("1"));
    AssertionFailedError e =
        assertThrows(
            AssertionFailedError.class,
            () -> fixture.whenCrashBeforeCheckpoint(CrashProfile.STRICT));
    assertTrue(e.getMessage().contains("has 2 follow-ups in the store"), e.getMessage());
    assertTrue(e.getMessage().contains("staged 0"), e.getMessage());
    assertTrue(e.getMessage().contains("power loss (STRICT)"), e.getMessage());
  }

  @Test
  void aReactorThatStagesSomethingElseOnRedeliveryIsCaught(SimStore sim) {
    sim.open();
    AtomicInteger deliveries = new AtomicInteger();
    ReactorFixture fixture =
        ReactorFixture.on(
                sim,
                PLACED_ORDERS,
                "clock-reader",
                (source, reactions) ->
                    reactions.append(
                        shipment("1"), SHIP, Bytes.utf8("attempt " + deliveries.incrementAndGet())))
            .withConfig(CursorWorkerConfig.defaults().withMaxRestarts(1))
            .given(order(1), PLACED, Bytes.utf8("1"));
    AssertionFailedError e =
        assertThrows(
            AssertionFailedError.class,
            () -> fixture.whenCrashBeforeCheckpoint(CrashProfile.SECTOR));
    String m = e.getMessage();
    assertTrue(m.contains("source #0 has 1 follow-ups in the store"), m);
    assertTrue(m.contains("\"attempt 1\""), m);
    assertTrue(m.contains("but the reactor staged 1 the last time it was given it"), m);
    assertTrue(m.contains("\"attempt 2\""), m);
    assertTrue(m.contains("derive them from the source only"), m);
  }

  @Test
  void aCrashNeedsSomethingToReactTo(SimStore sim) {
    sim.open();
    ReactorFixture fixture =
        ReactorFixture.on(sim, PLACED_ORDERS, "idle", FULFILMENT)
            .given(order(1), NOTE, Bytes.utf8("not placed"));
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> fixture.whenCrashBeforeCheckpoint(CrashProfile.STRICT));
    assertTrue(e.getMessage().contains("no event of"), e.getMessage());
    fixture.whenReactorRuns().expectReactions();
  }
}
