package io.batpak.it.fakes;

import io.batpak.spi.Compressor;
import io.batpak.spi.CompressorProvider;

/** A second provider claiming the name {@code lz4}, as a duplicated artifact would. */
public final class Lz4TwinCompressorProvider implements CompressorProvider {
  /** For ServiceLoader. */
  public Lz4TwinCompressorProvider() {}

  @Override
  public String name() {
    return "lz4";
  }

  @Override
  public Compressor create() {
    throw new UnsupportedOperationException("never chosen: its name is claimed twice");
  }
}
