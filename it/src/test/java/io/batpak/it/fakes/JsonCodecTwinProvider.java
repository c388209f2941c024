package io.batpak.it.fakes;

import io.batpak.spi.Codec;
import io.batpak.spi.CodecProvider;

/** A second provider of codec {@code json}, as when two codec artifacts are on the class path. */
public final class JsonCodecTwinProvider implements CodecProvider {
  /** Creates it. */
  public JsonCodecTwinProvider() {}

  @Override
  public String name() {
    return "json";
  }

  @Override
  public Codec create() {
    throw new UnsupportedOperationException("the fake json codec twin creates nothing");
  }
}
