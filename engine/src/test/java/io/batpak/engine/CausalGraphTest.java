package io.batpak.engine;

import static io.batpak.engine.StoreFixtures.KIND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AncestorWalk;
import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.CausationId;
import io.batpak.CauseWalk;
import io.batpak.CompactionConfig;
import io.batpak.CompactionResult;
import io.batpak.Coordinate;
import io.batpak.CorrelationId;
import io.batpak.EventHeader;
import io.batpak.EventId;
import io.batpak.EventKind;
import io.batpak.EventNotFoundException;
import io.batpak.IdempotencyKey;
import io.batpak.OpenReport.IndexSource;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.ValidationException;
import io.batpak.VisibilityFence;
import io.batpak.engine.internal.index.IndexCheckpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The causal graph against an in-memory model (docs/causal.md): seeded random causation DAGs over
 * several streams with random correlations, causes named before they exist, dangling causes,
 * constructed cycles, a cancelled fence and a compaction that drops events; every query is checked
 * on the live store and after a reopen from each load path (checkpoint, seals, scan).
 */
@ExtendWith(Seeded.class)
class CausalGraphTest {
  @TempDir Path dir;

  /** One event of the model. */
  static final class Ev {
    final EventId id;
    final String entity;
    final long streamSeq;
    final long global;
    final CausationId cause;
    final CorrelationId correlation;
    final boolean temp;
    boolean cancelled;
    boolean dropped;
    boolean tombstoned;

    Ev(
        EventId id,
        String entity,
        long streamSeq,
        long global,
        CausationId cause,
        CorrelationId correlation,
        boolean temp) {
      this.id = id;
      this.entity = entity;
      this.streamSeq = streamSeq;
      this.global = global;
      this.cause = cause;
      this.correlation = correlation;
      this.temp = temp;
    }

    boolean visible() {
      return !cancelled && !dropped;
    }
  }

  /** The model: every event appended, in global order. */
  private final List<Ev> events = new ArrayList<>();

  private final Map<EventId, Ev> byId = new HashMap<>();
  private final List<CorrelationId> sagas = new ArrayList<>();
  private final List<IdempotencyKey> futureKeys = new ArrayList<>();
  private final Set<IdempotencyKey> usedKeys = new HashSet<>();
  private int keySeq;

  private StoreConfig config() {
    return StoreConfig.builder(dir).segmentMaxBytes(8 << 10).build();
  }

  private static final String[] STREAMS = {"order-1", "order-2", "pay-1", "ship-7", "audit", "x"};

  private IdempotencyKey freshKey() {
    return IdempotencyKey.of(0x1234_5678L, ++keySeq);
  }

  private void record(
      AppendReceipt r, String entity, AppendOptions o, CausationId cause, boolean t) {
    CorrelationId corr =
        o.correlationId() != null ? o.correlationId() : CorrelationId.of(r.eventId());
    Ev e = new Ev(r.eventId(), entity, r.streamSequence(), r.globalSequence(), cause, corr, t);
    assertEquals(events.size(), (int) r.globalSequence(), "global order");
    events.add(e);
    byId.put(e.id, e);
  }

  /** Options for a random event: its cause, its correlation, maybe a key. */
  private AppendOptions randomOptions(Random random) {
    AppendOptions o = AppendOptions.defaults();
    int c = random.nextInt(100);
    Ev causeEv = null;
    if (c < 45 && !events.isEmpty()) {
      causeEv = events.get(random.nextInt(events.size()));
      o = o.withCausation(CausationId.of(causeEv.id));
    } else if (c < 52) {
      o = o.withCausation(CausationId.of(random.nextLong(), random.nextLong())); // dangling
    } else if (c < 62) {
      IdempotencyKey k = freshKey(); // a cause appended later, with this key
      futureKeys.add(k);
      o = o.withCausation(CausationId.of(EventId.of(k)));
    }
    int r = random.nextInt(100);
    if (r < 35 && causeEv != null) {
      o = o.withCorrelation(causeEv.correlation); // a reaction: the source's correlation
    } else if (r < 55) {
      if (sagas.isEmpty() || random.nextInt(4) == 0) {
        sagas.add(CorrelationId.of(random.nextLong(), random.nextLong()));
      }
      o = o.withCorrelation(sagas.get(random.nextInt(sagas.size())));
    } else if (r < 62 && !events.isEmpty()) {
      // The correlation is an existing event's id (that event's own, default correlation).
      o = o.withCorrelation(CorrelationId.of(events.get(random.nextInt(events.size())).id));
    }
    if (!futureKeys.isEmpty() && random.nextInt(5) == 0) {
      IdempotencyKey k = futureKeys.remove(random.nextInt(futureKeys.size()));
      usedKeys.add(k);
      o = o.withIdempotencyKey(k); // a cause someone named earlier arrives
    }
    return o;
  }

