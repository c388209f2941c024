package io.batpak.fs.spi;

import java.util.Map;
import java.util.Optional;

/**
 * Backend-specific settings passed to {@link StoreFsProvider#open(FsOptions)}, as string key/value
 * pairs. Unknown keys are ignored by backends that do not use them.
 *
 * @param settings the settings
 * @since 0.1
 */
public record FsOptions(Map<String, String> settings) {

  /** Copies the map. */
  public FsOptions {
    settings = Map.copyOf(settings);
  }

  /** No settings. */
  public static FsOptions defaults() {
    return new FsOptions(Map.of());
  }

  /** The value of {@code key}, if set. */
  public Optional<String> get(String key) {
    return Optional.ofNullable(settings.get(key));
  }
}
