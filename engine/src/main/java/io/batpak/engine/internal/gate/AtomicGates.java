package io.batpak.engine.internal.gate;

import io.batpak.AtomicGate;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.Denial;
import io.batpak.EventKind;
import io.batpak.GateContext;
import io.batpak.GateVerdict;
import io.batpak.StoreConfig;
import io.batpak.StoreException;
import io.batpak.StoredEvent;
import io.batpak.StreamFold;
import io.batpak.engine.internal.format.EventContent;
import io.batpak.engine.internal.format.EventRecord;
import io.batpak.engine.internal.format.FrameCodec;
import io.batpak.engine.internal.index.Index;
import io.batpak.engine.internal.index.StreamState;
import io.batpak.engine.internal.read.EventQueries;
import io.batpak.engine.internal.read.EventReader;
import io.batpak.engine.internal.time.Durations;
import io.batpak.port.StoreClock;
import io.batpak.spi.AtomicGateOutcome;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Runs the atomic gates of an event the sequencer is about to place (ADR 0018): builds the stream's
 * state at that moment (its version, its latest event, each gate's fold, events earlier in the
 * group included), runs each gate within {@link StoreConfig#gateBudget()}, and turns a throw, a
 * null, a timeout or an unreadable state into a denial. Never throws for a gate's sake, and does no
 * write.
 *
 * <p>In threaded mode each gate (its fold's catch-up included) runs on a {@link GateThread} and the
 * committer waits for it on the store's clock; in deterministic mode it runs on the committing
 * thread and is measured on the clock when it returns (a gate that never returns then hangs that
 * thread: determinism over liveness, docs/gates.md).
 *
 * <p>Fold states are cached per fold instance and stream, keyed by how many events they cover, and
 * only for events below the visible watermark (never changed again: a fence's rows may still be
 * cancelled, and a group's rows may still fail). The cache holds at most {@link #CACHE_ENTRIES}
 * entries and is cleared when full. Used by the committing thread; the cache is concurrent because
 * a runaway gate's thread may still store into it.
 */
public final class AtomicGates implements AutoCloseable {
  /** The most cached fold states before the cache is cleared. */
  static final int CACHE_ENTRIES = 4096;

  private final Index index;
  private final EventReader reader;
  private final StoreClock clock;
  private final long budgetNanos;
  private final GateThread thread;
  private final Map<CacheKey, Cached> cache = new ConcurrentHashMap<>();

  /** A fold instance (by identity) and a stream. */
  private static final class CacheKey {
    final StreamFold<?> fold;
    final String entity;

    CacheKey(StreamFold<?> fold, String entity) {
      this.fold = fold;
      this.entity = entity;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof CacheKey k && k.fold == fold && k.entity.equals(entity);
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(fold) * 31 + entity.hashCode();
    }
  }

  /** A fold's state after the stream's first {@code count} events. */
  private record Cached(int count, Object state) {}

  /** The state a gate needs could not be read. */
  private static final class StateUnavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StateUnavailable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * @param threaded whether gates run on a gate thread (else on the committing thread)
   * @param threadName the gate threads' name prefix
   */
  /** The gates whose gate (or fold) runs on this thread now, or null. */
  private static final ThreadLocal<AtomicGates> RUNNING = new ThreadLocal<>();

  /**
   * Whether one of these gates, or its fold, is running on the calling thread (its gate thread, or
   * in deterministic mode the committing thread): a store call from there would wait for the commit
   * that waits for the gate.
   */
  public boolean runningOnThisThread() {
    return RUNNING.get() == this;
  }

  public AtomicGates(
      StoreConfig config, Index index, EventReader reader, boolean threaded, String threadName) {
    this.index = index;
    this.reader = reader;
    this.clock = config.clock();
    this.budgetNanos = Durations.nanos(config.gateBudget());
    this.thread = threaded ? new GateThread(clock, threadName) : null;
  }

  /**
   * Runs {@code gates} in order against the proposed event and its stream, whose next sequence is
   * {@code version} and whose events not yet in the index are {@code pending} (in order).
   *
   * @param event the proposed event (its stream sequence, global sequence and hashes unused)
   * @return the first denial, or null when every gate permitted
   */
  public Denial check(
      EventContent event, List<AtomicGate<?>> gates, long version, List<EventRecord> pending) {
    String entity = event.entity();
    StreamState stream = index.stream(entity);
    int count = stream == null ? 0 : stream.count();
    int visible = index.visible();
    Optional<StoredEvent> latest;
    try {
      latest = latest(stream, count, pending);
    } catch (StoreException e) {
      return unavailable(gates.get(0).name(), entity, e);
    }
    Bytes payload = Bytes.ofOwned(event.payload());
    Coordinate coordinate = new Coordinate(entity, event.scope());
    EventKind kind = EventKind.fromRaw(event.kind());
    for (AtomicGate<?> gate : gates) {
      Denial d =
          run(gate, coordinate, kind, payload, version, latest, stream, count, visible, pending);
      if (d != null) {
        return d;
      }
    }
    return null;
  }

  private <S> Denial run(
      AtomicGate<S> gate,
      Coordinate coordinate,
      EventKind kind,
      Bytes payload,
      long version,
      Optional<StoredEvent> latest,
      StreamState stream,
      int count,
      int visible,
      List<EventRecord> pending) {
    String name = gate.name();
    Supplier<GateVerdict> call =
        () -> {
          AtomicGates outer = RUNNING.get();
          RUNNING.set(this);
          try {
            S state = fold(gate.fold(), coordinate.entity(), stream, count, visible, pending);
            return gate.evaluate(
                new GateContext<>(coordinate, kind, payload, version, latest, state));
          } finally {
            RUNNING.set(outer);
          }
        };
    GateVerdict verdict;
    Throwable failure;
    if (thread == null) {
      long started = clock.monoNanos();
      GateVerdict v = null;
      Throwable f = null;
      try {
        v = call.get();
      } catch (OutOfMemoryError e) {
        throw e;
      } catch (Throwable t) {
        f = t;
      }
      long took = clock.monoNanos() - started;
      if (took > budgetNanos) {
        return timeout(name, took, null);
      }
      verdict = v;
      failure = f;
    } else {
      GateThread.Result<GateVerdict> r = thread.run(call, budgetNanos);
      if (r instanceof GateThread.TimedOut<GateVerdict> t) {
        return timeout(name, -1, t.thread());
      }
      if (r instanceof GateThread.Refused<GateVerdict> x) {
        return refused(name, x.runaways());
      }
      GateThread.Finished<GateVerdict> done = (GateThread.Finished<GateVerdict>) r;
      verdict = done.value();
      failure = done.failure();
    }
    if (failure instanceof StateUnavailable u) {
      return new Denial(
          name,
          Denial.GATE_STATE_UNAVAILABLE,
          u.getMessage(),
          Map.of("stream", coordinate.entity(), "cause", String.valueOf(u.getCause())));
    }
    return AtomicGateOutcome.of(name, verdict, failure);
  }

  /**
   * The fold's state after every event of the stream: the cached state of its first events (or the
   * initial state), the index's rows after it (cached anew up to the visible watermark), then
   * {@code pending}. Runs on the gate thread.
   */
  @SuppressWarnings("unchecked")
  private <S> S fold(
      StreamFold<S> fold,
      String entity,
      StreamState stream,
      int count,
      int visible,
      List<EventRecord> pending) {
    if (fold == StreamFold.none()) {
      return null;
    }
    CacheKey key = new CacheKey(fold, entity);
    Cached c = cache.get(key);
    int from = 0;
    S state = fold.initial();
    if (c != null && c.count() <= count) {
      from = c.count();
      state = (S) c.state();
    }
    int[] rows = count == 0 ? new int[0] : stream.rows();
    int cacheable = from;
    S cacheState = state;
    for (int i = from; i < count; i++) {
      int row = rows[i];
      state = fold.apply(state, read(entity, row));
      if (row < visible) {
        cacheable = i + 1;
        cacheState = state;
      }
    }
    if (cacheable > from) {
      if (cache.size() >= CACHE_ENTRIES) {
        cache.clear();
      }
      Cached fresh = new Cached(cacheable, cacheState);
      cache.merge(key, fresh, (old, neu) -> old.count() >= neu.count() ? old : neu);
    }
    for (EventRecord r : pending) {
      state = fold.apply(state, stored(r));
    }
    return state;
  }

  /** The stored event at {@code row}, for a fold. */
  private StoredEvent read(String entity, int row) {
    EventReader.Located l;
    try {
      l = reader.locate(row);
    } catch (StoreException e) {
      throw new StateUnavailable(
          "reading an event of stream '" + entity + "' for a gate's fold failed: " + e.getMessage(),
          e);
    }
    if (l.disposition() != 0) {
      throw new StateUnavailable(
          "the fold needs event "
              + new io.batpak.EventId(l.record().idHi(), l.record().idLo())
              + " (stream sequence "
              + l.record().streamSequence()
              + " of '"
              + entity
              + "'), whose payload a compaction removed; a stream whose events are compacted"
              + " away cannot be folded from its start",
          null);
    }
    return stored(l.record());
  }

  /** The stream's newest event: the last pending one, else the index's last row. */
  private Optional<StoredEvent> latest(StreamState stream, int count, List<EventRecord> pending) {
    if (!pending.isEmpty()) {
      return Optional.of(stored(pending.get(pending.size() - 1)));
    }
    if (count == 0) {
      return Optional.empty();
    }
    EventReader.Located l = reader.locate(stream.rows()[count - 1]);
    if (l.disposition() == FrameCodec.DROPPED) {
      return Optional.of(
          new StoredEvent(EventQueries.header(l.record(), l.disposition()), Bytes.empty()));
    }
    return Optional.of(
        new StoredEvent(
            EventQueries.header(l.record(), l.disposition()), Bytes.ofOwned(l.record().payload())));
  }

  private static StoredEvent stored(EventRecord r) {
    return new StoredEvent(EventQueries.header(r, 0), Bytes.ofOwned(r.payload()));
  }

  private Denial timeout(String gate, long tookNanos, String threadName) {
    Map<String, String> context = new LinkedHashMap<>();
    context.put("budgetNanos", Long.toString(budgetNanos));
    if (tookNanos >= 0) {
      context.put("tookNanos", Long.toString(tookNanos));
    }
    if (threadName != null) {
      context.put("thread", threadName);
    }
    return new Denial(
        gate,
        Denial.GATE_TIMEOUT,
        "atomic gate '"
            + gate
            + "' ran past its budget of "
            + budgetNanos / 1000
            + " µs (StoreConfig.gateBudget)"
            + (threadName == null
                ? ""
                : "; the writer stopped waiting and its thread "
                    + threadName
                    + " was interrupted and left to finish")
            + ". Make the gate faster or raise the budget",
        context);
  }

  private Denial refused(String gate, int runaways) {
    return new Denial(
        gate,
        Denial.GATE_TIMEOUT,
        "atomic gate '"
            + gate
            + "' was not run: "
            + runaways
            + " gate threads are still running gates that ran past their budget (at most "
            + GateThread.MAX_RUNAWAYS
            + "); fix the gates that never return",
        Map.of("runaways", Integer.toString(runaways)));
  }

  private static Denial unavailable(String gate, String entity, StoreException e) {
    return new Denial(
        gate,
        Denial.GATE_STATE_UNAVAILABLE,
        "reading the latest event of stream '" + entity + "' for a gate failed: " + e.getMessage(),
        Map.of("stream", entity));
  }

  /** The number of gate threads abandoned and still running (0 in deterministic mode). */
  public int runaways() {
    return thread == null ? 0 : thread.runaways();
  }

  /** Ends the gate thread (abandoned ones end when their gates return). */
  @Override
  public void close() {
    if (thread != null) {
      thread.close();
    }
  }
}
