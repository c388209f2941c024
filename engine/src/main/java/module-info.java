/**
 * The batpak engine: the implementation of {@link io.batpak.Store}, found by {@link
 * io.batpak.Store#open} through {@link java.util.ServiceLoader}. It touches the disk only through
 * {@link io.batpak.port.StoreFs}, reads time only through {@link io.batpak.port.StoreClock} and
 * draws randomness only from {@link io.batpak.port.StoreEntropy}.
 */
@SuppressWarnings("module") // its qualified exports name io.batpak.bench, built after the engine
module io.batpak.engine {
  requires static transitive org.apiguardian.api;
  requires static transitive org.jspecify;
  requires transitive io.batpak.api;
  requires io.batpak.fs.spi;
  requires org.bouncycastle.provider;

  exports io.batpak.engine;
  exports io.batpak.engine.internal.format to
      io.batpak.bench;
  exports io.batpak.engine.internal.index to
      io.batpak.bench;
  exports io.batpak.engine.internal.recovery to
      io.batpak.bench;
  exports io.batpak.engine.internal.segment to
      io.batpak.bench;

  provides io.batpak.spi.StoreEngine with
      io.batpak.engine.BatpakEngine;

  uses io.batpak.spi.CodecProvider;
  uses io.batpak.spi.CompressorProvider;
  uses io.batpak.spi.StoreFsProvider;
}
