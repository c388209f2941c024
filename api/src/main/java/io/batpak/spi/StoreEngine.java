package io.batpak.spi;

import static org.apiguardian.api.API.Status.INTERNAL;

import io.batpak.Store;
import io.batpak.StoreConfig;
import org.apiguardian.api.API;

/**
 * The service {@link Store#open(StoreConfig)} looks up with {@link java.util.ServiceLoader}: an
 * implementation of the store. The {@code batpak-engine} artifact provides one. Implementations
 * have a public no-argument constructor that does no I/O. {@link ProviderLoader} finds them; more
 * than one engine, or a broken one, fails {@code Store.open} with a coded diagnostic ({@code
 * BATPAK-ENGINE-*}) instead of letting the class path order pick.
 *
 * @since 0.1
 */
@API(status = INTERNAL, since = "0.1")
public interface StoreEngine extends NamedProvider {

  /**
   * A short lowercase name for diagnostics, for example {@code "batpak-engine"}.
   *
   * @return the name
   */
  @Override
  String name();

  /**
   * Opens (creating if needed) the store {@code config} describes.
   *
   * @throws io.batpak.StoreException or a subtype, as documented on {@link Store#open}
   */
  Store open(StoreConfig config);
}
