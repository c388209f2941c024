package io.batpak.it.fakes;

import io.batpak.spi.Compressor;
import io.batpak.spi.CompressorProvider;

/**
 * A compressor provider whose constructor throws, so ServiceLoader reports it as not instantiable.
 */
public final class ThrowingCompressorProvider implements CompressorProvider {
  /** Always throws. */
  public ThrowingCompressorProvider() {
    throw new IllegalStateException("the fake compressor provider's constructor throws on purpose");
  }

  @Override
  public String name() {
    return "throwing";
  }

  @Override
  public Compressor create() {
    throw new UnsupportedOperationException("never created");
  }
}
