package io.batpak.engine.internal;

import io.batpak.ProviderException;
import io.batpak.StoreConfig;
import io.batpak.ValidationException;
import io.batpak.engine.internal.format.CompressedPayload;
import io.batpak.engine.internal.format.Decompressors;
import io.batpak.spi.Compressor;
import io.batpak.spi.CompressorProvider;
import io.batpak.spi.ProviderChoice;
import io.batpak.spi.ProviderDiscovery;
import io.batpak.spi.ProviderKind;
import io.batpak.spi.ProviderLoader;
import io.batpak.spi.Refusal;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The store's payload compressors (ADR 0026): the one appends use, chosen by {@link
 * StoreConfig#compression()} when the store opens, and every one a stored payload names, found by
 * name when the first such payload is read. Providers are found by {@link ProviderLoader} with a
 * {@link ServiceLoader} over the engine's class loader, strictly, as codecs are ({@code
 * BATPAK-COMPRESS-*} in docs/errors.md).
 *
 * <p>A store whose segments name a compressor that is not on the class path opens; reading one of
 * its compressed payloads is a {@link ProviderException} naming the compressor and the artifacts
 * that provide it, and so is opening with {@code compression} set to it. Thread-safe.
 */
public final class Compressors implements Decompressors {

  /** The artifact that provides the compressors the format knows. */
  static final String ARTIFACT = "io.batpak:batpak-compress";

  /** The library each compressor of {@link #ARTIFACT} runs on. */
  private static final Map<String, String> LIBRARIES =
      Map.of("lz4", "at.yawk.lz4:lz4-java", "zstd", "com.github.luben:zstd-jni");

  private static final String DOCS = "docs/codecs.md#compression";

  private final ProviderDiscovery<CompressorProvider> discovery;
  private final Map<String, Compressor> found = new ConcurrentHashMap<>();
  private final Compressor writer;
  private final int writerMethod;

  private Compressors(ProviderDiscovery<CompressorProvider> discovery, Compressor writer, int m) {
    this.discovery = discovery;
    this.writer = writer;
    this.writerMethod = m;
    if (writer != null) {
      found.put(writer.name(), writer);
    }
  }

  /**
   * The compressors of a store opened with {@code config}.
   *
   * @throws ValidationException if {@code compression} names a compressor the journal format does
   *     not know
   * @throws ProviderException if it names one that is not on the class path ({@code
   *     BATPAK-COMPRESS-002}), whose library is missing ({@code -006}), or a provider is broken or
   *     duplicated ({@code -005}, {@code -004})
   */
  static Compressors open(StoreConfig config) {
    ProviderDiscovery<CompressorProvider> discovery =
        ProviderLoader.load(
            ProviderKind.COMPRESSOR,
            ServiceLoader.load(CompressorProvider.class, Compressors.class.getClassLoader()));
    String name = config.compression();
    if (StoreConfig.NO_COMPRESSION.equals(name)) {
      return new Compressors(discovery, null, 0);
    }
    int method = CompressedPayload.method(name);
    if (method < 0) {
      throw new ValidationException(
          "compression '"
              + name
              + "' is not a compressor the journal format knows ("
              + CompressedPayload.assignedNames()
              + "); name one of those or '"
              + StoreConfig.NO_COMPRESSION
              + "'. See "
              + DOCS);
    }
    Compressor c =
        create(
            discovery,
            name,
            "the configuration asks for compression '"
                + name
                + "' for the store in "
                + config.directory());
    return new Compressors(discovery, c, method);
  }

  /** The compressor appends use, or null when payloads are stored uncompressed. */
  Compressor writer() {
    return writer;
  }

  /** The method byte of {@link #writer()}. */
  int writerMethod() {
    return writerMethod;
  }

  /** The name new segment headers record: the writer's, or {@code none}. */
  String writerName() {
    return writer == null ? StoreConfig.NO_COMPRESSION : writer.name();
  }

  @Override
  public Compressor get(String name) {
    Compressor c = found.get(name);
    if (c != null) {
      return c;
    }
    c = create(discovery, name, "a stored payload is compressed with '" + name + "'");
    Compressor raced = found.putIfAbsent(name, c);
    return raced == null ? c : raced;
  }

  private static Compressor create(
      ProviderDiscovery<CompressorProvider> discovery, String name, String context) {
    ProviderChoice<CompressorProvider> choice = discovery.selectByName(name);
    if (choice instanceof ProviderChoice.Refused<CompressorProvider> refused
        && refused.reason() == Refusal.UNKNOWN_NAME) {
      throw new ProviderException(
          ProviderKind.COMPRESSOR.code(Refusal.UNKNOWN_NAME)
              + " "
              + context
              + ", and no compressor of that name is on the class path or module path"
              + " (compressors found: "
              + (discovery.names().isEmpty() ? "none" : String.join(", ", discovery.names()))
              + "). Add "
              + ARTIFACT
              + " and "
              + LIBRARIES.getOrDefault(name, "the library it needs")
              + " to the class path or module path; events whose payloads are stored uncompressed"
              + " read without them. See "
              + DOCS);
    }
    CompressorProvider provider = choice.orThrow();
    try {
      return provider.create();
    } catch (LinkageError e) {
      throw new ProviderException(
          ProviderKind.COMPRESSOR.code(Refusal.NAMED_UNAVAILABLE)
              + " "
              + context
              + ": its provider "
              + provider.getClass().getName()
              + " is on the class path, but the library it runs on failed to load ("
              + e
              + "). Add "
              + LIBRARIES.getOrDefault(name, "the library it needs")
              + " (a dependency of "
              + ARTIFACT
              + ", perhaps excluded) for this platform. See "
              + DOCS);
    }
  }
}
