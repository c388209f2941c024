package io.batpak.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendOptions;
import io.batpak.Bytes;
import io.batpak.ConcurrencyConflictException;
import io.batpak.Coordinate;
import io.batpak.EventKind;
import io.batpak.EventType;
import io.batpak.EventTypes;
import io.batpak.ExpectedVersion;
import io.batpak.Projection;
import io.batpak.Region;
import io.batpak.fs.sim.CrashProfile;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/**
 * {@link ProjectionFixture} runs the store's own projection path after the given and when steps,
 * passes when the state is right, and fails with the events applied, the scenario and the seed when
 * it is not; and after a power loss it proves the fold gives the same state again.
 */
@BatpakTest
class ProjectionFixtureTest {
  static final EventKind DEPOSITED = EventKind.custom(1, 1);
  static final EventKind WITHDRAWN = EventKind.custom(1, 2);
  static final Coordinate ALICE = Coordinate.of("account:alice", "bank");
  static final Coordinate BOB = Coordinate.of("account:bob", "bank");

  static final Projection<Long> BALANCE =
      Projection.of(
          "accounts.balance",
          1,
          Set.of(DEPOSITED, WITHDRAWN),
          0L,
          Long.class,
          (cents, e) -> {
            long amount = Long.parseLong(e.payload().toUtf8());
            return e.header().kind().equals(DEPOSITED) ? cents + amount : cents - amount;
          });

  @EventType(category = 2, typeId = 1)
  record Opened(String owner) {}

  @EventType(category = 2, typeId = 2)
  record Closed(String reason) {}

  /** Counts the opened and closed events of a stream, by kind (headers only). */
  static final Projection<Long> OPEN_ACCOUNTS =
      Projection.of(
              "accounts.open",
              1,
              Set.of(EventTypes.kindOf(Opened.class), EventTypes.kindOf(Closed.class)),
              0L,
              Long.class,
              (n, e) -> e.header().kind().equals(EventTypes.kindOf(Opened.class)) ? n + 1 : n - 1)
          .headersOnly();

  @Test
  void foldsTheGivenEventsAndTheWhenCommandThroughTheStore(SimStore sim) {
    sim.open();
    ProjectionFixture.on(sim, BALANCE)
        .given(ALICE, DEPOSITED, Bytes.utf8("5000"))
        .given(BOB, DEPOSITED, Bytes.utf8("70"))
        .given(ALICE, DEPOSITED, Bytes.utf8("100"))
        .when(
            store ->
                store.append(
                    ALICE,
                    WITHDRAWN,
                    Bytes.utf8("1250"),
                    AppendOptions.defaults().withExpectedVersion(ExpectedVersion.exactly(1))))
        .thenStream("account:alice")
        .expectState(3850L)
        .expectStreamVersion(3)
        .expectWatermark(3)
        .expectSameAfterCrash(CrashProfile.SECTOR)
        .expectState(3850L);
    assertEquals(4, sim.acknowledged().size(), "the given and when appends are acknowledged");
  }

