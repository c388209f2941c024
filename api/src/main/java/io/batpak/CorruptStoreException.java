package io.batpak;

import static org.apiguardian.api.API.Status.STABLE;

import org.apiguardian.api.API;

/**
 * The journal holds bytes that fail a check and cannot be explained as a torn tail: a bad frame
 * followed by a valid one, a bad frame in a sealed segment, a bad segment header, a broken hash
 * chain. The store refuses to guess; {@code batpak repair} is the explicit way out.
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public class CorruptStoreException extends StoreException {
  private static final long serialVersionUID = 1L;

  private final String what;
  private final String file;
  private final long offset;
  private final String expected;
  private final String actual;

  /**
   * Creates the exception.
   *
   * @param file the file that holds the damage
   * @param offset the byte offset of the damaged frame or field in that file
   * @param what what failed (for example {@code "frame CRC32C"})
   * @param expected what the check expected
   * @param actual what it found
   */
  public CorruptStoreException(
      String file, long offset, String what, String expected, String actual) {
    super(
        "corrupt store: "
            + what
            + " in "
            + file
            + " at offset "
            + offset
            + ": expected "
            + expected
            + ", found "
            + actual
            + ". Run 'batpak verify <dir>' to see all damage, and 'batpak repair <dir>' to cut the"
            + " journal back to its last intact frame (the cut bytes are kept in a copy).");
    this.file = file;
    this.what = what;
    this.offset = offset;
    this.expected = expected;
    this.actual = actual;
  }

  /**
   * What failed, for example {@code "frame CRC32C"} or {@code "segment header magic"}: a damaged
   * segment header always starts with {@code "segment header"}.
   */
  public String what() {
    return what;
  }

  /** The file that holds the damage. */
  public String file() {
    return file;
  }

  /** The byte offset of the damaged frame or field. */
  public long offset() {
    return offset;
  }

  /** What the check expected. */
  public String expected() {
    return expected;
  }

  /** What the check found. */
  public String actual() {
    return actual;
  }
}
