package io.batpak.fs.posix;

import static org.apiguardian.api.API.Status.INTERNAL;

import io.batpak.fs.posix.internal.LinuxAbi;
import io.batpak.fs.posix.internal.Posix;
import io.batpak.fs.posix.internal.PosixStoreFs;
import io.batpak.port.StoreFs;
import io.batpak.port.UnsupportedFsOperationException;
import io.batpak.spi.FsOptions;
import io.batpak.spi.ProbeResult;
import io.batpak.spi.StoreFsProvider;
import java.io.IOException;
import org.apiguardian.api.API;

/**
 * Provider of the {@code posix} backend (priority 100, auto-selectable): Linux system calls through
 * JNA, with {@code flock} and OFD locks held together so that Rust batpak, flock(1), NIO and this
 * backend all see one owner of a store.
 *
 * <p>This class mentions no JNA type, and its constructor does nothing, so it loads without {@code
 * jna.jar}; {@link #probe()} then answers "jna.jar is not on the class path". On a system other
 * than 64-bit Linux on x86-64 or aarch64, the probe says why it is unavailable.
 *
 * <p>Options read by {@link #open(FsOptions)}:
 *
 * <ul>
 *   <li>{@code posix.renameat2} = {@code auto} (default) or {@code off}: with {@code off},
 *       no-replace renames use {@code link}+{@code unlink} instead of {@code
 *       renameat2(RENAME_NOREPLACE)}.
 * </ul>
 *
 * <p>Thread-safe: the probe is computed once.
 *
 * @since 0.1
 */
@API(status = INTERNAL, since = "0.1")
public final class PosixStoreFsProvider implements StoreFsProvider {
  private volatile ProbeResult probe;

  /** Creates the provider; does no I/O and loads no native code. */
  public PosixStoreFsProvider() {}

  /** {@code "posix"}. */
  @Override
  public String name() {
    return "posix";
  }

  /** 100: preferred over {@code nio} (50). */
  @Override
  public int priority() {
    return 100;
  }

  /** True. */
  @Override
  public boolean autoSelectable() {
    return true;
  }

  /**
   * Whether JNA, libc and this architecture's constants are all there. The first call loads JNA and
   * binds libc; the answer is cached. Never throws.
   */
  @Override
  public ProbeResult probe() {
    ProbeResult result = probe;
    if (result == null) {
      result = computeProbe();
      probe = result;
    }
    return result;
  }

  private ProbeResult computeProbe() {
    String os = System.getProperty("os.name", "unknown");
    String arch = System.getProperty("os.arch", "unknown");
    String unsupported = LinuxAbi.unsupportedReason(os, arch);
    if (unsupported != null) {
      return ProbeResult.unavailable(unsupported);
    }
    try {
      Class.forName("com.sun.jna.Native", false, PosixStoreFsProvider.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      return ProbeResult.unavailable("jna.jar is not on the class path (" + e + ")");
    }
    try {
      return Posix.probe();
    } catch (NoClassDefFoundError e) {
      return ProbeResult.unavailable("jna.jar is not on the class path (" + e.getMessage() + ")");
    } catch (UnsatisfiedLinkError e) {
      return ProbeResult.unavailable("JNA could not load its native library: " + e.getMessage());
    } catch (LinkageError | RuntimeException e) {
      return ProbeResult.unavailable("JNA could not bind libc: " + e);
    }
  }

  /**
   * Opens the backend.
   *
   * @throws UnsupportedFsOperationException if {@link #probe()} says it is unavailable, with the
   *     probe's reason
   * @throws IllegalArgumentException for an unknown value of {@code posix.renameat2}
   * @throws IOException on failure
   */
  @Override
  public StoreFs open(FsOptions options) throws IOException {
    ProbeResult result = probe();
    if (!result.available()) {
      throw new UnsupportedFsOperationException(
          "the posix backend is unavailable: " + result.reason());
    }
    String renameat2 = options.get("posix.renameat2").orElse("auto");
    if (!renameat2.equals("auto") && !renameat2.equals("off")) {
      throw new IllegalArgumentException(
          "posix.renameat2 must be auto or off, not \"" + renameat2 + "\"");
    }
    return new PosixStoreFs(renameat2.equals("auto"));
  }

  @Override
  public String toString() {
    return "PosixStoreFsProvider[posix, priority 100]";
  }
}
