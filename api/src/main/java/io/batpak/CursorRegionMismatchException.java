package io.batpak;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import org.apiguardian.api.API;

/**
 * A durable cursor was opened with a region other than the one its checkpoint file was made for:
 * resuming would skip or repeat events of either region. Nothing was changed. Use the region the
 * checkpoint names, another checkpoint id, or delete the file to start over (docs/cursors.md).
 *
 * @since 0.13
 */
@API(status = EXPERIMENTAL, since = "0.13")
public class CursorRegionMismatchException extends StoreException {
  private static final long serialVersionUID = 1L;

  private final String file;
  private final String saved;
  private final String requested;

  /**
   * Creates the exception.
   *
   * @param file the checkpoint file
   * @param saved the identity of the region the checkpoint was made for
   * @param requested the identity of the region asked for
   */
  public CursorRegionMismatchException(String file, String saved, String requested) {
    super(
        "the cursor checkpoint "
            + file
            + " was made for region "
            + saved
            + ", but the cursor was opened for region "
            + requested
            + ". Open it with the checkpoint's region, use another checkpoint id, or delete the"
            + " file to start the new region from the beginning.");
    this.file = file;
    this.saved = saved;
    this.requested = requested;
  }

  /** The checkpoint file. */
  public String file() {
    return file;
  }

  /** The identity of the region the checkpoint was made for. */
  public String savedRegion() {
    return saved;
  }

  /** The identity of the region the cursor was opened for. */
  public String requestedRegion() {
    return requested;
  }
}
