package io.batpak;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import org.apiguardian.api.API;

/**
 * A {@link CursorWorker} (or reactor) stopped by a failure, thrown by {@link CursorWorker#join()}:
 * the cause is the handler's last exception or the checkpoint's. Events after its last saved
 * checkpoint are delivered again by the next worker on the same checkpoint id.
 *
 * @since 0.13
 */
@API(status = EXPERIMENTAL, since = "0.13")
public class CursorWorkerFailedException extends StoreException {
  private static final long serialVersionUID = 1L;

  /** Why the worker stopped. */
  @API(status = EXPERIMENTAL, since = "0.13")
  public enum Reason {
    /** The handler failed more times in a row than the restart policy allows. */
    RESTARTS_EXHAUSTED,
    /** A checkpoint could not be saved; the worker never goes on without it. */
    CHECKPOINT_FAILED,
    /** Reading the journal failed (a damaged frame, or the store failed). */
    READ_FAILED
  }

  private final Reason reason;
  private final String checkpointId;
  private final long position;

  /**
   * Creates the exception.
   *
   * @param checkpointId the worker's checkpoint id
   * @param reason why it stopped
   * @param position the global sequence its last saved checkpoint covers, or -1
   * @param message what happened
   * @param cause the failure
   */
  public CursorWorkerFailedException(
      String checkpointId, Reason reason, long position, String message, Throwable cause) {
    super(
        "the cursor worker '"
            + checkpointId
            + "' stopped ("
            + reason
            + "): "
            + message
            + "; its last saved checkpoint covers global sequence "
            + position
            + ", and a new worker on the same id resumes after it",
        cause);
    this.reason = reason;
    this.checkpointId = checkpointId;
    this.position = position;
  }

  /** Why the worker stopped. */
  public Reason reason() {
    return reason;
  }

  /** The worker's checkpoint id. */
  public String checkpointId() {
    return checkpointId;
  }

  /** The global sequence the last saved checkpoint covers, or -1. */
  public long savedPosition() {
    return position;
  }
}
