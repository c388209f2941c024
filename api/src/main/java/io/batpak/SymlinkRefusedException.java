package io.batpak;

import static org.apiguardian.api.API.Status.STABLE;

import org.apiguardian.api.API;

/**
 * A file the store owns (a segment, the lock file, a checkpoint) is a symbolic link. The store
 * refuses every such file, in every open mode, rather than follow it: a link can point a store's
 * data at another store's file, or outside the directory the user chose. The store directory itself
 * may be a link; it is resolved once, when the store opens. The cause is the port's {@link
 * io.batpak.port.SymlinkRefusedException}.
 *
 * <p>What to do: replace the link by the file it points to (for example {@code cp
 * --remove-destination "$(readlink f)" f}), or open the directory the link points into.
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public class SymlinkRefusedException extends StoreIoException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param file the path that is a link
   * @param cause the port's refusal
   */
  public SymlinkRefusedException(String file, Throwable cause) {
    super(
        file
            + " is a symbolic link; the store refuses to follow links for the files it owns, in"
            + " every open mode. Replace the link by the file it points to, or open the directory"
            + " it points into.",
        cause);
    this.file = file;
  }

  private final String file;

  /** The path that is a link. */
  public String file() {
    return file;
  }
}
