package io.batpak.engine.internal.projection;

import io.batpak.Bytes;
import io.batpak.EventKind;
import io.batpak.Freshness;
import io.batpak.Projection;
import io.batpak.ProjectionCacheStats;
import io.batpak.ProjectionResult;
import io.batpak.Region;
import io.batpak.StoredEvent;
import io.batpak.ValidationException;
import io.batpak.engine.internal.format.FrameCodec;
import io.batpak.engine.internal.index.Index;
import io.batpak.engine.internal.index.StreamState;
import io.batpak.engine.internal.read.EventQueries;
import io.batpak.engine.internal.read.EventReader;
import io.batpak.engine.internal.segment.Journal;
import io.batpak.engine.internal.time.Durations;
import io.batpak.port.StoreClock;
import io.batpak.port.StoreFs;
import io.batpak.spi.Codec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Projections (ADR 0021): folds over one stream or a region at one index view (frames read a window
 * at a time, {@link FrameWindows}), and the optional projection cache ({@link ProjectionCache}).
 * Thread-safe; writes of one cache file are serialized by a lock stripe of its key.
 */
public final class Projections {
  private static final System.Logger LOG = System.getLogger(Projections.class.getName());

  private final Index index;
  private final EventReader reader;
  private final Journal journal;
  private final StoreFs fs;
  private final Path directory;
  private final Codec codec;
  private final StoreClock clock;
  private final boolean cache;
  private final boolean writable;
  private final int every;
  private final Object[] stripes = new Object[64];

  private final AtomicLong hits = new AtomicLong();
  private final AtomicLong missing = new AtomicLong();
  private final AtomicLong damaged = new AtomicLong();
  private final AtomicLong keyMismatches = new AtomicLong();
  private final AtomicLong schemaMismatches = new AtomicLong();
  private final AtomicLong stale = new AtomicLong();
  private final AtomicLong writes = new AtomicLong();
  private final AtomicLong writeFailures = new AtomicLong();

  /**
   * Projections over {@code index}.
   *
   * @param codec the store's codec; null only when {@code cache} is false
   * @param cache whether the projection cache is on
   * @param writable whether cache entries may be written (false for a read-only store)
   * @param every the fewest events a call folds before it writes its state
   */
  public Projections(
      Index index,
      EventReader reader,
      Journal journal,
      StoreFs fs,
      Path directory,
      Codec codec,
      StoreClock clock,
      boolean cache,
      boolean writable,
      int every) {
    if (cache && codec == null) {
      throw new IllegalArgumentException("a projection cache needs a codec");
    }
    this.index = index;
    this.reader = reader;
    this.journal = journal;
    this.fs = fs;
    this.directory = directory;
    this.codec = codec;
    this.clock = clock;
    this.cache = cache;
    this.writable = writable;
    this.every = every;
    for (int i = 0; i < stripes.length; i++) {
      stripes[i] = new Object();
    }
  }

  /** The cache's counters. */
  public ProjectionCacheStats stats() {
    return new ProjectionCacheStats(
        hits.get(),
        missing.get(),
        damaged.get(),
        keyMismatches.get(),
        schemaMismatches.get(),
        stale.get(),
        writes.get(),
        writeFailures.get());
  }

  /** Checks what every call checks of a projection. */
  private static void check(Projection<?> p) {
    Projection.checkId(p.id());
    if (p.schemaVersion() < 0) {
      throw new ValidationException(
          "projection '"
              + p.id()
              + "': schemaVersion must be at least 0, got "
              + p.schemaVersion());
    }
  }

  /** The raw kinds a projection folds, or null for every kind. */
  private static int[] rawKinds(Projection<?> p) {
    Set<EventKind> kinds = p.kinds();
    if (kinds.isEmpty()) {
      return null;
    }
    int[] raw = new int[kinds.size()];
    int i = 0;
    for (EventKind k : kinds) {
      raw[i++] = k.raw();
    }
    return raw;
  }

  /** Whether the visible row {@code row} is of a kind the projection folds. */
  private static boolean folds(int[] kinds, Index.View v, int row) {
    if (kinds == null) {
      return true;
    }
    int raw = EventQueries.rawKindAt(v, row);
    for (int k : kinds) {
      if (k == raw) {
        return true;
      }
    }
    return false;
  }

  /**
   * Folds one row into {@code state}; the row is visible and not cancelled. Returns {@code state}
   * unchanged (the same reference) for a row compaction dropped, which is not counted.
   */
  private <S> S fold(
      Projection<S> p,
      S state,
      FrameWindows frames,
      Index.View v,
      int row,
      boolean payloads,
      long[] applied) {
    EventReader.Located l = frames.read(v, row);
    if (l.disposition() == FrameCodec.DROPPED) {
      return state; // dropped by a compaction that switched after the index was looked at
    }
    StoredEvent e =
        new StoredEvent(
            EventQueries.header(l.record(), l.disposition()),
            payloads ? Bytes.ofOwned(l.record().payload()) : Bytes.empty());
    applied[0]++;
    S next = p.apply(state, e);
    if (next == null) {
      throw new NullPointerException(
          "projection '" + p.id() + "' returned a null state for event " + e.header().eventId());
    }
    return next;
  }

