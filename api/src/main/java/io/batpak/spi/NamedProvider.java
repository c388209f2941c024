package io.batpak.spi;

import static org.apiguardian.api.API.Status.STABLE;

import org.apiguardian.api.API;

/**
 * A service provider found by name: the common shape of {@link StoreEngine}, {@link CodecProvider}
 * and {@link StoreFsProvider}, which {@link ProviderLoader} discovers and selects.
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public interface NamedProvider {

  /**
   * The provider's name: short lowercase ASCII matching {@value ProviderLoader#NAME_SYNTAX}, unique
   * among the providers of its service, and never changed once published. The loader reports a
   * provider whose name is invalid, or whose {@code name()} throws, as broken. Called once, right
   * after the provider is created; must do no I/O.
   *
   * @return the name
   */
  String name();
}
