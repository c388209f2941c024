package io.batpak.fs.spi;

import static org.apiguardian.api.API.Status.STABLE;

import io.batpak.port.FileHandle;
import io.batpak.port.FsCapabilities;
import io.batpak.port.LockMode;
import io.batpak.port.RenameMode;
import io.batpak.port.StoreFs;
import io.batpak.port.StoreLock;
import io.batpak.port.SyncMode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * A {@link StoreFs} that forwards every call to a delegate. Subclass it and override the methods
 * whose behaviour should change; everything else reaches the delegate unchanged, with the same
 * arguments, results and exceptions.
 *
 * <p>The handles returned by {@link #create}, {@link #openRead} and {@link #openWrite} pass through
 * {@link #onHandle}, and the locks returned by {@link #lock} through {@link #onLock}; override
 * these hooks to decorate every handle (for example with a {@link ForwardingFileHandle}) without
 * re-implementing the three open methods.
 *
 * <h2>Fault injection</h2>
 *
 * Override a method to fail instead of forwarding, so a test can make exactly one operation fail
 * and check how the store reacts. Throw the exception type the {@link StoreFs} contract documents,
 * so the engine sees what a real backend would report. This one fails the second {@code fsync} of a
 * segment, once:
 *
 * <pre>{@code
 * StoreFs faulty = new ForwardingStoreFs(real) {
 *   final AtomicInteger syncs = new AtomicInteger();
 *
 *   @Override
 *   protected FileHandle onHandle(FileHandle handle) {
 *     return new ForwardingFileHandle(handle) {
 *       @Override
 *       public void sync(SyncMode mode) throws IOException {
 *         if (path().toString().endsWith(".seg") && syncs.incrementAndGet() == 2) {
 *           throw new IOException("injected: fsync failed (EIO) on " + path());
 *         }
 *         super.sync(mode);
 *       }
 *     };
 *   }
 * };
 * }</pre>
 *
 * For seeded, crash-consistent fault plans use {@code fs-sim}; this class is for the one-off fault
 * over a real backend.
 *
 * <h2>Observability</h2>
 *
 * Override methods to record, count or log calls and then call {@code super}: an op log, a check
 * that {@code publish} is always preceded by the writes it covers, or a counter of directory syncs
 * in a benchmark. Keep such decorators free of their own locking where possible, since the delegate
 * may be called from several threads at once.
 *
 * <p><b>Thread-safety.</b> This class adds no state and no synchronization: it is as thread-safe as
 * its delegate and the overrides of the subclass.
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public abstract class ForwardingStoreFs implements StoreFs {

  private final StoreFs delegate;

  /**
   * Creates a decorator of {@code delegate}.
   *
   * @param delegate the backend that receives every call
   * @throws NullPointerException if {@code delegate} is null
   */
  protected ForwardingStoreFs(StoreFs delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  /**
   * The backend that receives every call.
   *
   * @return the delegate passed to the constructor
   */
  public final StoreFs delegate() {
    return delegate;
  }

  /**
   * Called with every handle the delegate opens, before it is returned; returns {@code handle}
   * unchanged unless overridden.
   *
   * @param handle a handle just opened by the delegate
   * @return the handle to give the caller, usually a {@link ForwardingFileHandle} around {@code
   *     handle}
   */
  protected FileHandle onHandle(FileHandle handle) {
    return handle;
  }

  /**
   * Called with every lock the delegate takes, before it is returned; returns {@code lock}
   * unchanged unless overridden.
   *
   * @param lock a lock just taken by the delegate
   * @return the lock to give the caller
   */
  protected StoreLock onLock(StoreLock lock) {
    return lock;
  }

  /**
   * Forwards to the delegate, so a decorator that only observes reports the real backend's name. A
   * decorator registered as a backend of its own (its own {@code StoreFsProvider}) must override
   * this to return its provider's name: the open report names the backend by it, and the contract
   * suite's child JVM finds the backend by it (docs/spi-guide.md).
   */
  @Override
  public String name() {
    return delegate.name();
  }

  /** Forwards to the delegate. */
  @Override
  public FsCapabilities capabilities() {
    return delegate.capabilities();
  }

  /** Forwards to the delegate. */
  @Override
  public void createDirectories(Path dir) throws IOException {
    delegate.createDirectories(dir);
  }

  /** Forwards to the delegate. */
  @Override
  public List<String> list(Path dir) throws IOException {
    return delegate.list(dir);
  }

  /** Forwards to the delegate. */
  @Override
  public boolean exists(Path path) throws IOException {
    return delegate.exists(path);
  }

  /** Forwards to the delegate and passes the handle through {@link #onHandle}. */
  @Override
  public FileHandle create(Path file) throws IOException {
    return onHandle(delegate.create(file));
  }

  /** Forwards to the delegate and passes the handle through {@link #onHandle}. */
  @Override
  public FileHandle openRead(Path file) throws IOException {
    return onHandle(delegate.openRead(file));
  }

  /** Forwards to the delegate and passes the handle through {@link #onHandle}. */
  @Override
  public FileHandle openWrite(Path file) throws IOException {
    return onHandle(delegate.openWrite(file));
  }

  /** Forwards to the delegate. */
  @Override
  public void rename(Path from, Path to, RenameMode mode) throws IOException {
    delegate.rename(from, to, mode);
  }

  /** Forwards to the delegate. */
  @Override
  public boolean deleteIfExists(Path file) throws IOException {
    return delegate.deleteIfExists(file);
  }

  /** Forwards to the delegate. */
  @Override
  public void syncDirectory(Path dir) throws IOException {
    delegate.syncDirectory(dir);
  }

  /** Forwards to the delegate. */
  @Override
  public void publish(Path temp, Path target, SyncMode mode) throws IOException {
    delegate.publish(temp, target, mode);
  }

  /** Forwards to the delegate. */
  @Override
  public void copy(Path from, Path to) throws IOException {
    delegate.copy(from, to);
  }

  /** Forwards to the delegate. */
  @Override
  public void deleteDirectory(Path dir) throws IOException {
    delegate.deleteDirectory(dir);
  }

  /** Forwards to the delegate. */
  @Override
  public void link(Path existing, Path newLink) throws IOException {
    delegate.link(existing, newLink);
  }

  /** Forwards to the delegate. */
  @Override
  public void reflink(Path from, Path to) throws IOException {
    delegate.reflink(from, to);
  }

  /** Forwards to the delegate and passes the lock through {@link #onLock}. */
  @Override
  public StoreLock lock(Path lockFile, LockMode mode) throws IOException {
    return onLock(delegate.lock(lockFile, mode));
  }

  /** Forwards to the delegate. */
  @Override
  public void close() throws IOException {
    delegate.close();
  }

  /** {@code SimpleClassName(delegate)}, in the style of okio. */
  @Override
  public String toString() {
    String simpleName = getClass().getSimpleName();
    return (simpleName.isEmpty() ? "ForwardingStoreFs" : simpleName) + "(" + delegate + ")";
  }
}
