package io.batpak.fs.spi;

import static org.apiguardian.api.API.Status.STABLE;

import io.batpak.port.FileHandle;
import io.batpak.port.SyncMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * A {@link FileHandle} that forwards every call to a delegate. Subclass it and override the methods
 * whose behaviour should change, usually inside {@link ForwardingStoreFs#onHandle}.
 *
 * <h2>Fault injection</h2>
 *
 * Override {@link #sync}, {@link #write} or {@link #read} to fail once or on a condition, throwing
 * the type the {@link FileHandle} contract documents (for example {@link
 * io.batpak.port.NoSpaceException} from {@code write}, a plain {@link IOException} from {@code
 * sync}), to check that the store poisons itself as decision 2 (docs/architecture.md) requires. A
 * short write can be simulated by writing a prefix through {@code super.write} and then throwing.
 *
 * <h2>Observability</h2>
 *
 * Override methods to record positions, lengths and sync modes and then call {@code super}.
 *
 * <p><b>Thread-safety.</b> This class adds no state and no synchronization: it is as thread-safe as
 * its delegate and the overrides of the subclass.
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public abstract class ForwardingFileHandle implements FileHandle {

  private final FileHandle delegate;

  /**
   * Creates a decorator of {@code delegate}.
   *
   * @param delegate the handle that receives every call
   * @throws NullPointerException if {@code delegate} is null
   */
  protected ForwardingFileHandle(FileHandle delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  /**
   * The handle that receives every call.
   *
   * @return the delegate passed to the constructor
   */
  public final FileHandle delegate() {
    return delegate;
  }

  /** Forwards to the delegate. */
  @Override
  public Path path() {
    return delegate.path();
  }

  /** Forwards to the delegate. */
  @Override
  public boolean writable() {
    return delegate.writable();
  }

  /** Forwards to the delegate. */
  @Override
  public long size() throws IOException {
    return delegate.size();
  }

  /** Forwards to the delegate. */
  @Override
  public void write(ByteBuffer src, long position) throws IOException {
    delegate.write(src, position);
  }

  /** Forwards to the delegate. */
  @Override
  public void read(ByteBuffer dst, long position) throws IOException {
    delegate.read(dst, position);
  }

  /** Forwards to the delegate. */
  @Override
  public void sync(SyncMode mode) throws IOException {
    delegate.sync(mode);
  }

  /** Forwards to the delegate. */
  @Override
  public void truncate(long size) throws IOException {
    delegate.truncate(size);
  }

  /** Forwards to the delegate (since 0.2). */
  @Override
  public ByteBuffer map(long position, int length) throws IOException {
    return delegate.map(position, length);
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
    return (simpleName.isEmpty() ? "ForwardingFileHandle" : simpleName) + "(" + delegate + ")";
  }
}
