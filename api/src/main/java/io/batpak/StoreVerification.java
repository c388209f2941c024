package io.batpak;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.List;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * The result of {@link Store#verifyAll}: how many events and streams were checked, and what was
 * wrong. The first {@link #PROBLEMS_KEPT} problems are kept, in global order; the rest are counted.
 *
 * <p>Immutable; safe to share between threads.
 *
 * @param eventsChecked the visible events checked (every event visible when the check started)
 * @param streamsChecked the streams they belong to
 * @param problemCount how many problems were found, at most one per event
 * @param problems the first {@link #PROBLEMS_KEPT} of them
 * @param eventsDropped of the events checked, those a compaction dropped (no read returns them):
 *     their headers and hashes were checked and their chain links followed, their payload could not
 *     be; never a problem
 * @param eventsTombstoned of the events checked, the tombstones a compaction left, checked the same
 *     way
 * @since 0.2
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record StoreVerification(
    long eventsChecked,
    long streamsChecked,
    long problemCount,
    List<Problem> problems,
    long eventsDropped,
    long eventsTombstoned) {

  /** A verification of a store without compacted events. */
  public StoreVerification(
      long eventsChecked, long streamsChecked, long problemCount, List<Problem> problems) {
    this(eventsChecked, streamsChecked, problemCount, problems, 0, 0);
  }

  /** The events checked whose payload a compaction removed: dropped and tombstoned together. */
  public long eventsCompacted() {
    return eventsDropped + eventsTombstoned;
  }

  /** How many problems a verification keeps; later ones are only counted. */
  public static final int PROBLEMS_KEPT = 1000;

  /**
   * Validates the fields and copies the list.
   *
   * @throws ValidationException if a count is negative or the list is longer than the count
   */
  public StoreVerification {
    problems = List.copyOf(problems);
    if (eventsChecked < 0
        || streamsChecked < 0
        || problemCount < problems.size()
        || eventsDropped < 0
        || eventsTombstoned < 0
        || eventsDropped + eventsTombstoned > eventsChecked) {
      throw new ValidationException(
          "invalid verification counts: "
              + eventsChecked
              + " events, "
              + streamsChecked
              + " streams, "
              + problemCount
              + " problems with "
              + problems.size()
              + " listed, "
              + eventsDropped
              + " dropped, "
              + eventsTombstoned
              + " tombstoned");
    }
  }

  /** Whether no problem was found. */
  public boolean intact() {
    return problemCount == 0;
  }

  /**
   * One event that failed a check. The event's id, stream and sequences come from the store's
   * index, so they are known even when its frame cannot be read.
   *
   * @param globalSequence the event's position in the store's commit order
   * @param eventId its id
   * @param entity its stream
   * @param streamSequence its position in its stream, as the index holds it
   * @param reason which check failed (the same reasons as a receipt's)
   * @param detail expected and actual values, or the damage found, and where: the segment file and
   *     the offset of the frame the event was read from (or where the index places it)
   */
  public record Problem(
      long globalSequence,
      EventId eventId,
      String entity,
      long streamSequence,
      ReceiptVerification.Reason reason,
      String detail) {

    /** Checks for nulls. */
    public Problem {
      Objects.requireNonNull(eventId, "eventId");
      Objects.requireNonNull(entity, "entity");
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(detail, "detail");
    }
  }
}
