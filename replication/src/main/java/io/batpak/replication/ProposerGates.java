package io.batpak.replication;

import io.batpak.AppendOptions;
import io.batpak.AtomicGate;
import io.batpak.Bytes;
import io.batpak.ConcurrencyConflictException;
import io.batpak.Denial;
import io.batpak.EventHeader;
import io.batpak.EventId;
import io.batpak.EventNotFoundException;
import io.batpak.ExpectedVersion;
import io.batpak.GateContext;
import io.batpak.GateDeniedException;
import io.batpak.GateVerdict;
import io.batpak.IdempotencyKey;
import io.batpak.Store;
import io.batpak.StoreException;
import io.batpak.StoredEvent;
import io.batpak.StreamFold;
import io.batpak.spi.AtomicGateOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Runs the atomic gates of a replicated append on the member that takes it, before anything is
 * proposed (ADR 0041). A gate is code, which a Raft entry cannot carry, so the members cannot all
 * run it at apply; instead this member decides against its own local store at a stream version
 * {@code v}, and the entry it proposes expects exactly {@code v}. Every member checks that
 * expectation when the entry applies, so a permit holds for exactly the state the event commits on:
 * if anything reached the stream in between, the entry is refused everywhere alike and the proposer
 * decides again on fresher state.
 *
 * <p>The denials match the engine's: the first denying gate stops the others, a gate that throws or
 * returns null is {@link Denial#GATE_DEFECT}, one that runs past {@link
 * io.batpak.StoreConfig#gateBudget()} is {@link Denial#GATE_TIMEOUT} (its thread is interrupted and
 * left to finish). Folds are cached per fold instance and stream: every event of a member's local
 * store is final (replicated stores have no fences and no compaction).
 *
 * <p>Thread-safe.
 */
final class ProposerGates implements AutoCloseable {
  /** Set on a gate thread while a gate (or its fold) runs there. */
  private static final ThreadLocal<Boolean> RUNNING = new ThreadLocal<>();

  /**
   * Refuses {@code what} (an append, a compaction) when an atomic gate or its fold runs on the
   * calling thread, as the engine does: the append would land behind the gated one's back, its
   * stream would move, and the proposer would decide again, running the gate (and its append) once
   * more, until the request timed out.
   *
   * @throws IllegalStateException then; nothing was proposed, and the gate is denied {@code
   *     GATE_DEFECT}
   */
  static void refuseFromAGate(String what) {
    if (RUNNING.get() != null) {
      throw new IllegalStateException(
          what
              + " from an atomic gate (or its fold) is refused; nothing was proposed. A gate"
              + " decides from its context alone and never calls the store (docs/gates.md); call"
              + " it after the gated append returns instead");
    }
  }

  /** The most cached fold states before the cache is cleared. */
  static final int CACHE_ENTRIES = 4096;

  private static final int PAGE = 512;

  private final String memberId;
  private final long budgetNanos;
  private final ExecutorService threads;
  private final Map<FoldKey, Folded> cache = new ConcurrentHashMap<>();

  /** A fold instance (by identity) and a stream. */
  private record FoldKey(StreamFold<?> fold, String entity) {
    @Override
    public boolean equals(Object o) {
      return o instanceof FoldKey k && k.fold == fold && k.entity.equals(entity);
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(fold) * 31 + entity.hashCode();
    }
  }

  /** A fold's state after the stream's first {@code count} events. */
  private record Folded(long count, @Nullable Object state) {}

  /** The outcome of one check of an append's items against the local store. */
  sealed interface Check permits Ready, Stale {}

  /**
   * Every gate permitted: {@code items} are the items to propose (gates removed, gated items
   * expecting the version they were decided on), and {@code pinned} the streams whose expectation
   * this check added (a conflict there means "decide again", not the caller's conflict).
   */
  record Ready(List<Entries.Item> items, Set<String> pinned) implements Check {}

  /**
   * The local store cannot decide yet: a caller's expected version does not hold on this member, or
   * a gate denied, and this member may only be behind. Catch up with the leader and check again.
   */
  record Stale(String entity) implements Check {}

