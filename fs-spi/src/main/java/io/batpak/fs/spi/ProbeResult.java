package io.batpak.fs.spi;

import java.util.Objects;

/**
 * The answer of {@link StoreFsProvider#probe()}.
 *
 * @param available whether the backend can be opened here
 * @param reason why (for example {@code "libc loaded through JNA 5.19.1 on linux-x86-64"} or {@code
 *     "jna.jar is not on the class path"})
 * @since 0.1
 */
public record ProbeResult(boolean available, String reason) {

  /** Validates the reason. */
  public ProbeResult {
    Objects.requireNonNull(reason, "reason");
  }

  /** An available backend. */
  public static ProbeResult available(String reason) {
    return new ProbeResult(true, reason);
  }

  /** An unavailable backend. */
  public static ProbeResult unavailable(String reason) {
    return new ProbeResult(false, reason);
  }
}