  private void appendRandom(Store store, Random random, int n) {
    for (int i = 0; i < n; i++) {
      String entity = STREAMS[random.nextInt(STREAMS.length)];
      boolean temp = random.nextInt(8) == 0;
      if (random.nextInt(10) == 0) {
        // A batch whose second item is caused by its first.
        AppendOptions o = randomOptions(random);
        List<BatchItem> items =
            List.of(
                BatchItem.of(Coordinate.of(entity, "s"), KIND, payload(random, temp))
                    .withOptions(o),
                BatchItem.of(Coordinate.of(entity, "s"), KIND, payload(random, false))
                    .withOptions(
                        o.idempotencyKey() == null
                            ? AppendOptions.defaults()
                            : AppendOptions.defaults().withIdempotencyKey(freshKey()))
                    .causedBy(0));
        List<AppendReceipt> rs = store.appendBatch(items);
        record(rs.get(0), entity, o, o.causationId(), temp);
        record(
            rs.get(1),
            entity,
            AppendOptions.defaults(),
            CausationId.of(rs.get(0).eventId()),
            false);
        continue;
      }
      AppendOptions o = randomOptions(random);
      AppendReceipt r = store.append(Coordinate.of(entity, "s"), KIND, payload(random, temp), o);
      record(r, entity, o, o.causationId(), temp);
    }
  }

  private static Bytes payload(Random random, boolean temp) {
    byte[] b = new byte[20 + random.nextInt(120)];
    random.nextBytes(b);
    b[0] = (byte) (temp ? 'T' : random.nextInt(10) == 0 ? 'B' : 'K'); // B: to be tombstoned
    return Bytes.ofOwned(b);
  }

  /** Two events caused by each other, and one caused by itself, through predictable ids. */
  private void appendCycles(Store store) {
    IdempotencyKey a = freshKey();
    IdempotencyKey b = freshKey();
    IdempotencyKey self = freshKey();
    for (IdempotencyKey[] pair : new IdempotencyKey[][] {{a, b}, {b, a}, {self, self}}) {
      AppendOptions o =
          AppendOptions.defaults()
              .withIdempotencyKey(pair[0])
              .withCausation(CausationId.of(EventId.of(pair[1])));
      AppendReceipt r = store.append(Coordinate.of("cycle", "s"), KIND, Bytes.utf8("c"), o);
      record(r, "cycle", o, o.causationId(), false);
    }
  }

