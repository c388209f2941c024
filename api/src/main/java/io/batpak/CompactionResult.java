package io.batpak;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.Objects;
import org.apiguardian.api.API;

/**
 * What {@link Store#compact} did (or, for a dry run, would do).
 *
 * <p>Immutable; safe to share between threads.
 *
 * @param outcome whether anything changed
 * @param reason for {@link Outcome#SKIPPED} and {@link Outcome#FAILED}, why; empty otherwise
 * @param segmentsBefore the sealed segments compacted, counted before
 * @param segmentsAfter the segments that replaced them
 * @param eventsKept events left as they were
 * @param eventsDropped events dropped (no longer read)
 * @param eventsTombstoned events replaced by tombstones
 * @param bytesBefore the compacted segments' bytes before
 * @param bytesAfter the bytes of the segments that replaced them
 * @since 0.2
 */
@API(status = EXPERIMENTAL, since = "0.2")
public record CompactionResult(
    Outcome outcome,
    String reason,
    int segmentsBefore,
    int segmentsAfter,
    long eventsKept,
    long eventsDropped,
    long eventsTombstoned,
    long bytesBefore,
    long bytesAfter) {

  /** Whether a compaction changed the store. */
  public enum Outcome {
    /** Segments were replaced (for a dry run: would be). */
    PERFORMED,
    /** Nothing to do: too few sealed segments, or no event to drop or tombstone. */
    SKIPPED,
    /**
     * A step failed. Groups of segments before the failing one stay compacted (the counts include
     * them). When the failure came before the failing group's switch, that group is as it was;
     * after it, the group is compacted and only clean-up (removing the replaced files) is left to
     * the next open. The reason names the step and the file.
     */
    FAILED
  }

  /** Checks for nulls. */
  public CompactionResult {
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(reason, "reason");
  }
}
