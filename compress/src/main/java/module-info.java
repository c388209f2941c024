/**
 * Payload compressors for batpak: {@code lz4} (LZ4 block format, lz4-java, decompressed only with
 * its bounds-checked safe decompressor) and {@code zstd} (Zstandard frames, zstd-jni), found by
 * name through {@link io.batpak.spi.CompressorProvider} (docs/codecs.md, "Compression"; ADR 0026).
 */
module io.batpak.compress {
  requires static transitive org.apiguardian.api;
  requires static transitive org.jspecify;
  requires transitive io.batpak.api;
  requires org.lz4.java;
  requires com.github.luben.zstd_jni;

  exports io.batpak.compress;

  provides io.batpak.spi.CompressorProvider with
      io.batpak.compress.Lz4CompressorProvider,
      io.batpak.compress.ZstdCompressorProvider;
}
