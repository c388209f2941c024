package io.batpak.engine.internal.format;

import io.batpak.CorruptStoreException;
import io.batpak.spi.Compressor;
import java.util.function.Supplier;

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

  /**
   * The {@code zstd} compressor bound to the store's dictionary {@code id}, for a payload of method
   * {@link CompressedPayload#ZSTD_DICTIONARY} in the frame at {@code frameOffset} of {@code file}.
   * The default, for readers without the store's dictionaries, refuses.
   *
   * @throws CorruptStoreException if the dictionary is missing or damaged (naming its file)
   * @throws io.batpak.ProviderException if {@code zstd} is not on the class path
   */
  default Compressor dictionary(int id, Supplier<String> file, long frameOffset) {
    throw new CorruptStoreException(
        file.get(),
        frameOffset,
        "compressed payload's zstd dictionary",
        "a reader that has the store's dictionaries",
        "dictionary " + Integer.toUnsignedString(id));
  }
}