  /** A fence with events that are causes, consequences and saga members, then cancelled. */
  private void appendCancelledFence(Store store, Random random) {
    long next = events.size();
    List<Ev> fenced = new ArrayList<>();
    try (VisibilityFence fence = store.beginFence()) {
      for (int i = 0; i < 4; i++) {
        String entity = STREAMS[random.nextInt(STREAMS.length)];
        IdempotencyKey k = freshKey();
        AppendOptions o = AppendOptions.defaults().withIdempotencyKey(k);
        if (i > 0) {
          o = o.withCausation(CausationId.of(fenced.get(i - 1).id));
        } else {
          o = o.withCausation(CausationId.of(events.get(random.nextInt(events.size())).id));
        }
        if (!sagas.isEmpty()) {
          o = o.withCorrelation(sagas.get(0));
        }
        AppendReceipt r = fence.append(Coordinate.of(entity, "s"), KIND, Bytes.utf8("f"), o);
        assertEquals(next + i, r.globalSequence());
        Ev e =
            new Ev(
                r.eventId(),
                entity,
                r.streamSequence(),
                r.globalSequence(),
                o.causationId(),
                o.correlationId() != null ? o.correlationId() : CorrelationId.of(r.eventId()),
                false);
        e.cancelled = true;
        fenced.add(e);
      }
      fence.cancel();
    }
    for (Ev e : fenced) {
      events.add(e);
      // Not in byId: its id belongs to no visible event. Later events may name it as a cause.
    }
    // Stream sequences of the fenced events are given back: the model's per-stream lists skip them.
    AppendOptions o = AppendOptions.defaults().withCausation(CausationId.of(fenced.get(0).id));
    AppendReceipt r = store.append(Coordinate.of("audit", "s"), KIND, Bytes.utf8("after"), o);
    record(r, "audit", o, o.causationId(), false);
  }

  // ------------------------------------------------------------------ the model's answers

  private List<Ev> streamOf(String entity) {
    List<Ev> s = new ArrayList<>();
    for (Ev e : events) {
      if (!e.cancelled && e.entity.equals(entity)) {
        s.add(e);
      }
    }
    return s;
  }

  private Ev liveById(CausationId id) {
    Ev e = byId.get(EventId.of(id.high(), id.low()));
    return e == null || e.cancelled ? null : e;
  }

  private static List<Long> globals(List<EventHeader> hs) {
    return hs.stream().map(EventHeader::globalSequence).toList();
  }

  private void checkAll(Store store, Random random, String when) {
    Map<String, List<Ev>> streams = new LinkedHashMap<>();
    for (Ev e : events) {
      streams.computeIfAbsent(e.entity, this::streamOf);
    }
    for (Ev e : events) {
      String what = when + ", event " + e.global + " " + e.id;
      if (!e.visible()) {
        assertThrows(EventNotFoundException.class, () -> store.consequences(e.id), what);
        assertThrows(EventNotFoundException.class, () -> store.walkCauses(e.id), what);
        assertThrows(EventNotFoundException.class, () -> store.walkAncestors(e.id, 3), what);
        continue;
      }
      // consequences
      List<Long> expected = new ArrayList<>();
      for (Ev c : events) {
        if (c.visible()
            && c.cause != null
            && c.cause.high() == e.id.high()
            && c.cause.low() == e.id.low()) {
          expected.add(c.global);
        }
      }
      List<EventHeader> cons = store.consequences(e.id);
      assertEquals(expected, globals(cons), what + ": consequences");
      for (EventHeader h : cons) {
        assertEquals(Optional.of(CausationId.of(e.id)), h.causation(), what);
        assertTombstone(h, what);
      }
      // walkCauses
      CauseWalk walk = store.walkCauses(e.id);
      List<Long> causes = new ArrayList<>();
      Set<EventId> met = new HashSet<>();
      met.add(e.id);
      Ev cur = e;
      CauseWalk.Boundary boundary;
      long at;
      while (true) {
        if (cur.cause == null) {
          boundary = CauseWalk.Boundary.ROOT;
          at = cur.global;
          break;
        }
        Ev c = liveById(cur.cause);
        if (c == null) {
          boundary = CauseWalk.Boundary.DANGLING;
          at = cur.global;
          break;
        }
        if (!met.add(c.id)) {
          boundary = CauseWalk.Boundary.CYCLE;
          at = c.global;
          break;
        }
        if (c.dropped) {
          boundary = CauseWalk.Boundary.COMPACTED;
          at = c.global;
          break;
        }
        causes.add(c.global);
        cur = c;
      }
      assertEquals(causes, globals(walk.causes()), what + ": causes " + walk);
      assertEquals(boundary, walk.boundary(), what + ": " + walk);
      assertEquals(at, walk.atGlobalSequence(), what + ": " + walk);
      // walkAncestors
      int limit = random.nextInt(4) == 0 ? 1 + random.nextInt(3) : 1_000;
      AncestorWalk anc = store.walkAncestors(e.id, limit);
      List<Ev> stream = streams.get(e.entity);
      List<Long> ancestors = new ArrayList<>();
      AncestorWalk.Boundary ab = AncestorWalk.Boundary.GENESIS;
      long aat = -1;
      for (long seq = e.streamSeq - 1; seq >= 0; seq--) {
        if (ancestors.size() == limit) {
          ab = AncestorWalk.Boundary.LIMIT;
          break;
        }
        Ev p = stream.get((int) seq);
        assertEquals(seq, p.streamSeq, "model stream " + e.entity);
        if (p.dropped) {
          ab = AncestorWalk.Boundary.COMPACTED_GAP;
          aat = p.global;
          break;
        }
        ancestors.add(p.global);
      }
      assertEquals(ancestors, globals(anc.ancestors()), what + ": ancestors " + anc);
      anc.ancestors().forEach(h -> assertTombstone(h, what));
      walk.causes().forEach(h -> assertTombstone(h, what));
      assertEquals(ab, anc.boundary(), what + ": " + anc);
      assertEquals(aat, anc.atGlobalSequence(), what + ": " + anc);
    }
    // correlated, paged with random page sizes, for every correlation the model knows
    Set<CorrelationId> correlations = new HashSet<>(sagas);
    for (Ev e : events) {
      correlations.add(e.correlation);
    }
    correlations.add(CorrelationId.of(random.nextLong(), random.nextLong())); // unknown: empty
    for (CorrelationId c : correlations) {
      List<Long> expected = new ArrayList<>();
      for (Ev e : events) {
        if (e.visible() && e.correlation.equals(c)) {
          expected.add(e.global);
        }
      }
      List<Long> got = new ArrayList<>();
      long after = -1;
      int pageSize = 1 + random.nextInt(5);
      while (true) {
        List<EventHeader> page = store.correlated(c, after, pageSize);
        assertTrue(page.size() <= pageSize);
        for (EventHeader h : page) {
          assertEquals(c, h.correlationId(), when + ": " + c);
          assertTombstone(h, when + ": " + c);
        }
        if (page.isEmpty()) {
          break;
        }
        got.addAll(globals(page));
        after = page.get(page.size() - 1).globalSequence();
      }
      assertEquals(expected, got, when + ": correlated " + c);
    }
  }

