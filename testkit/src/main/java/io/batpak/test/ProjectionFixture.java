package io.batpak.test;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.EventKind;
import io.batpak.Projection;
import io.batpak.ProjectionResult;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoredEvent;
import io.batpak.fs.sim.CrashProfile;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import org.apiguardian.api.API;
import org.opentest4j.AssertionFailedError;

/**
 * Given/when/then for a {@link Projection}, on the kit's store: given events appended to the store,
 * optionally a "when" command run against it, then the state the store's own projection path
 * ({@link Store#project(String, Projection)}, {@link Store#project(Region, Projection)}) folds from
 * them, and whether the same state comes back after a power loss and a reopen.
 *
 * <pre>{@code
 * ProjectionFixture.on(sim, BALANCE)
 *     .given(alice, DEPOSITED, Bytes.utf8("5000"))
 *     .when(store -> store.append(alice, WITHDRAWN, Bytes.utf8("1250"), AppendOptions.defaults()
 *         .withExpectedVersion(ExpectedVersion.exactly(1))))
 *     .thenStream("account:alice")
 *     .expectState(3750L)
 *     .expectSameAfterCrash(CrashProfile.SECTOR);
 * }</pre>
 *
 * <p>Each step runs at once, in the order written, through {@link SimStore#store()}, so the given
 * events are acknowledged events the kit's invariant check covers after the test. A failed
 * expectation is an {@link AssertionFailedError} (expected and actual attached, for an IDE's diff)
 * whose message names the projection and what it folded, lists the events the projection was
 * applied to, the given and when steps, and the seed.
 *
 * <p>Not thread-safe: use it from the test's thread.
 *
 * @param <S> the projection's state
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class ProjectionFixture<S> {
  private final Projection<S> projection;
  private final Scenario scenario;

  private ProjectionFixture(SimStore sim, Projection<S> projection) {
    this.projection = projection;
    this.scenario = new Scenario(sim, "projection '" + projection.id() + "'");
  }

  /**
   * A fixture for {@code projection} on the store {@code sim} has open.
   *
   * @param sim the test's {@link SimStore}, with a store open ({@link SimStore#open})
   * @param projection the projection under test
   * @return the fixture
   * @throws NullPointerException if an argument is null
   * @throws io.batpak.ValidationException if the projection's id is invalid
   * @throws IllegalStateException if {@code sim} has no store open
   */
  public static <S> ProjectionFixture<S> on(SimStore sim, Projection<S> projection) {
    Objects.requireNonNull(sim, "sim");
    Projection.checkId(Objects.requireNonNull(projection, "projection").id());
    return new ProjectionFixture<>(sim, projection);
  }

  /**
   * Appends an event whose payload is stored as is ({@link Store#append(Coordinate, EventKind,
   * Bytes)}).
   *
   * @return this fixture
   * @throws NullPointerException if an argument is null
   * @throws IllegalStateException after {@link #when}
   * @throws io.batpak.StoreException as the append throws it
   */
  public ProjectionFixture<S> given(Coordinate coordinate, EventKind kind, Bytes payload) {
    scenario.given(coordinate, kind, payload);
    return this;
  }

  /**
   * Appends typed events, each an {@link io.batpak.EventType @EventType} record, encoded by the
   * store's codec ({@link Store#appendTyped(Coordinate, Object)}; the store must know their types,
   * {@code StoreConfig.Builder.eventTypes}).
   *
   * @return this fixture
   * @throws NullPointerException if an argument or an event is null
   * @throws IllegalStateException after {@link #when}
   * @throws io.batpak.StoreException as the append throws it
   */
  public ProjectionFixture<S> givenTyped(Coordinate coordinate, Object... events) {
    scenario.givenTyped(coordinate, events);
    return this;
  }

  /**
   * Runs the "when" command against the store (an append with options, a call of the application's
   * service ...). An exception it throws is kept: {@link #thenRefused} expects it, and {@link
   * #thenStream}/{@link #thenRegion} fail with it. At most once, after the givens.
   *
   * @return this fixture
   * @throws NullPointerException if {@code command} is null
   * @throws IllegalStateException if a when step ran already
   */
  public ProjectionFixture<S> when(StoreCommand command) {
    scenario.when(command);
    return this;
  }

  /**
   * Expects the "when" command to have thrown an exception of {@code type}.
   *
   * @return the exception, for more assertions
   * @throws AssertionFailedError if it returned or threw something else
   * @throws IllegalStateException if there was no when step
   */
  public <X extends Throwable> X thenRefused(Class<X> type) {
    return scenario.refused(type);
  }

  /**
   * Projects the stream {@code entity} ({@link Store#project(String, Projection)}) now.
   *
   * @param entity the stream
   * @return the outcome, to state expectations on
   * @throws AssertionFailedError if the when command threw
   * @throws NullPointerException if {@code entity} is null
   */
  public Outcome<S> thenStream(String entity) {
    Objects.requireNonNull(entity, "entity");
    return new Outcome<>(
        this, "stream '" + entity + "'", (store, p) -> store.project(entity, p), false);
  }

  /**
   * Projects the region {@code region} ({@link Store#project(Region, Projection)}) now.
   *
   * @param region the region
   * @return the outcome, to state expectations on
   * @throws AssertionFailedError if the when command threw
   * @throws NullPointerException if {@code region} is null
   */
  public Outcome<S> thenRegion(Region region) {
    Objects.requireNonNull(region, "region");
    return new Outcome<>(this, "region " + region, (store, p) -> store.project(region, p), true);
  }

  /** One projection call: the store's path, with the projection to run. */
  private interface Call<S> {
    ProjectionResult<S> project(Store store, Projection<S> projection);
  }

  /**
   * What the store's projection path computed after the given and when steps, and the events it
   * applied the projection to. Each expectation returns this outcome, to chain the next.
   *
   * @param <S> the projection's state
   * @since 0.1
   */
  @API(status = EXPERIMENTAL, since = "0.1")
  public static final class Outcome<S> {
    private final ProjectionFixture<S> fixture;
    private final String over;
    private final Call<S> call;
    private final boolean region;
    private ProjectionResult<S> result;
    private List<StoredEvent> applied;

    private Outcome(ProjectionFixture<S> fixture, String over, Call<S> call, boolean region) {
      this.fixture = fixture;
      this.over = over;
      this.call = call;
      this.region = region;
      fixture.scenario.requireWhenReturned();
      Recording<S> recording = new Recording<>(fixture.projection);
      this.result = call.project(fixture.scenario.store(), recording);
      this.applied = recording.applied;
    }

    /** The result of the store's projection call (state, watermark, stream version ...). */
    public ProjectionResult<S> result() {
      return result;
    }

    /** The state the projection folded. */
    public S state() {
      return result.state();
    }

    /**
     * Expects the state to equal {@code expected} ({@link Object#equals}).
     *
     * @return this outcome
     * @throws AssertionFailedError if it does not, with both states and the events applied
     */
    public Outcome<S> expectState(S expected) {
      Objects.requireNonNull(expected, "expected");
      if (!expected.equals(result.state())) {
        throw new AssertionFailedError(
            report("expected state <" + expected + "> but was <" + result.state() + ">"),
            expected,
            result.state());
      }
      return this;
    }

    /**
     * Runs {@code assertions} on the state (for a state compared field by field).
     *
     * @return this outcome
     * @throws AssertionFailedError if they throw an {@link AssertionError}: its message, then the
     *     state and the events applied, with it as the cause
     */
    public Outcome<S> expectState(Consumer<? super S> assertions) {
      Objects.requireNonNull(assertions, "assertions");
      try {
        assertions.accept(result.state());
      } catch (AssertionError e) {
        throw new AssertionFailedError(
            report(e.getMessage() + "; the state was <" + result.state() + ">"), e);
      }
      return this;
    }

    /**
     * Expects the stream version ({@link ProjectionResult#streamVersion()}: the number of the
     * stream's events the state reflects).
     *
     * @return this outcome
     * @throws AssertionFailedError if it differs
     * @throws IllegalStateException for a region projection, which has no stream version
     */
    public Outcome<S> expectStreamVersion(long expected) {
      if (region) {
        throw new IllegalStateException(
            "a region projection has no stream version (it is -1): expect its watermark instead");
      }
      return expectNumber("stream version", expected, result.streamVersion());
    }

    /**
     * Expects the watermark ({@link ProjectionResult#watermark()}: the global sequence up to which
     * every visible event was considered; -1 for an empty store).
     *
     * @return this outcome
     * @throws AssertionFailedError if it differs
     */
    public Outcome<S> expectWatermark(long expected) {
      return expectNumber("watermark", expected, result.watermark());
    }

    /**
     * Cuts the power ({@link SimStore#crashAndReopen}), reopens the store, projects again and
     * expects the same state, watermark and stream version: replay is deterministic, and nothing
     * the fold saw was lost. The outcome then describes the projection after the reopen. In {@code
     * VISIBLE} mode call {@code sim.store().sync()} first, or the crash may take events the fold
     * saw.
     *
     * @return this outcome, now after the reopen
     * @throws AssertionFailedError if the state, watermark or stream version differs, with the
     *     events applied before and after
     * @throws io.batpak.StoreException if the store does not reopen
     */
    public Outcome<S> expectSameAfterCrash(CrashProfile profile) {
      Objects.requireNonNull(profile, "profile");
      ProjectionResult<S> before = result;
      List<StoredEvent> appliedBefore = applied;
      Store store = fixture.scenario.sim().crashAndReopen(profile);
      Recording<S> recording = new Recording<>(fixture.projection);
      result = call.project(store, recording);
      applied = recording.applied;
      if (!before.state().equals(result.state())
          || before.watermark() != result.watermark()
          || before.streamVersion() != result.streamVersion()) {
        throw new AssertionFailedError(
            report(
                "after a power loss ("
                    + profile
                    + ") and a reopen the projection differs: before <"
                    + before
                    + ">, after <"
                    + result
                    + ">; before the crash it was applied to"
                    + Scenario.describe(appliedBefore)),
            before,
            result);
      }
      return this;
    }

    private Outcome<S> expectNumber(String what, long expected, long actual) {
      if (expected != actual) {
        throw new AssertionFailedError(
            report("expected " + what + " " + expected + " but was " + actual), expected, actual);
      }
      return this;
    }

    private String report(String problem) {
      return "projection '"
          + fixture.projection.id()
          + "' v"
          + fixture.projection.schemaVersion()
          + " over "
          + over
          + ": "
          + problem
          + "\nresult: "
          + result
          + "\nit was applied to "
          + applied.size()
          + (result.fromCache() ? " events after a cached state" : " events")
          + Scenario.describe(applied)
          + "\n"
          + fixture.scenario.history();
    }
  }

  /**
   * The projection under test, unchanged (same id, version, kinds, fold, payload reading), noting
   * the events the store applies it to.
   */
  private static final class Recording<S> implements Projection<S> {
    private final Projection<S> p;
    private final List<StoredEvent> applied = new ArrayList<>();

    Recording(Projection<S> p) {
      this.p = p;
    }

    @Override
    public String id() {
      return p.id();
    }

    @Override
    public int schemaVersion() {
      return p.schemaVersion();
    }

    @Override
    public Set<EventKind> kinds() {
      return p.kinds();
    }

    @Override
    public S initial() {
      return p.initial();
    }

    @Override
    public S apply(S state, StoredEvent event) {
      applied.add(event);
      return p.apply(state, event);
    }

    @Override
    public Class<S> stateType() {
      return p.stateType();
    }

    @Override
    public boolean readsPayloads() {
      return p.readsPayloads();
    }

    @Override
    public String toString() {
      return p.toString();
    }
  }
}
