package io.batpak.engine.internal.causal;

import io.batpak.AncestorWalk;
import io.batpak.CausationId;
import io.batpak.CauseWalk;
import io.batpak.CorrelationId;
import io.batpak.CorruptStoreException;
import io.batpak.EventHeader;
import io.batpak.EventId;
import io.batpak.EventNotFoundException;
import io.batpak.StoreIoException;
import io.batpak.ValidationException;
import io.batpak.engine.internal.format.Blake3;
import io.batpak.engine.internal.format.EventRecord;
import io.batpak.engine.internal.format.FrameCodec;
import io.batpak.engine.internal.index.Index;
import io.batpak.engine.internal.index.StreamState;
import io.batpak.engine.internal.read.EventQueries;
import io.batpak.engine.internal.read.EventReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * The causal graph's reads (docs/causal.md, ADR 0017): {@code walkAncestors} up a stream's hash
 * chain through the stream's row list, {@code walkCauses} up the causation ids through the id
 * table, {@code consequences} and {@code correlated} along the index's causation and correlation
 * chains. Every event listed is read from its frame through the {@link EventReader}; rows of a
 * cancelled fence are never listed, and an event compaction dropped is "compacted", never corrupt.
 * Thread-safe (one hasher per thread).
 */
public final class CausalWalks {
  private static final ThreadLocal<Blake3> HASHERS = ThreadLocal.withInitial(Blake3::new);

  private final Index index;
  private final EventReader reader;

  /** Walks over {@code index}'s visible rows, reading through {@code reader}. */
  public CausalWalks(Index index, EventReader reader) {
    this.index = index;
    this.reader = reader;
  }

  /** A read of one row: its record and disposition, or why it failed. */
  private record Read(EventRecord record, int disposition, String failure) {}

  private Read read(int row) {
    try {
      EventReader.Located l = reader.locate(row);
      return new Read(l.record(), l.disposition(), null);
    } catch (CorruptStoreException | StoreIoException e) {
      return new Read(null, 0, e.getMessage());
    }
  }

  /**
   * The row of the visible event {@code id}, or an exception saying why there is none. Take the
   * view after this: it then holds the row.
   */
  private int anchor(EventId id) {
    int row = index.find(id.high(), id.low());
    if (row < 0) {
      throw new EventNotFoundException("no visible event has id " + id);
    }
    if (index.view().disposition(row) == FrameCodec.DROPPED) {
      throw dropped(id);
    }
    return row;
  }

  private static EventNotFoundException dropped(EventId id) {
    return new EventNotFoundException(
        "event "
            + id
            + " was dropped by a compaction: no read returns it, and its receipt verifies as"
            + " compacted away");
  }

  /** The anchor's record; a read failure of the anchor itself is thrown. */
  private EventReader.Located anchorRecord(EventId id, int row) {
    EventReader.Located l = reader.locate(row);
    if (l.disposition() == FrameCodec.DROPPED) {
      throw dropped(id);
    }
    return l;
  }

