package io.batpak.fs.nio;

import static org.apiguardian.api.API.Status.INTERNAL;

import io.batpak.port.StoreFs;
import io.batpak.spi.FsOptions;
import io.batpak.spi.ProbeResult;
import io.batpak.spi.StoreFsProvider;
import java.util.Locale;
import org.apiguardian.api.API;

/**
 * Provider of the {@code nio} backend ({@link NioStoreFs}): priority 50, auto-selectable, so it is
 * chosen when the JNA {@code posix} backend (100) is unavailable. It needs only the JDK, so its
 * probe always says available, and says what the backend can and cannot promise on this system.
 *
 * <p>{@link #open(FsOptions)} reads no options. Thread-safe and stateless; the constructor does
 * nothing.
 *
 * @since 0.1
 */
@API(status = INTERNAL, since = "0.1")
public final class NioStoreFsProvider implements StoreFsProvider {

  /** Creates the provider; does no I/O. */
  public NioStoreFsProvider() {}

  /** {@code "nio"}. */
  @Override
  public String name() {
    return NioStoreFs.NAME;
  }

  /** 50: below {@code posix} (100). */
  @Override
  public int priority() {
    return 50;
  }

  /** True. */
  @Override
  public boolean autoSelectable() {
    return true;
  }

  /**
   * Always available; the reason names the JDK and the system and says how far directory sync is
   * trusted there. Never throws.
   */
  @Override
  public ProbeResult probe() {
    return ProbeResult.available(
        probeReason(
            System.getProperty("os.name", "unknown"),
            System.getProperty("os.arch", "unknown"),
            Runtime.version().toString()));
  }

  static String probeReason(String os, String arch, String jdk) {
    String lower = os.toLowerCase(Locale.ROOT);
    String dirSync;
    if (lower.startsWith("linux")) {
      dirSync = "directory fsync through a read-only channel";
    } else if (lower.startsWith("windows")) {
      dirSync = "no directory fsync on Windows (syncDirectory and publish are refused)";
    } else {
      dirSync = "directory fsync is attempted but not verified on " + os;
    }
    return "pure NIO on JDK "
        + jdk
        + ", "
        + os
        + "/"
        + arch
        + "; "
        + dirSync
        + "; fcntl record locks (do not exclude flock users); symbolic-link refusal of publish"
        + " is check-then-act";
  }

  /** A new {@link NioStoreFs}; {@code options} are ignored. */
  @Override
  public StoreFs open(FsOptions options) {
    return new NioStoreFs();
  }
}