  // ------------------------------------------------------------------ regions

  /** See {@link io.batpak.Store#project(Region, Projection)}. */
  public <S> ProjectionResult<S> project(Region region, Projection<S> p) {
    check(p);
    Index.View v = index.view(); // one view: one watermark
    int size = v.size();
    int[] kinds = rawKinds(p);
    boolean payloads = p.readsPayloads();
    FrameWindows frames = new FrameWindows(index, journal, reader, payloads);
    long[] applied = new long[1];
    S state = p.initial();
    for (int row = 0; row < size; row++) {
      if (v.cancelled(row) || v.disposition(row) == FrameCodec.DROPPED || !folds(kinds, v, row)) {
        continue;
      }
      if (!EventQueries.inRegion(index, region, v, row)) {
        continue;
      }
      state = fold(p, state, frames, v, row, payloads, applied);
    }
    return new ProjectionResult<>(state, size - 1L, -1, applied[0], false);
  }

  // ------------------------------------------------------------------ streams

  /** The visible rows of one stream in one view: {@code rows[0, n)}. */
  private record StreamRows(int[] rows, int n) {
    static StreamRows of(Index index, String entity, Index.View v) {
      StreamState s = index.stream(entity);
      if (s == null) {
        return new StreamRows(new int[0], 0);
      }
      int count = s.count(); // read before rows()
      int[] rows = s.rows();
      int n = Math.min(count, rows.length);
      while (n > 0 && rows[n - 1] >= v.size()) {
        n--; // appended after the view was taken (or under a fence still open)
      }
      return new StreamRows(rows, n);
    }

    /** The rows among the first {@code upTo} compaction dropped ({@code [0]}) and tombstoned. */
    long[] compacted(Index.View v, long upTo) {
      long[] c = new long[2];
      for (int i = 0; i < upTo; i++) {
        int d = v.disposition(rows[i]);
        if (d == FrameCodec.DROPPED) {
          c[0]++;
        } else if (d == FrameCodec.TOMBSTONED) {
          c[1]++;
        }
      }
      return c;
    }
  }

  /** The stream's visible version now. */
  public long version(String entity) {
    return StreamRows.of(index, entity, index.view()).n();
  }

  /** See {@link io.batpak.Store#projectIfChanged}. */
  public <S> Optional<ProjectionResult<S>> projectIfChanged(
      String entity, Projection<S> p, long lastSeen) {
    check(p);
    if (lastSeen < 0) {
      throw new ValidationException(
          "projectIfChanged needs lastSeen >= 0 (a ProjectionResult.streamVersion(), or 0 for"
              + " never seen), got "
              + lastSeen
              + " for stream '"
              + entity
              + "'");
    }
    if (version(entity) == lastSeen) {
      return Optional.empty();
    }
    return Optional.of(project(entity, p, Freshness.CONSISTENT));
  }

  /** See {@link io.batpak.Store#project(String, Projection, Freshness)}. */
  public <S> ProjectionResult<S> project(String entity, Projection<S> p, Freshness freshness) {
    check(p);
    Index.View v = index.view(); // one view: one watermark
    StreamRows sr = StreamRows.of(index, entity, v);
    S state = p.initial();
    long from = 0;
    boolean hit = false;
    Path file = null;
    if (cache) {
      file = ProjectionCache.file(directory, p.id(), entity);
      ProjectionCache.Entry e = lookup(file, p, entity, v, sr);
      if (e != null) {
        S cached = decode(file, e, p);
        if (cached != null) {
          hits.incrementAndGet();
          if (!freshness.consistent()
              && clock.wallMicros() - e.madeAtMicros()
                  <= Durations.nanos(freshness.maxStaleness()) / 1000) {
            return new ProjectionResult<>(cached, e.watermark(), e.streamVersion(), 0, true);
          }
          state = cached;
          from = e.streamVersion();
          hit = true;
        }
      }
    }
    long[] before = cache ? sr.compacted(v, sr.n()) : null;
    int[] kinds = rawKinds(p);
    boolean payloads = p.readsPayloads();
    FrameWindows frames = new FrameWindows(index, journal, reader, payloads);
    long[] applied = new long[1];
    int[] rows = sr.rows();
    for (int i = (int) from; i < sr.n(); i++) {
      int row = rows[i];
      if (v.cancelled(row) || v.disposition(row) == FrameCodec.DROPPED || !folds(kinds, v, row)) {
        continue;
      }
      state = fold(p, state, frames, v, row, payloads, applied);
    }
    long watermark = v.size() - 1L;
    long folded = sr.n() - from;
    if (cache && writable && folded >= every) {
      long[] after = sr.compacted(v, sr.n());
      if (after[0] == before[0] && after[1] == before[1]) { // no compaction switched meanwhile
        int last = sr.n() == 0 ? -1 : rows[sr.n() - 1];
        store(
            file,
            new ProjectionCache.Entry(
                p.id(),
                entity,
                p.schemaVersion(),
                sr.n(),
                watermark,
                last,
                last < 0 ? 0 : v.idHi(last),
                last < 0 ? 0 : v.idLo(last),
                after[0],
                after[1],
                clock.wallMicros(),
                new byte[0]),
            state);
      }
    }
    return new ProjectionResult<>(state, watermark, sr.n(), applied[0], hit);
  }

