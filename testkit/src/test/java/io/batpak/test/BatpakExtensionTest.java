package io.batpak.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.EventKind;
import io.batpak.Store;
import io.batpak.fs.sim.CrashProfile;
import io.batpak.fs.sim.FaultAction;
import io.batpak.fs.sim.FaultRule;
import io.batpak.fs.sim.FaultTrigger;
import io.batpak.fs.sim.FsOp;
import io.batpak.fs.sim.SimSeed;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * What {@link BatpakTest} does around a test, proved by running small test classes through JUnit's
 * own engine: the invariant check fails a test whose store lost an acknowledged event, and says
 * which one, the seed and the replay command; switching it off lets the test pass; a failure
 * carries the seed and the replay command; the seed property fixes the seed.
 */
class BatpakExtensionTest {
  private static final Coordinate ORDER = Coordinate.of("order:1", "shop");

  /** Acknowledged events that a lying fsync never made durable, then a power loss. */
  static void loseAcknowledgedEvents(SimStore sim) {
    Store store = sim.open();
    store.append(ORDER, EventKind.custom(1, 1), Bytes.utf8("kept"));
    sim.inject(FaultRule.on(FsOp.SYNC, FaultTrigger.always(), FaultAction.lyingSync()));
    store.append(ORDER, EventKind.custom(1, 1), Bytes.utf8("lost 1"));
    store.append(ORDER, EventKind.custom(1, 1), Bytes.utf8("lost 2"));
    sim.crashAndReopen(CrashProfile.STRICT);
  }

  @BatpakTest
  static class LosesAcknowledgedEvents {
    @Test
    void lies(SimStore sim) {
      loseAcknowledgedEvents(sim);
    }
  }

  @BatpakTest
  static class LosesThemOnPurpose {
    @Test
    @BatpakTest(invariantCheck = false)
    void lies(SimStore sim) {
      loseAcknowledgedEvents(sim);
    }
  }

  @BatpakTest
  static class Fails {
    @Test
    void fails(Random random) {
      throw new IllegalStateException("boom " + random.nextInt());
    }
  }

  @BatpakTest
  static class RecordsItsSeed {
    static long seed;

    @Test
    void records(SimStore sim) {
      seed = sim.seed();
      sim.open().append(ORDER, EventKind.custom(1, 1), Bytes.utf8("x"));
    }
  }

  private static Events run(Class<?> scenario) {
    return EngineTestKit.engine("junit-jupiter")
        .selectors(selectClass(scenario))
        .execute()
        .testEvents();
  }

  private static Throwable onlyFailure(Events events) {
    events.assertStatistics(stats -> stats.started(1).failed(1));
    return events.failed().stream()
        .findFirst()
        .orElseThrow()
        .getRequiredPayload(TestExecutionResult.class)
        .getThrowable()
        .orElseThrow();
  }

  @Test
  void theCheckFailsATestWhoseStoreLostAcknowledgedEvents() {
    Throwable failure = onlyFailure(run(LosesAcknowledgedEvents.class));
    assertInstanceOf(AssertionError.class, failure);
    String message = failure.getMessage();
    assertTrue(
        message.contains("batpak invariant check after LosesAcknowledgedEvents#lies"), message);
    assertTrue(message.contains("2 problem(s)"), message);
    assertTrue(
        message.contains("global sequence 1)") && message.contains("MISSING_EVENT"), message);
    assertTrue(
        message.contains(
            "replay with: mvn -B -pl testkit -am test"
                + " -Dtest='BatpakExtensionTest$LosesAcknowledgedEvents#lies'"),
        message);
    assertTrue(message.contains("-Dbatpak.test.seed="), message);
  }

  @Test
  void aTestSwitchesTheCheckOff() {
    run(LosesThemOnPurpose.class).assertStatistics(stats -> stats.started(1).succeeded(1));
  }

  @Test
  void aFailureCarriesItsSeedAndTheReplayCommand() {
    Throwable failure = onlyFailure(run(Fails.class));
    assertInstanceOf(IllegalStateException.class, failure);
    assertEquals(1, failure.getSuppressed().length);
    SimSeed.SeedReport report =
        assertInstanceOf(SimSeed.SeedReport.class, failure.getSuppressed()[0]);
    assertTrue(
        report.getMessage().endsWith(" -Dbatpak.test.seed=" + report.seed()), report.getMessage());
    assertTrue(report.getMessage().contains("-Dtest='BatpakExtensionTest$Fails#fails'"));
    assertEquals(
        "boom " + new Random(report.seed()).nextInt(),
        failure.getMessage(),
        "the seed is the one used");
  }

  @Test
  void theSeedPropertyFixesTheSeed() {
    String before = System.getProperty(BatpakTest.SEED_PROPERTY);
    System.setProperty(BatpakTest.SEED_PROPERTY, "424242");
    try {
      run(RecordsItsSeed.class).assertStatistics(stats -> stats.started(1).succeeded(1));
      assertEquals(424242L, RecordsItsSeed.seed);
    } finally {
      if (before == null) {
        System.clearProperty(BatpakTest.SEED_PROPERTY);
      } else {
        System.setProperty(BatpakTest.SEED_PROPERTY, before);
      }
    }
  }
}