  /**
   * See {@link io.batpak.Store#walkAncestors}.
   *
   * @throws ValidationException if {@code limit <= 0}
   */
  public AncestorWalk walkAncestors(EventId id, int limit) {
    if (limit <= 0) {
      throw new ValidationException(
          "walkAncestors needs limit > 0, got "
              + limit
              + " for "
              + id
              + "; pass the most ancestors to list");
    }
    int row = anchor(id);
    Index.View v = index.view();
    EventReader.Located start = anchorRecord(id, row);
    EventRecord child = start.record();
    List<EventHeader> out = new ArrayList<>();
    String own = hashProblem(child, start.disposition());
    if (own != null) {
      return new AncestorWalk(out, AncestorWalk.Boundary.BROKEN_LINK, child.globalSequence(), own);
    }
    StreamState stream = index.stream(child.entity());
    while (true) {
      long seq = child.streamSequence();
      if (seq == 0) {
        if (Arrays.equals(child.prevHash(), FrameCodec.ZERO_HASH)) {
          return new AncestorWalk(out, AncestorWalk.Boundary.GENESIS, -1, "");
        }
        return new AncestorWalk(
            out,
            AncestorWalk.Boundary.MISSING_PARENT,
            child.globalSequence(),
            "the first event of '"
                + child.entity()
                + "' names previous hash "
                + hex(child.prevHash())
                + ", not 32 zero bytes");
      }
      if (out.size() == limit) {
        return new AncestorWalk(out, AncestorWalk.Boundary.LIMIT, -1, "");
      }
      int parent = parentRow(stream, seq - 1, v);
      if (parent < 0) {
        return new AncestorWalk(
            out,
            AncestorWalk.Boundary.MISSING_PARENT,
            child.globalSequence(),
            "stream '" + child.entity() + "' holds no visible event at sequence " + (seq - 1));
      }
      if (v.disposition(parent) == FrameCodec.DROPPED) {
        return compactedGap(out, parent);
      }
      Read p = read(parent);
      if (p.failure() != null) {
        return new AncestorWalk(out, AncestorWalk.Boundary.READ_FAILURE, parent, p.failure());
      }
      if (p.disposition() == FrameCodec.DROPPED) {
        return compactedGap(out, parent);
      }
      EventRecord pr = p.record();
      if (!pr.entity().equals(child.entity()) || pr.streamSequence() != seq - 1) {
        return new AncestorWalk(
            out,
            AncestorWalk.Boundary.MISSING_PARENT,
            child.globalSequence(),
            "the index places sequence "
                + (seq - 1)
                + " of '"
                + child.entity()
                + "' at global sequence "
                + parent
                + ", which holds sequence "
                + pr.streamSequence()
                + " of '"
                + pr.entity()
                + "'");
      }
      if (!Arrays.equals(child.prevHash(), pr.eventHash())) {
        return new AncestorWalk(
            out,
            AncestorWalk.Boundary.BROKEN_LINK,
            parent,
            "its child at global sequence "
                + child.globalSequence()
                + " names previous hash "
                + hex(child.prevHash())
                + ", its frame says event hash "
                + hex(pr.eventHash()));
      }
      String problem = hashProblem(pr, p.disposition());
      if (problem != null) {
        return new AncestorWalk(out, AncestorWalk.Boundary.BROKEN_LINK, parent, problem);
      }
      out.add(EventQueries.header(pr, p.disposition()));
      child = pr;
    }
  }

  private static AncestorWalk compactedGap(List<EventHeader> out, int parent) {
    return new AncestorWalk(
        out,
        AncestorWalk.Boundary.COMPACTED_GAP,
        parent,
        "the parent at global sequence "
            + parent
            + " was dropped by a compaction; its receipt verifies as compacted away");
  }

  /** The visible row at stream sequence {@code seq} of {@code stream}, or -1. */
  private static int parentRow(StreamState stream, long seq, Index.View v) {
    if (stream == null) {
      return -1;
    }
    int n = stream.count();
    int[] rows = stream.rows();
    if (seq >= Math.min(n, rows.length)) {
      return -1;
    }
    int row = rows[(int) seq];
    if (row < 0 || row >= v.size() || v.cancelled(row) || v.stream(row) != stream.id()) {
      return -1;
    }
    return row;
  }

  /**
   * Null if {@code r}'s stored bytes still hash to its hashes: the payload to its content hash
   * (unless compaction removed the payload: a tombstone keeps only the hash) and the whole to its
   * event hash; otherwise what differs.
   */
  private static String hashProblem(EventRecord r, int disposition) {
    Blake3 blake3 = HASHERS.get();
    if (disposition == 0) {
      byte[] content = blake3.hash(r.payload(), 0, r.payload().length);
      if (!Arrays.equals(content, r.contentHash())) {
        return "its payload hashes to "
            + hex(content)
            + ", its frame says content hash "
            + hex(r.contentHash());
      }
    }
    byte[] eventHash = FrameCodec.eventHash(blake3, r.prevHash(), r);
    if (!Arrays.equals(eventHash, r.eventHash())) {
      return "its stored bytes hash to event hash "
          + hex(eventHash)
          + ", its frame says "
          + hex(r.eventHash());
    }
    return null;
  }

