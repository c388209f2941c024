package io.batpak.spi;

import static org.apiguardian.api.API.Status.STABLE;

import org.apiguardian.api.API;

/**
 * A {@link java.util.ServiceLoader} service that makes a {@link Codec} available by name.
 * Implementations have a public no-argument constructor and do no work until {@link #create()}.
 * Declare implementations both in {@code module-info} ({@code provides}) and in {@code
 * META-INF/services/io.batpak.spi.CodecProvider}. The engine finds them with {@link
 * ProviderLoader}: a provider that fails to load, or two providers of one name, make the lookup
 * fail with a coded diagnostic ({@code BATPAK-CODEC-*}) rather than pick one.
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public interface CodecProvider extends NamedProvider {

  /**
   * The codec's name, equal to {@link Codec#name()} of what {@link #create()} returns: short
   * lowercase ASCII, unique among codec providers.
   *
   * @return the name
   */
  @Override
  String name();

  /** Creates the codec. */
  Codec create();
}
