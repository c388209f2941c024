package io.batpak.spi;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import org.apiguardian.api.API;

/**
 * A {@link java.util.ServiceLoader} service that makes a {@link Compressor} available by name, like
 * {@link CodecProvider} for codecs. Implementations have a public no-argument constructor and do no
 * work until {@link #create()}. Declare implementations both in {@code module-info} ({@code
 * provides}) and in {@code META-INF/services/io.batpak.spi.CompressorProvider}. The engine finds
 * them with {@link ProviderLoader}: a provider that fails to load, or two providers of one name,
 * make the lookup fail with a coded diagnostic ({@code BATPAK-COMPRESS-*}) rather than pick one.
 * {@code io.batpak:batpak-compress} provides {@code lz4} and {@code zstd}.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public interface CompressorProvider extends NamedProvider {

  /**
   * The compressor's name: short lowercase ASCII, unique among compressor providers, and one of the
   * names the journal format assigns (docs/format.md, "Compressed payloads").
   *
   * @return the name
   */
  @Override
  String name();

  /**
   * Creates the compressor.
   *
   * @return a thread-safe compressor
   * @throws LinkageError if a library the compressor needs is not on the class path (the engine
   *     reports it naming the artifact to add)
   */
  Compressor create();
}
