/**
 * Payload codecs for batpak. Provides the {@code json} codec ({@link
 * io.batpak.codec.json.JsonCodec}) and the {@code cbor} codec ({@link
 * io.batpak.codec.cbor.CborCodec}), both on Jackson 3, found by name through {@link
 * io.batpak.spi.CodecProvider}.
 */
@SuppressWarnings("module") // its qualified export names io.batpak.bench, built after the codec
module io.batpak.codec {
  requires static transitive org.apiguardian.api;
  requires static transitive org.jspecify;
  requires transitive io.batpak.api;
  requires tools.jackson.databind;
  requires tools.jackson.dataformat.cbor;

  exports io.batpak.codec.json;
  exports io.batpak.codec.cbor;
  // The shared Jackson set-up, for the bench's side-by-side of formats (CodecBenchmark) only.
  exports io.batpak.codec.jackson to
      io.batpak.bench;

  provides io.batpak.spi.CodecProvider with
      io.batpak.codec.json.JsonCodecProvider,
      io.batpak.codec.cbor.CborCodecProvider;
}