  /** Tombstones are events: listed, with kind TOMBSTONE, exactly where the model has one. */
  private void assertTombstone(EventHeader h, String what) {
    Ev e = events.get((int) h.globalSequence());
    assertEquals(e.tombstoned, h.kind() == EventKind.TOMBSTONE, what + ": kind of " + h);
  }

  private void checkEveryLoadPath(Random random, String when) throws Exception {
    StoreConfig ro = config().toBuilder().readOnly(true).build();
    try (Store store = Store.open(ro)) {
      assertEquals(IndexSource.CHECKPOINT, store.openReport().indexLoad().source());
      checkAll(store, random, when + ", from the checkpoint");
    }
    Path ckpt = dir.resolve(IndexCheckpoint.FILE);
    byte[] saved = Files.readAllBytes(ckpt);
    Files.delete(ckpt);
    try (Store store = Store.open(ro)) {
      assertEquals(
          IndexSource.SEALS,
          store.openReport().indexLoad().source(),
          store.openReport().indexLoad().toString());
      assertEquals(List.of(), store.openReport().indexLoad().distrusted());
      checkAll(store, random, when + ", from the seals");
    }
    Files.write(ckpt, saved);
  }

  @Test
  void randomCausalGraphsAgreeWithTheModelOnEveryLoadPath(Random random) throws Exception {
    try (Store store = Store.open(config())) {
      appendRandom(store, random, 150);
      appendCycles(store);
      appendRandom(store, random, 100);
      appendCancelledFence(store, random);
      appendRandom(store, random, 150);
      checkAll(store, random, "live");
      CompactionResult compaction = store.compact(CompactionConfig.retain(e -> !temp(e)));
      assertEquals(CompactionResult.Outcome.PERFORMED, compaction.outcome(), compaction.reason());
      for (Ev e : events) {
        if (e.temp && !e.cancelled && store.openReport() != null) {
          e.dropped = isDropped(store, e);
        }
      }
      assertTrue(events.stream().anyMatch(e -> e.dropped), "the compaction dropped events");
      checkAll(store, random, "after the compaction");
      CompactionResult tombstones =
          store.compact(
              CompactionConfig.tombstone(
                  e -> e.payload().size() == 0 || e.payload().toByteArray()[0] != 'B'));
      assertEquals(CompactionResult.Outcome.PERFORMED, tombstones.outcome(), tombstones.reason());
      for (Ev e : events) {
        e.tombstoned = e.visible() && store.get(e.id).header().kind() == EventKind.TOMBSTONE;
      }
      assertTrue(events.stream().anyMatch(e -> e.tombstoned), "the compaction tombstoned events");
      checkAll(store, random, "after the tombstones");
    }
    checkEveryLoadPath(random, "after a clean close");

    // Reopen and go on: causes named earlier arrive, new consequences of old events.
    try (Store store = Store.open(config())) {
      checkAll(store, random, "reopened");
      while (!futureKeys.isEmpty()) {
        IdempotencyKey k = futureKeys.remove(0);
        AppendOptions o = AppendOptions.defaults().withIdempotencyKey(k);
        AppendReceipt r = store.append(Coordinate.of("late", "s"), KIND, Bytes.utf8("late"), o);
        record(r, "late", o, null, false);
      }
      appendRandom(store, random, 120);
      checkAll(store, random, "after more appends");
    }
    checkEveryLoadPath(random, "after the second close");
    assertTrue(StoreFixtures.crashShape(dir) > 0);
    try (Store store = Store.open(config().toBuilder().readOnly(true).build())) {
      assertEquals(IndexSource.SCAN, store.openReport().indexLoad().source());
      checkAll(store, random, "from a scan");
    }
  }

