package io.batpak.port;

import static org.apiguardian.api.API.Status.STABLE;

import java.io.EOFException;
import java.nio.file.Path;
import org.apiguardian.api.API;

/**
 * Thrown by {@link FileHandle#read} when the end of the file comes before the buffer is full.
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public final class ShortReadException extends EOFException {
  private static final long serialVersionUID = 1L;

  private final transient Path path;
  private final long position;
  private final int requested;
  private final int bytesRead;

  /**
   * Creates the exception.
   *
   * @param path the file read
   * @param position where the read started
   * @param requested how many bytes were asked for
   * @param bytesRead how many bytes were read before the end of the file
   */
  public ShortReadException(Path path, long position, int requested, int bytesRead) {
    super(
        "short read of "
            + path
            + " at offset "
            + position
            + ": wanted "
            + requested
            + " bytes, the file ended after "
            + bytesRead);
    this.path = path;
    this.position = position;
    this.requested = requested;
    this.bytesRead = bytesRead;
  }

  /** The file read. */
  public Path path() {
    return path;
  }

  /** Where the read started. */
  public long position() {
    return position;
  }

  /** How many bytes were asked for. */
  public int requested() {
    return requested;
  }

  /** How many bytes were read (they are in the caller's buffer). */
  public int bytesRead() {
    return bytesRead;
  }
}
