package io.batpak.engine.internal.format;

import io.batpak.spi.Compressor;

/**
 * Finds the compressor a compressed payload names (by its method byte, {@link CompressedPayload}).
 * The engine's implementation looks the name up among the compressor providers once and keeps it; a
 * name whose provider is missing is a typed error naming the compressor and the artifact that
 * provides it. Thread-safe.
 */
@FunctionalInterface
public interface Decompressors {

  /** For frames that hold no compressed payload: any compressed payload is refused. */
  Decompressors NONE =
      name -> {
        throw new io.batpak.ProviderException(
            "a compressed payload ('" + name + "') where this reader expects none");
      };

  /**
   * The compressor named {@code name} ({@code lz4}, {@code zstd}).
   *
   * @throws io.batpak.ProviderException if no provider of it is on the class path
   */
  Compressor get(String name);
}
