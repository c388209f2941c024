/**
 * The batpak engine: the implementation of {@link io.batpak.Store}, found by {@link
 * io.batpak.Store#open} through {@link java.util.ServiceLoader}. It touches the disk only through
 * {@link io.batpak.port.StoreFs}, reads time only through {@link io.batpak.port.StoreClock} and
 * draws randomness only from {@link io.batpak.port.StoreEntropy}.
 */
module io.batpak.engine {
  requires static transitive org.apiguardian.api;
  requires static transitive org.jspecify;
  requires transitive io.batpak.api;
  requires io.batpak.fs.spi;
  requires org.bouncycastle.provider;

  exports io.batpak.engine;

  provides io.batpak.spi.StoreEngine with
      io.batpak.engine.BatpakEngine;

  uses io.batpak.port.CodecProvider;
  uses io.batpak.fs.spi.StoreFsProvider;
}
