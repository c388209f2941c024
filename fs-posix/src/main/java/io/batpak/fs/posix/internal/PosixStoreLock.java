package io.batpak.fs.posix.internal;

import com.sun.jna.Native;
import io.batpak.port.LockMode;
import io.batpak.port.LockUnavailableException;
import io.batpak.port.StoreLock;
import io.batpak.port.SymlinkRefusedException;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A store lock held twice on one descriptor: with {@code flock} (the family Rust's {@code
 * File::try_lock} and flock(1) use) and with an open-file-description lock {@code
 * fcntl(F_OFD_SETLK)} (which conflicts with the {@code fcntl} record locks NIO's {@code
 * FileChannel.tryLock} takes). So whichever backend or runtime opens a directory, there is one
 * owner. Both lock kinds belong to the open file description, so a second {@code lock} in the same
 * JVM conflicts too, and the kernel drops both when the process dies.
 *
 * <p><b>Record locks of this process.</b> Closing <em>any</em> descriptor of a file drops every
 * classic {@code fcntl} record lock this process holds on it, for example one NIO took in the same
 * JVM. Before closing a lock-file descriptor this class asks the kernel ({@code F_OFD_GETLK})
 * whether this process holds such a lock; if it does, the descriptor is parked instead of closed
 * and reused by the next lock attempt on the same file, so one failed or released posix lock does
 * not silently free an NIO lock. The kernel reports only one conflicting lock per query, so when
 * another process holds a shared record lock on the same file as well, the check can miss ours.
 * Descriptors are parked by file and access mode: a read-only one is reused only for a shared lock.
 *
 * <p><b>Shared locks write nothing.</b> An {@link LockMode#EXCLUSIVE} lock opens the file {@code
 * O_RDWR|O_CREAT} and so creates it; a {@link LockMode#SHARED} lock opens it {@code O_RDONLY},
 * never creates it (a missing file is {@link java.nio.file.NoSuchFileException}) and never writes
 * it, so a read-only open of a store changes nothing on disk and works on read-only media. A
 * read-only descriptor is enough for the shared form of both locks: {@code flock(LOCK_SH)} and an
 * OFD {@code F_RDLCK} need only read access.
 *
 * <p>Thread-safe.
 */
public final class PosixStoreLock implements StoreLock {
  /**
   * Parked lock-file descriptors by {@link #parkKey} (file key, that is device and inode, and
   * whether the descriptor is writable); each pins its inode.
   */
  private static final Map<Object, Integer> PARKED = new ConcurrentHashMap<>();

  private final Path path;
  private final LockMode mode;
  private final int fd;
  private final Object parkKey;
  private final AtomicBoolean closed = new AtomicBoolean();

  private PosixStoreLock(Path path, LockMode mode, int fd, Object parkKey) {
    this.path = path;
    this.mode = mode;
    this.fd = fd;
    this.parkKey = parkKey;
  }

  /**
   * Opens {@code lockFile} and takes both locks without waiting: {@link LockMode#EXCLUSIVE} with
   * {@code O_RDWR|O_CREAT|O_NOFOLLOW|O_CLOEXEC} (mode 0644), {@link LockMode#SHARED} with {@code
   * O_RDONLY|O_NOFOLLOW|O_CLOEXEC} (an existing file only).
   *
   * @throws LockUnavailableException if either lock is held by someone else
   * @throws SymlinkRefusedException if {@code lockFile} is a symbolic link
   * @throws java.nio.file.NoSuchFileException for a {@code SHARED} lock of a missing file, or a
   *     missing parent directory
   * @throws IOException if {@code lockFile} is a directory, or on any other failure
   */
  static PosixStoreLock acquire(Path lockFile, LockMode mode) throws IOException {
    boolean exclusive = mode == LockMode.EXCLUSIVE;
    Object identity = fileKey(lockFile);
    Integer parked = identity == null ? null : PARKED.remove(parkKey(identity, exclusive));
    int fd;
    if (parked != null) {
      fd = parked;
    } else if (exclusive) {
      fd =
          Posix.open(
              lockFile,
              LinuxAbi.O_RDWR | LinuxAbi.O_CREAT | Posix.ABI.oNoFollow | LinuxAbi.O_CLOEXEC,
              0644,
              "lock");
    } else {
      fd =
          Posix.open(
              lockFile, LinuxAbi.O_RDONLY | Posix.ABI.oNoFollow | LinuxAbi.O_CLOEXEC, 0, "lock");
      Posix.refuseDirectory(fd, lockFile, "lock"); // a directory opens read-only too
    }
    Object key = identity == null ? null : parkKey(identity, exclusive);
    try {
      if (key == null) {
        Object created = fileKey(lockFile); // the file was just created
        key = created == null ? null : parkKey(created, exclusive);
      }
      int op =
          (mode == LockMode.EXCLUSIVE ? LinuxAbi.LOCK_EX : LinuxAbi.LOCK_SH) | LinuxAbi.LOCK_NB;
      while (LibC.flock(fd, op) < 0) {
        int errno = Native.getLastError();
        if (errno == Errno.EWOULDBLOCK) {
          throw new LockUnavailableException(
              lockFile.toString(),
              "flock: "
                  + Errno.describe(errno)
                  + ": another holder (another process, another lock in this JVM, or a Rust"
                  + " batpak) has a flock on it");
        }
        if (errno != Errno.EINTR) {
          throw Errno.toException("flock", lockFile, errno);
        }
      }
      Flock request = new Flock(mode == LockMode.EXCLUSIVE ? LinuxAbi.F_WRLCK : LinuxAbi.F_RDLCK);
      if (LibCVarargs.INSTANCE.fcntl(fd, LinuxAbi.F_OFD_SETLK, request) < 0) {
        int errno = Native.getLastError();
        if (errno == Errno.EAGAIN || errno == Errno.EACCES) {
          throw new LockUnavailableException(
              lockFile.toString(),
              "fcntl(F_OFD_SETLK): "
                  + Errno.describe(errno)
                  + ": another holder has an fcntl or OFD lock on it (for example the nio"
                  + " backend)");
        }
        throw Errno.toException("fcntl(F_OFD_SETLK)", lockFile, errno);
      }
    } catch (IOException | RuntimeException e) {
      try {
        release(fd, key, lockFile);
      } catch (IOException closeFailure) {
        e.addSuppressed(closeFailure);
      }
      throw e;
    }
    return new PosixStoreLock(lockFile, mode, fd, key);
  }

  /** The key a descriptor of the file {@code fileKey} is parked under. */
  private static Object parkKey(Object fileKey, boolean writable) {
    return List.of(fileKey, writable);
  }

  @Override
  public Path path() {
    return path;
  }

  @Override
  public LockMode mode() {
    return mode;
  }

  @Override
  public boolean isValid() {
    return !closed.get();
  }

  @Override
  public void close() throws IOException {
    if (closed.compareAndSet(false, true)) {
      release(fd, parkKey, path);
    }
  }

  @Override
  public String toString() {
    return "PosixStoreLock[" + path + ", " + mode + (isValid() ? "" : ", released") + "]";
  }

  /**
   * Drops our locks on {@code fd} and closes it, or parks it when closing would drop a record lock
   * this process holds on the same file.
   */
  private static void release(int fd, Object key, Path path) throws IOException {
    if (key != null && ownProcessHoldsRecordLock(fd)) {
      LibC.flock(fd, LinuxAbi.LOCK_UN);
      LibCVarargs.INSTANCE.fcntl(fd, LinuxAbi.F_OFD_SETLK, new Flock(LinuxAbi.F_UNLCK));
      // If another descriptor of this file is parked already, this one stays open unreferenced:
      // closing it would drop the record lock all the same. That needs two posix lock attempts
      // racing on a file this process also record-locks, and costs one descriptor.
      PARKED.putIfAbsent(key, fd);
      return;
    }
    Posix.close(fd, path);
  }

  /** Whether a classic fcntl record lock of this process conflicts with a write lock on fd. */
  private static boolean ownProcessHoldsRecordLock(int fd) {
    Flock query = new Flock(LinuxAbi.F_WRLCK);
    if (LibCVarargs.INSTANCE.fcntl(fd, LinuxAbi.F_OFD_GETLK, query) < 0) {
      return false;
    }
    query.read();
    return query.l_type != LinuxAbi.F_UNLCK && query.l_pid == LibC.getpid();
  }

  /** The device-and-inode key of the file at {@code path} (not following a link), or null. */
  private static Object fileKey(Path path) throws IOException {
    BasicFileAttributes attrs = PathChecks.lstat(path);
    if (attrs == null) {
      return null;
    }
    if (attrs.isSymbolicLink()) {
      throw new SymlinkRefusedException(path.toString(), "lock");
    }
    if (attrs.isDirectory()) {
      throw Errno.toException("lock", path, Errno.EISDIR);
    }
    return attrs.fileKey();
  }
}
