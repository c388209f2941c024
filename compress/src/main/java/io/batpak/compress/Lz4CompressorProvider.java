package io.batpak.compress;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import io.batpak.spi.Compressor;
import io.batpak.spi.CompressorProvider;
import org.apiguardian.api.API;

/**
 * Makes the {@code lz4} compressor available: LZ4 block format, lz4-java ({@code
 * at.yawk.lz4:lz4-java}). Registered in {@code module-info} and in {@code META-INF/services}; does
 * no work until {@link #create()}.
 *
 * <p>Thread-safe (stateless).
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class Lz4CompressorProvider implements CompressorProvider {

  /** For {@link java.util.ServiceLoader}. */
  public Lz4CompressorProvider() {}

  /** Returns {@code lz4}. */
  @Override
  public String name() {
    return Lz4Compressor.NAME;
  }

  /**
   * A new {@code lz4} compressor.
   *
   * @throws LinkageError if lz4-java is not on the class path
   */
  @Override
  public Compressor create() {
    return new Lz4Compressor();
  }
}
