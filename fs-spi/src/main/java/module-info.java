/** The service-provider interface for {@link io.batpak.port.StoreFs} backends. */
module io.batpak.fs.spi {
  requires static transitive org.apiguardian.api;
  requires static transitive org.jspecify;
  requires transitive io.batpak.api;

  exports io.batpak.fs.spi;

  uses io.batpak.spi.StoreFsProvider;
}
