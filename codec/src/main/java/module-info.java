/**
 * Payload codecs for batpak. Provides the {@code json} codec ({@link
 * io.batpak.codec.json.JsonCodec}, on Jackson 3), found by name through {@link
 * io.batpak.spi.CodecProvider}.
 */
module io.batpak.codec {
  requires static transitive org.apiguardian.api;
  requires static transitive org.jspecify;
  requires transitive io.batpak.api;
  requires tools.jackson.databind;

  exports io.batpak.codec.json;

  provides io.batpak.spi.CodecProvider with
      io.batpak.codec.json.JsonCodecProvider;
}
