package io.batpak;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.List;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * What {@link Store#walkCauses} found: the chain of causes of an event, its direct cause first and
 * the root cause last, and why the walk stopped. Each cause is the visible event whose id the
 * previous event's {@link EventHeader#causation() causation} names. The event the walk started at
 * is not in the list.
 *
 * <p>Immutable; safe to share between threads.
 *
 * @param causes the causes, nearest first; tombstones are events and appear (kind {@link
 *     EventKind#TOMBSTONE})
 * @param boundary why the walk stopped
 * @param atGlobalSequence the global sequence the boundary is about (see each {@link Boundary})
 * @param detail what was found, for people: the dangling causation id, the file and offset of a
 *     read failure; empty for {@link Boundary#ROOT}
 * @since 0.3
 */
@API(status = EXPERIMENTAL, since = "0.3")
public record CauseWalk(
    List<EventHeader> causes, Boundary boundary, long atGlobalSequence, String detail) {

  /** Why a walk up the causes stopped. */
  public enum Boundary {
    /**
     * The last event listed (or the start, if none is) names no cause: it is the root cause. {@code
     * atGlobalSequence} is the root's.
     */
    ROOT,
    /**
     * The event at {@code atGlobalSequence} names a cause no visible event has (never appended yet,
     * cancelled by a fence, or imported without it); {@code detail} names the causation id.
     */
    DANGLING,
    /**
     * The cause of the last event listed (or of the start) is an event already met on this walk,
     * the one at {@code atGlobalSequence}: the causes form a cycle (possible when ids are
     * predictable, as with idempotency keys). The walk never loops.
     */
    CYCLE,
    /**
     * The next cause, at {@code atGlobalSequence}, was dropped by a compaction: it is not read, and
     * its receipt verifies as compacted away.
     */
    COMPACTED,
    /**
     * The event at {@code atGlobalSequence} could not be read: its frame fails its checks ({@code
     * detail} names the file and offset) or the read failed.
     */
    READ_FAILURE
  }

  /** Checks for nulls and copies the list. */
  public CauseWalk {
    causes = List.copyOf(Objects.requireNonNull(causes, "causes"));
    Objects.requireNonNull(boundary, "boundary");
    Objects.requireNonNull(detail, "detail");
  }
}