  @Test
  void foldsARegionAndTypedEvents(SimStore sim) {
    sim.open(config -> config.eventTypes(Opened.class, Closed.class));
    ProjectionFixture.Outcome<Long> open =
        ProjectionFixture.on(sim, OPEN_ACCOUNTS)
            .givenTyped(ALICE, new Opened("alice"))
            .givenTyped(BOB, new Opened("bob"), new Closed("moved"))
            .given(BOB, DEPOSITED, Bytes.utf8("1")) // another kind: never applied
            .thenRegion(Region.entity("account"))
            .expectState(1L)
            .expectWatermark(3)
            .expectState(n -> assertTrue(n > 0, "some account is open"));
    assertEquals(3, open.result().replayed(), "the deposit is not of the projection's kinds");
    assertThrows(IllegalStateException.class, () -> open.expectStreamVersion(0));
    AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> open.expectState(2L));
    assertTrue(e.getMessage().contains("(payload not read: "), e.getMessage());
  }

  @Test
  void aWrongStateFailsWithBothStatesTheEventsAppliedAndTheSeed(SimStore sim) {
    sim.open();
    ProjectionFixture.Outcome<Long> outcome =
        ProjectionFixture.on(sim, BALANCE)
            .given(ALICE, DEPOSITED, Bytes.utf8("5000"))
            .given(ALICE, WITHDRAWN, Bytes.utf8("1250"))
            .thenStream("account:alice");
    AssertionFailedError e =
        assertThrows(AssertionFailedError.class, () -> outcome.expectState(3000L));
    String m = e.getMessage();
    assertTrue(m.contains("projection 'accounts.balance' v1 over stream 'account:alice'"), m);
    assertTrue(m.contains("expected state <3000> but was <3750>"), m);
    assertTrue(m.contains("it was applied to 2 events"), m);
    assertTrue(m.contains("#0 account:alice@bank seq 0"), m);
    assertTrue(m.contains("\"1250\""), m);
    assertTrue(m.contains("seed " + sim.seed()), m);
    assertEquals(3000L, e.getExpected().getValue());
    assertEquals(3750L, e.getActual().getValue());

    AssertionFailedError version =
        assertThrows(AssertionFailedError.class, () -> outcome.expectStreamVersion(5));
    assertTrue(version.getMessage().contains("expected stream version 5 but was 2"));
    AssertionFailedError watermark =
        assertThrows(AssertionFailedError.class, () -> outcome.expectWatermark(0));
    assertTrue(watermark.getMessage().contains("expected watermark 0 but was 1"));
    AssertionFailedError asserted =
        assertThrows(
            AssertionFailedError.class,
            () -> outcome.expectState(s -> assertEquals(1L, s, "the balance")));
    assertTrue(asserted.getMessage().contains("the balance ==> expected: <1> but was: <3750>"));
    assertInstanceOf(AssertionError.class, asserted.getCause());
  }

  @Test
  void aRefusedWhenCommandIsExpectedOrReported(SimStore sim) {
    sim.open();
    ProjectionFixture<Long> fixture =
        ProjectionFixture.on(sim, BALANCE)
            .given(ALICE, DEPOSITED, Bytes.utf8("5000"))
            .when(
                store ->
                    store.append(
                        ALICE,
                        WITHDRAWN,
                        Bytes.utf8("10"),
                        AppendOptions.defaults().withExpectedVersion(ExpectedVersion.noStream())));
    ConcurrencyConflictException conflict = fixture.thenRefused(ConcurrencyConflictException.class);
    assertTrue(conflict.getMessage().contains("account:alice"), conflict.getMessage());

    AssertionFailedError other =
        assertThrows(
            AssertionFailedError.class, () -> fixture.thenRefused(IllegalStateException.class));
    assertTrue(
        other.getMessage().contains("expected the when command to throw"), other.getMessage());
    AssertionFailedError state =
        assertThrows(AssertionFailedError.class, () -> fixture.thenStream("account:alice"));
    assertTrue(state.getMessage().contains("the when command threw"), state.getMessage());
    assertTrue(state.getMessage().contains("given account:alice@bank"), state.getMessage());
    assertInstanceOf(ConcurrencyConflictException.class, state.getCause());
    assertThrows(
        IllegalStateException.class, () -> fixture.given(ALICE, DEPOSITED, Bytes.utf8("1")));
  }

  @Test
  void aWhenCommandThatReturnsIsNotARefusal(SimStore sim) {
    sim.open();
    ProjectionFixture<Long> fixture =
        ProjectionFixture.on(sim, BALANCE)
            .when(store -> store.append(ALICE, DEPOSITED, Bytes.utf8("1")));
    AssertionFailedError e =
        assertThrows(
            AssertionFailedError.class,
            () -> fixture.thenRefused(ConcurrencyConflictException.class));
    assertTrue(e.getMessage().contains("but it returned"), e.getMessage());
    assertTrue(e.getMessage().contains("having appended"), e.getMessage());
    assertThrows(IllegalStateException.class, () -> fixture.when(store -> {}));
  }

  @Test
  void aFoldThatIsNotAPureFunctionFailsTheSameAfterCrashCheck(SimStore sim) {
    sim.open();
    AtomicLong calls = new AtomicLong();
    Projection<Long> impure =
        Projection.of(
            "accounts.calls", 1, Set.of(), 0L, Long.class, (n, e) -> calls.incrementAndGet());
    ProjectionFixture.Outcome<Long> outcome =
        ProjectionFixture.on(sim, impure)
            .given(ALICE, DEPOSITED, Bytes.utf8("1"))
            .given(ALICE, DEPOSITED, Bytes.utf8("2"))
            .thenStream("account:alice")
            .expectState(2L);
    AssertionFailedError e =
        assertThrows(
            AssertionFailedError.class, () -> outcome.expectSameAfterCrash(CrashProfile.STRICT));
    assertTrue(e.getMessage().contains("after a power loss (STRICT)"), e.getMessage());
    assertTrue(e.getMessage().contains("the projection differs"), e.getMessage());
    assertTrue(e.getMessage().contains("before the crash it was applied to"), e.getMessage());
  }

  @Test
  void theSameAfterCrashCheckGoesThroughTheProjectionCache(SimStore sim) {
    sim.open(config -> config.projectionCache(true).projectionCacheEvery(1));
    ProjectionFixture.Outcome<Long> outcome =
        ProjectionFixture.on(sim, BALANCE)
            .given(ALICE, DEPOSITED, Bytes.utf8("40"))
            .given(ALICE, DEPOSITED, Bytes.utf8("2"))
            .thenStream("account:alice")
            .expectState(42L)
            .expectSameAfterCrash(CrashProfile.PREFIX);
    assertTrue(outcome.result().fromCache(), "the reopened store started from its cache entry");
    assertEquals(0, outcome.result().replayed());
  }

  @Test
  void randomHistoriesFoldAsAPlainLoopDoes(SimStore sim, Random random) {
    sim.open();
    ProjectionFixture<Long> fixture = ProjectionFixture.on(sim, BALANCE);
    long alice = 0;
    long bob = 0;
    int n = 1 + random.nextInt(60);
    for (int i = 0; i < n; i++) {
      boolean toAlice = random.nextBoolean();
      boolean deposit = random.nextInt(3) > 0;
      long amount = random.nextInt(10_000);
      fixture.given(
          toAlice ? ALICE : BOB, deposit ? DEPOSITED : WITHDRAWN, Bytes.utf8("" + amount));
      long delta = deposit ? amount : -amount;
      if (toAlice) {
        alice += delta;
      } else {
        bob += delta;
      }
    }
    CrashProfile profile = CrashProfile.values()[random.nextInt(CrashProfile.values().length)];
    fixture.thenStream("account:alice").expectState(alice).expectSameAfterCrash(profile);
    fixture.thenStream("account:bob").expectState(bob);
    fixture.thenRegion(Region.all()).expectState(alice + bob).expectWatermark(n - 1);
  }

  @Test
  void aFixtureNeedsAnOpenStore(SimStore sim) {
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> ProjectionFixture.on(sim, BALANCE));
    assertTrue(e.getMessage().contains("open()"), e.getMessage());
  }
}
