package io.batpak.spi;

import static org.apiguardian.api.API.Status.STABLE;

import java.util.Map;
import java.util.Optional;
import org.apiguardian.api.API;

/**
 * Backend-specific settings passed to {@link StoreFsProvider#open(FsOptions)}, as string key/value
 * pairs. Unknown keys are ignored by backends that do not use them. Immutable and thread-safe.
 *
 * @param settings the settings
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public record FsOptions(Map<String, String> settings) {

  /**
   * Copies the map.
   *
   * @param settings the settings; neither keys nor values may be null
   * @throws NullPointerException if the map, a key or a value is null
   */
  public FsOptions {
    settings = Map.copyOf(settings);
  }

  /**
   * No settings.
   *
   * @return options without settings
   */
  public static FsOptions defaults() {
    return new FsOptions(Map.of());
  }

  /**
   * The value of {@code key}, if set.
   *
   * @param key the setting's name
   * @return its value, or empty
   * @throws NullPointerException if {@code key} is null
   */
  public Optional<String> get(String key) {
    return Optional.ofNullable(settings.get(key));
  }
}
