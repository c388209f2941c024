package io.batpak.it.fakes;

import io.batpak.spi.Codec;
import io.batpak.spi.CodecProvider;

/** A codec provider whose constructor throws, so ServiceLoader reports it as not instantiable. */
public final class ThrowingCodecProvider implements CodecProvider {
  /** Always throws. */
  public ThrowingCodecProvider() {
    throw new IllegalStateException("the fake codec provider's constructor throws on purpose");
  }

  @Override
  public String name() {
    return "throwing";
  }

  @Override
  public Codec create() {
    throw new UnsupportedOperationException("never created");
  }
}
