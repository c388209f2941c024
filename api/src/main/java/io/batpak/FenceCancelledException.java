package io.batpak;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import org.apiguardian.api.API;

/**
 * An append made under a {@link VisibilityFence} was cancelled: the fence was cancelled ({@link
 * VisibilityFence#cancel()}, or {@link VisibilityFence#close()} without a commit, or the store
 * closed with the fence open). The event was written to the journal but is never visible: no read
 * returns it, before or after a reopen, and its global sequence is not reused. Its stream continues
 * as if it had never been appended. Append it again (outside a fence, or under a new one) to store
 * it.
 *
 * @since 0.2
 */
@API(status = EXPERIMENTAL, since = "0.2")
public class FenceCancelledException extends StoreException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what was cancelled (the global sequences), why, and what to do
   */
  public FenceCancelledException(String message) {
    super(message);
  }
}