  /** See {@link io.batpak.Store#walkCauses}. */
  public CauseWalk walkCauses(EventId id) {
    int row = anchor(id);
    EventRecord cur = anchorRecord(id, row).record();
    List<EventHeader> out = new ArrayList<>();
    Set<Integer> met = new HashSet<>();
    met.add(row);
    while (true) {
      if (!cur.hasCausation()) {
        return new CauseWalk(out, CauseWalk.Boundary.ROOT, cur.globalSequence(), "");
      }
      CausationId cause = new CausationId(cur.causationHi(), cur.causationLo());
      int c = index.find(cur.causationHi(), cur.causationLo());
      if (c < 0) {
        return new CauseWalk(
            out,
            CauseWalk.Boundary.DANGLING,
            cur.globalSequence(),
            "no visible event has the id its causation " + cause + " names");
      }
      if (!met.add(c)) {
        return new CauseWalk(
            out,
            CauseWalk.Boundary.CYCLE,
            c,
            "the event at global sequence "
                + cur.globalSequence()
                + " names as its cause "
                + cause
                + ", met before on this walk");
      }
      if (index.view().disposition(c) == FrameCodec.DROPPED) {
        return compacted(out, c);
      }
      Read r = read(c);
      if (r.failure() != null) {
        return new CauseWalk(out, CauseWalk.Boundary.READ_FAILURE, c, r.failure());
      }
      if (r.disposition() == FrameCodec.DROPPED) {
        return compacted(out, c);
      }
      out.add(EventQueries.header(r.record(), r.disposition()));
      cur = r.record();
    }
  }

  private static CauseWalk compacted(List<EventHeader> out, int row) {
    return new CauseWalk(
        out,
        CauseWalk.Boundary.COMPACTED,
        row,
        "the cause at global sequence "
            + row
            + " was dropped by a compaction; its receipt verifies as compacted away");
  }

  /** See {@link io.batpak.Store#consequences}. */
  public List<EventHeader> consequences(EventId id) {
    anchor(id);
    Index.View v = index.view();
    List<EventHeader> out = new ArrayList<>();
    for (int row = index.causedFirst(id.high(), id.low(), v.size());
        row >= 0 && row < v.size();
        row = v.nextCaused(row)) {
      EventHeader h = visibleHeader(v, row);
      if (h != null) {
        out.add(h);
      }
    }
    return out;
  }

  /**
   * See {@link io.batpak.Store#correlated}.
   *
   * @throws ValidationException if {@code limit <= 0} or {@code afterGlobalSequence < -1}
   */
  public List<EventHeader> correlated(CorrelationId id, long afterGlobalSequence, int limit) {
    if (limit <= 0 || afterGlobalSequence < -1) {
      throw new ValidationException(
          "correlated needs limit > 0 and afterGlobalSequence >= -1, got limit "
              + limit
              + " and after "
              + afterGlobalSequence
              + " for "
              + id
              + "; the first page is after -1");
    }
    Index.View v = index.view();
    List<EventHeader> out = new ArrayList<>();
    for (int row = index.correlatedFirst(id.high(), id.low(), v.size());
        row >= 0 && row < v.size() && out.size() < limit;
        row = v.nextCorrelated(row)) {
      if (row <= afterGlobalSequence) {
        continue;
      }
      EventHeader h = visibleHeader(v, row);
      if (h != null) {
        out.add(h);
      }
    }
    return out;
  }

  /** The header of a visible row, or null for a cancelled row or one compaction dropped. */
  private EventHeader visibleHeader(Index.View v, int row) {
    if (v.cancelled(row) || v.disposition(row) == FrameCodec.DROPPED) {
      return null;
    }
    EventReader.Located l = reader.locate(row);
    return l.disposition() == FrameCodec.DROPPED
        ? null
        : EventQueries.header(l.record(), l.disposition());
  }

  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }
}
