package io.batpak;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import org.apiguardian.api.API;

/**
 * An append was refused because the calling thread was interrupted before the append was queued:
 * its interrupt status was already set when it called (a task cancelled by {@code
 * ExecutorService.shutdownNow()}, say), or it was interrupted while it waited for room in a full
 * commit queue. Nothing was queued or written, and the status is kept. The outcome is known, unlike
 * an interrupt that arrives while an append waits for its commit ({@link OutcomeUnknownException});
 * the store is not poisoned. To append from this thread, clear the status first ({@link
 * Thread#interrupted()}), or stop the task.
 *
 * @since 0.2
 */
@API(status = EXPERIMENTAL, since = "0.2")
public class StoreInterruptedException extends StoreException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what was refused, and what to do
   */
  public StoreInterruptedException(String message) {
    super(message);
  }

  /**
   * Creates the exception with the interrupt that caused it.
   *
   * @param message what was refused, and what to do
   * @param cause the {@link InterruptedException} of the wait that was cut short
   */
  public StoreInterruptedException(String message, Throwable cause) {
    super(message, cause);
  }
}
