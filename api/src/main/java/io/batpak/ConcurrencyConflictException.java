package io.batpak;

import static org.apiguardian.api.API.Status.STABLE;

import org.apiguardian.api.API;

/**
 * An append's expected stream version did not match the stream (optimistic concurrency). Nothing
 * was written; read the stream again, decide, and retry with the new version.
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public class ConcurrencyConflictException extends StoreException {
  private static final long serialVersionUID = 1L;

  private final String entity;
  private final String expected;
  private final long actualNextSequence;

  /**
   * Creates the exception.
   *
   * @param entity the stream
   * @param expected the expectation, as text ({@code "no stream"}, {@code "version 4"})
   * @param actualNextSequence the stream sequence the next event would have got (0 for an empty
   *     stream)
   */
  public ConcurrencyConflictException(String entity, String expected, long actualNextSequence) {
    super(
        "expected "
            + expected
            + " for stream '"
            + entity
            + "' but the stream "
            + (actualNextSequence == 0 ? "is empty" : "is at version " + (actualNextSequence - 1))
            + "; nothing was written. Re-read the stream and retry with the current version.");
    this.entity = entity;
    this.expected = expected;
    this.actualNextSequence = actualNextSequence;
  }

  /** The stream. */
  public String entity() {
    return entity;
  }

  /** The expectation that failed, as text. */
  public String expected() {
    return expected;
  }

  /** The number of events in the stream when the check ran. */
  public long actualNextSequence() {
    return actualNextSequence;
  }
}
