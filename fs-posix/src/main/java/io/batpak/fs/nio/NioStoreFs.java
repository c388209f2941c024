package io.batpak.fs.nio;

import static org.apiguardian.api.API.Status.STABLE;

import io.batpak.fs.spi.FileHandles;
import io.batpak.port.FileHandle;
import io.batpak.port.FsCapabilities;
import io.batpak.port.LockMode;
import io.batpak.port.NoSpaceException;
import io.batpak.port.RenameMode;
import io.batpak.port.StoreFs;
import io.batpak.port.StoreLock;
import io.batpak.port.SymlinkRefusedException;
import io.batpak.port.SyncMode;
import io.batpak.port.UnsupportedFsOperationException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * The pure-NIO {@link StoreFs}: every operation is a {@link FileChannel} or {@link Files} call of
 * the JDK, so it runs wherever Java does. It is the fallback to the JNA {@code posix} backend and
 * is weaker than it in three documented ways, all visible in {@link #capabilities()}.
 *
 * <h2>How each operation maps to the system (Linux, JDK 17)</h2>
 *
 * <ul>
 *   <li>{@link FileHandle#write}/{@link FileHandle#read}: {@code pwrite}/{@code pread} through
 *       {@link FileChannel#write(java.nio.ByteBuffer, long)} and {@link
 *       FileChannel#read(java.nio.ByteBuffer, long)}, looped until the buffer is done (heap buffers
 *       are copied through a temporary direct buffer by the JDK, so prefer direct ones).
 *   <li>{@link FileHandle#sync}: {@link SyncMode#DATA} is {@code force(false)} ({@code fdatasync}),
 *       {@link SyncMode#ALL} is {@code force(true)} ({@code fsync}).
 *   <li>{@link #syncDirectory}: {@code FileChannel.open(dir, READ).force(true)}, an {@code fsync}
 *       of a read-only directory descriptor. It <b>fails closed</b>: any error is thrown, never
 *       swallowed (unlike Lucene's {@code IOUtils.fsync}). Verified on Linux; on other Unix systems
 *       the call is made the same way but whether it reaches the device is not verified (macOS does
 *       not flush the device); on Windows directories cannot be opened, so directory sync and
 *       {@link #publish} are refused with {@link UnsupportedFsOperationException}.
 *   <li>{@link #create}: {@code CREATE_NEW} + {@code NOFOLLOW_LINKS} ({@code
 *       O_CREAT|O_EXCL|O_NOFOLLOW}), so anything at the path, even a dangling symbolic link, makes
 *       it fail: with {@link SymlinkRefusedException} for a link (found by an {@code lstat} after
 *       the failure), {@link FileAlreadyExistsException} for anything else.
 *   <li>{@link #openRead}, {@link #openWrite} and both ends of {@link #copy}: {@code
 *       NOFOLLOW_LINKS}; the kernel's {@code ELOOP} ("Too many levels of symbolic links", or an
 *       {@code lstat} finding a link where the text is in another language) becomes {@link
 *       SymlinkRefusedException}. {@link #rename} checks both ends with {@code lstat} first.
 *   <li>{@link #rename}: {@link RenameMode#REPLACE} is {@code Files.move(ATOMIC_MOVE)} ({@code
 *       rename(2)}). NIO has no {@code RENAME_NOREPLACE}, so {@link RenameMode#NO_REPLACE} is
 *       {@link Files#createLink} ({@code link(2)}: the target appears atomically, with its full
 *       content, or {@code EEXIST} gives {@link FileAlreadyExistsException}) followed by deleting
 *       the source name. Between the two steps both names exist; a crash there leaves both (with
 *       the same content), which recovery must tolerate.
 *   <li>{@link #rename} of a directory: {@code link(2)} cannot link a directory, so {@code
 *       NO_REPLACE} looks ({@code lstat}) and then calls {@code rename(2)}: a file or a non-empty
 *       directory is never replaced, only an empty directory made between the two steps could be.
 *   <li>{@link #deleteDirectory}: an {@code lstat} (a link is refused, a non-directory is {@link
 *       NotDirectoryException}), then {@link Files#delete} ({@code rmdir(2)}).
 *   <li>{@link #link}: an {@code lstat} of both ends (links and directories refused), then {@link
 *       Files#createLink} ({@code link(2)}); names on two file systems are {@link
 *       UnsupportedFsOperationException}. {@link #reflink} is not available ({@link
 *       FsCapabilities#reflinks()} is false): NIO has no {@code FICLONE}.
 *   <li>{@link #publish}: open the temporary file, {@code force} it per mode, close it; refuse a
 *       symbolic link at the target; {@code rename(2)} over the target; {@code fsync} the
 *       directory.
 *   <li>{@link #lock}: a {@link FileChannel#tryLock} record lock ({@code fcntl(F_SETLK)}), shared
 *       or exclusive, on a channel opened with {@code NOFOLLOW_LINKS}; see {@link NioLocks} for why
 *       exactly one channel per lock file is kept per JVM.
 *   <li>{@link #copy}: reads and writes through two handles in 64 KiB chunks (so the source is
 *       opened exactly as {@link #openRead} opens it), and deletes the partial copy on any failure.
 *   <li>{@link #deleteIfExists}: an {@code lstat} first, refusing a directory (the JDK would remove
 *       an empty one), then {@link Files#deleteIfExists}.
 *   <li>Errors: {@code ENOSPC}/{@code EDQUOT} become {@link NoSpaceException}; {@code ENOTDIR} from
 *       a parent component, which the JDK reports only as a generic {@link FileSystemException},
 *       becomes {@link NoSuchFileException} (told apart by looking at the nearest existing
 *       ancestor, whatever the locale of the system's error texts); everything else keeps the JDK's
 *       typed exception ({@link NoSuchFileException}, {@link FileAlreadyExistsException}, …) or is
 *       an {@link IOException} naming the operation and the path. A directory opened for reading is
 *       refused at the open.
 * </ul>
 *
 * <h2>What it cannot promise</h2>
 *
 * <ul>
 *   <li>{@link FsCapabilities#symlinkRefusal()} is <b>false</b>: {@link #create}, {@link #lock},
 *       {@link #openRead} and {@link #openWrite} refuse a link atomically ({@code O_NOFOLLOW}), but
 *       NIO has no {@code renameat}-relative-to-a-directory-descriptor, so {@link #publish} and
 *       {@link #rename} can only check-then-act: a link planted between the {@code lstat} and the
 *       {@code rename} is replaced (the link itself, never the file it points to, since {@code
 *       rename} does not follow links).
 *   <li>The lock family is {@code "fcntl"}: it excludes other NIO users and the {@code posix}
 *       backend's OFD lock, but <b>not</b> {@code flock} users such as the Rust batpak; prefer
 *       {@code posix} wherever both runtimes may open one store.
 *   <li>No {@code fallocate}, {@code fadvise} or reflink.
 * </ul>
 *
 * <h2>Interrupts</h2>
 *
 * {@code FileChannel}s are interruptible: the JDK closes a channel when a thread that uses it is
 * interrupted. No interrupt of a caller ever closes a channel shared with other threads: handles
 * clear the caller's interrupt flag around each call, restore it afterwards, and reopen their
 * channel if an interrupt closes it anyway; see {@link NioFileHandle}'s documentation for the exact
 * rules. Channels private to one call (directory sync, the temp file of a publish) are used the
 * same way.
 *
 * <p>Thread-safe. The backend holds no resources of its own, so {@link #close()} does nothing but
 * is allowed.
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public final class NioStoreFs implements StoreFs {

  /** The name under which {@link NioStoreFsProvider} registers this backend. */
  public static final String NAME = "nio";

  private final FsCapabilities capabilities;

  /** Creates the backend, with the capabilities of the operating system it runs on. */
  public NioStoreFs() {
    this.capabilities = capabilitiesFor(System.getProperty("os.name", ""));
  }

  /** What NIO can promise on the operating system named {@code osName}. */
  static FsCapabilities capabilitiesFor(String osName) {
    boolean windows = osName.toLowerCase(Locale.ROOT).startsWith("windows");
    // Mappings: FileChannel.map; not on Windows, which refuses to delete or rename over a mapped
    // file
    // (compaction does both to segments readers may still map).
    return new FsCapabilities(!windows, true, false, true, true, "fcntl", true, false, !windows);
  }

  /** {@value #NAME}. */
  @Override
  public String name() {
    return NAME;
  }

  /**
   * Directory sync everywhere but Windows, no-replace rename ({@code link}+{@code unlink}), no
   * race-free symbolic-link refusal, cross-process and shared locks, lock family {@code "fcntl"}.
   */
  @Override
  public FsCapabilities capabilities() {
    return capabilities;
  }

  @Override
  public void createDirectories(Path dir) throws IOException {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      IOException mapped = NioErrors.map(e, dir, "createDirectories");
      if (mapped instanceof NoSuchFileException && NioErrors.parentIsNotDirectory(dir)) {
        FileAlreadyExistsException x =
            new FileAlreadyExistsException(
                dir.toString(), null, "createDirectories: a non-directory is in the way");
        x.initCause(e);
        throw x;
      }
      throw mapped;
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
      throw NioErrors.map(e.getCause(), dir, "list");
    } catch (NotDirectoryException e) {
      if (NioErrors.parentIsNotDirectory(dir)) {
        NoSuchFileException x =
            new NoSuchFileException(
                dir.toString(), null, "list: a parent component is not a directory");
        x.initCause(e);
        throw x;
      }
      throw e;
    } catch (IOException e) {
      throw NioErrors.map(e, dir, "list");
    }
    Collections.sort(names);
    return names;
  }

  @Override
  public boolean exists(Path path) throws IOException {
    return NioErrors.lstat(path, "exists") != null;
  }

  @Override
  public FileHandle create(Path file) throws IOException {
    return NioFileHandle.open(file, true, true, "create");
  }

  /**
   * {@inheritDoc}
   *
   * <p>Refused with an {@link IOException} for a file this JVM holds an {@code nio} lock on:
   * closing the extra descriptor would release that lock.
   */
  @Override
  public FileHandle openRead(Path file) throws IOException {
    NioLocks.refuseIfLocked(file, "openRead");
    return NioFileHandle.open(file, false, false, "openRead");
  }

  /**
   * {@inheritDoc}
   *
   * <p>Refused with an {@link IOException} for a file this JVM holds an {@code nio} lock on:
   * closing the extra descriptor would release that lock.
   */
  @Override
  public FileHandle openWrite(Path file) throws IOException {
    NioLocks.refuseIfLocked(file, "openWrite");
    return NioFileHandle.open(file, true, false, "openWrite");
  }

  @Override
  public void rename(Path from, Path to, RenameMode mode) throws IOException {
    Objects.requireNonNull(mode, "mode");
    refuseLink(from, "rename");
    refuseLink(to, "rename");
    if (mode == RenameMode.REPLACE) {
      try {
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        throw NioErrors.map(e, from, "rename to " + to);
      }
      return;
    }
    BasicFileAttributes source = NioErrors.lstat(from, "rename");
    if (source != null && source.isDirectory()) {
      if (NioErrors.lstat(to, "rename") != null) {
        throw new FileAlreadyExistsException(
            to.toString(), from.toString(), "no-replace rename refused: the target exists");
      }
      try {
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        throw NioErrors.map(e, from, "rename to " + to);
      }
      return;
    }
    try {
      Files.createLink(to, from); // link(2): EEXIST -> FileAlreadyExistsException
    } catch (FileAlreadyExistsException e) {
      FileAlreadyExistsException x =
          new FileAlreadyExistsException(
              to.toString(), from.toString(), "no-replace rename refused: the target exists");
      x.initCause(e);
      throw x;
    } catch (IOException e) {
      throw NioErrors.map(e, from, "no-replace rename to " + to);
    }
    try {
      Files.delete(from);
    } catch (IOException e) {
      throw new IOException(
          "no-replace rename of "
              + from
              + " to "
              + to
              + " linked the target but could not remove the source name, so both exist: "
              + e,
          e);
    }
  }

  @Override
  public boolean deleteIfExists(Path file) throws IOException {
    BasicFileAttributes attrs = NioErrors.lstat(file, "deleteIfExists");
    if (attrs == null) {
      return false;
    }
    if (attrs.isDirectory()) {
      throw new FileSystemException(
          file.toString(),
          null,
          "deleteIfExists refused: it is a directory, and only files are deleted");
    }
    try {
      return Files.deleteIfExists(file);
    } catch (IOException e) {
      throw NioErrors.map(e, file, "deleteIfExists");
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>Fails closed: an error of the directory {@code fsync} is thrown, never ignored.
   *
   * @throws NotDirectoryException if {@code dir} is not a directory
   */
  @Override
  public void syncDirectory(Path dir) throws IOException {
    requireDirectorySync("syncDirectory of " + dir);
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      if (!Files.readAttributes(dir, BasicFileAttributes.class).isDirectory()) {
        throw new NotDirectoryException(dir.toString());
      }
      Uninterruptibly.call(
          () -> {
            ch.force(true);
            return null;
          });
    } catch (IOException e) {
      throw NioErrors.map(e, dir, "syncDirectory");
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>The symbolic-link check of the target is check-then-act (see the class documentation). A
   * symbolic link at {@code temp} is refused too. Refused with {@link
   * UnsupportedFsOperationException}, before anything is done, where directories cannot be synced
   * (Windows).
   *
   * @throws IllegalArgumentException if the two paths are not in the same directory
   */
  @Override
  public void publish(Path temp, Path target, SyncMode mode) throws IOException {
    Objects.requireNonNull(mode, "mode");
    Path dir = parentOf(target);
    if (!dir.equals(parentOf(temp))) {
      throw new IllegalArgumentException(
          "publish needs the temporary file in the target's directory: " + temp + ", " + target);
    }
    requireDirectorySync("publish of " + target);
    refuseLink(temp, "publish"); // O_NOFOLLOW below refuses it too, but reports it only as text
    try (FileChannel ch =
        FileChannel.open(temp, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      Uninterruptibly.call(
          () -> {
            ch.force(mode == SyncMode.ALL);
            return null;
          });
    } catch (IOException e) {
      throw NioErrors.map(e, temp, "publish (sync of the temporary file)");
    }
    refuseLink(target, "publish");
    try {
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw NioErrors.map(e, temp, "publish (rename to " + target + ")");
    }
    syncDirectory(dir);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Refused with an {@link IOException} when {@code from} is a file this JVM holds an {@code
   * nio} lock on.
   */
  @Override
  public void copy(Path from, Path to) throws IOException {
    NioLocks.refuseIfLocked(from, "copy");
    try (FileHandle source = NioFileHandle.open(from, false, false, "copy")) {
      FileHandle target = NioFileHandle.open(to, true, true, "copy");
      try {
        FileHandles.copyContent(source, target);
        target.close();
      } catch (IOException | RuntimeException e) {
        try {
          target.close();
        } catch (IOException closeFailure) {
          e.addSuppressed(closeFailure);
        }
        try {
          Files.deleteIfExists(to); // the partial copy is ours: it was created above
        } catch (IOException deleteFailure) {
          e.addSuppressed(deleteFailure);
        }
        throw e;
      }
    }
  }

  @Override
  public void deleteDirectory(Path dir) throws IOException {
    BasicFileAttributes attrs = NioErrors.lstat(dir, "deleteDirectory");
    if (attrs == null) {
      throw new NoSuchFileException(dir.toString(), null, "deleteDirectory: no such directory");
    }
    if (attrs.isSymbolicLink()) {
      throw new SymlinkRefusedException(dir.toString(), "deleteDirectory");
    }
    if (!attrs.isDirectory()) {
      throw new NotDirectoryException(dir.toString());
    }
    try {
      Files.delete(dir);
    } catch (IOException e) {
      throw NioErrors.map(e, dir, "deleteDirectory");
    }
  }

  @Override
  public void link(Path existing, Path newLink) throws IOException {
    BasicFileAttributes attrs = NioErrors.lstat(existing, "link");
    if (attrs == null) {
      throw new NoSuchFileException(existing.toString(), null, "link: no such file");
    }
    if (attrs.isSymbolicLink()) {
      throw new SymlinkRefusedException(existing.toString(), "link");
    }
    if (attrs.isDirectory()) {
      throw new FileSystemException(existing.toString(), null, "link refused: it is a directory");
    }
    refuseLink(newLink, "link");
    try {
      Files.createLink(newLink, existing);
    } catch (FileAlreadyExistsException | NoSuchFileException e) {
      throw e;
    } catch (IOException e) {
      if (e.getClass() == FileSystemException.class && onDifferentStores(existing, newLink)) {
        UnsupportedFsOperationException x =
            new UnsupportedFsOperationException(
                "link of "
                    + existing
                    + " to "
                    + newLink
                    + ": the two names are on different file systems; copy instead");
        x.initCause(e);
        throw x;
      }
      throw NioErrors.map(e, newLink, "link to " + existing);
    }
  }

  private static boolean onDifferentStores(Path existing, Path newLink) {
    try {
      Path parent = newLink.toAbsolutePath().getParent();
      return !Files.getFileStore(existing).equals(Files.getFileStore(parent));
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public StoreLock lock(Path lockFile, LockMode mode) throws IOException {
    Objects.requireNonNull(lockFile, "lockFile");
    Objects.requireNonNull(mode, "mode");
    return NioLocks.acquire(lockFile, mode);
  }

  /** Does nothing: handles and locks given out stay valid until closed themselves. */
  @Override
  public void close() {}

  @Override
  public String toString() {
    return "NioStoreFs" + capabilities;
  }

  /**
   * Throws {@link SymlinkRefusedException} if {@code path} is a symbolic link: the check before a
   * rename, which never follows a link itself (so a link planted after the check is replaced, not
   * written through).
   */
  private static void refuseLink(Path path, String op) throws IOException {
    BasicFileAttributes attrs = NioErrors.lstat(path, op);
    if (attrs != null && attrs.isSymbolicLink()) {
      throw new SymlinkRefusedException(path.toString(), op);
    }
  }

  private void requireDirectorySync(String what) throws UnsupportedFsOperationException {
    if (!capabilities.directorySync()) {
      throw new UnsupportedFsOperationException(
          what
              + " is not supported by the nio backend on "
              + System.getProperty("os.name")
              + ": directories cannot be synced there");
    }
  }

  private static Path parentOf(Path path) {
    Path abs = path.toAbsolutePath().normalize();
    Path parent = abs.getParent();
    return parent != null ? parent : abs;
  }
}
