package io.batpak.fs.posix.internal;

import com.sun.jna.Native;
import io.batpak.fs.spi.FileHandles;
import io.batpak.port.FileHandle;
import io.batpak.port.FsCapabilities;
import io.batpak.port.LockMode;
import io.batpak.port.RenameMode;
import io.batpak.port.StoreFs;
import io.batpak.port.StoreLock;
import io.batpak.port.SymlinkRefusedException;
import io.batpak.port.SyncMode;
import io.batpak.port.UnsupportedFsOperationException;
import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The {@code posix} backend: the store's file operations as direct Linux system calls through JNA.
 *
 * <ul>
 *   <li>{@link #create}: {@code open(O_RDWR|O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC, 0644)}.
 *   <li>Symbolic links ({@link StoreFs}, "Symbolic links"): every open ({@link #create}, {@link
 *       #openRead}, {@link #openWrite}, {@link #lock}, both ends of {@link #copy}, the temporary
 *       file of {@link #publish}) carries {@code O_NOFOLLOW}, and {@code ELOOP} (or {@code EEXIST}
 *       on a link, for a create) is {@link SymlinkRefusedException}; {@link #rename} (both ends)
 *       and the target of {@link #publish} are checked with {@code lstat} before the rename, which
 *       never follows a link itself.
 *   <li>{@link #rename} {@code REPLACE}: {@code rename(2)}; {@code NO_REPLACE}: {@code
 *       renameat2(RENAME_NOREPLACE)}, falling back to {@code link(2)} + {@code unlink(2)} when libc
 *       lacks the symbol or the kernel or file system refuses the flag ({@code EINVAL}, {@code
 *       ENOSYS}, {@code EOPNOTSUPP}). The fallback never replaces the target either, but a crash
 *       between its two steps leaves both names.
 *   <li>{@link #syncDirectory}: {@code fsync} of an {@code O_RDONLY|O_DIRECTORY|O_CLOEXEC}
 *       descriptor; a failure is reported, never ignored.
 *   <li>{@link #publish}: refuse a symbolic-link target, open the temporary file, {@code
 *       fdatasync}/{@code fsync} it, close it, {@code rename} it over the target, {@code fsync} the
 *       directory, in that order.
 *   <li>{@link #lock}: see {@link PosixStoreLock} ({@code flock} and an OFD lock on one
 *       descriptor).
 *   <li>{@link #openRead}: {@code open(O_RDONLY|O_NOFOLLOW|O_CLOEXEC)}, then a {@code pread} of
 *       zero bytes, which the kernel fails with {@code EISDIR} for a directory, so a directory is
 *       refused at the open rather than on the first read.
 *   <li>{@link #list} and {@link #exists} use NIO: they only read names and are not on a hot path.
 *   <li>Missing paths ({@link StoreFs}): {@code ENOTDIR} from a parent component becomes {@link
 *       NoSuchFileException} ({@link Errno}); where it could also mean that the named directory
 *       itself is a file ({@link #list}, {@link #syncDirectory}), the nearest existing ancestor
 *       tells the two apart, and a file there is {@link NotDirectoryException}. {@link
 *       #deleteIfExists} of such a path is {@code false}.
 *   <li>{@link #rename} of a directory: {@code renameat2(RENAME_NOREPLACE)} for {@code NO_REPLACE};
 *       where that is missing or refused, {@code link(2)} cannot stand in (Linux never links
 *       directories), so the target is checked with {@code lstat} and then {@code rename(2)} is
 *       called: a non-empty directory or a file is never replaced, only an empty directory made in
 *       between the two steps could be.
 *   <li>{@link #deleteDirectory}: {@code lstat} (a link is refused, a non-directory is {@link
 *       NotDirectoryException}), then {@code rmdir(2)}; {@code ENOTEMPTY} is {@link
 *       java.nio.file.DirectoryNotEmptyException}.
 *   <li>{@link #link}: {@code lstat} of both ends (links refused, a directory refused), then {@code
 *       link(2)}, which never follows a link itself; {@code EXDEV} is {@link
 *       UnsupportedFsOperationException}.
 *   <li>{@link #reflink}: {@code open(O_RDONLY|O_NOFOLLOW)} of the source, an exclusive create of
 *       the target, {@code ioctl(target, FICLONE, source)}; where the file system cannot share
 *       blocks ({@code EOPNOTSUPP}, {@code EXDEV}, {@code EINVAL}, {@code ENOTTY}, {@code ENOSYS})
 *       the new target is removed and {@link UnsupportedFsOperationException} is thrown.
 * </ul>
 *
 * <p>{@link #copy} reads and writes through handles in 64 KiB chunks and deletes the partial copy
 * on any failure, {@link io.batpak.port.NoSpaceException} included.
 *
 * <p>Thread-safe and stateless apart from its settings; {@link #close()} does nothing. Interrupting
 * a thread that is inside a call has no effect: JNA calls are not interruptible, and no descriptor
 * is ever closed because of an interrupt.
 */
public final class PosixStoreFs implements StoreFs {

  private final boolean useRenameat2;

  /**
   * Creates the backend.
   *
   * @param useRenameat2 whether {@code NO_REPLACE} renames may use {@code renameat2}; false forces
   *     the {@code link}+{@code unlink} fallback (a setting for tests and odd file systems)
   */
  public PosixStoreFs(boolean useRenameat2) {
    this.useRenameat2 = useRenameat2 && Posix.hasRenameat2();
  }

  @Override
  public String name() {
    return "posix";
  }

  @Override
  public FsCapabilities capabilities() {
    return new FsCapabilities(
        true, true, true, true, true, "flock+ofd", true, true, PosixFileHandle.MAPS);
  }

  /** Whether {@code NO_REPLACE} renames try {@code renameat2} before the link fallback. */
  public boolean usesRenameat2() {
    return useRenameat2;
  }

  @Override
  public void createDirectories(Path dir) throws IOException {
    Path absolute = dir.toAbsolutePath().normalize();
    List<Path> missing = new ArrayList<>();
    for (Path p = absolute; p != null; p = p.getParent()) {
      if (Files.isDirectory(p)) {
        break;
      }
      missing.add(p);
    }
    Collections.reverse(missing);
    for (Path p : missing) {
      if (LibC.mkdir(NativePaths.of(p), 0777) < 0) {
        int errno = Native.getLastError();
        if (errno == Errno.EEXIST && Files.isDirectory(p)) {
          continue; // made concurrently
        }
        if (errno == Errno.EEXIST) {
          throw new FileAlreadyExistsException(
              p.toString(), null, "mkdir: " + Errno.describe(errno) + ": not a directory");
        }
        throw Errno.toException("mkdir", p, errno);
      }
    }
  }

  @Override
  public List<String> list(Path dir) throws IOException {
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        names.add(entry.getFileName().toString());
      }
    } catch (DirectoryIteratorException e) {
      throw listFailure(e.getCause(), dir);
    } catch (IOException e) {
      throw listFailure(e, dir);
    }
    Collections.sort(names);
    return names;
  }

  /**
   * The port's exception for a failed listing of {@code dir}: {@code ENOTDIR} because a parent is
   * not a directory means the directory is missing; the JDK's typed exceptions stay as they are; a
   * bare {@link IOException} gets the operation and the path.
   */
  private static IOException listFailure(IOException e, Path dir) {
    if (e instanceof NotDirectoryException && PathChecks.parentIsNotDirectory(dir)) {
      NoSuchFileException missing =
          new NoSuchFileException(
              dir.toString(), null, "list: a parent component is not a directory");
      missing.initCause(e);
      return missing;
    }
    if (e.getClass() == IOException.class) {
      return new IOException("list of " + dir + " failed: " + e.getMessage(), e);
    }
    return e;
  }

  @Override
  public boolean exists(Path path) throws IOException {
    return PathChecks.lstat(path) != null;
  }

  @Override
  public FileHandle create(Path file) throws IOException {
    int flags =
        LinuxAbi.O_RDWR
            | LinuxAbi.O_CREAT
            | LinuxAbi.O_EXCL
            | Posix.ABI.oNoFollow
            | LinuxAbi.O_CLOEXEC;
    try {
      return new PosixFileHandle(file, Posix.open(file, flags, 0644, "create"), true);
    } catch (FileAlreadyExistsException e) {
      // O_EXCL reports a symbolic link as EEXIST; name the real reason.
      if (isSymbolicLink(file)) {
        SymlinkRefusedException refused = new SymlinkRefusedException(file.toString(), "create");
        refused.initCause(e);
        throw refused;
      }
      throw e;
    }
  }

  @Override
  public FileHandle openRead(Path file) throws IOException {
    int flags = LinuxAbi.O_RDONLY | Posix.ABI.oNoFollow | LinuxAbi.O_CLOEXEC;
    int fd = Posix.open(file, flags, 0, "open");
    Posix.refuseDirectory(fd, file, "open");
    return new PosixFileHandle(file, fd, false);
  }

  @Override
  public FileHandle openWrite(Path file) throws IOException {
    int flags = LinuxAbi.O_RDWR | Posix.ABI.oNoFollow | LinuxAbi.O_CLOEXEC;
    return new PosixFileHandle(file, Posix.open(file, flags, 0, "open"), true);
  }

  @Override
  public void rename(Path from, Path to, RenameMode mode) throws IOException {
    Objects.requireNonNull(mode, "mode");
    refuseLink(from, "rename");
    refuseLink(to, "rename");
    if (mode == RenameMode.REPLACE) {
      renameReplacing(from, to);
      return;
    }
    byte[] cfrom = NativePaths.of(from);
    byte[] cto = NativePaths.of(to);
    BasicFileAttributes source = PathChecks.lstat(from);
    boolean directory = source != null && source.isDirectory();
    if (useRenameat2) {
      int r =
          Renameat2.renameat2(
              LinuxAbi.AT_FDCWD, cfrom, LinuxAbi.AT_FDCWD, cto, LinuxAbi.RENAME_NOREPLACE);
      if (r == 0) {
        return;
      }
      int errno = Native.getLastError();
      if (!needsLinkFallback(errno)) {
        throw renameFailure(from, to, errno);
      }
    }
    if (directory) {
      // link(2) never links a directory: look, then rename(2), which replaces at most an empty
      // directory that appeared in between.
      if (PathChecks.lstat(to) != null) {
        throw new FileAlreadyExistsException(
            to.toString(), from.toString(), "no-replace rename refused: the target exists");
      }
      renameReplacing(from, to);
      return;
    }
    renameByLink(from, to, cfrom, cto);
  }

  private static IOException renameFailure(Path from, Path to, int errno) {
    if (errno == Errno.EEXIST) {
      return new FileAlreadyExistsException(
          to.toString(),
          from.toString(),
          "renameat2(RENAME_NOREPLACE): " + Errno.describe(errno) + ": the target exists");
    }
    return Errno.toException("renameat2(RENAME_NOREPLACE)", from, to, errno);
  }

  /**
   * Whether a {@code renameat2(RENAME_NOREPLACE)} failure with {@code errno} means "not supported
   * here" (so {@code link}+{@code unlink} should be tried) rather than a real error.
   */
  public static boolean needsLinkFallback(int errno) {
    return errno == Errno.EINVAL || errno == Errno.ENOSYS || errno == Errno.EOPNOTSUPP;
  }

  private static void renameByLink(Path from, Path to, byte[] cfrom, byte[] cto)
      throws IOException {
    if (LibC.link(cfrom, cto) < 0) {
      throw Errno.toException("link", from, to, Native.getLastError());
    }
    if (LibC.unlink(cfrom) < 0) {
      throw Errno.toException("unlink", from, Native.getLastError());
    }
  }

  private static void renameReplacing(Path from, Path to) throws IOException {
    if (LibC.rename(NativePaths.of(from), NativePaths.of(to)) < 0) {
      throw Errno.toException("rename", from, to, Native.getLastError());
    }
  }

  @Override
  public boolean deleteIfExists(Path file) throws IOException {
    if (LibC.unlink(NativePaths.of(file)) == 0) {
      return true;
    }
    int errno = Native.getLastError();
    if (errno == Errno.ENOENT || errno == Errno.ENOTDIR) {
      return false; // missing, or below a non-directory: missing too
    }
    throw Errno.toException("unlink", file, errno);
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    Posix.syncDirectory(dir);
  }

  @Override
  public void publish(Path temp, Path target, SyncMode mode) throws IOException {
    Objects.requireNonNull(mode, "mode");
    Path dir = parentOf(target);
    if (!dir.equals(parentOf(temp))) {
      throw new IllegalArgumentException(
          "publish needs temp and target in one directory: " + temp + ", " + target);
    }
    refuseLink(target, "publish");
    int fd =
        Posix.open(temp, LinuxAbi.O_RDONLY | Posix.ABI.oNoFollow | LinuxAbi.O_CLOEXEC, 0, "open");
    try {
      Posix.sync(fd, mode, temp);
    } catch (IOException e) {
      Posix.closeQuietly(fd, temp, e);
      throw e;
    }
    Posix.close(fd, temp);
    renameReplacing(temp, target);
    Posix.syncDirectory(dir);
  }

  @Override
  public void copy(Path from, Path to) throws IOException {
    try (FileHandle source = openRead(from)) {
      FileHandle target = create(to);
      try {
        FileHandles.copyContent(source, target);
        target.close();
      } catch (IOException | RuntimeException e) {
        try {
          target.close();
        } catch (IOException closeFailure) {
          e.addSuppressed(closeFailure);
        }
        deletePartial(to, e);
        throw e;
      }
    }
  }

  private void deletePartial(Path to, Exception cause) {
    try {
      deleteIfExists(to);
    } catch (IOException deleteFailure) {
      cause.addSuppressed(deleteFailure);
    }
  }

  @Override
  public void deleteDirectory(Path dir) throws IOException {
    BasicFileAttributes attrs = PathChecks.lstat(dir);
    if (attrs == null) {
      throw new NoSuchFileException(dir.toString(), null, "deleteDirectory: no such directory");
    }
    if (attrs.isSymbolicLink()) {
      throw new SymlinkRefusedException(dir.toString(), "deleteDirectory");
    }
    if (!attrs.isDirectory()) {
      throw new NotDirectoryException(dir.toString());
    }
    if (LibC.rmdir(NativePaths.of(dir)) < 0) {
      int errno = Native.getLastError();
      if (errno == Errno.ENOTEMPTY || errno == Errno.EEXIST) {
        throw new DirectoryNotEmptyException(dir.toString());
      }
      throw Errno.toException("rmdir", dir, errno);
    }
  }

  @Override
  public void link(Path existing, Path newLink) throws IOException {
    requireRegularFile(existing, "link");
    refuseLink(newLink, "link");
    if (LibC.link(NativePaths.of(existing), NativePaths.of(newLink)) < 0) {
      int errno = Native.getLastError();
      if (errno == Errno.EXDEV) {
        throw new UnsupportedFsOperationException(
            "link of "
                + existing
                + " to "
                + newLink
                + ": "
                + Errno.describe(errno)
                + ": the two names are on different file systems; copy instead");
      }
      throw Errno.toException("link", newLink, existing, errno);
    }
  }

  @Override
  public void reflink(Path from, Path to) throws IOException {
    int src =
        Posix.open(from, LinuxAbi.O_RDONLY | Posix.ABI.oNoFollow | LinuxAbi.O_CLOEXEC, 0, "open");
    Posix.refuseDirectory(src, from, "reflink"); // closes src when it refuses
    try {
      int dst;
      try {
        dst =
            Posix.open(
                to,
                LinuxAbi.O_RDWR
                    | LinuxAbi.O_CREAT
                    | LinuxAbi.O_EXCL
                    | Posix.ABI.oNoFollow
                    | LinuxAbi.O_CLOEXEC,
                0644,
                "create");
      } catch (FileAlreadyExistsException e) {
        if (isSymbolicLink(to)) {
          SymlinkRefusedException refused = new SymlinkRefusedException(to.toString(), "reflink");
          refused.initCause(e);
          throw refused;
        }
        throw e;
      }
      int r = LibCVarargs.INSTANCE.ioctl(dst, LinuxAbi.FICLONE, src);
      int errno = r < 0 ? Native.getLastError() : 0;
      IOException failure = r < 0 ? reflinkFailure(from, to, errno) : null;
      try {
        Posix.close(dst, to);
      } catch (IOException e) {
        failure = failure == null ? e : failure;
      }
      if (failure != null) {
        if (LibC.unlink(NativePaths.of(to)) < 0) {
          failure.addSuppressed(Errno.toException("unlink", to, Native.getLastError()));
        }
        throw failure;
      }
    } catch (IOException e) {
      Posix.closeQuietly(src, from, e);
      throw e;
    }
    Posix.close(src, from);
  }

  private static IOException reflinkFailure(Path from, Path to, int errno) {
    if (errno == Errno.EOPNOTSUPP
        || errno == Errno.EXDEV
        || errno == Errno.EINVAL
        || errno == Errno.ENOTTY
        || errno == Errno.ENOSYS) {
      return new UnsupportedFsOperationException(
          "reflink of "
              + from
              + " to "
              + to
              + ": ioctl(FICLONE): "
              + Errno.describe(errno)
              + ": this file system cannot share blocks; link or copy instead");
    }
    return Errno.toException("ioctl(FICLONE)", to, from, errno);
  }

  /** Refuses a missing path, a symbolic link and a directory as the source of {@code op}. */
  private static void requireRegularFile(Path path, String op) throws IOException {
    BasicFileAttributes attrs = PathChecks.lstat(path);
    if (attrs == null) {
      throw new NoSuchFileException(path.toString(), null, op + ": no such file");
    }
    if (attrs.isSymbolicLink()) {
      throw new SymlinkRefusedException(path.toString(), op);
    }
    if (attrs.isDirectory()) {
      throw new IOException(op + " " + path + " refused: it is a directory");
    }
  }

  @Override
  public StoreLock lock(Path lockFile, LockMode mode) throws IOException {
    Objects.requireNonNull(mode, "mode");
    return PosixStoreLock.acquire(lockFile, mode);
  }

  @Override
  public void close() {}

  @Override
  public String toString() {
    return "PosixStoreFs[renameat2=" + useRenameat2 + "]";
  }

  private static Path parentOf(Path file) {
    Path parent = file.toAbsolutePath().normalize().getParent();
    if (parent == null) {
      throw new IllegalArgumentException("no parent directory: " + file);
    }
    return parent;
  }

  /**
   * Throws {@link SymlinkRefusedException} if {@code path} is a symbolic link. A check before a
   * rename: {@code rename(2)} never follows a link, so one planted after the check is replaced, not
   * written through.
   */
  private static void refuseLink(Path path, String op) throws IOException {
    if (isSymbolicLink(path)) {
      throw new SymlinkRefusedException(path.toString(), op);
    }
  }

  private static boolean isSymbolicLink(Path path) throws IOException {
    BasicFileAttributes attrs = PathChecks.lstat(path);
    return attrs != null && attrs.isSymbolicLink();
  }
}