  /**
   * The cache entry of {@code p} and {@code entity} if it can be believed and still matches the
   * journal in view {@code v}, else null (the miss counted under its reason, and logged).
   */
  private ProjectionCache.Entry lookup(
      Path file, Projection<?> p, String entity, Index.View v, StreamRows sr) {
    ProjectionCache.Read r;
    try {
      r = ProjectionCache.read(fs, file);
    } catch (IOException | RuntimeException e) {
      return miss(damaged, file, "reading it failed: " + e.getMessage());
    }
    if (r instanceof ProjectionCache.Missing) {
      missing.incrementAndGet();
      return null;
    }
    if (r instanceof ProjectionCache.Damaged d) {
      return miss(damaged, file, d.reason());
    }
    ProjectionCache.Entry e = ((ProjectionCache.Found) r).entry();
    if (!e.id().equals(p.id()) || !e.entity().equals(entity)) {
      return miss(
          keyMismatches,
          file,
          "it holds projection '" + e.id() + "' of stream '" + e.entity() + "'");
    }
    if (e.schemaVersion() != p.schemaVersion()) {
      return miss(
          schemaMismatches,
          file,
          "it holds schema version " + e.schemaVersion() + ", asked for " + p.schemaVersion());
    }
    if (e.streamVersion() > sr.n()) {
      return miss(
          stale,
          file,
          "it folded "
              + e.streamVersion()
              + " events of the stream, which holds "
              + sr.n()
              + " visible now");
    }
    if (e.streamVersion() > 0) {
      int last = sr.rows()[(int) e.streamVersion() - 1];
      if (last != e.lastRow() || v.idHi(last) != e.lastIdHi() || v.idLo(last) != e.lastIdLo()) {
        return miss(
            stale,
            file,
            "the stream's event "
                + (e.streamVersion() - 1)
                + " is not the one it folded (a crash lost events it had seen)");
      }
    }
    long[] c = sr.compacted(v, e.streamVersion());
    if (c[0] != e.dropped() || c[1] != e.tombstoned()) {
      return miss(stale, file, "a compaction dropped or tombstoned events of the stream since");
    }
    return e;
  }

  /** The entry's state, or null (a damaged miss) if the codec cannot decode it. */
  private <S> S decode(Path file, ProjectionCache.Entry e, Projection<S> p) {
    try {
      S s = codec.decode(Bytes.ofOwned(e.state()), p.stateType());
      if (s == null) {
        return miss(damaged, file, "its state decodes to null");
      }
      return s;
    } catch (RuntimeException x) {
      return miss(damaged, file, "its state does not decode: " + x.getMessage());
    }
  }

  private <T> T miss(AtomicLong counter, Path file, String why) {
    counter.incrementAndGet();
    LOG.log( // DEBUG: a miss can come with every call; ProjectionCacheStats counts them
        System.Logger.Level.DEBUG,
        "projection cache miss: " + file + ": " + why + "; folding the stream from the start");
    return null;
  }

  /** Encodes {@code state} into {@code e} and publishes it; a failure is logged and counted. */
  private void store(Path file, ProjectionCache.Entry e, Object state) {
    try {
      byte[] encoded = codec.encode(state).toByteArray();
      ProjectionCache.Entry full =
          new ProjectionCache.Entry(
              e.id(),
              e.entity(),
              e.schemaVersion(),
              e.streamVersion(),
              e.watermark(),
              e.lastRow(),
              e.lastIdHi(),
              e.lastIdLo(),
              e.dropped(),
              e.tombstoned(),
              e.madeAtMicros(),
              encoded);
      synchronized (stripes[Math.floorMod(file.hashCode(), stripes.length)]) {
        Path dir = file.getParent();
        if (!fs.exists(dir)) {
          fs.createDirectories(dir);
          fs.syncDirectory(directory); // the new directory's entry, so entries are found again
        }
        ProjectionCache.write(fs, file, full);
      }
      writes.incrementAndGet();
    } catch (IOException | RuntimeException x) {
      writeFailures.incrementAndGet();
      LOG.log(
          System.Logger.Level.WARNING,
          "projection cache: writing "
              + file
              + " failed: "
              + x.getMessage()
              + "; the result was returned all the same, and the next call folds the stream"
              + " again from the last entry written");
    }
  }
}
