package io.batpak.engine.internal.index;

import io.batpak.engine.internal.fence.CancelledRanges;
import io.batpak.engine.internal.format.EventRecord;
import io.batpak.engine.internal.format.FrameCodec;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The in-memory index, rebuilt from the journal on open: one row per visible event, row number =
 * global sequence, held in primitive columns (no object per event), an open-addressing table from
 * event id to row, and per-stream row lists.
 *
 * <h2>Concurrency</h2>
 *
 * One writer (the committer, serialised by the commit lock) and any number of readers. The writer
 * fills rows, then publishes them by a volatile write of {@link #visible()}; when it grows an array
 * it publishes the copy through a volatile field before moving {@code visible}. A reader reads
 * {@code visible} first and the arrays after, so every row below the count it read is complete in
 * whatever array it sees.
 *
 * <h2>Visibility fences</h2>
 *
 * Rows added while a fence is open ({@link #beginFence}) stay unpublished. {@link #commitFence}
 * keeps them (the caller then publishes them in one step); {@link #cancelFence} turns them into
 * cancelled rows: their stream column becomes {@link #CANCELLED}, every stream they touched goes
 * back to its state before the fence, and the range joins {@link #cancelled()}. A cancelled row
 * keeps its global sequence (rows stay dense) but belongs to no stream and is never found by id;
 * readers that walk rows in global order skip it ({@link View#cancelled}).
 *
 * <h2>Causal chains (ADR 0017)</h2>
 *
 * Each added row is linked at the tail of two chains, in global order: the rows naming the same
 * cause (keyed by the cause's id, so a cause added later, or never, needs nothing more) and the
 * rows of the same correlation. The links are two int columns, allocated when a row first needs
 * them, and the chains' ends two {@link IdChains} maps; both are written before the row is
 * published, like every other column. Cancelled rows stay in the chains; readers skip them.
 */
public final class Index {

  /** Column storage; replaced as a whole when it grows. */
  public static final class Columns {
    final long[] idHi;
    final long[] idLo;
    final int[] stream;
    final int[] scope;
    final char[] kind;
    final int[] streamSeq;
    final long[] location;
    final int[] frameLength;
    final int[] recordOffset;

    /**
     * The causal columns (ADR 0017), allocated on first use: null while no row names a cause (every
     * row's next is then {@link #END}), and while every row's correlation is its own id and shared
     * by no other row (every row is then {@link #OWN_CORRELATION} without a next). So a store that
     * uses neither pays nothing for them.
     */
    final int[] causeNext;

    final int[] corrNext;

    Columns(int capacity) {
      idHi = new long[capacity];
      idLo = new long[capacity];
      stream = new int[capacity];
      scope = new int[capacity];
      kind = new char[capacity];
      streamSeq = new int[capacity];
      location = new long[capacity];
      frameLength = new int[capacity];
      recordOffset = new int[capacity];
      causeNext = null;
      corrNext = null;
    }

    /** The columns of {@code o}, the same arrays, with these causal columns. */
    Columns(Columns o, int[] causeNext, int[] corrNext) {
      idHi = o.idHi;
      idLo = o.idLo;
      stream = o.stream;
      scope = o.scope;
      kind = o.kind;
      streamSeq = o.streamSeq;
      location = o.location;
      frameLength = o.frameLength;
      recordOffset = o.recordOffset;
      this.causeNext = causeNext;
      this.corrNext = corrNext;
    }

    Columns(Columns o, int capacity) {
      idHi = Arrays.copyOf(o.idHi, capacity);
      idLo = Arrays.copyOf(o.idLo, capacity);
      stream = Arrays.copyOf(o.stream, capacity);
      scope = Arrays.copyOf(o.scope, capacity);
      kind = Arrays.copyOf(o.kind, capacity);
      streamSeq = Arrays.copyOf(o.streamSeq, capacity);
      location = Arrays.copyOf(o.location, capacity);
      frameLength = Arrays.copyOf(o.frameLength, capacity);
      recordOffset = Arrays.copyOf(o.recordOffset, capacity);
      causeNext = o.causeNext == null ? null : Arrays.copyOf(o.causeNext, capacity);
      corrNext = o.corrNext == null ? null : Arrays.copyOf(o.corrNext, capacity);
    }

    int capacity() {
      return idHi.length;
    }
  }

  /**
   * A frame's location is one long: the segment number in the upper 24 bits and the offset in the
   * lower 40 (1 TiB), so a row costs 8 bytes for it instead of 12.
   */
  static final int OFFSET_BITS = 40;

  static final long OFFSET_MASK = (1L << OFFSET_BITS) - 1;

  /**
   * The frame-length column holds the frame's length in its low 28 bits (a frame is at most {@link
   * io.batpak.engine.internal.format.FrameCodec#MAX_BODY} plus its prefix) and, above them, the
   * row's disposition: 0 for a stored event, {@link
   * io.batpak.engine.internal.format.FrameCodec#DROPPED} or {@link
   * io.batpak.engine.internal.format.FrameCodec#TOMBSTONED} for an event compaction removed the
   * payload of, whose record lies in a compacted frame.
   */
  static final int DISPOSITION_SHIFT = 28;

  static final int FRAME_LENGTH_MASK = (1 << DISPOSITION_SHIFT) - 1;

  /** The largest segment number a location can hold. */
  public static final long MAX_SEGMENT_ID = (1L << (64 - OFFSET_BITS)) - 1;

  /**
   * The most events one stream can hold: stream sequences are kept as ints in the index. An append
   * beyond it fails with a {@link io.batpak.ValidationException}.
   */
  public static final long MAX_STREAM_EVENTS = Integer.MAX_VALUE;

  /**
   * The most events one store can hold: rows are ints, and the id table, a power of two kept at
   * most three quarters full, can grow to 2^30 slots. An append beyond it fails with a {@link
   * io.batpak.StoreFullException} before anything is written.
   */
  public static final int MAX_EVENTS = (1 << 30) / 4 * 3;

  /** The stream column of a cancelled row. */
  public static final int CANCELLED = -1;

  /** The end of a causation chain (the cause-next column). */
  public static final int END = -1;

  /** In the correlation-next column: the row's correlation is its own event id. */
  static final int OWN_CORRELATION = 1 << 31;

  /** In the correlation-next column, below {@link #OWN_CORRELATION}: no next member. */
  static final int END_OF_CORRELATION = Integer.MAX_VALUE;

  /** Cause id to the rows naming it as their cause, chained by the cause-next column. */
  private IdChains causes = new IdChains();

  /** Correlation id to its rows, chained by the correlation-next column. */
  private IdChains correlations = new IdChains();

  /** The links of the rows added since the active segment began, for its seal. */
  private final SegmentLinks links = new SegmentLinks();

  private volatile Columns columns = new Columns(1024);
  private volatile int[] idTable = new int[2048];
  private volatile int visible;
  private int size;

  /**
   * Bumped to odd before compaction moves rows to other frames and to even after ({@link
   * #beginRelocation}), so a reader whose read failed can tell whether the row moved under it.
   */
  private volatile long relocations;

  /** Rows of events compaction dropped; written by the committer, recovery or a compaction. */
  private volatile int dropped;

  private final ConcurrentHashMap<String, StreamState> streams = new ConcurrentHashMap<>();
  private final Interner streamNames = new Interner();
  private final Interner scopes = new Interner();
  private volatile StreamState[] streamById = new StreamState[64];
  private volatile CancelledRanges cancelled = CancelledRanges.NONE;

  /** The first row of the open fence, or -1; committer (or recovery) only. */
  private int fenceFrom = -1;

  /** Each stream the open fence touched, with its state before its first fenced row. */
  private final Map<StreamState, StreamState.Savepoint> savepoints = new IdentityHashMap<>();

  /** The number of visible events; every row below it is complete. */
  public int visible() {
    return visible;
  }

  /** The stream named {@code entity}, or null. */
  public StreamState stream(String entity) {
    return streams.get(entity);
  }

  /** Every stream, in no particular order. */
  public Collection<StreamState> streams() {
    return Collections.unmodifiableCollection(streams.values());
  }

  /** Committer: the stream named {@code entity}, created empty if new. */
  public StreamState streamForWrite(String entity) {
    StreamState s = streams.get(entity);
    if (s == null) {
      int id = streamNames.intern(entity);
      s = new StreamState(entity, id);
      StreamState[] byId = streamById;
      if (id >= byId.length) {
        byId = Arrays.copyOf(byId, Math.max(id + 1, byId.length * 2));
      }
      byId[id] = s;
      streamById = byId;
      streams.put(entity, s);
    }
    return s;
  }

  /**
   * Committer: adds a row for {@code r} (whose global sequence must equal the current size) without
   * publishing it, with its causation and correlation links.
   */
  public void add(EventRecord r, int segment, long frameOffset, int frameLength, int recordOffset) {
    add(
        r.idHi(),
        r.idLo(),
        r.entity(),
        r.scope(),
        r.kind(),
        r.streamSequence(),
        r.globalSequence(),
        r.eventHash(),
        segment,
        frameOffset,
        frameLength,
        recordOffset,
        0,
        r.correlationHi(),
        r.correlationLo(),
        r.hasCausation(),
        r.causationHi(),
        r.causationLo());
  }

  /**
   * Committer and recovery: adds a row (whose global sequence must equal the current size) without
   * publishing it, for a record whose frame gives it {@code disposition} (0, or a compacted frame's
   * flags), linking it into the chains of its cause and its correlation. {@code eventHash} is kept
   * as the stream's head; it must not change.
   */
  public void add(
      long idHi,
      long idLo,
      String entity,
      String scope,
      int kind,
      long streamSequence,
      long globalSequence,
      byte[] eventHash,
      int segment,
      long frameOffset,
      int frameLength,
      int recordOffset,
      int disposition,
      long correlationHi,
      long correlationLo,
      boolean hasCausation,
      long causationHi,
      long causationLo) {
    addRow(
        idHi,
        idLo,
        streamForWrite(entity),
        scopes.intern(scope),
        kind,
        streamSequence,
        globalSequence,
        eventHash,
        segment,
        frameOffset,
        frameLength | (disposition << DISPOSITION_SHIFT),
        recordOffset);
    link(size - 1, correlationHi, correlationLo, hasCausation, causationHi, causationLo);
    boolean own = correlationHi == idHi && correlationLo == idLo;
    links.record(
        size - 1, own, correlationHi, correlationLo, hasCausation, causationHi, causationLo);
  }

  /**
   * Recovery: adds a row of a stream and scope already resolved (loading a sealed segment), without
   * its event hash; {@link #restoreHead} sets the stream's head afterwards. The causation and
   * correlation come from the event's frame (a seal does not list them).
   */
  public void addLoaded(
      long idHi,
      long idLo,
      StreamState stream,
      int scopeId,
      int kind,
      long streamSequence,
      long globalSequence,
      int segment,
      long frameOffset,
      int frameLength,
      int recordOffset,
      long correlationHi,
      long correlationLo,
      boolean hasCausation,
      long causationHi,
      long causationLo) {
    addRow(
        idHi,
        idLo,
        stream,
        scopeId,
        kind,
        streamSequence,
        globalSequence,
        null,
        segment,
        frameOffset,
        frameLength,
        recordOffset);
    link(size - 1, correlationHi, correlationLo, hasCausation, causationHi, causationLo);
  }

  /**
   * Links the row just added into the chain of the event it names as its cause (keyed by the
   * cause's id, so a cause appended later, or never, needs nothing more) and into its correlation's
   * chain. An event whose correlation is its own id and that no other event shares costs no map
   * entry: it is marked {@link #OWN_CORRELATION}, and the entry is made when a second member
   * arrives.
   */
  private void link(
      int row,
      long correlationHi,
      long correlationLo,
      boolean hasCausation,
      long causationHi,
      long causationLo) {
    Columns c = columns;
    if (hasCausation && c.causeNext == null) {
      int[] next = new int[c.capacity()];
      Arrays.fill(next, 0, row, END);
      c = new Columns(c, next, c.corrNext);
      columns = c; // published before the row is
    }
    if (c.causeNext != null) {
      c.causeNext[row] = END;
    }
    if (hasCausation) {
      int slot = causes.slot(causationHi, causationLo);
      if (slot < 0) {
        causes.insert(causationHi, causationLo, row, row);
      } else {
        c.causeNext[causes.last(slot)] = row;
        causes.last(slot, row);
      }
    }
    boolean own = correlationHi == c.idHi[row] && correlationLo == c.idLo[row];
    int slot = correlations.slot(correlationHi, correlationLo);
    if (slot < 0 && own) {
      if (c.corrNext != null) {
        c.corrNext[row] = OWN_CORRELATION | END_OF_CORRELATION;
      }
      return;
    }
    if (c.corrNext == null) {
      int[] next = new int[c.capacity()];
      Arrays.fill(next, 0, row, OWN_CORRELATION | END_OF_CORRELATION);
      c = new Columns(c, c.causeNext, next);
      columns = c; // published before the row is
    }
    c.corrNext[row] = (own ? OWN_CORRELATION : 0) | END_OF_CORRELATION;
    if (slot < 0) {
      int head = findBelow(correlationHi, correlationLo, row);
      if (head >= 0 && (c.corrNext[head] & OWN_CORRELATION) != 0) {
        // The event whose id this correlation is came first, alone: its chain starts there.
        slot = correlations.insert(correlationHi, correlationLo, head, row);
      } else {
        correlations.insert(correlationHi, correlationLo, row, row);
        return;
      }
    }
    int last = correlations.last(slot);
    c.corrNext[last] = (c.corrNext[last] & OWN_CORRELATION) | row;
    correlations.last(slot, row);
  }

  /** Committer and recovery: the id of scope {@code scope}, assigned if new. */
  public int scopeId(String scope) {
    return scopes.intern(scope);
  }

  /**
   * Recovery: makes room for {@code rows} rows in all, so a load whose size is known up front
   * allocates the columns once instead of doubling them (which leaves up to half of them unused).
   */
  public void reserve(int rows) {
    Columns c = columns;
    if (rows > c.capacity()) {
      columns = new Columns(c, Math.min(rows, MAX_EVENTS));
    }
  }

  /**
   * Recovery, before anyone reads: gives back what doubling left unused after a load whose size was
   * not known up front (a scan), keeping an eighth for appends, in the columns and in each stream's
   * rows; so an index loaded by scanning costs what one loaded from a checkpoint does.
   */
  public void trimAfterLoad() {
    Columns c = columns;
    int keep = Math.max(1024, size + (size >>> 3));
    if (c.capacity() > keep + (keep >>> 3)) {
      columns = new Columns(c, keep);
    }
    for (StreamState s : streams.values()) {
      s.trim();
    }
  }

  private void addRow(
      long idHi,
      long idLo,
      StreamState s,
      int scopeId,
      int kind,
      long streamSequence,
      long globalSequence,
      byte[] eventHash,
      int segment,
      long frameOffset,
      int frameLength,
      int recordOffset) {
    int row = size;
    if (globalSequence != row) {
      throw new IllegalStateException("global sequence " + globalSequence + " added at row " + row);
    }
    Columns c = columns;
    if (row == c.capacity()) {
      c = new Columns(c, (int) Math.min(2L * row, MAX_EVENTS));
      columns = c;
    }
    c.idHi[row] = idHi;
    c.idLo[row] = idLo;
    c.stream[row] = s.id();
    c.scope[row] = scopeId;
    c.kind[row] = (char) kind;
    c.streamSeq[row] = (int) streamSequence;
    c.location[row] = ((long) segment << OFFSET_BITS) | frameOffset;
    c.frameLength[row] = frameLength;
    c.recordOffset[row] = recordOffset;
    if (frameLength >>> DISPOSITION_SHIFT == FrameCodec.DROPPED) {
      dropped = dropped + 1;
    }
    insertId(c, row);
    if (fenceFrom >= 0 && !savepoints.containsKey(s)) {
      savepoints.put(s, s.savepoint());
    }
    s.append(row, streamSequence, eventHash);
    size = row + 1;
  }

  /**
   * Recovery: after rows were added from a sealed segment with a null {@code eventHash}, sets the
   * head of {@code entity}, whose newest event has stream sequence {@code streamSequence}.
   *
   * @return false if the stream's newest added event is not at that sequence
   */
  public boolean restoreHead(String entity, long streamSequence, byte[] eventHash) {
    StreamState s = streams.get(entity);
    if (s == null || s.nextSequence() != streamSequence + 1) {
      return false;
    }
    s.restoreHead(eventHash);
    return true;
  }

  /**
   * Committer and recovery: opens a fence at the next row; rows added from now on are the fence's.
   *
   * @throws IllegalStateException if a fence is open
   */
  public void beginFence() {
    if (fenceFrom >= 0) {
      throw new IllegalStateException("a fence is open at row " + fenceFrom);
    }
    fenceFrom = size;
  }

  /** The first row of the open fence, or -1 if none is open. */
  public int fenceFrom() {
    return fenceFrom;
  }

  /**
   * Committer and recovery: closes the open fence keeping its rows; they become visible with the
   * next {@link #publish}.
   */
  public void commitFence() {
    if (fenceFrom < 0) {
      throw new IllegalStateException("no fence is open");
    }
    fenceFrom = -1;
    savepoints.clear();
  }

  /**
   * Committer and recovery: cancels the open fence. Its rows become cancelled rows, the streams
   * they touched go back to where they were before the fence, and {@link #cancelled()} gains the
   * range; the next {@link #publish} moves {@link #visible()} past them.
   *
   * @return the cancelled range's first row and its end, {@code {from, to}}
   */
  public int[] cancelFence() {
    if (fenceFrom < 0) {
      throw new IllegalStateException("no fence is open");
    }
    int from = fenceFrom;
    Columns c = columns;
    for (int row = from; row < size; row++) {
      c.stream[row] = CANCELLED;
    }
    for (Map.Entry<StreamState, StreamState.Savepoint> e : savepoints.entrySet()) {
      e.getKey().revert(e.getValue());
    }
    savepoints.clear();
    cancelled = cancelled.plus(from, size);
    fenceFrom = -1;
    return new int[] {from, size};
  }

  /** The cancelled ranges (immutable; a new value after each cancel). */
  public CancelledRanges cancelled() {
    return cancelled;
  }

  /** The number of visible events that are not cancelled. */
  public long visibleEvents() {
    int v = visible;
    return v - cancelled.below(v).count();
  }

  /** Committer: makes every added row visible. */
  public void publish() {
    visible = size;
  }

  /**
   * Committer: the segment of the first row added but not yet published, or {@link Long#MAX_VALUE}
   * if every row is published. Compaction never touches a segment from there on.
   */
  public long firstUnpublishedSegment() {
    return visible < size ? (int) (columns.location[visible] >>> OFFSET_BITS) : Long.MAX_VALUE;
  }

  /** Committer: rows added so far, published or not. */
  public int size() {
    return size;
  }

  /** The row of the visible event with this id, or -1. */
  public int find(long hi, long lo) {
    int limit = visible;
    return findBelow(hi, lo, limit);
  }

  /**
   * The first row (in global order) of the events that name {@code (hi, lo)} as their cause, for a
   * reader at {@code visible} ({@link View#size()}); -1 if none. Follow {@link View#nextCaused}.
   */
  public int causedFirst(long hi, long lo, int visible) {
    return causes.first(hi, lo, visible);
  }

  /**
   * The first row (in global order) of correlation {@code (hi, lo)}, for a reader at {@code
   * visible}; -1 if none. Follow {@link View#nextCorrelated}.
   */
  public int correlatedFirst(long hi, long lo, int visible) {
    int first = correlations.first(hi, lo, visible);
    if (first >= 0) {
      return first;
    }
    // No entry a reader at visible can trust: at most the event whose id it is, alone so far.
    int own = findBelow(hi, lo, visible);
    if (own < 0) {
      return -1;
    }
    int[] next = columns.corrNext;
    return next == null || (next[own] & OWN_CORRELATION) != 0 ? own : -1;
  }

  /** Committer: the row of any added event with this id, or -1. */
  public int findAdded(long hi, long lo) {
    return findBelow(hi, lo, size);
  }

  private int findBelow(long hi, long lo, int limit) {
    int[] table = idTable;
    Columns c = columns;
    int mask = table.length - 1;
    for (int i = slot(hi, lo) & mask; ; i = (i + 1) & mask) {
      int v = table[i];
      if (v == 0) {
        return -1;
      }
      int row = v - 1;
      if (row < limit
          && row < c.capacity()
          && c.idHi[row] == hi
          && c.idLo[row] == lo
          && c.stream[row] != CANCELLED) {
        return row;
      }
    }
  }

  private void insertId(Columns c, int row) {
    int[] table = idTable;
    if ((row + 1) * 4L > table.length * 3L) { // load factor 0.75
      int[] bigger = new int[table.length * 2];
      for (int r = 0; r < row; r++) {
        place(bigger, c.idHi[r], c.idLo[r], r);
      }
      place(bigger, c.idHi[row], c.idLo[row], row);
      idTable = bigger;
      return;
    }
    place(table, c.idHi[row], c.idLo[row], row);
  }

  private static void place(int[] table, long hi, long lo, int row) {
    int mask = table.length - 1;
    int i = slot(hi, lo) & mask;
    while (table[i] != 0) {
      i = (i + 1) & mask;
    }
    table[i] = row + 1;
  }

  private static int slot(long hi, long lo) {
    long h = hi * 0x9E3779B97F4A7C15L ^ lo;
    h ^= h >>> 33;
    h *= 0xC2B2AE3D27D4EB4FL;
    h ^= h >>> 29;
    return (int) h;
  }

  /**
   * Compaction, with the commit lock held: starts moving rows to other frames. Until {@link
   * #endRelocation}, a reader's failed read is retried ({@link #relocations}).
   */
  public void beginRelocation() {
    relocations = relocations + 1;
  }

  /**
   * Compaction, between {@link #beginRelocation} and {@link #endRelocation}: row {@code row} now
   * lies in the given frame, with {@code disposition} (0, {@link
   * io.batpak.engine.internal.format.FrameCodec#DROPPED} or {@link
   * io.batpak.engine.internal.format.FrameCodec#TOMBSTONED}).
   */
  public void relocate(
      int row, int segment, long frameOffset, int frameLength, int recordOffset, int disposition) {
    Columns c = columns;
    if (disposition == FrameCodec.DROPPED
        && c.frameLength[row] >>> DISPOSITION_SHIFT != FrameCodec.DROPPED) {
      dropped = dropped + 1;
    }
    c.location[row] = ((long) segment << OFFSET_BITS) | frameOffset;
    c.frameLength[row] = frameLength | (disposition << DISPOSITION_SHIFT);
    c.recordOffset[row] = recordOffset;
  }

  /**
   * How many rows hold events a compaction dropped: they count in {@link #visible()} (rows stay
   * dense), but no read returns them.
   */
  public int dropped() {
    return dropped;
  }

  /** Compaction: the rows have moved. */
  public void endRelocation() {
    relocations = relocations + 1;
  }

  /**
   * A counter that is odd while compaction moves rows and changes each time it does: a reader takes
   * it before reading and, if its read fails, looks again; a different value means the row moved
   * during the read and the read is to be repeated, not reported.
   */
  public long relocations() {
    return relocations;
  }

  /** A reader's consistent view of the first {@code visible} rows. */
  /** The causal links of the active segment's rows (committer and recovery only). */
  public SegmentLinks segmentLinks() {
    return links;
  }

  public View view() {
    int v = visible;
    return new View(v, columns);
  }

  /** The number of streams. Committer only. */
  int streamCount() {
    return streamNames.size();
  }

  /** The stream with dense id {@code id}. */
  StreamState streamById(int id) {
    return streamById[id];
  }

  /** The number of scopes. Committer only. */
  int scopeCount() {
    return scopes.size();
  }

  /** The id table as it is now. Committer only. */
  int[] idTableForImage() {
    return idTable;
  }

  /** The causation chains' table. Committer only. */
  IdChains causesForImage() {
    return causes;
  }

  /** The correlation chains' table. Committer only. */
  IdChains correlationsForImage() {
    return correlations;
  }

  /** The columns as they are now. Committer only. */
  Columns columnsForImage() {
    return columns;
  }

  /**
   * Installs a whole restored index into this empty one: {@code columns} holds {@code rows} rows,
   * {@code streams} and {@code scopeNames} are in id order, {@code table} is the id table for those
   * rows. Everything is published.
   */
  void install(
      Columns restored,
      int rows,
      List<StreamState> restoredStreams,
      String[] scopeNames,
      int[] table,
      CancelledRanges cancelledRows,
      IdChains restoredCauses,
      IdChains restoredCorrelations) {
    if (size != 0) {
      throw new IllegalStateException("install into an index holding " + size + " rows");
    }
    StreamState[] byId = new StreamState[Math.max(64, restoredStreams.size())];
    for (StreamState st : restoredStreams) {
      if (streamNames.intern(st.entity()) != st.id()) {
        throw new IllegalStateException("stream '" + st.entity() + "' twice in a restored index");
      }
      byId[st.id()] = st;
      streams.put(st.entity(), st);
    }
    for (String scope : scopeNames) {
      scopes.intern(scope);
    }
    int droppedRows = 0;
    for (int row = 0; row < rows; row++) {
      if (restored.frameLength[row] >>> DISPOSITION_SHIFT == FrameCodec.DROPPED) {
        droppedRows++;
      }
    }
    causes = restoredCauses;
    correlations = restoredCorrelations;
    columns = restored;
    idTable = table;
    streamById = byId;
    size = rows;
    dropped = droppedRows;
    cancelled = cancelledRows;
    visible = rows;
  }

  /** The entity name of a stream id. */
  public String streamName(int id) {
    return streamNames.name(id);
  }

  /** The scope name of a scope id. */
  public String scopeName(int id) {
    return scopes.name(id);
  }

  /**
   * An immutable view of the first {@code size} rows.
   *
   * @param size the number of rows
   */
  public record View(int size, Columns columns) {
    /** The event id's high bits. */
    public long idHi(int row) {
      return columns.idHi[row];
    }

    /** The event id's low bits. */
    public long idLo(int row) {
      return columns.idLo[row];
    }

    /** Whether the row is a cancelled event (then it has no stream: {@link #stream} is -1). */
    public boolean cancelled(int row) {
      return columns.stream[row] == CANCELLED;
    }

    /** The stream id, or {@link Index#CANCELLED}. */
    public int stream(int row) {
      return columns.stream[row];
    }

    /** The scope id. */
    public int scope(int row) {
      return columns.scope[row];
    }

    /** The raw kind. */
    public int kind(int row) {
      return columns.kind[row];
    }

    /** The stream sequence. */
    public long streamSequence(int row) {
      return columns.streamSeq[row];
    }

    /** The segment id. */
    public int segment(int row) {
      return (int) (columns.location[row] >>> OFFSET_BITS);
    }

    /** The frame's offset. */
    public long frameOffset(int row) {
      return columns.location[row] & OFFSET_MASK;
    }

    /** The frame's length. */
    public int frameLength(int row) {
      return columns.frameLength[row] & FRAME_LENGTH_MASK;
    }

    /**
     * 0 for a stored event; {@link io.batpak.engine.internal.format.FrameCodec#DROPPED} or {@link
     * io.batpak.engine.internal.format.FrameCodec#TOMBSTONED} for one compaction removed the
     * payload of.
     */
    public int disposition(int row) {
      return columns.frameLength[row] >>> DISPOSITION_SHIFT;
    }

    /** The record's offset in the frame body. */
    public int recordOffset(int row) {
      return columns.recordOffset[row];
    }

    /**
     * The next row, in global order, whose cause is the same as row {@code row}'s, or -1. A row at
     * or past {@link #size()} is not visible in this view: stop there.
     */
    public int nextCaused(int row) {
      int[] next = columns.causeNext;
      return next == null ? END : next[row];
    }

    /**
     * The next row, in global order, of row {@code row}'s correlation, or -1. A row at or past
     * {@link #size()} is not visible in this view: stop there.
     */
    public int nextCorrelated(int row) {
      int[] column = columns.corrNext;
      int next = column == null ? END_OF_CORRELATION : column[row] & ~OWN_CORRELATION;
      return next == END_OF_CORRELATION ? -1 : next;
    }

    /**
     * The first row whose frame lies in segment {@code segment} or a later one ({@link #size()} if
     * none): rows are in journal order, so this is a binary search.
     */
    public int firstRowFrom(long segment) {
      long from = segment << OFFSET_BITS;
      int lo = 0;
      int hi = size;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (columns.location[mid] < from) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      return lo;
    }
  }
}
