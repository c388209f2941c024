package io.batpak.spi;

import static org.apiguardian.api.API.Status.INTERNAL;

import java.util.Locale;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * One kind of service provider that {@link ProviderLoader} finds: its service interface, the words
 * diagnostics use for it, the prefix of its diagnostic codes (documented in {@code
 * docs/errors.md}), and the artifact that provides the default implementation. The four kinds are
 * constants; there are no others. Immutable and thread-safe.
 *
 * @param <S> the service interface
 * @since 0.1
 */
@API(status = INTERNAL, since = "0.1")
public final class ProviderKind<S extends NamedProvider> {

  /**
   * Store engines ({@link StoreEngine}), found by {@code Store.open}; codes {@code
   * BATPAK-ENGINE-*}.
   */
  public static final ProviderKind<StoreEngine> STORE_ENGINE =
      new ProviderKind<>(
          StoreEngine.class, "store engine", "BATPAK-ENGINE", "io.batpak:batpak-engine");

  /** Payload codecs ({@link CodecProvider}), found by the engine; codes {@code BATPAK-CODEC-*}. */
  public static final ProviderKind<CodecProvider> CODEC =
      new ProviderKind<>(CodecProvider.class, "codec", "BATPAK-CODEC", "io.batpak:batpak-codec");

  /**
   * Filesystem backends ({@link StoreFsProvider}), found by {@code StoreFsResolver}; codes {@code
   * BATPAK-FS-*}.
   */
  public static final ProviderKind<StoreFsProvider> FILESYSTEM_BACKEND =
      new ProviderKind<>(
          StoreFsProvider.class, "filesystem backend", "BATPAK-FS", "io.batpak:batpak-fs-posix");

  /**
   * Payload compressors ({@link CompressorProvider}), found by the engine; codes {@code
   * BATPAK-COMPRESS-*}.
   */
  public static final ProviderKind<CompressorProvider> COMPRESSOR =
      new ProviderKind<>(
          CompressorProvider.class, "compressor", "BATPAK-COMPRESS", "io.batpak:batpak-compress");

  private final Class<S> service;
  private final String noun;
  private final String codePrefix;
  private final String defaultArtifact;

  private ProviderKind(Class<S> service, String noun, String codePrefix, String defaultArtifact) {
    this.service = service;
    this.noun = noun;
    this.codePrefix = codePrefix;
    this.defaultArtifact = defaultArtifact;
  }

  /**
   * The service interface.
   *
   * @return for example {@code CodecProvider.class}
   */
  public Class<S> service() {
    return service;
  }

  /**
   * What diagnostics call one provider of this kind.
   *
   * @return for example {@code "codec"} or {@code "store engine"}
   */
  public String noun() {
    return noun;
  }

  /**
   * The prefix of this kind's diagnostic codes.
   *
   * @return for example {@code "BATPAK-CODEC"}
   */
  public String codePrefix() {
    return codePrefix;
  }

  /**
   * The Maven coordinates of the artifact that provides the default implementation.
   *
   * @return for example {@code "io.batpak:batpak-codec"}
   */
  public String defaultArtifact() {
    return defaultArtifact;
  }

  /**
   * The diagnostic code this kind uses for {@code reason}.
   *
   * @param reason why a selection was refused
   * @return for example {@code "BATPAK-CODEC-004"}
   * @throws NullPointerException if {@code reason} is null
   */
  public String code(Refusal reason) {
    Objects.requireNonNull(reason, "reason");
    return String.format(Locale.ROOT, "%s-%03d", codePrefix, reason.number());
  }

  /**
   * Where {@code docs/errors.md} explains the code this kind uses for {@code reason}.
   *
   * @param reason why a selection was refused
   * @return for example {@code "docs/errors.md#batpak-codec-004"}
   * @throws NullPointerException if {@code reason} is null
   */
  public String docs(Refusal reason) {
    return "docs/errors.md#" + code(reason).toLowerCase(Locale.ROOT);
  }

  @Override
  public String toString() {
    return noun + " (" + service.getName() + ")";
  }
}
