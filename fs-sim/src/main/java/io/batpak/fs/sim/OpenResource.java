package io.batpak.fs.sim;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.Objects;
import org.apiguardian.api.API;

/**
 * An open file handle or a held lock of a {@link SimStoreFs}, as reported by {@link
 * SimStoreFs#openHandles()}.
 *
 * @param kind {@code "handle"} or {@code "lock"}
 * @param path the normalised path it was opened or locked with
 * @param mode {@code "read"}, {@code "read-write"}, {@code "EXCLUSIVE"} or {@code "SHARED"}
 * @param openedAt a throwable whose stack trace is where the handle was opened or the lock taken
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record OpenResource(String kind, String path, String mode, Throwable openedAt) {

  /** Validates that every field is present. */
  public OpenResource {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(openedAt, "openedAt");
  }
}
