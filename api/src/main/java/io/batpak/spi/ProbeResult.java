package io.batpak.spi;

import static org.apiguardian.api.API.Status.STABLE;

import java.util.Objects;
import org.apiguardian.api.API;

/**
 * The answer of {@link StoreFsProvider#probe()}. Immutable and thread-safe.
 *
 * @param available whether the backend can be opened here
 * @param reason why (for example {@code "libc loaded through JNA 5.19.1 on linux-x86-64"} or {@code
 *     "jna.jar is not on the class path"})
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public record ProbeResult(boolean available, String reason) {

  /**
   * Validates the reason.
   *
   * @param available whether the backend can be opened here
   * @param reason why; quoted in the resolver's explanation and diagnostics
   * @throws NullPointerException if {@code reason} is null
   */
  public ProbeResult {
    Objects.requireNonNull(reason, "reason");
  }

  /**
   * An available backend.
   *
   * @param reason what was checked (for example the library version that loaded)
   * @return the result
   */
  public static ProbeResult available(String reason) {
    return new ProbeResult(true, reason);
  }

  /**
   * An unavailable backend.
   *
   * @param reason why, in words a user can act on (which library or platform feature is missing)
   * @return the result
   */
  public static ProbeResult unavailable(String reason) {
    return new ProbeResult(false, reason);
  }
}
