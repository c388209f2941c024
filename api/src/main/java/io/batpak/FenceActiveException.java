package io.batpak;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import org.apiguardian.api.API;

/**
 * The store has an open {@link VisibilityFence}, and this call needs none to be open: an ordinary
 * append (one not made through the fence), or a second {@link Store#beginFence()}. Nothing was
 * written. Commit or cancel the open fence first, or make the append through it.
 *
 * @since 0.2
 */
@API(status = EXPERIMENTAL, since = "0.2")
public class FenceActiveException extends StoreException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message which fence is open (its first global sequence), and what to do
   */
  public FenceActiveException(String message) {
    super(message);
  }
}
