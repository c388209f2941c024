package io.batpak.test;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import io.batpak.AppendOptions;
import io.batpak.Bytes;
import io.batpak.CausationId;
import io.batpak.Coordinate;
import io.batpak.Cursor;
import io.batpak.CursorWorker;
import io.batpak.CursorWorkerConfig;
import io.batpak.CursorWorkerFailedException;
import io.batpak.EventHeader;
import io.batpak.EventId;
import io.batpak.EventKind;
import io.batpak.Reactions;
import io.batpak.Reactor;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoredEvent;
import io.batpak.fs.sim.CrashProfile;
import io.batpak.fs.sim.FaultAction;
import io.batpak.fs.sim.FaultRule;
import io.batpak.fs.sim.FaultTrigger;
import io.batpak.fs.sim.FsOp;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
import org.opentest4j.AssertionFailedError;

/**
 * Given/when/then for a {@link Reactor}, on the kit's store: given events appended to the store,
 * when the store's own reactor ({@link Store#reactor}) runs over them, then the follow-ups it
 * appended. Optionally the power goes out between the commit of its first follow-ups and the save
 * of its checkpoint, and the reactor runs again after the reopen: its sources are delivered again
 * (at least once) and nothing is appended twice.
 *
 * <pre>{@code
 * ReactorFixture.on(sim, Region.all().withKind(PLACED), "fulfilment", FULFILMENT)
 *     .given(order7, PLACED, Bytes.utf8("7"))
 *     .whenCrashBeforeCheckpoint(CrashProfile.SECTOR)
 *     .expectReactionsTo(0, Reaction.of(shipment7, SHIP, Bytes.utf8("7")));
 * }</pre>
 *
 * <p><b>How the reactor is driven.</b> The fixture starts the reactor on the store, lets it handle
 * every event of its region visible when the "when" step starts, then stops it after that batch
 * (its follow-ups committed and its checkpoint saved) and waits for its thread to end ({@link
 * CursorWorker#join()}): no sleep, no timeout. The reactor itself is unchanged; the fixture sees
 * each source it is given and the follow-ups it staged for it.
 *
 * <p><b>Checked at every run</b>, before any expectation: the reactor did not fail ({@link
 * CursorWorkerFailedException}, attached as the cause); every event appended while it ran is a
 * follow-up of a source it was given (causation = the source's id, correlation = the source's), so
 * a reactor that appends to the store itself, past its {@link Reactions}, is caught; and the
 * follow-ups of each source in the store are exactly those the reactor staged the last time it was
 * given it (none lost, none duplicated, none replaced: a source delivered again that gets other
 * follow-ups is refused by the store, and the first ones stand).
 *
 * <p>Not thread-safe: use it from the test's thread.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class ReactorFixture {
  private final Region region;
  private final String checkpointId;
  private final Reactor reactor;
  private final Scenario scenario;
  private CursorWorkerConfig config = CursorWorkerConfig.defaults();

  /** What the reactor was given in the current when step: its sources, in delivery order. */
  private Map<CausationId, Delivered> delivered = new ConcurrentHashMap<>();

  private ReactorFixture(SimStore sim, Region region, String checkpointId, Reactor reactor) {
    this.region = region;
    this.checkpointId = checkpointId;
    this.reactor = reactor;
    this.scenario = new Scenario(sim, "reactor '" + checkpointId + "'");
  }

  /**
   * A fixture for {@code reactor} over {@code region}, saving its checkpoint as {@code
   * checkpointId}, on the store {@code sim} has open.
   *
   * @param sim the test's {@link SimStore}, with a store open ({@link SimStore#open})
   * @param region the region the reactor reacts to
   * @param checkpointId the reactor's checkpoint id (it also keys the follow-ups' idempotency)
   * @param reactor the reactor under test
   * @return the fixture
   * @throws NullPointerException if an argument is null
   * @throws IllegalStateException if {@code sim} has no store open
   */
  public static ReactorFixture on(
      SimStore sim, Region region, String checkpointId, Reactor reactor) {
    return new ReactorFixture(
        Objects.requireNonNull(sim, "sim"),
        Objects.requireNonNull(region, "region"),
        Objects.requireNonNull(checkpointId, "checkpointId"),
        Objects.requireNonNull(reactor, "reactor"));
  }

  /**
   * The worker settings the reactor runs with (batch size, restarts, back-off); {@link
   * CursorWorkerConfig#defaults()} unless set.
   *
   * @return this fixture
   * @throws NullPointerException if {@code config} is null
   */
  public ReactorFixture withConfig(CursorWorkerConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    return this;
  }

  /**
   * Appends an event whose payload is stored as is ({@link Store#append(Coordinate, EventKind,
   * Bytes)}). Given events are numbered from 0 in the order given, for {@link
   * Outcome#expectReactionsTo}.
   *
   * @return this fixture
   * @throws NullPointerException if an argument is null
   * @throws io.batpak.StoreException as the append throws it
   */
  public ReactorFixture given(Coordinate coordinate, EventKind kind, Bytes payload) {
    scenario.given(coordinate, kind, payload);
    return this;
  }

  /**
   * Appends typed events, each an {@link io.batpak.EventType @EventType} record encoded by the
   * store's codec ({@link Store#appendTyped(Coordinate, Object)}), numbered as {@link #given}.
   *
   * @return this fixture
   * @throws NullPointerException if an argument or an event is null
   * @throws io.batpak.StoreException as the append throws it
   */
  public ReactorFixture givenTyped(Coordinate coordinate, Object... events) {
    scenario.givenTyped(coordinate, events);
    return this;
  }

  /**
   * Runs the reactor over every event of its region visible now, and stops it once it handled the
   * last one and saved its checkpoint.
   *
   * @return the outcome, to state expectations on
   * @throws AssertionFailedError if the reactor failed, appended something that is not a follow-up
   *     of a source, or left a source with other follow-ups than it staged
   * @throws io.batpak.StoreException as {@link Store#reactor} throws it (a checkpoint made for
   *     another region, for example)
   */
  public Outcome whenReactorRuns() {
    Store store = scenario.store();
    long before = store.watermarks().visible() - 1; // the last visible global sequence
    delivered = new ConcurrentHashMap<>();
    long target = pending(store);
    if (target >= 0) {
      CursorWorkerFailedException failed = run(store, target);
      if (failed != null) {
        throw new AssertionFailedError(
            report("the reactor failed: " + failed.getMessage(), Scenario.after(store, before)),
            failed);
      }
    }
    return new Outcome(this, before, target, false);
  }

  /**
   * Runs the reactor with the power going out just before its first checkpoint is saved (after the
   * follow-ups of its first batch were committed), reopens the store ({@link
   * SimStore#crashAndReopen}) and runs it again to the end, as {@link #whenReactorRuns()}. The
   * sources of the first batch are delivered again; the store must answer their follow-ups with the
   * original receipts (idempotency keys), so nothing is appended twice.
   *
   * @param profile what the power loss keeps of un-synced data
   * @return the outcome, after the reopen
   * @throws AssertionFailedError if the power loss did not fall between a commit and a checkpoint,
   *     no source was delivered again, or any check of {@link #whenReactorRuns()} fails
   * @throws IllegalStateException if the region has no event left to react to
   * @throws io.batpak.StoreException if the store does not reopen
   */
  public Outcome whenCrashBeforeCheckpoint(CrashProfile profile) {
    Objects.requireNonNull(profile, "profile");
    Store store = scenario.store();
    long before = store.watermarks().visible() - 1; // the last visible global sequence
    delivered = new ConcurrentHashMap<>();
    long target = pending(store);
    if (target < 0) {
      throw new IllegalStateException(
          "reactor '"
              + checkpointId
              + "': no event of "
              + region
              + " is left to react to, so no power loss can fall between a reaction and a"
              + " checkpoint: give it an event of its region first\n"
              + scenario.history());
    }
    scenario
        .sim()
        .inject(
            FaultRule.on(
                FsOp.PUBLISH,
                SimStore.DIRECTORY + "/cursors/" + checkpointId + ".ckpt",
                FaultTrigger.nth(1),
                FaultAction.crashBefore()));
    CursorWorkerFailedException crashed = run(store, target);
    if (crashed == null
        || crashed.reason() != CursorWorkerFailedException.Reason.CHECKPOINT_FAILED) {
      throw new AssertionFailedError(
          report(
              "expected the power loss at the reactor's first checkpoint ("
                  + SimStore.DIRECTORY
                  + "/cursors/"
                  + checkpointId
                  + ".ckpt), but the reactor "
                  + (crashed == null ? "ran to the end" : "stopped with " + crashed.getMessage()),
              Scenario.after(store, before)),
          crashed);
    }
    Store reopened = scenario.sim().crashAndReopen(profile);
    scenario.note("power loss (" + profile + ") before the reactor's first checkpoint; reopened");
    long rest = pending(reopened);
    CursorWorkerFailedException failed = rest < 0 ? null : run(reopened, rest);
    if (failed != null) {
      throw new AssertionFailedError(
          report(
              "after the power loss and the reopen the reactor failed: " + failed.getMessage(),
              Scenario.after(reopened, before)),
          failed);
    }
    return new Outcome(this, before, target, true);
  }

  /**
   * Runs the reactor once, up to the source at global sequence {@code target}.
   *
   * @return how the worker failed, or null when it stopped as asked
   */
  private @Nullable CursorWorkerFailedException run(Store store, long target) {
    Driven driven = new Driven(target);
    CursorWorker worker = store.reactor(region, checkpointId, config, driven);
    driven.start(worker);
    try {
      worker.join();
      return null;
    } catch (CursorWorkerFailedException e) {
      return e;
    }
  }

  /**
   * The global sequence of the last visible event of the region, when the reactor's checkpoint has
   * not covered it yet; -1 when there is nothing to deliver.
   */
  private long pending(Store store) {
    long last = -1;
    for (List<EventHeader> page = store.queryAfter(region, last, 1000);
        !page.isEmpty();
        page = store.queryAfter(region, last, 1000)) {
      last = page.get(page.size() - 1).globalSequence();
    }
    try (Cursor cursor = store.cursor(region, checkpointId)) {
      return cursor.position() >= last ? -1 : last;
    }
  }

  private String report(String problem, List<StoredEvent> appended) {
    List<Delivered> sources = new ArrayList<>(delivered.values());
    sources.sort(Comparator.comparingLong(d -> d.source.header().globalSequence()));
    StringBuilder given = new StringBuilder();
    for (Delivered d : sources) {
      given
          .append("\n    ")
          .append(Scenario.describe(d.source))
          .append(" (delivered ")
          .append(d.times)
          .append("x; staged the last time: ")
          .append(d.staged)
          .append(')');
    }
    return "reactor '"
        + checkpointId
        + "' over "
        + region
        + ": "
        + problem
        + "\nsources it was given:"
        + (sources.isEmpty() ? "\n    (none)" : given)
        + "\nevents appended while it ran:"
        + Scenario.describe(appended)
        + "\n"
        + scenario.history();
  }

  /** A source the reactor was given: how often, and what it staged the last time. */
  private static final class Delivered {
    final StoredEvent source;
    int times;
    List<Reaction> staged = List.of();

    Delivered(StoredEvent source) {
      this.source = source;
    }
  }

  /**
   * The reactor under test, unchanged, noting each source and the follow-ups it stages, and asking
   * the worker to stop once the last source of the run was handled.
   */
  private final class Driven implements Reactor {
    private final long target;
    private final CountDownLatch started = new CountDownLatch(1);
    private volatile @Nullable CursorWorker worker;

    Driven(long target) {
      this.target = target;
    }

    void start(CursorWorker w) {
      worker = w;
      started.countDown();
    }

    @Override
    public void react(StoredEvent source, Reactions reactions) throws Exception {
      Noting noting = new Noting(reactions);
      reactor.react(source, noting);
      Delivered d =
          delivered.computeIfAbsent(
              CausationId.of(source.header().eventId()), id -> new Delivered(source));
      d.times++;
      d.staged = List.copyOf(noting.staged);
      if (source.header().globalSequence() >= target) {
        started.await(); // the fixture hands the worker over right after Store.reactor returns
        // The batch in hand still commits and saves its checkpoint; a commit that fails now
        // leaves the source's follow-ups unlike what it staged, which the outcome reports.
        Objects.requireNonNull(worker).stop();
      }
    }
  }

  /** The engine's {@link Reactions}, noting what is staged. */
  private static final class Noting implements Reactions {
    private final Reactions reactions;
    private final List<Reaction> staged = new ArrayList<>();

    Noting(Reactions reactions) {
      this.reactions = reactions;
    }

    @Override
    public void append(
        Coordinate coordinate, EventKind kind, Bytes payload, AppendOptions options) {
      reactions.append(coordinate, kind, payload, options);
      staged.add(Reaction.of(coordinate, kind, payload));
    }

    @Override
    public void appendEncoded(Coordinate coordinate, EventKind kind, Object value) {
      reactions.appendEncoded(coordinate, kind, value);
      staged.add(Reaction.encoded(coordinate, kind, value));
    }

    @Override
    public int size() {
      return reactions.size();
    }
  }

  /**
   * The follow-ups the reactor appended, after the checks every run makes (see {@link
   * ReactorFixture}). Each expectation returns this outcome, to chain the next.
   *
   * @since 0.1
   */
  @API(status = EXPERIMENTAL, since = "0.1")
  public static final class Outcome {
    private final ReactorFixture fixture;
    private final List<StoredEvent> reactions;

    private Outcome(ReactorFixture fixture, long before, long target, boolean crashed) {
      this.fixture = fixture;
      Store store = fixture.scenario.store();
      this.reactions = Scenario.after(store, before);
      for (StoredEvent r : reactions) {
        Delivered d = r.header().causation().map(fixture.delivered::get).orElse(null);
        if (d == null) {
          throw failure(
              "event #"
                  + r.header().globalSequence()
                  + " was appended while the reactor ran but is not a follow-up of a source it"
                  + " was given (its causation is "
                  + r.header().causation().map(Object::toString).orElse("none")
                  + "): a reactor appends through its Reactions only");
        }
        if (!r.header().correlationId().equals(d.source.header().correlationId())) {
          throw failure(
              "follow-up #"
                  + r.header().globalSequence()
                  + " has correlation "
                  + r.header().correlationId()
                  + ", its source #"
                  + d.source.header().globalSequence()
                  + " has "
                  + d.source.header().correlationId());
        }
      }
      boolean redelivered = false;
      for (Delivered d : fixture.delivered.values()) {
        List<StoredEvent> held = causedBy(d.source);
        if (!matches(store, d.staged, held)) {
          throw new AssertionFailedError(
              fixture.report(
                  "source #"
                      + d.source.header().globalSequence()
                      + " has "
                      + held.size()
                      + " follow-ups in the store"
                      + Scenario.describe(held)
                      + "\n  but the reactor staged "
                      + d.staged.size()
                      + " the last time it was given it"
                      + list(d.staged)
                      + (held.size() > d.staged.size()
                          ? "\n  (appended past its Reactions, or twice)"
                          : "\n  (a source delivered again must get the same follow-ups: the store"
                              + " refuses others, and the first ones stand; derive them from the"
                              + " source only)"),
                  reactions),
              d.staged.toString(),
              held.stream().map(Scenario::describe).toList().toString());
        }
        redelivered |= d.times > 1;
      }
      Delivered last =
          fixture.delivered.values().stream()
              .filter(d -> d.source.header().globalSequence() == target)
              .findAny()
              .orElse(null);
      if (target >= 0 && last == null) {
        throw failure(
            "the reactor stopped before it was given the last event of its region, #" + target);
      }
      if (crashed && !redelivered) {
        throw failure(
            "after the power loss no source was delivered again: at-least-once delivery was not"
                + " exercised");
      }
    }

    /** The events appended while the reactor ran, in global order: its follow-ups. */
    public List<StoredEvent> reactions() {
      return List.copyOf(reactions);
    }

    /**
     * Expects the follow-ups of the whole run, in global order, to be exactly {@code expected}.
     * With no argument: the reactor appended nothing.
     *
     * @return this outcome
     * @throws AssertionFailedError if they differ, listing both
     */
    public Outcome expectReactions(Reaction... expected) {
      return expect("the follow-ups of the run", reactions, expected);
    }

    /**
     * Expects the follow-ups caused by given event number {@code given} (from 0, in the order the
     * {@code given} calls appended them), in order, to be exactly {@code expected}. With no
     * reaction: it caused nothing.
     *
     * @return this outcome
     * @throws AssertionFailedError if they differ, listing both
     * @throws IndexOutOfBoundsException if there is no such given event
     */
    public Outcome expectReactionsTo(int given, Reaction... expected) {
      EventId source = fixture.scenario.given().get(given).eventId();
      CausationId cause = CausationId.of(source);
      return expect(
          "the follow-ups of given event " + given,
          reactions.stream()
              .filter(r -> r.header().causation().filter(cause::equals).isPresent())
              .toList(),
          expected);
    }

    private Outcome expect(String what, List<StoredEvent> actual, Reaction... expected) {
      Objects.requireNonNull(expected, "expected");
      List<Reaction> wanted = new ArrayList<>();
      for (Reaction r : expected) {
        wanted.add(Objects.requireNonNull(r, "expected[i]"));
      }
      if (!matches(fixture.scenario.store(), wanted, actual)) {
        throw new AssertionFailedError(
            fixture.report(
                what
                    + " differ: expected "
                    + wanted.size()
                    + (wanted.isEmpty() ? " (none)" : ":" + list(wanted))
                    + "\n  but found "
                    + actual.size()
                    + ":"
                    + Scenario.describe(actual),
                reactions),
            wanted.toString(),
            actual.stream().map(Scenario::describe).toList().toString());
      }
      return this;
    }

    private List<StoredEvent> causedBy(StoredEvent source) {
      CausationId cause = CausationId.of(source.header().eventId());
      return reactions.stream()
          .filter(r -> r.header().causation().filter(cause::equals).isPresent())
          .toList();
    }

    private AssertionFailedError failure(String problem) {
      return new AssertionFailedError(fixture.report(problem, reactions));
    }

    private static boolean matches(Store store, List<Reaction> expected, List<StoredEvent> actual) {
      if (expected.size() != actual.size()) {
        return false;
      }
      for (int i = 0; i < expected.size(); i++) {
        if (!expected.get(i).matches(store, actual.get(i))) {
          return false;
        }
      }
      return true;
    }

    private static String list(List<Reaction> reactions) {
      StringBuilder text = new StringBuilder();
      reactions.forEach(r -> text.append("\n    ").append(r));
      return text.toString();
    }
  }
}
