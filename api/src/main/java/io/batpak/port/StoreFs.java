package io.batpak.port;

import static org.apiguardian.api.API.Status.STABLE;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apiguardian.api.API;

/**
 * The filesystem port: every byte, fsync, rename, listing and lock of the store goes through one
 * instance of this interface, so a backend can be swapped (POSIX through JNA, pure NIO, the
 * fault-injecting simulator, or a user's own) without the engine knowing.
 *
 * <h2>Durability is explicit</h2>
 *
 * <ul>
 *   <li>{@link FileHandle#write} makes bytes visible, not durable.
 *   <li>{@link FileHandle#sync} makes one file's content durable.
 *   <li>{@link #syncDirectory} makes one directory's entries (creates, renames, deletes) durable.
 *   <li>{@link #publish} is the one composite: sync the temporary file, rename it over the target,
 *       sync the target's directory, in that order.
 * </ul>
 *
 * Nothing else syncs implicitly; a backend must not add or drop syncs.
 *
 * <h2>Failures</h2>
 *
 * Methods throw checked {@link IOException}s of these types, so the engine never parses messages:
 * {@link java.nio.file.NoSuchFileException} (a path or its parent does not exist), {@link
 * java.nio.file.FileAlreadyExistsException} (exclusive create or {@link RenameMode#NO_REPLACE}
 * target exists), {@link ShortReadException}, {@link NoSpaceException}, {@link
 * SymlinkRefusedException}, {@link LockUnavailableException}, {@link
 * UnsupportedFsOperationException}; anything else is a plain {@link IOException} whose message
 * names the path and the system's error. Messages name the path.
 *
 * <h2>Missing paths and wrong types</h2>
 *
 * A path is <em>missing</em> when its last component does not exist, when a parent directory does
 * not exist, or when a parent component is something other than a directory ({@code file/child}
 * below a regular file). Every backend gives the same answers for a missing path: {@link #exists}
 * and {@link #deleteIfExists} return {@code false}; every other method that needs the path (or, to
 * create it, its parent directory) throws {@link java.nio.file.NoSuchFileException} naming it; and
 * {@link #createDirectories} through a non-directory throws {@link
 * java.nio.file.FileAlreadyExistsException}.
 *
 * <p>The file operations ({@link #openRead}, {@link #openWrite}, {@link #lock}, {@link #copy} from,
 * {@link #deleteIfExists}) refuse a directory, empty or not, at once with an {@link IOException}
 * naming it that is none of the typed exceptions above, and change nothing ({@link #create} of an
 * existing directory is {@link java.nio.file.FileAlreadyExistsException}, as for anything that
 * exists). The directory operations ({@link #list}, {@link #syncDirectory}) refuse a non-directory
 * with {@link java.nio.file.NotDirectoryException}. Failures the conformance suite cannot provoke
 * on every system, such as permission denied, keep the JDK's types ({@link
 * java.nio.file.AccessDeniedException}).
 *
 * <h2>Symbolic links</h2>
 *
 * One rule for every file the store owns: a symbolic link as the <em>final</em> component of the
 * path, pointing to a file, a directory or nothing, is refused with {@link SymlinkRefusedException}
 * naming the path (its {@link java.nio.file.FileSystemException#getFile()}) by {@link #openRead},
 * {@link #openWrite}, {@link #create}, {@link #lock} (both modes), {@link #publish} (the temporary
 * file and the target), {@link #rename} (source and target, both modes) and {@link #copy} (source
 * and target), in every open mode of the store; the link and what it points to are left as they
 * were, and nothing is created behind a dangling link. Opens refuse atomically where the system
 * allows ({@code O_NOFOLLOW}); {@link #rename} and {@link #publish} look before they rename, and a
 * rename replaces a name without ever following a link, so a link planted in between is replaced,
 * never written through. {@link #deleteIfExists} of a link deletes the link itself, never what it
 * points to. {@link #exists} does not follow a link at the final component (a dangling link
 * exists).
 *
 * <p>Links <em>on the way</em> are followed: a parent component that is a link to a directory, such
 * as a store directory that is itself a link to the real one, resolves as usual in every method,
 * and so does the directory named by {@link #list}, {@link #syncDirectory} and {@link
 * #createDirectories}. Whoever may replace the store directory's link (or any parent) can therefore
 * point the store elsewhere: protect the path to the store, not only the store directory.
 *
 * <h2>Thread-safety</h2>
 *
 * Implementations are safe for concurrent use. Paths are used as names: a backend resolves them
 * itself.
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public interface StoreFs extends Closeable {

  /** The backend's short name, as registered by its provider ({@code posix}, {@code nio}, …). */
  String name();

  /** What this backend can promise. */
  FsCapabilities capabilities();

  /**
   * Creates {@code dir} and any missing parents. Not durable: the engine syncs the parent
   * directories it needs to.
   *
   * @throws java.nio.file.FileAlreadyExistsException if a non-directory is in the way
   * @throws IOException on failure
   */
  void createDirectories(Path dir) throws IOException;

  /**
   * The names of the entries of {@code dir}, sorted by {@link String#compareTo}, so recovery is
   * deterministic on every backend.
   *
   * @throws java.nio.file.NoSuchFileException if {@code dir} is missing (see "Missing paths")
   * @throws java.nio.file.NotDirectoryException if {@code dir} is not a directory
   * @throws IOException on failure
   */
  List<String> list(Path dir) throws IOException;

  /**
   * Whether {@code path} exists, without following a symbolic link at its last component. A path
   * below a regular file does not exist (see "Missing paths").
   *
   * @throws IOException if the answer cannot be determined (for example, permission denied)
   */
  boolean exists(Path path) throws IOException;

  /**
   * Creates a new, empty file for reading and writing. Fails if anything, including a dangling
   * symbolic link, is at {@code file}. Neither the file nor its directory entry is durable yet.
   *
   * @throws java.nio.file.FileAlreadyExistsException if {@code file} exists (and is not a link)
   * @throws SymlinkRefusedException if {@code file} is a symbolic link, dangling or not
   * @throws java.nio.file.NoSuchFileException if the parent directory does not exist
   * @throws IOException on failure
   */
  FileHandle create(Path file) throws IOException;

  /**
   * Opens an existing file for reading only.
   *
   * @throws java.nio.file.NoSuchFileException if it is missing
   * @throws SymlinkRefusedException if it is a symbolic link
   * @throws IOException if it is a directory, or on another failure
   */
  FileHandle openRead(Path file) throws IOException;

  /**
   * Opens an existing regular file for reading and writing, without truncating it.
   *
   * @throws java.nio.file.NoSuchFileException if it is missing
   * @throws SymlinkRefusedException if it is a symbolic link
   * @throws IOException if it is a directory, or on another failure
   */
  FileHandle openWrite(Path file) throws IOException;

  /**
   * Renames {@code from} to {@code to} atomically within one directory or file system. Not durable
   * until {@link #syncDirectory} of both parents.
   *
   * <p>{@code from} may be a directory (since 0.2; every backend of this project supports it and
   * the conformance suite checks it): {@code to} must then not exist in {@link
   * RenameMode#NO_REPLACE}, and in {@link RenameMode#REPLACE} may only be an empty directory. This
   * is how a snapshot is published: built in a sibling directory, renamed into place.
   *
   * @throws java.nio.file.NoSuchFileException if {@code from} does not exist, or {@code to}'s
   *     parent directory
   * @throws SymlinkRefusedException if {@code from} or {@code to} is a symbolic link
   * @throws java.nio.file.FileAlreadyExistsException in {@link RenameMode#NO_REPLACE} when {@code
   *     to} exists
   * @throws UnsupportedFsOperationException for {@code NO_REPLACE} without {@link
   *     FsCapabilities#noReplaceRename()}
   * @throws IOException on failure
   */
  void rename(Path from, Path to, RenameMode mode) throws IOException;

  /**
   * Deletes a file if it exists; a symbolic link is deleted itself, never what it points to. Not
   * durable until {@link #syncDirectory}.
   *
   * @return whether a file was deleted; false for a missing path (see "Missing paths")
   * @throws IOException if {@code file} is a directory (which is left alone), or on failure
   */
  boolean deleteIfExists(Path file) throws IOException;

  /**
   * Makes the entries of {@code dir} durable: every create, rename and delete in it that happened
   * before the call survives a crash.
   *
   * @throws UnsupportedFsOperationException without {@link FsCapabilities#directorySync()}
   * @throws java.nio.file.NoSuchFileException if {@code dir} is missing
   * @throws java.nio.file.NotDirectoryException if {@code dir} is not a directory
   * @throws IOException if the device reports an error
   */
  void syncDirectory(Path dir) throws IOException;

  /**
   * Atomically replaces {@code target} with the already written and closed file {@code temp},
   * durably: {@code temp}'s content is synced with {@code mode}, {@code temp} is renamed over
   * {@code target} (replacing it), and {@code target}'s directory is synced, in that order. A
   * concurrent reader of {@code target} sees the old content or the new, never a mix. On return the
   * new content survives a crash. Both paths must be in the same directory.
   *
   * @throws java.nio.file.NoSuchFileException if {@code temp} does not exist
   * @throws SymlinkRefusedException if {@code temp} or {@code target} is a symbolic link
   * @throws IOException on failure; the target then holds the old or the new content
   */
  void publish(Path temp, Path target, SyncMode mode) throws IOException;

  /**
   * Copies {@code from} into a new file {@code to}. Not durable until synced.
   *
   * @throws java.nio.file.NoSuchFileException if {@code from} is missing, or {@code to}'s parent
   *     directory
   * @throws java.nio.file.FileAlreadyExistsException if {@code to} exists (and is not a link)
   * @throws SymlinkRefusedException if {@code from} or {@code to} is a symbolic link
   * @throws NoSpaceException if the device fills; the partial copy is deleted
   * @throws IOException if {@code from} is a directory (nothing is created), or on failure
   */
  void copy(Path from, Path to) throws IOException;

  /**
   * Removes the <em>empty</em> directory {@code dir}. Not durable until {@link #syncDirectory} of
   * its parent. A symbolic link at {@code dir} is refused, never followed and never removed.
   *
   * <p>The default refuses with {@link UnsupportedFsOperationException}: a backend written before
   * 0.2 cannot remove directories, and the store then leaves an empty directory behind where it
   * would remove one (it says so).
   *
   * @throws java.nio.file.NoSuchFileException if {@code dir} is missing
   * @throws java.nio.file.DirectoryNotEmptyException if it has an entry
   * @throws java.nio.file.NotDirectoryException if it is not a directory
   * @throws SymlinkRefusedException if it is a symbolic link
   * @throws UnsupportedFsOperationException if the backend cannot remove directories
   * @throws IOException on failure
   * @since 0.2
   */
  default void deleteDirectory(Path dir) throws IOException {
    throw new UnsupportedFsOperationException(
        "deleteDirectory of " + dir + " is not supported by the " + name() + " backend");
  }

  /**
   * Makes {@code newLink} a second name (a hard link) of the regular file {@code existing}: both
   * names reach the same content, and a write through one is seen through the other. The new entry
   * is not durable until {@link #syncDirectory} of its directory; the content is as durable as it
   * was.
   *
   * <p>The default refuses with {@link UnsupportedFsOperationException}, as must a backend without
   * {@link FsCapabilities#hardLinks()}.
   *
   * @throws java.nio.file.NoSuchFileException if {@code existing} is missing, or {@code newLink}'s
   *     parent directory
   * @throws java.nio.file.FileAlreadyExistsException if {@code newLink} exists (and is not a link)
   * @throws SymlinkRefusedException if {@code existing} or {@code newLink} is a symbolic link
   * @throws UnsupportedFsOperationException without {@link FsCapabilities#hardLinks()}, or when the
   *     two paths lie on different file systems (nothing is then created)
   * @throws IOException if {@code existing} is a directory (nothing is created), or on failure
   * @since 0.2
   */
  default void link(Path existing, Path newLink) throws IOException {
    throw new UnsupportedFsOperationException(
        "link of " + existing + " is not supported by the " + name() + " backend");
  }

  /**
   * Creates the new file {@code to} with the content of {@code from}, sharing its blocks
   * copy-on-write (a reflink, Linux {@code FICLONE}): it costs no space and no copying, and later
   * writes to either file never show in the other. Not durable until {@code to} is synced and its
   * directory too.
   *
   * <p>The default refuses with {@link UnsupportedFsOperationException}, as must a backend without
   * {@link FsCapabilities#reflinks()}. A backend with the capability still refuses it that way when
   * the file system cannot share blocks (ext4, tmpfs, two file systems); then nothing is left at
   * {@code to}, and the caller falls back to {@link #link} or {@link #copy}.
   *
   * @throws java.nio.file.NoSuchFileException if {@code from} is missing, or {@code to}'s parent
   * @throws java.nio.file.FileAlreadyExistsException if {@code to} exists (and is not a link)
   * @throws SymlinkRefusedException if {@code from} or {@code to} is a symbolic link
   * @throws UnsupportedFsOperationException if the backend or the file system cannot share blocks
   * @throws NoSpaceException if the device fills; nothing is left at {@code to}
   * @throws IOException if {@code from} is a directory (nothing is created), or on failure
   * @since 0.2
   */
  default void reflink(Path from, Path to) throws IOException {
    throw new UnsupportedFsOperationException(
        "reflink of " + from + " is not supported by the " + name() + " backend");
  }

  /**
   * Takes a lock on {@code lockFile} without waiting. The lock excludes conflicting holders in this
   * JVM and, with {@link FsCapabilities#crossProcessLock()}, in other processes; the operating
   * system releases it when the process dies.
   *
   * <p>{@link LockMode#EXCLUSIVE} opens the file for reading and writing and creates it if it is
   * missing (the new entry is not durable until {@link #syncDirectory}); an existing file is kept
   * as it is. {@link LockMode#SHARED} opens an existing file <em>read-only</em>: it never creates
   * the file, never writes it, and never changes the directory, so a read-only open of a store
   * changes nothing on disk and works on read-only media and on a lock file of mode {@code 0444}.
   * Neither mode writes the file's content.
   *
   * @throws LockUnavailableException if a conflicting lock is held
   * @throws java.nio.file.NoSuchFileException for {@link LockMode#SHARED} when {@code lockFile} is
   *     missing, and in either mode when its parent directory is
   * @throws SymlinkRefusedException if {@code lockFile} is a symbolic link
   * @throws UnsupportedFsOperationException for {@link LockMode#SHARED} without {@link
   *     FsCapabilities#sharedLock()}
   * @throws IOException if {@code lockFile} is a directory, or on another failure
   */
  StoreLock lock(Path lockFile, LockMode mode) throws IOException;

  /**
   * Releases resources the backend holds itself (not the handles and locks it gave out).
   * Idempotent.
   */
  @Override
  void close() throws IOException;
}
