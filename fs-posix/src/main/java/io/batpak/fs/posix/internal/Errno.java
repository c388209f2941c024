package io.batpak.fs.posix.internal;

import io.batpak.port.LockUnavailableException;
import io.batpak.port.NoSpaceException;
import io.batpak.port.SymlinkRefusedException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Linux errno numbers (the asm-generic table shared by x86-64 and aarch64), their names, and the
 * mapping from a failed system call to the port's typed exceptions. Pure Java: it loads without
 * JNA, so the mapping is testable on its own.
 *
 * <p>Stateless and thread-safe.
 */
public final class Errno {
  /** Operation not permitted. */
  public static final int EPERM = 1;

  /** No such file or directory. */
  public static final int ENOENT = 2;

  /** Interrupted system call. */
  public static final int EINTR = 4;

  /** I/O error. */
  public static final int EIO = 5;

  /** Bad file descriptor. */
  public static final int EBADF = 9;

  /** Try again; the same number as {@code EWOULDBLOCK} on Linux. */
  public static final int EAGAIN = 11;

  /** Operation would block (an alias of {@link #EAGAIN} on Linux). */
  public static final int EWOULDBLOCK = EAGAIN;

  /** Permission denied. */
  public static final int EACCES = 13;

  /** File exists. */
  public static final int EEXIST = 17;

  /** Cross-device link. */
  public static final int EXDEV = 18;

  /** Not a directory. */
  public static final int ENOTDIR = 20;

  /** Is a directory. */
  public static final int EISDIR = 21;

  /** Invalid argument. */
  public static final int EINVAL = 22;

  /** No space left on device. */
  public static final int ENOSPC = 28;

  /** Function not implemented. */
  public static final int ENOSYS = 38;

  /** Too many symbolic links encountered (or {@code O_NOFOLLOW} met a link). */
  public static final int ELOOP = 40;

  /** Operation not supported. */
  public static final int EOPNOTSUPP = 95;

  /** Inappropriate ioctl for the device (a file system without {@code FICLONE}). */
  public static final int ENOTTY = 25;

  /** Directory not empty. */
  public static final int ENOTEMPTY = 39;

  /** Quota exceeded. */
  public static final int EDQUOT = 122;

  private static final Map<Integer, String> NAMES =
      Map.ofEntries(
          Map.entry(EPERM, "EPERM"),
          Map.entry(ENOENT, "ENOENT"),
          Map.entry(3, "ESRCH"),
          Map.entry(EINTR, "EINTR"),
          Map.entry(EIO, "EIO"),
          Map.entry(6, "ENXIO"),
          Map.entry(7, "E2BIG"),
          Map.entry(EBADF, "EBADF"),
          Map.entry(EAGAIN, "EAGAIN"),
          Map.entry(12, "ENOMEM"),
          Map.entry(EACCES, "EACCES"),
          Map.entry(14, "EFAULT"),
          Map.entry(16, "EBUSY"),
          Map.entry(EEXIST, "EEXIST"),
          Map.entry(EXDEV, "EXDEV"),
          Map.entry(19, "ENODEV"),
          Map.entry(ENOTDIR, "ENOTDIR"),
          Map.entry(EISDIR, "EISDIR"),
          Map.entry(EINVAL, "EINVAL"),
          Map.entry(23, "ENFILE"),
          Map.entry(24, "EMFILE"),
          Map.entry(ENOTTY, "ENOTTY"),
          Map.entry(26, "ETXTBSY"),
          Map.entry(27, "EFBIG"),
          Map.entry(ENOSPC, "ENOSPC"),
          Map.entry(29, "ESPIPE"),
          Map.entry(30, "EROFS"),
          Map.entry(31, "EMLINK"),
          Map.entry(36, "ENAMETOOLONG"),
          Map.entry(37, "ENOLCK"),
          Map.entry(ENOSYS, "ENOSYS"),
          Map.entry(ENOTEMPTY, "ENOTEMPTY"),
          Map.entry(ELOOP, "ELOOP"),
          Map.entry(75, "EOVERFLOW"),
          Map.entry(EOPNOTSUPP, "EOPNOTSUPP"),
          Map.entry(116, "ESTALE"),
          Map.entry(EDQUOT, "EDQUOT"),
          Map.entry(125, "ECANCELED"));

  private Errno() {}

  /**
   * The symbolic name of {@code errno}, such as {@code "ENOENT"}, or {@code "errno"} followed by
   * the number when it is not in the table.
   */
  public static String name(int errno) {
    String name = NAMES.get(errno);
    return name != null ? name : "errno" + errno;
  }

  /** {@code "ENOENT (2)"}: the name and the number, as messages show them. */
  public static String describe(int errno) {
    return name(errno) + " (" + errno + ")";
  }

  /**
   * The exception for system call {@code op} failing with {@code errno} on {@code path}.
   *
   * @param op the call or operation, such as {@code "open"} or {@code "rename"}
   * @param path the path the call worked on
   * @param errno the error number
   * @return the typed exception: {@link NoSuchFileException} for {@code ENOENT}, {@link
   *     FileAlreadyExistsException} for {@code EEXIST}, {@link AccessDeniedException} for {@code
   *     EACCES} (as the JDK reports it, so {@code posix} and {@code nio} agree), {@link
   *     NoSuchFileException} for {@code ENOTDIR} too (outside a call that names a directory, only a
   *     parent component can be the non-directory, so the path does not exist), {@link
   *     NoSpaceException} for {@code ENOSPC} and {@code EDQUOT}, {@link SymlinkRefusedException}
   *     for {@code ELOOP}, {@link LockUnavailableException} for {@code EWOULDBLOCK}, otherwise a
   *     plain {@link IOException} reading {@code "<op> <path>: <NAME> (<n>)"}
   */
  public static IOException toException(String op, Path path, int errno) {
    return toException(op, path, null, errno);
  }

  /**
   * Like {@link #toException(String, Path, int)} for calls on two paths ({@code rename}, {@code
   * link}); {@code other} is the second path, or null.
   */
  public static IOException toException(String op, Path path, Path other, int errno) {
    String file = String.valueOf(path);
    String otherFile = other == null ? null : other.toString();
    String reason = op + ": " + describe(errno);
    switch (errno) {
      case ENOENT:
        return new NoSuchFileException(file, otherFile, reason);
      case EEXIST:
        return new FileAlreadyExistsException(file, otherFile, reason);
      case EACCES:
        return new AccessDeniedException(file, otherFile, reason);
      case ENOTDIR:
        return new NoSuchFileException(
            file, otherFile, reason + ": a parent component is not a directory");
      case ENOSPC:
      case EDQUOT:
        return new NoSpaceException(file, reason);
      case ELOOP:
        return new SymlinkRefusedException(file, op + " (" + describe(errno) + ")");
      case EWOULDBLOCK:
        return new LockUnavailableException(file, reason + ": another holder has the lock");
      default:
        return new IOException(
            op
                + " "
                + file
                + (otherFile == null ? "" : " -> " + otherFile)
                + ": "
                + describe(errno));
    }
  }
}
