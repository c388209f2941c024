package io.batpak.fs.sim;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import io.batpak.port.LockUnavailableException;
import io.batpak.port.NoSpaceException;
import io.batpak.port.SymlinkRefusedException;
import io.batpak.port.UnsupportedFsOperationException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import org.apiguardian.api.API;

/**
 * The exception an injected {@link FaultAction.Fail} throws, one per failure type of the {@link
 * io.batpak.port.StoreFs} contract.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public enum ErrorKind {
  /** A plain {@link IOException}, like {@code EIO}. */
  IO,
  /** {@link NoSpaceException}, like {@code ENOSPC}. */
  NO_SPACE,
  /** {@link NoSuchFileException}, like {@code ENOENT}. */
  NO_SUCH_FILE,
  /** {@link FileAlreadyExistsException}, like {@code EEXIST}. */
  FILE_EXISTS,
  /** {@link AccessDeniedException}, like {@code EACCES}. */
  ACCESS_DENIED,
  /** {@link LockUnavailableException}, like {@code EWOULDBLOCK} from a lock. */
  LOCK_UNAVAILABLE,
  /** {@link SymlinkRefusedException}, like {@code ELOOP} from {@code O_NOFOLLOW}. */
  SYMLINK_REFUSED,
  /** {@link UnsupportedFsOperationException}, like {@code ENOTSUP}. */
  UNSUPPORTED;

  /**
   * Creates the exception for an injected failure.
   *
   * @param path the normalised path the operation was about
   * @param op the operation that failed
   * @return a new exception, never {@code null}
   */
  public IOException newException(String path, FsOp op) {
    String why = "injected " + name() + " fault on " + op;
    switch (this) {
      case NO_SPACE:
        return new NoSpaceException(path, why);
      case NO_SUCH_FILE:
        return new NoSuchFileException(path, null, why);
      case FILE_EXISTS:
        return new FileAlreadyExistsException(path, null, why);
      case ACCESS_DENIED:
        return new AccessDeniedException(path, null, why);
      case LOCK_UNAVAILABLE:
        return new LockUnavailableException(path, why);
      case SYMLINK_REFUSED:
        return new SymlinkRefusedException(path, op.name());
      case UNSUPPORTED:
        return new UnsupportedFsOperationException(why + ": " + path);
      case IO:
      default:
        return new IOException(why + ": " + path);
    }
  }
}
