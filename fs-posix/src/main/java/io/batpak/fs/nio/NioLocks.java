package io.batpak.fs.nio;

import io.batpak.port.LockMode;
import io.batpak.port.LockUnavailableException;
import io.batpak.port.StoreLock;
import io.batpak.port.SymlinkRefusedException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The JVM-wide registry of lock files held through the {@code nio} backend.
 *
 * <p>{@link FileChannel#tryLock} takes a POSIX record lock ({@code fcntl(F_SETLK)}), which belongs
 * to the <em>process</em>, and the kernel drops all of a process's record locks on a file as soon
 * as <em>any</em> descriptor of that file is closed. So the registry keeps exactly one channel per
 * locked file (keyed by the file's identity, device and inode, found with {@code lstat} so that no
 * descriptor is opened to look): a second lock of a held file is answered from the registry without
 * opening the file again ({@link LockMode#SHARED} holders share one OS lock and are counted), and
 * {@link #refuseIfLocked} lets the backend refuse to open a held lock file for reading or writing,
 * since closing that descriptor would release the lock.
 *
 * <p>A {@link LockMode#SHARED} lock opens an existing lock file read-only ({@code READ}, never
 * {@code CREATE} or {@code WRITE}): a missing file is {@link NoSuchFileException}, and nothing is
 * written, so a read-only open of a store changes nothing on disk. {@link LockMode#EXCLUSIVE} opens
 * it read-write and creates it.
 *
 * <p>Thread-safe: every operation runs under one monitor (locking is rare).
 */
final class NioLocks {
  private static final Object MONITOR = new Object();
  private static final Map<Object, Entry> HELD = new HashMap<>();

  /**
   * Channels that could not be closed without releasing a lock someone else in this JVM holds on
   * the same file through another channel (another class loader's copy of this backend, or user
   * code). They stay open for the life of the JVM; in normal use this list stays empty.
   */
  private static final List<FileChannel> QUARANTINE = new ArrayList<>();

  private static volatile int heldCount;

  private NioLocks() {}

  /** One locked file: its single channel, its OS lock, and how many {@link StoreLock}s use it. */
  private static final class Entry {
    final Object key;
    final Path path;
    final LockMode mode;
    final FileChannel channel;
    final FileLock lock;
    int holders = 1;

    Entry(Object key, Path path, LockMode mode, FileChannel channel, FileLock lock) {
      this.key = key;
      this.path = path;
      this.mode = mode;
      this.channel = channel;
      this.lock = lock;
    }
  }

  /** Takes a lock on {@code lockFile} as {@link io.batpak.port.StoreFs#lock} documents. */
  static StoreLock acquire(Path lockFile, LockMode mode) throws IOException {
    synchronized (MONITOR) {
      BasicFileAttributes before = NioErrors.lstat(lockFile, "lock");
      if (before != null) {
        if (before.isSymbolicLink()) {
          throw new SymlinkRefusedException(lockFile.toString(), "lock");
        }
        if (before.isDirectory()) {
          throw new FileSystemException(
              lockFile.toString(), null, "lock refused: it is a directory, not a file");
        }
        Entry held = HELD.get(key(lockFile, before));
        if (held != null) {
          return join(held, lockFile, mode);
        }
      }
      FileChannel ch;
      try {
        // O_NOFOLLOW: a link planted after the lstat above is still refused (ELOOP). A shared
        // lock opens an existing file read-only (a missing one is NoSuchFileException): it never
        // creates or writes the file; an exclusive lock creates it.
        ch =
            mode == LockMode.SHARED
                ? FileChannel.open(lockFile, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)
                : FileChannel.open(
                    lockFile,
                    StandardOpenOption.READ,
                    StandardOpenOption.WRITE,
                    StandardOpenOption.CREATE,
                    LinkOption.NOFOLLOW_LINKS);
      } catch (IOException e) {
        throw NioErrors.map(e, lockFile, "lock");
      }
      BasicFileAttributes opened;
      try {
        opened = NioErrors.lstat(lockFile, "lock");
      } catch (IOException e) {
        ch.close(); // nothing of ours is locked on this file
        throw NioErrors.map(e, lockFile, "lock");
      }
      if (opened == null) {
        ch.close();
        throw new NoSuchFileException(lockFile.toString(), null, "vanished while being locked");
      }
      if (opened.isDirectory()) {
        ch.close(); // a directory opens read-only too
        throw new FileSystemException(
            lockFile.toString(), null, "lock refused: it is a directory, not a file");
      }
      Object key = key(lockFile, opened);
      Entry held = HELD.get(key);
      if (held != null) {
        // Same file under another name (a hard link), already locked through its own channel:
        // closing this second channel would release that lock, so it is kept open.
        QUARANTINE.add(ch);
        return join(held, lockFile, mode);
      }
      FileLock lock;
      try {
        lock = Uninterruptibly.call(() -> ch.tryLock(0, Long.MAX_VALUE, mode == LockMode.SHARED));
      } catch (OverlappingFileLockException e) {
        QUARANTINE.add(ch);
        LockUnavailableException x =
            new LockUnavailableException(
                lockFile.toString(),
                "locked through another channel in this JVM (outside this backend's registry)");
        x.initCause(e);
        throw x;
      } catch (IOException e) {
        ch.close();
        throw NioErrors.map(e, lockFile, "lock");
      }
      if (lock == null) {
        ch.close(); // this process holds no lock on the file, so closing releases nothing
        throw new LockUnavailableException(
            lockFile.toString(), "locked by another process (fcntl record lock)");
      }
      Entry entry = new Entry(key, lockFile, mode, ch, lock);
      HELD.put(key, entry);
      heldCount = HELD.size();
      return new NioStoreLock(entry, lockFile, mode);
    }
  }

  private static StoreLock join(Entry held, Path lockFile, LockMode mode)
      throws LockUnavailableException {
    if (held.mode == LockMode.SHARED && mode == LockMode.SHARED) {
      held.holders++;
      return new NioStoreLock(held, lockFile, mode);
    }
    throw new LockUnavailableException(
        lockFile.toString(),
        "already locked " + held.mode + " in this JVM (through " + held.path + ")");
  }

  private static void release(Entry entry) throws IOException {
    synchronized (MONITOR) {
      if (--entry.holders > 0) {
        return;
      }
      HELD.remove(entry.key);
      heldCount = HELD.size();
      try {
        Uninterruptibly.call(
            () -> {
              entry.lock.release();
              return null;
            });
      } finally {
        entry.channel.close(); // releases the record lock even if release() failed
      }
    }
  }

  /**
   * Throws if this JVM holds an {@code nio} lock on the file {@code file} names: opening and then
   * closing another descriptor of it would silently release that lock.
   */
  static void refuseIfLocked(Path file, String op) throws IOException {
    if (heldCount == 0) {
      return;
    }
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(file, BasicFileAttributes.class);
    } catch (IOException e) {
      return; // the open itself will report the problem
    }
    synchronized (MONITOR) {
      if (HELD.containsKey(key(file, attrs))) {
        throw new IOException(
            op
                + " of "
                + file
                + " refused: this JVM holds an nio (fcntl) lock on that file, and closing a"
                + " second descriptor of it would release the lock");
      }
    }
  }

  private static Object key(Path path, BasicFileAttributes attrs) {
    Object key = attrs.fileKey();
    return key != null ? key : path.toAbsolutePath().normalize();
  }

  /** A held lock; see {@link NioLocks}. */
  private static final class NioStoreLock implements StoreLock {
    private final Entry entry;
    private final Path path;
    private final LockMode mode;
    private final AtomicBoolean released = new AtomicBoolean();

    NioStoreLock(Entry entry, Path path, LockMode mode) {
      this.entry = entry;
      this.path = path;
      this.mode = mode;
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
      return !released.get() && entry.lock.isValid();
    }

    @Override
    public void close() throws IOException {
      if (released.compareAndSet(false, true)) {
        release(entry);
      }
    }

    @Override
    public String toString() {
      return "NioStoreLock[" + path + ", " + mode + (isValid() ? ", held]" : ", released]");
    }
  }
}
