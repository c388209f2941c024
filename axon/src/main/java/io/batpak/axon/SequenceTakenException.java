package io.batpak.axon;

import io.batpak.ConcurrencyConflictException;

/**
 * An Axon sequence number that an aggregate's stream (or an earlier event of the same {@code
 * appendEvents} call) already holds, found before anything was written. A {@link
 * ConcurrencyConflictException}, so the engine's resolver reports it as Axon's {@code
 * ConcurrencyException}.
 */
final class SequenceTakenException extends ConcurrencyConflictException {
  private static final long serialVersionUID = 1L;

  private final String detail;

  SequenceTakenException(String entity, String expected, long sequence) {
    super(entity, expected, -1);
    this.detail =
        "the aggregate stream '"
            + entity
            + "' already holds sequence number "
            + sequence
            + " (expected "
            + expected
            + "); nothing was written. Reload the aggregate and retry the command.";
  }

  @Override
  public String getMessage() {
    return detail;
  }
}
