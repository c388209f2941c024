package io.batpak.fs.spi;

import io.batpak.port.StoreFs;
import java.io.IOException;

/**
 * A {@link java.util.ServiceLoader} service that makes a {@link StoreFs} backend available by name.
 * Declare implementations both in {@code module-info} ({@code provides}) and in {@code
 * META-INF/services/io.batpak.fs.spi.StoreFsProvider}.
 *
 * <p>Implementations have a public no-argument constructor that does no I/O and loads no native
 * code; the class must load even when the backend's native library is absent, and {@link #probe()}
 * then explains why it is unavailable. Thread-safe.
 *
 * @since 0.1
 */
public interface StoreFsProvider {

  /**
   * Short lowercase ASCII name, unique among providers ({@code posix}, {@code nio}, {@code sim}).
   */
  String name();

  /** Higher wins during automatic selection ({@code posix} 100, {@code nio} 50). */
  int priority();

  /** Whether automatic selection may pick this provider; {@code sim} never is. */
  boolean autoSelectable();

  /** Whether the backend works on this machine, and if not, why not. Never throws. */
  ProbeResult probe();

  /**
   * Opens the backend.
   *
   * @throws IOException if it cannot be opened
   */
  StoreFs open(FsOptions options) throws IOException;
}
