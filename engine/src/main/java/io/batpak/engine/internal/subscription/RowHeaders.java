package io.batpak.engine.internal.subscription;

import io.batpak.EventHeader;
import io.batpak.EventKind;
import io.batpak.Region;
import io.batpak.engine.internal.format.FrameCodec;
import io.batpak.engine.internal.index.Index;
import io.batpak.engine.internal.read.EventQueries;
import io.batpak.engine.internal.read.EventReader;
import java.util.Collection;

/**
 * The rows a subscription delivers, read from a published {@link Index.View}: row number = global
 * sequence; a cancelled row (a cancelled fence's event) is never delivered, a row compaction
 * dropped is skipped, a tombstoned row is delivered with kind {@link EventKind#TOMBSTONE}. Matching
 * uses the index's columns and {@link Region#matches}, the one matcher, so no frame is read for an
 * event no one wants. Thread-safe (it holds no state of its own).
 */
final class RowHeaders {
  private final Index index;
  private final EventReader reader;

  RowHeaders(Index index, EventReader reader) {
    this.index = index;
    this.reader = reader;
  }

  /** The current published view. */
  Index.View view() {
    return index.view();
  }

  /** Whether the (not cancelled) row lies in {@code region}. */
  boolean matches(Region region, Index.View v, int row) {
    if (region.isAll()) {
      return true;
    }
    EventKind kind =
        v.disposition(row) == FrameCodec.TOMBSTONED
            ? EventKind.TOMBSTONE
            : EventKind.fromRaw(v.kind(row));
    return region.matches(
        index.streamName(v.stream(row)),
        index.scopeName(v.scope(row)),
        kind,
        v.streamSequence(row));
  }

  /**
   * The header of the event at {@code row}, or null if compaction dropped it (also when a
   * compaction switches between the look at the view and the read).
   */
  EventHeader header(Index.View v, int row) {
    if (v.disposition(row) == FrameCodec.DROPPED) {
      return null;
    }
    EventReader.Located l = reader.locate(row);
    return l.disposition() == FrameCodec.DROPPED
        ? null
        : EventQueries.header(l.record(), l.disposition());
  }

  /**
   * Adds the headers of the events in {@code region} with global sequence {@code from} to {@code to
   * - 1} to {@code out}, stopping after {@code max} of them.
   *
   * @param to at most the size of the current view
   * @return the next global sequence to scan: {@code to}, or less when {@code max} was reached
   */
  long scan(Region region, long from, long to, Collection<EventHeader> out, int max) {
    Index.View v = index.view();
    long end = Math.min(to, v.size());
    int added = 0;
    for (long g = from; g < end; g++) {
      int row = (int) g;
      if (v.cancelled(row) || !matches(region, v, row)) {
        continue;
      }
      EventHeader h = header(v, row);
      if (h != null) {
        out.add(h);
        if (++added >= max) {
          return g + 1;
        }
      }
    }
    return end;
  }
}
