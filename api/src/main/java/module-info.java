/**
 * The batpak API: the {@link io.batpak.Store} interface, its configuration and values, the
 * exceptions, and the ports ({@link io.batpak.port.StoreFs}, {@link io.batpak.port.StoreClock},
 * {@link io.batpak.port.StoreEntropy}, {@link io.batpak.spi.Codec}). No dependencies.
 */
module io.batpak.api {
  requires static transitive org.apiguardian.api;
  requires static transitive org.jspecify;

  exports io.batpak;
  exports io.batpak.port;
  exports io.batpak.spi;
  exports io.batpak.gate;

  uses io.batpak.spi.StoreEngine;
}
