package io.batpak.engine.internal.segment;

import io.batpak.StoreIoException;
import io.batpak.SymlinkRefusedException;
import java.io.IOException;

/** The one mapping from an I/O failure under the store's files to the exception users see. */
public final class IoFailures {
  private IoFailures() {}

  /**
   * The typed failure for {@code e}: {@link SymlinkRefusedException} when a file the store owns is
   * a symbolic link (anywhere in the cause chain), else {@link StoreIoException} with {@code
   * message}.
   */
  public static StoreIoException of(String message, IOException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof io.batpak.port.SymlinkRefusedException link) {
        return new SymlinkRefusedException(link.getFile(), e);
      }
    }
    return new StoreIoException(message, e);
  }
}
