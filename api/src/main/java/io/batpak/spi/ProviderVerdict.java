package io.batpak.spi;

import static org.apiguardian.api.API.Status.INTERNAL;

import java.util.Objects;
import org.apiguardian.api.API;

/**
 * What happened to one candidate when {@link ProviderDiscovery} chose, or refused to choose, a
 * provider. Immutable and thread-safe.
 *
 * @param name the provider's name; empty when it failed before its name was known
 * @param providerClass the provider's class name, or {@link DiscoveredProvider#UNKNOWN_CLASS}
 * @param chosen whether this candidate was chosen (or would be, once the refusal's cause is fixed)
 * @param detail why, as written in diagnostics (for example {@code "skipped: not the requested
 *     name"})
 * @since 0.1
 */
@API(status = INTERNAL, since = "0.1")
public record ProviderVerdict(String name, String providerClass, boolean chosen, String detail) {

  /**
   * Validates that every component is present.
   *
   * @param name the provider's name, or empty
   * @param providerClass the provider's class name
   * @param chosen whether it was chosen
   * @param detail why
   * @throws NullPointerException if a component is null
   */
  public ProviderVerdict {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(providerClass, "providerClass");
    Objects.requireNonNull(detail, "detail");
  }

  /**
   * The verdict as one diagnostic line: {@code "json (io.batpak.codec.json.JsonCodecProvider):
   * chosen"}, or {@code "<class>: failed to load: ..."} when the name is unknown.
   *
   * @return the line, without indentation or line break
   */
  public String describe() {
    return name.isEmpty()
        ? providerClass + ": " + detail
        : name + " (" + providerClass + "): " + detail;
  }
}
