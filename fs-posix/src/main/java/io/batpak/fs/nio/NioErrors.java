package io.batpak.fs.nio;

import io.batpak.port.LockUnavailableException;
import io.batpak.port.NoSpaceException;
import io.batpak.port.ShortReadException;
import io.batpak.port.SymlinkRefusedException;
import io.batpak.port.UnsupportedFsOperationException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Turns the JDK's exceptions into the port's typed ones. NIO reports {@code ELOOP} and {@code
 * ENOSPC} only as text ({@code "Too many levels of symbolic links"}, {@code "No space left on
 * device"}), so this is the one place that reads messages.
 */
final class NioErrors {
  private static final String ELOOP = "Too many levels of symbolic links";
  private static final String ENOSPC = "No space left on device";
  private static final String EDQUOT = "Disk quota exceeded";

  private NioErrors() {}

  /**
   * The port's exception for {@code e}, raised by {@code op} on {@code path}: a symbolic-link
   * refusal, a no-space error, {@link NoSuchFileException} for a path below a non-directory, the
   * JDK's own typed exception unchanged, or a plain {@link IOException} whose message names the
   * operation and the path.
   */
  static IOException map(IOException e, Path path, String op) {
    if (e instanceof SymlinkRefusedException
        || e instanceof NoSpaceException
        || e instanceof LockUnavailableException
        || e instanceof ShortReadException
        || e instanceof UnsupportedFsOperationException
        || e instanceof InterruptedIOException
        || e instanceof ClosedChannelException) {
      return e;
    }
    String text = String.valueOf(e.getMessage());
    if (text.contains(ELOOP)) {
      SymlinkRefusedException x = new SymlinkRefusedException(String.valueOf(path), op);
      x.initCause(e);
      return x;
    }
    if (text.contains(ENOSPC) || text.contains(EDQUOT)) {
      NoSpaceException x = new NoSpaceException(String.valueOf(path), op + " failed: " + reason(e));
      x.initCause(e);
      return x;
    }
    if (e.getClass() == FileSystemException.class && belowNonDirectory((FileSystemException) e)) {
      FileSystemException f = (FileSystemException) e;
      NoSuchFileException x =
          new NoSuchFileException(
              f.getFile(), f.getOtherFile(), op + ": a parent component is not a directory");
      x.initCause(e);
      return x;
    }
    if (e.getClass() == IOException.class) {
      return new IOException(op + " of " + path + " failed: " + e.getMessage(), e);
    }
    return e;
  }

  /**
   * Whether a generic failure names a path whose parent is not a directory ({@code ENOTDIR} from a
   * parent component, which the JDK reports only as text): that path does not exist.
   */
  private static boolean belowNonDirectory(FileSystemException e) {
    return (e.getFile() != null && parentIsNotDirectory(Path.of(e.getFile())))
        || (e.getOtherFile() != null && parentIsNotDirectory(Path.of(e.getOtherFile())));
  }

  /**
   * Whether the nearest existing ancestor of {@code path} (links followed) is something other than
   * a directory, so that {@code path} cannot exist. Looks only at names, whatever the locale of the
   * system's error texts.
   */
  static boolean parentIsNotDirectory(Path path) {
    for (Path p = path.toAbsolutePath().getParent(); p != null; p = p.getParent()) {
      try {
        return !Files.readAttributes(p, BasicFileAttributes.class).isDirectory();
      } catch (IOException e) {
        // Missing, or itself below a non-directory: the answer is further up.
      }
    }
    return false;
  }

  /**
   * The attributes of {@code path}, not following a symbolic link at its last component, or null
   * when the path is missing (its last component, a parent directory, or a parent that is not a
   * directory).
   *
   * @throws IOException when the answer cannot be determined, mapped for {@code op}
   */
  static BasicFileAttributes lstat(Path path, String op) throws IOException {
    try {
      return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      IOException mapped = map(e, path, op);
      if (mapped instanceof NoSuchFileException) {
        return null;
      }
      throw mapped;
    }
  }

  /** The interrupted caller's exception after an interrupt closed a channel during {@code op}. */
  static InterruptedIOException interrupted(Path path, String op, ClosedByInterruptException e) {
    InterruptedIOException x =
        new InterruptedIOException(
            op
                + " of "
                + path
                + " was interrupted while in progress; its outcome is unknown (the interrupt"
                + " flag is kept set, and the shared channel was reopened for other threads)");
    x.initCause(e);
    return x;
  }

  private static String reason(IOException e) {
    if (e instanceof FileSystemException) {
      String reason = ((FileSystemException) e).getReason();
      if (reason != null) {
        return reason;
      }
    }
    return String.valueOf(e.getMessage());
  }
}