  private static boolean temp(io.batpak.StoredEvent e) {
    return e.payload().size() > 0 && e.payload().toByteArray()[0] == 'T';
  }

  private static boolean isDropped(Store store, Ev e) {
    try {
      store.get(e.id);
      return false;
    } catch (EventNotFoundException x) {
      return true;
    }
  }

  @Test
  void badArgumentsAreRefusedWithTheValue() {
    try (Store store = Store.open(config())) {
      AppendReceipt r = store.append(Coordinate.of("a", "s"), KIND, Bytes.utf8("x"));
      ValidationException e =
          assertThrows(ValidationException.class, () -> store.walkAncestors(r.eventId(), 0));
      assertTrue(e.getMessage().contains("limit > 0, got 0"), e.getMessage());
      e =
          assertThrows(
              ValidationException.class,
              () -> store.correlated(CorrelationId.of(r.eventId()), -2, 5));
      assertTrue(e.getMessage().contains("after -2"), e.getMessage());
      e =
          assertThrows(
              ValidationException.class,
              () -> store.correlated(CorrelationId.of(r.eventId()), -1, 0));
      assertTrue(e.getMessage().contains("limit 0"), e.getMessage());
      EventId unknown = EventId.of(1, 2);
      EventNotFoundException nf =
          assertThrows(EventNotFoundException.class, () -> store.walkCauses(unknown));
      assertTrue(nf.getMessage().contains(unknown.toString()), nf.getMessage());
      assertThrows(EventNotFoundException.class, () -> store.consequences(unknown));
      assertEquals(List.of(), store.correlated(CorrelationId.of(unknown), -1, 10));
      assertEquals(
          List.of(r.globalSequence()),
          globals(store.correlated(CorrelationId.of(r.eventId()), -1, 10)));
      AncestorWalk w = store.walkAncestors(r.eventId(), 1);
      assertEquals(AncestorWalk.Boundary.GENESIS, w.boundary());
      assertEquals(List.of(), w.ancestors());
      CauseWalk c = store.walkCauses(r.eventId());
      assertEquals(CauseWalk.Boundary.ROOT, c.boundary());
      assertEquals(r.globalSequence(), c.atGlobalSequence());
    }
  }
}
