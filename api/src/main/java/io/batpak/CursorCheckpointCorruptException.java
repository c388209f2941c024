package io.batpak;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import org.apiguardian.api.API;

/**
 * A cursor checkpoint file cannot be believed (too short, wrong magic, a CRC that does not match, a
 * body that ends early or says something impossible), or it covers global sequences past the end of
 * the journal, which lost events since it was saved (a repair, or segments from an older copy). The
 * cursor is not opened: it never restarts from the beginning silently, nor skips the events
 * appended since. Restore the file, or delete it to deliberately start over (docs/cursors.md).
 *
 * @since 0.13
 */
@API(status = EXPERIMENTAL, since = "0.13")
public class CursorCheckpointCorruptException extends StoreException {
  private static final long serialVersionUID = 1L;

  private final String file;
  private final String detail;

  /**
   * Creates the exception.
   *
   * @param file the checkpoint file
   * @param detail what failed, with the offset where it is known
   * @param cause the underlying failure, or null
   */
  public CursorCheckpointCorruptException(String file, String detail, Throwable cause) {
    super(
        "the cursor checkpoint "
            + file
            + " is damaged: "
            + detail
            + ". The cursor was not opened (it never starts over silently); restore the file, or"
            + " delete it to start the cursor from the beginning.",
        cause);
    this.file = file;
    this.detail = detail;
  }

  /** The checkpoint file. */
  public String file() {
    return file;
  }

  /** What failed, with the offset where it is known. */
  public String detail() {
    return detail;
  }
}
