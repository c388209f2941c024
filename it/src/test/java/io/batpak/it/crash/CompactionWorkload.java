package io.batpak.it.crash;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.CompactionConfig;
import io.batpak.CompactionResult;
import io.batpak.Coordinate;
import io.batpak.EventKind;
import io.batpak.IdempotencyKey;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StoredEvent;
import io.batpak.VisibilityFence;
import io.batpak.fs.sim.SimEntropy;
import io.batpak.fs.sim.SimSnapshot;
import io.batpak.fs.sim.SimStoreClock;
import io.batpak.fs.sim.SimStoreFs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * The workload of {@link CompactionCrashExplorerIT}: a setup of {@link #CYCLES} open, append, close
 * cycles on the simulator (each clean close seals its segment, so the setup leaves that many small
 * sealed segments), then one session that appends, compacts with one {@link Strategy} and appends
 * again. Every event carries a unique tag in its first four payload bytes, so an event found on
 * disk names the append it came from; about half are keyed. Two setup cycles end with a visibility
 * fence (journal frames the compaction copies or drops with their segment): cycle {@link
 * #COMMITTED_FENCE_CYCLE}'s last event is appended in a fence that commits (an acknowledged event
 * like the others), the last cycle ends with an event in a fence that is cancelled (never
 * acknowledged, so the oracle reports it if it ever becomes visible). A segment holding a cancelled
 * event is never sealed (ADR 0015): the last setup segment stays the active one, the session
 * appends to it, and no compaction takes it. One seed fixes every choice and, with the engine's
 * deterministic mode and the simulator, every operation.
 */
final class CompactionWorkload {
  /** The store's segment size: a merge group holds two or three setup segments. */
  static final long SEGMENT_MAX_BYTES = 4096;

  /** Open, append, close cycles of the setup (one sealed segment each). */
  static final int CYCLES = 6;

  /** Appends of the session before and after the compaction. */
  static final int SESSION_APPENDS = 3;

  static final EventKind KIND = EventKind.custom(0xC, 0x1C1);

  /** The setup cycle whose last event is appended in a fence that commits. */
  static final int COMMITTED_FENCE_CYCLE = 1;

  /** The setup cycle that ends with an event in a fence that is cancelled: the last. */
  static final int CANCELLED_FENCE_CYCLE = CYCLES - 1;

  /** How an event of the setup is appended. */
  enum Fenced {
    NO,
    /** In a fence that commits: acknowledged, visible after the commit. */
    COMMITTED,
    /** In a fence that is cancelled: never visible, never acknowledged. */
    CANCELLED
  }

  /** Which compaction the session runs. */
  enum Strategy {
    MERGE,
    RETAIN,
    TOMBSTONE;

    CompactionConfig config() {
      return switch (this) {
        case MERGE -> CompactionConfig.merge();
        case RETAIN -> CompactionConfig.retain(CompactionWorkload::kept);
        case TOMBSTONE -> CompactionConfig.tombstone(CompactionWorkload::kept);
      };
    }

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The compaction predicate: every stream but the {@code temp-} ones is kept. */
  static boolean kept(StoredEvent e) {
    return !e.header().coordinate().entity().startsWith("temp-");
  }

  /**
   * One append the workload makes.
   *
   * @param tag its unique tag (the payload's first four bytes)
   * @param cycle the setup cycle (its segment's index among the setup segments), or -1 in the
   *     session
   */
  record Ev(int tag, int cycle, String entity, byte[] payload, IdempotencyKey key, Fenced fenced) {
    /**
     * Whether the session's compaction (retain or tombstone) removes it (a cancelled fence's event
     * is never visible, so no predicate sees it).
     */
    boolean removable() {
      return cycle >= 0 && entity.startsWith("temp-") && fenced != Fenced.CANCELLED;
    }

    AppendOptions options() {
      return key == null
          ? AppendOptions.defaults()
          : AppendOptions.defaults().withIdempotencyKey(key);
    }
  }

  /** The tag of a payload, or -1 if it has none. */
  static int tagOf(byte[] payload) {
    return payload.length < 4 ? -1 : ByteBuffer.wrap(payload, 0, 4).getInt();
  }

  final long seed;
  final List<Ev> setupEvents = new ArrayList<>();
  final List<Ev> sessionEvents = new ArrayList<>();

  /** The setup's receipts, by tag (the setup runs without faults: every append is acknowledged). */
  final TreeMap<Integer, AppendReceipt> setupReceipts = new TreeMap<>();

  /** Segment ids of the setup, in order (index = cycle). */
  final List<Long> segments = new ArrayList<>();

  /** The groups the compaction plans, as indexes into {@link #segments}, per strategy. */
  final List<List<Long>> mergeGroups = new ArrayList<>();

  final List<List<Long>> singleGroups = new ArrayList<>();

  /** The disk after the setup. */
  SimSnapshot base;

  CompactionWorkload(long seed) {
    this.seed = seed;
    SplittableRandom rnd = new SplittableRandom(seed);
    int tag = 1;
    for (int c = 0; c < CYCLES; c++) {
      int n = 3 + rnd.nextInt(3);
      for (int i = 0; i < n; i++) {
        Fenced f = c == COMMITTED_FENCE_CYCLE && i == n - 1 ? Fenced.COMMITTED : Fenced.NO;
        setupEvents.add(event(rnd, tag++, c, f));
      }
      if (c == CANCELLED_FENCE_CYCLE) {
        setupEvents.add(event(rnd, tag++, c, Fenced.CANCELLED));
      }
    }
    for (int i = 0; i < 2 * SESSION_APPENDS; i++) {
      sessionEvents.add(event(rnd, tag++, -1, Fenced.NO));
    }
  }

  private static Ev event(SplittableRandom rnd, int tag, int cycle, Fenced fenced) {
    String entity = (rnd.nextInt(3) == 0 ? "temp-" : "order-") + rnd.nextInt(4);
    byte[] payload = new byte[40 + rnd.nextInt(120)];
    rnd.nextBytes(payload);
    ByteBuffer.wrap(payload).putInt(tag);
    IdempotencyKey key =
        rnd.nextBoolean() ? IdempotencyKey.of(rnd.nextLong(), rnd.nextLong()) : null;
    return new Ev(tag, cycle, entity, payload, key, fenced);
  }

  /**
   * The configuration of open number {@code epoch} (the setup's cycles, then the session, then the
   * reopens): a clock an hour later than the previous epoch's and entropy of its own, so event ids
   * never repeat, as they would with a clock and a generator that start over at every open.
   */
  StoreConfig config(SimStoreFs fs, int epoch) {
    SimStoreClock clock = new SimStoreClock();
    clock.advance(java.time.Duration.ofHours(epoch));
    return StoreConfig.builder(Workload.DIR)
        .fs(fs)
        .clock(clock)
        .entropy(new SimEntropy(seed ^ (0x9E3779B97F4A7C15L * (epoch + 1))))
        .deterministic(true)
        .segmentMaxBytes(SEGMENT_MAX_BYTES)
        .build();
  }

  /** Runs the setup on a fresh simulator and keeps its disk as {@link #base}. */
  void setUp() {
    SimStoreFs fs = SimStoreFs.builder().seed(seed).build();
    for (int c = 0; c < CYCLES; c++) {
      try (Store store = Store.open(config(fs, c))) {
        for (Ev e : setupEvents) {
          if (e.cycle() != c) {
            continue;
          }
          if (e.fenced() == Fenced.NO) {
            setupReceipts.put(e.tag(), append(store, e));
            continue;
          }
          try (VisibilityFence fence = store.beginFence()) {
            AppendReceipt r =
                fence.append(
                    Coordinate.of(e.entity(), "s"), KIND, Bytes.of(e.payload()), e.options());
            if (e.fenced() == Fenced.COMMITTED) {
              fence.commit();
              setupReceipts.put(e.tag(), r);
            } else {
              fence.cancel();
            }
          }
        }
      }
    }
    try {
      for (String name : fs.list(Workload.DIR)) {
        if (name.endsWith(".seg")) {
          segments.add(Long.parseLong(name.substring(0, name.length() - 4)));
        }
      }
      segments.sort(null);
      if (segments.size() != CYCLES) {
        throw new AssertionError(
            "seed " + seed + ": the setup should leave one segment per cycle, found " + segments);
      }
      // The Compactor's plan: consecutive sealed segments within segmentMaxBytes (the last one,
      // with the cancelled fence, is unsealed).
      List<Long> current = new ArrayList<>();
      long bytes = 0;
      List<List<Long>> all = new ArrayList<>();
      for (long id : segments.subList(0, CANCELLED_FENCE_CYCLE)) {
        long size = fs.contentOf(Workload.DIR.resolve(String.format("%010d.seg", id))).length;
        if (!current.isEmpty() && bytes + size > SEGMENT_MAX_BYTES) {
          all.add(current);
          current = new ArrayList<>();
          bytes = 0;
        }
        current.add(id);
        bytes += size;
      }
      all.add(current);
      for (List<Long> g : all) {
        singleGroups.add(g);
        if (g.size() >= 2) {
          mergeGroups.add(g);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    base = fs.snapshot();
  }

  /** The groups {@code strategy} compacts. */
  List<List<Long>> groups(Strategy strategy) {
    return strategy == Strategy.MERGE ? mergeGroups : singleGroups;
  }

  /**
   * Whether {@code strategy} changes {@code group} (a merge always; else if it removes an event).
   */
  boolean changes(Strategy strategy, List<Long> group) {
    if (strategy == Strategy.MERGE) {
      return true;
    }
    for (Ev e : setupEvents) {
      if (e.removable() && group.contains(segments.get(e.cycle()))) {
        return true;
      }
    }
    return false;
  }

  static AppendReceipt append(Store store, Ev e) {
    return store.append(Coordinate.of(e.entity(), "s"), KIND, Bytes.of(e.payload()), e.options());
  }

  /** What one session did: which appends were acknowledged, which were attempted and failed. */
  static final class Session {
    final TreeMap<Integer, AppendReceipt> acked = new TreeMap<>();
    final List<Integer> attempted = new ArrayList<>();
    CompactionResult result;
    RuntimeException compactFailure;
    RuntimeException openFailure;
    final List<String> notes = new ArrayList<>();
  }

  /** Runs the session on {@code fs} (already holding the setup's disk and any fault rule). */
  Session session(SimStoreFs fs, Strategy strategy) {
    Session s = new Session();
    Store store;
    try {
      store = Store.open(config(fs, CYCLES));
    } catch (RuntimeException e) {
      s.openFailure = e;
      return s;
    }
    try {
      for (int i = 0; i < sessionEvents.size(); i++) {
        if (i == SESSION_APPENDS) {
          try {
            s.result = store.compact(strategy.config());
          } catch (RuntimeException e) {
            s.compactFailure = e;
          }
        }
        Ev e = sessionEvents.get(i);
        s.attempted.add(e.tag());
        try {
          s.acked.put(e.tag(), append(store, e));
        } catch (RuntimeException ex) {
          s.notes.add("append " + e.tag() + ": " + ex);
        }
      }
    } finally {
      try {
        store.close();
      } catch (RuntimeException e) {
        s.notes.add("close: " + e);
      }
    }
    return s;
  }
}