  ProposerGates(String memberId, Duration budget) {
    this.memberId = memberId;
    this.budgetNanos = budget.toNanos();
    AtomicInteger n = new AtomicInteger();
    this.threads =
        Executors.newCachedThreadPool(
            r -> {
              Thread t =
                  new Thread(r, "batpak-replication-gate-" + memberId + "-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Checks {@code items} (their options still carrying their gates) against {@code local}.
   *
   * @param caughtUp whether {@code local} caught up with the leader after the previous check; a
   *     caller's expectation that does not hold, or a denial, is then final, not staleness
   * @throws GateDeniedException with the first denial, once {@code caughtUp}; nothing is proposed
   * @throws ConcurrencyConflictException if {@code caughtUp} and a caller's expected version of a
   *     gated item does not hold
   * @throws ReplicationUnsupportedException if two items of a batch name the same gated stream
   */
  Check check(Store local, List<Entries.Item> items, boolean caughtUp) {
    List<Entries.Item> ready = new ArrayList<>(items.size());
    Set<String> pinned = new HashSet<>();
    Map<String, Integer> perStream = new HashMap<>();
    for (Entries.Item it : items) {
      perStream.merge(it.coordinate().entity(), 1, Integer::sum);
    }
    for (int i = 0; i < items.size(); i++) {
      Entries.Item it = items.get(i);
      String entity = it.coordinate().entity();
      AppendOptions o = it.options();
      if (o.gates().isEmpty()) {
        ready.add(it);
        continue;
      }
      if (perStream.get(entity) > 1) {
        throw new ReplicationUnsupportedException(
            "a batch with atomic gates on stream '" + entity + "' and two items of that stream",
            "the proposer decides gates against committed state, which holds neither item yet;"
                + " split the batch, or gate only a batch whose gated streams appear once each");
      }
      if (isRetry(local, Objects.requireNonNull(o.idempotencyKey()))) {
        // An idempotent retry: the apply answers with the first receipt; gates do not run again.
        ready.add(withOptions(it, withoutGates(o, o.expectedVersion())));
        continue;
      }
      Optional<EventHeader> latest = local.latest(entity);
      long next = latest.map(h -> h.streamSequence() + 1).orElse(0L);
      ExpectedVersion expected = o.expectedVersion();
      if (!expected.matches(next)) {
        if (!caughtUp) {
          return new Stale(entity);
        }
        throw new ConcurrencyConflictException(entity, expected.toString(), next);
      }
      Optional<StoredEvent> newest = latest.map(h -> newestOf(local, h));
      Denial denial = run(local, it, next, newest);
      if (denial != null && !caughtUp) {
        // Decided on state that may be behind the leader's: only a denial on caught-up state is
        // final (a permit needs no such care, the pinned version refuses it if it was stale).
        return new Stale(entity);
      }
      if (denial != null) {
        throw new GateDeniedException(denial, it.kind(), Bytes.empty(), items.size() > 1 ? i : -1);
      }
      ExpectedVersion at =
          next == 0 ? ExpectedVersion.noStream() : ExpectedVersion.exactly(next - 1);
      if (expected.kind() == ExpectedVersion.Kind.ANY) {
        pinned.add(entity);
      }
      ready.add(withOptions(it, withoutGates(o, at)));
    }
    return new Ready(ready, pinned);
  }

  /** The stream's newest event; without its payload when a compaction dropped it, as the engine. */
  private static StoredEvent newestOf(Store local, EventHeader h) {
    try {
      return local.get(h.eventId());
    } catch (EventNotFoundException dropped) {
      return new StoredEvent(h, Bytes.empty());
    }
  }

  private static boolean isRetry(Store local, IdempotencyKey key) {
    try {
      local.get(EventId.of(key));
      return true;
    } catch (EventNotFoundException e) {
      return false;
    }
  }

  private static Entries.Item withOptions(Entries.Item it, AppendOptions o) {
    return new Entries.Item(it.coordinate(), it.kind(), it.payload(), o, it.causedByItem());
  }

  private static AppendOptions withoutGates(AppendOptions o, ExpectedVersion expected) {
    return new AppendOptions(
        expected,
        o.idempotencyKey(),
        o.correlationId(),
        o.causationId(),
        o.flags(),
        o.extensions(),
        List.of());
  }

  /** Runs the item's gates in order; the first denial, or null when all permit. */
  private @Nullable Denial run(
      Store local, Entries.Item it, long version, Optional<StoredEvent> latest) {
    for (AtomicGate<?> gate : it.options().gates()) {
      Denial d = run(local, gate, it, version, latest);
      if (d != null) {
        return d;
      }
    }
    return null;
  }

  private <S> @Nullable Denial run(
      Store local,
      AtomicGate<S> gate,
      Entries.Item it,
      long version,
      Optional<StoredEvent> latest) {
    String name = gate.name();
    Future<GateVerdict> call =
        threads.submit(
            () -> {
              RUNNING.set(Boolean.TRUE);
              try {
                S state = fold(local, gate.fold(), it.coordinate().entity(), version);
                return gate.evaluate(
                    new GateContext<>(
                        it.coordinate(), it.kind(), it.payload(), version, latest, state));
              } finally {
                RUNNING.remove();
              }
            });
    GateVerdict verdict;
    try {
      verdict = call.get(budgetNanos, TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      call.cancel(true);
      return new Denial(
          name,
          Denial.GATE_TIMEOUT,
          "atomic gate '"
              + name
              + "' ran past its budget of "
              + budgetNanos / 1000
              + " µs (StoreConfig.gateBudget) on member "
              + memberId
              + "; its thread was interrupted and left to finish. Make the gate faster or raise"
              + " the budget",
          Map.of("budgetNanos", Long.toString(budgetNanos)));
    } catch (InterruptedException e) {
      call.cancel(true);
      Thread.currentThread().interrupt();
      throw new StoreException(
          "member "
              + memberId
              + " was interrupted waiting for atomic gate '"
              + name
              + "'; nothing was proposed",
          e);
    } catch (ExecutionException e) {
      Throwable failure = e.getCause();
      if (failure instanceof OutOfMemoryError oom) {
        throw oom;
      }
      if (failure instanceof StoreException s) {
        return new Denial(
            name,
            Denial.GATE_STATE_UNAVAILABLE,
            "reading stream '"
                + it.coordinate().entity()
                + "' for atomic gate '"
                + name
                + "' failed: "
                + s.getMessage(),
            Map.of("stream", it.coordinate().entity(), "cause", String.valueOf(s)));
      }
      return AtomicGateOutcome.of(name, null, failure);
    }
    return AtomicGateOutcome.of(name, verdict, null);
  }

  /** The fold's state after the stream's first {@code count} events, from the cache onwards. */
  @SuppressWarnings("unchecked")
  private <S> S fold(Store local, StreamFold<S> fold, String entity, long count) {
    if (fold == StreamFold.none()) {
      return fold.initial();
    }
    FoldKey key = new FoldKey(fold, entity);
    Folded cached = cache.get(key);
    long from = 0;
    S state = fold.initial();
    if (cached != null && cached.count() <= count) {
      from = cached.count();
      state = (S) cached.state();
    }
    while (from < count) {
      List<StoredEvent> page = local.streamEvents(entity, from, (int) Math.min(PAGE, count - from));
      if (page.isEmpty()) {
        throw dropped(entity, from);
      }
      for (StoredEvent e : page) {
        if (e.header().streamSequence() != from) {
          throw dropped(entity, from);
        }
        state = fold.apply(state, e);
        from++;
      }
    }
    if (cache.size() >= CACHE_ENTRIES) {
      cache.clear();
    }
    Folded fresh = new Folded(count, state);
    cache.merge(key, fresh, (old, neu) -> old.count() >= neu.count() ? old : neu);
    return state;
  }

  /** streamEvents leaves out what a compaction dropped: the fold cannot see every event. */
  private static StoreException dropped(String entity, long streamSequence) {
    return new StoreException(
        "the fold needs the event at stream sequence "
            + streamSequence
            + " of '"
            + entity
            + "', which a compaction dropped; a stream whose events are compacted away cannot be"
            + " folded from its start");
  }

  @Override
  public void close() {
    threads.shutdownNow();
  }
}
