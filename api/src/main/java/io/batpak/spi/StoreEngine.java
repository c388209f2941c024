package io.batpak.spi;

import static org.apiguardian.api.API.Status.INTERNAL;

import io.batpak.Store;
import io.batpak.StoreConfig;
import org.apiguardian.api.API;

/**
 * The service {@link Store#open(StoreConfig)} looks up with {@link java.util.ServiceLoader}: an
 * implementation of the store. The {@code batpak-engine} artifact provides one. Implementations
 * have a public no-argument constructor.
 *
 * @since 0.1
 */
@API(status = INTERNAL, since = "0.1")
public interface StoreEngine {

  /** A short name for diagnostics, for example {@code "batpak-engine"}. */
  String name();

  /**
   * Opens (creating if needed) the store {@code config} describes.
   *
   * @throws io.batpak.StoreException or a subtype, as documented on {@link Store#open}
   */
  Store open(StoreConfig config);
}
