package io.batpak;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import org.apiguardian.api.API;

/**
 * Where an event's frame lies in the journal.
 *
 * <p>Immutable; safe to share between threads.
 *
 * @param segmentId the segment file's number
 * @param offset the byte offset of the frame in the segment
 * @param length the frame's length in bytes, including its 8-byte prefix
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record EventPosition(long segmentId, long offset, int length) {

  /** Validates the fields. */
  public EventPosition {
    if (segmentId < 1 || offset < 0 || length <= 0) {
      throw new ValidationException(
          "invalid event position " + segmentId + "@" + offset + "+" + length);
    }
  }

  @Override
  public String toString() {
    return String.format("%06d@%d+%d", segmentId, offset, length);
  }
}
