package io.batpak.engine.internal.read;

import io.batpak.Bytes;
import io.batpak.CausationId;
import io.batpak.Coordinate;
import io.batpak.CorrelationId;
import io.batpak.EventHeader;
import io.batpak.EventId;
import io.batpak.EventKind;
import io.batpak.EventNotFoundException;
import io.batpak.ExtensionKey;
import io.batpak.Region;
import io.batpak.StoredEvent;
import io.batpak.ValidationException;
import io.batpak.engine.internal.format.EventRecord;
import io.batpak.engine.internal.format.FrameCodec;
import io.batpak.engine.internal.index.Index;
import io.batpak.engine.internal.index.StreamState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The read API over the visible events: by id, by region in global order (paged, with {@link
 * Region#matches} as the one matcher, over the index's columns so no frame is read for an event
 * outside the region), one stream exactly (paged), and a stream's latest event. Every event is read
 * through the {@link EventReader}. Thread-safe; each call sees the events visible when it started,
 * or more.
 */
public final class EventQueries {
  private final Index index;
  private final EventReader reader;

  /** Queries over {@code index}'s visible rows. */
  public EventQueries(Index index, EventReader reader) {
    this.index = index;
    this.reader = reader;
  }

  /**
   * The visible event {@code id}.
   *
   * @throws EventNotFoundException if no visible event has that id
   */
  public StoredEvent get(EventId id) {
    int row = rowOf(id);
    // The disposition of the frame the record came from: a compaction may switch between a look
    // at the index and the read.
    EventReader.Located l =
        index.view().disposition(row) == FrameCodec.DROPPED ? null : reader.locate(row);
    if (l == null || l.disposition() == FrameCodec.DROPPED) {
      throw new EventNotFoundException(
          "event "
              + id
              + " was dropped by a compaction: no read returns it, and its receipt verifies as"
              + " compacted away");
    }
    return new StoredEvent(
        header(l.record(), l.disposition()), Bytes.ofOwned(l.record().payload()));
  }

  /**
   * The index row of the visible event {@code id}.
   *
   * @throws EventNotFoundException if no visible event has that id
   */
  public int rowOf(EventId id) {
    int row = index.find(id.high(), id.low());
    if (row < 0) {
      throw new EventNotFoundException("no visible event has id " + id);
    }
    return row;
  }

  /**
   * The public header of the event at {@code row}, or null if compaction dropped it (also when a
   * compaction switches between the look at the view and the read).
   */
  public EventHeader headerAt(Index.View v, int row) {
    if (v.disposition(row) == FrameCodec.DROPPED) {
      return null;
    }
    EventReader.Located l = reader.locateHeader(row); // dropped by a compaction meanwhile?
    return l.disposition() == FrameCodec.DROPPED ? null : header(l.record(), l.disposition());
  }

  /** The kind reads show for the event at {@code row}: a tombstone's is {@code TOMBSTONE}. */
  public static EventKind kindAt(Index.View v, int row) {
    return EventKind.fromRaw(rawKindAt(v, row));
  }

  /** {@link #kindAt} as its raw value, without making an {@link EventKind}. */
  public static int rawKindAt(Index.View v, int row) {
    return v.disposition(row) == FrameCodec.TOMBSTONED ? EventKind.TOMBSTONE.raw() : v.kind(row);
  }

  /**
   * The public header of a stored event; a tombstone ({@code disposition} {@link
   * FrameCodec#TOMBSTONED}) shows kind {@code TOMBSTONE} and no payload.
   */
  public static EventHeader header(EventRecord r, int disposition) {
    Map<ExtensionKey, Bytes> ext = new HashMap<>();
    for (int i = 0; i < r.extensionKeys().length; i++) {
      String key = r.extensionKeys()[i];
      // The store's own keys (a bypass audit, ADR 0018) are in the namespace ExtensionKey.of
      // refuses.
      ext.put(
          ExtensionKey.storeDefined(key).orElseGet(() -> ExtensionKey.of(key)),
          Bytes.ofOwned(r.extensionValues()[i]));
    }
    return new EventHeader(
        new EventId(r.idHi(), r.idLo()),
        new Coordinate(r.entity(), r.scope()),
        disposition == FrameCodec.TOMBSTONED ? EventKind.TOMBSTONE : EventKind.fromRaw(r.kind()),
        r.streamSequence(),
        r.globalSequence(),
        r.timestampMicros(),
        new CorrelationId(r.correlationHi(), r.correlationLo()),
        r.hasCausation()
            ? Optional.of(new CausationId(r.causationHi(), r.causationLo()))
            : Optional.empty(),
        r.payloadVersion(),
        r.flags(),
        ext,
        r.payloadSize(),
        Bytes.ofOwned(r.contentHash()),
        Bytes.ofOwned(r.prevHash()),
        Bytes.ofOwned(r.eventHash()));
  }

  /**
   * Up to {@code limit} visible events in {@code region} after global sequence {@code
   * afterGlobalSequence}, in global order.
   *
   * @throws ValidationException if {@code limit <= 0} or {@code afterGlobalSequence < -1}
   */
  public List<EventHeader> queryAfter(Region region, long afterGlobalSequence, int limit) {
    if (limit <= 0 || afterGlobalSequence < -1) {
      throw new ValidationException(
          "queryAfter needs limit > 0 and afterGlobalSequence >= -1, got limit "
              + limit
              + " and after "
              + afterGlobalSequence);
    }
    if (afterGlobalSequence >= index.view().size() - 1L) {
      return List
          .of(); // past the end (and no overflow for afterGlobalSequence near Long.MAX_VALUE)
    }
    List<EventHeader> out = new ArrayList<>();
    scan(region, afterGlobalSequence + 1, Long.MAX_VALUE, out, limit);
    return out;
  }

  /**
   * Adds the headers of the visible events in {@code region} with global sequence {@code from} to
   * {@code to - 1}, in order, to {@code out}, stopping after {@code max} of them; one view is read.
   * A cancelled fence's event is never added, nor one compaction dropped.
   *
   * @return the next global sequence to scan: the end of the range within the view, or less when
   *     {@code max} was reached
   */
  public long scan(Region region, long from, long to, Collection<EventHeader> out, int max) {
    Index.View v = index.view();
    long end = Math.min(to, v.size());
    int added = 0;
    for (long g = from; g < end; g++) {
      int row = (int) g;
      if (v.cancelled(row) || !inRegion(index, region, v, row)) {
        continue;
      }
      EventHeader h = headerAt(v, row);
      if (h != null) {
        out.add(h);
        if (++added >= max) {
          return g + 1;
        }
      }
    }
    return end;
  }

  /** The current published view of the index. */
  public Index.View view() {
    return index.view();
  }

  /**
   * Whether the event at {@code row} of {@code v} lies in {@code region}: {@link Region#matches},
   * the one matcher, over the index's columns (no frame is read for an event outside the region; a
   * tombstone's kind is {@code TOMBSTONE}). Every read by region asks this.
   */
  public static boolean inRegion(Index index, Region region, Index.View v, int row) {
    return region.isAll()
        || region.matches(
            index.streamName(v.stream(row)),
            index.scopeName(v.scope(row)),
            kindAt(v, row),
            v.streamSequence(row));
  }

  /** Every visible event of stream {@code entity} (exactly that stream), in order. */
  public List<EventHeader> stream(String entity) {
    return streamPage(entity, 0, Integer.MAX_VALUE, this::headerAt);
  }

  /**
   * Up to {@code limit} visible events of stream {@code entity} (exactly that stream) from stream
   * sequence {@code fromStreamSequence}.
   *
   * @throws ValidationException if {@code fromStreamSequence < 0} or {@code limit <= 0}
   */
  public List<EventHeader> stream(String entity, long fromStreamSequence, int limit) {
    checkPage("stream", entity, fromStreamSequence, limit);
    return streamPage(entity, fromStreamSequence, limit, this::headerAt);
  }

  /**
   * Up to {@code limit} visible events of stream {@code entity} (exactly that stream) from stream
   * sequence {@code fromStreamSequence}, with their payloads; each event's frame is read once.
   *
   * @throws ValidationException if {@code fromStreamSequence < 0} or {@code limit <= 0}
   */
  public List<StoredEvent> streamEvents(String entity, long fromStreamSequence, int limit) {
    checkPage("streamEvents", entity, fromStreamSequence, limit);
    return streamPage(entity, fromStreamSequence, limit, this::eventAt);
  }

  private static void checkPage(String method, String entity, long from, int limit) {
    if (from < 0 || limit <= 0) {
      throw new ValidationException(
          method
              + "(entity, fromStreamSequence, limit) needs fromStreamSequence >= 0 and limit > 0,"
              + " got fromStreamSequence "
              + from
              + " and limit "
              + limit
              + " for stream '"
              + entity
              + "'; the first page starts at 0");
    }
  }

  /** Reads what a page returns of the event at a row: null for one compaction dropped. */
  private interface RowRead<T> {
    T read(Index.View v, int row);
  }

  /**
   * Up to {@code limit} of what {@code read} returns for the visible events of stream {@code
   * entity} from stream sequence {@code from}, in stream order.
   */
  private <T> List<T> streamPage(String entity, long from, int limit, RowRead<T> read) {
    int visible = index.visible();
    StreamState s = index.stream(entity);
    if (s == null) {
      return List.of();
    }
    int[] rows = s.rows();
    int n = Math.min(s.count(), rows.length);
    if (from >= n) {
      return List.of();
    }
    List<T> out = new ArrayList<>(Math.min(limit, n - (int) from));
    Index.View v = index.view();
    for (int i = (int) from; i < n && out.size() < limit && rows[i] < visible; i++) {
      T t = read.read(v, rows[i]);
      if (t != null) {
        out.add(t);
      }
    }
    return out;
  }

  /**
   * The stored event at {@code row} of {@code v}, or null if compaction dropped it (also when a
   * compaction switches between the look at the view and the read).
   */
  private StoredEvent eventAt(Index.View v, int row) {
    if (v.disposition(row) == FrameCodec.DROPPED) {
      return null;
    }
    EventReader.Located l = reader.locate(row);
    return l.disposition() == FrameCodec.DROPPED
        ? null
        : new StoredEvent(header(l.record(), l.disposition()), Bytes.ofOwned(l.record().payload()));
  }

  /** The latest visible event of stream {@code entity}, if any. */
  public Optional<EventHeader> latest(String entity) {
    int visible = index.visible();
    StreamState s = index.stream(entity);
    if (s == null) {
      return Optional.empty();
    }
    int n = s.count();
    int[] rows = s.rows();
    Index.View v = index.view();
    for (int i = Math.min(n, rows.length) - 1; i >= 0; i--) {
      EventHeader h = rows[i] < visible ? headerAt(v, rows[i]) : null;
      if (h != null) {
        return Optional.of(h);
      }
    }
    return Optional.empty();
  }
}
