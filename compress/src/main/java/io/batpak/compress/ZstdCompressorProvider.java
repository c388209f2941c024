package io.batpak.compress;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import io.batpak.spi.Compressor;
import io.batpak.spi.CompressorProvider;
import org.apiguardian.api.API;

/**
 * Makes the {@code zstd} compressor available: Zstandard frames, zstd-jni ({@code
 * com.github.luben:zstd-jni}). Registered in {@code module-info} and in {@code META-INF/services};
 * does no work until {@link #create()}, which loads the native library.
 *
 * <p>Thread-safe (stateless).
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class ZstdCompressorProvider implements CompressorProvider {

  /** For {@link java.util.ServiceLoader}. */
  public ZstdCompressorProvider() {}

  /** Returns {@code zstd}. */
  @Override
  public String name() {
    return ZstdCompressor.NAME;
  }

  /**
   * A new {@code zstd} compressor (level 3).
   *
   * @throws LinkageError if zstd-jni, or its native library for this platform, is missing
   */
  @Override
  public Compressor create() {
    return new ZstdCompressor();
  }
}
