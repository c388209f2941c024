package io.batpak.engine.internal;

import io.batpak.Bytes;
import io.batpak.CodecException;
import io.batpak.EventId;
import io.batpak.ProviderException;
import io.batpak.StoreConfig;
import io.batpak.ValidationException;
import io.batpak.spi.Codec;
import io.batpak.spi.CodecProvider;
import io.batpak.spi.DiscoveredProvider;
import io.batpak.spi.ProviderChoice;
import io.batpak.spi.ProviderDiscovery;
import io.batpak.spi.ProviderKind;
import io.batpak.spi.ProviderLoader;
import io.batpak.spi.Refusal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * The store's payload codec: which one a store uses, finding it by name, and encoding and decoding
 * payloads with it.
 *
 * <p>A store's codec is chosen once, when the store is created, and its name is written into every
 * segment header; recovery refuses a mix, so a store keeps its codec for life. A store created
 * while no codec was on the class path (or with the codec option {@code bytes}) is a {@code bytes}
 * store: it takes only {@link Bytes} payloads, encoded by the application. Every failure here says
 * what is true of the store and what the user can do, and points at {@code docs/codecs.md}.
 *
 * <p>Stateless and thread-safe. Providers are found by {@link ProviderLoader} with a {@link
 * ServiceLoader} over this class's loader (the engine's), so the codec module is found on the class
 * path and on the module path. The lookup is strict: a provider that fails to load ({@code
 * BATPAK-CODEC-005}) or two providers of one name ({@code BATPAK-CODEC-004}) fail the open of a
 * store that needs a codec, or whose codec is still to be chosen, instead of letting the first one
 * found win or a new store quietly become a {@code bytes} store; a named codec that is not found is
 * {@code BATPAK-CODEC-002}. The codes are explained in {@code docs/errors.md}.
 */
final class Codecs {

  /** The codec name recorded for stores without a payload codec. */
  static final String BYTES = EngineStore.NO_CODEC;

  /** The codec a new store uses when none is named and it is on the class path. */
  static final String DEFAULT = "json";

  /** Codecs that ship in {@code io.batpak:batpak-codec}, by name. */
  private static final Map<String, String> ARTIFACTS =
      Map.of("json", "io.batpak:batpak-codec", "cbor", "io.batpak:batpak-codec");

  private static final String DOCS = "docs/codecs.md";

  /** The code of a configuration that names a codec no provider has. */
  static final String UNKNOWN_CODEC = ProviderKind.CODEC.code(Refusal.UNKNOWN_NAME);

  private Codecs() {}

  /**
   * The codec providers a {@link ServiceLoader} finds, loaded or broken, as {@link ProviderLoader}
   * reports them. Selection is strict: a broken provider or two providers of one name refuse every
   * choice that depends on them ({@code BATPAK-CODEC-005}, {@code BATPAK-CODEC-004}).
   */
  record Available(ProviderDiscovery<CodecProvider> discovery) {
    Available {
      Objects.requireNonNull(discovery, "discovery");
    }

    /** Scans the engine's class loader. */
    static Available scan() {
      return new Available(
          ProviderLoader.load(
              ProviderKind.CODEC,
              ServiceLoader.load(CodecProvider.class, Codecs.class.getClassLoader())));
    }

    /** Takes the providers {@code providers} yields, recording any that fail to load. */
    static Available of(Iterable<CodecProvider> providers) {
      return new Available(ProviderLoader.of(ProviderKind.CODEC, providers));
    }

    /** Whether a provider of codec {@code name} loaded. */
    boolean has(String name) {
      return discovery.names().contains(name);
    }

    /**
     * Creates codec {@code name}, or returns null when no provider of that name loaded (the store
     * then opens without its codec; using it is a {@link CodecException} that says so).
     *
     * @throws ProviderException {@code BATPAK-CODEC-005} if any codec provider is broken, {@code
     *     BATPAK-CODEC-004} if two providers claim one name
     */
    Codec create(String name) {
      ProviderChoice<CodecProvider> choice = discovery.selectByName(name);
      if (choice instanceof ProviderChoice.Refused<CodecProvider> refused
          && refused.reason() == Refusal.UNKNOWN_NAME) {
        return null;
      }
      return choice.orThrow().create();
    }

    /** "cbor, json" (sorted) or "none", plus the providers that failed to load. */
    String describe() {
      return names() + brokenSuffix();
    }

    /** "cbor, json" (sorted) or "none". */
    String names() {
      return discovery.names().isEmpty() ? "none" : String.join(", ", discovery.names());
    }

    /** "; codec providers that failed to load: ..." or "". */
    String brokenSuffix() {
      List<String> broken = new ArrayList<>();
      for (DiscoveredProvider<CodecProvider> c : discovery.broken()) {
        broken.add(c.error().map(Throwable::getMessage).orElse(c.failure().orElseThrow()));
      }
      return broken.isEmpty()
          ? ""
          : "; codec providers that failed to load: " + String.join("; ", broken);
    }
  }

  /**
   * The codec a store opened with {@code config} uses: the one its segments name ({@code stored})
   * for an existing store, else the configured one, else {@code json} when it is on the class path,
   * else {@code bytes}.
   *
   * @throws ValidationException if the configuration names a codec other than the stored one
   * @throws ProviderException if the configuration names a codec that is not on the class path
   */
  static String chooseName(StoreConfig config, Optional<String> stored) {
    return chooseName(config, stored, Available.scan());
  }

  /** {@link #chooseName(StoreConfig, Optional)} over the providers in {@code available}. */
  static String chooseName(StoreConfig config, Optional<String> stored, Available available) {
    String chosen = chooseNameLeniently(config, stored, available);
    if (stored.isEmpty() && config.codec().isEmpty()) {
      // The default depends on every provider: a broken one may be json itself, and a new store
      // must not quietly become a bytes store for life.
      available
          .discovery()
          .refusalIfUnsound()
          .ifPresent(
              r -> {
                throw r.toException();
              });
    }
    return chosen;
  }

  private static String chooseNameLeniently(
      StoreConfig config, Optional<String> stored, Available available) {
    Optional<String> asked = config.codec();
    String dir = config.directory().toString();
    if (stored.isPresent()) {
      String name = stored.get();
      if (asked.isPresent() && !asked.get().equals(name)) {
        throw new ValidationException(mismatch(dir, name, asked.get(), available));
      }
      if (asked.isPresent() && !BYTES.equals(name) && !available.has(name)) {
        throw new ProviderException(
            UNKNOWN_CODEC
                + " the configuration asks for codec '"
                + name
                + "', the codec of the store in "
                + dir
                + ", and no codec of that name is on the class path or module path (codecs found: "
                + available.describe()
                + "). "
                + addArtifact(name)
                + ", or remove the codec option to open the store without it (Bytes payloads and"
                + " get(id).payload() still work). See "
                + DOCS
                + "#missing-codec");
      }
      return name;
    }
    if (asked.isPresent()) {
      String name = asked.get();
      if (!BYTES.equals(name) && !available.has(name)) {
        throw new ProviderException(
            UNKNOWN_CODEC
                + " the configuration asks for codec '"
                + name
                + "' for the new store in "
                + dir
                + ", and no codec of that name is on the class path or module path. Codecs found: "
                + available.names()
                + " (and '"
                + BYTES
                + "', a store without a payload codec)"
                + available.brokenSuffix()
                + ". "
                + addArtifact(name)
                + ", name a codec that was found, or remove the codec option (a new store then uses"
                + " '"
                + DEFAULT
                + "' when it is on the class path, else '"
                + BYTES
                + "'). A store keeps the codec it is created with for life. See "
                + DOCS
                + "#choosing-a-codec");
      }
      return name;
    }
    return available.has(DEFAULT) ? DEFAULT : BYTES;
  }

  private static String mismatch(String dir, String stored, String asked, Available available) {
    if (BYTES.equals(stored)) {
      return "the store in "
          + dir
          + " was created without a payload codec: its segment headers name codec '"
          + BYTES
          + "', and a store keeps its codec for life, so it cannot be opened with codec '"
          + asked
          + "'"
          + (available.has(asked) ? ", even though that codec is on the class path now" : "")
          + ". Remove the codec option to open it as a '"
          + BYTES
          + "' store (it takes Bytes payloads, which you encode yourself), or create a new store"
          + " with codec '"
          + asked
          + "' and copy the events into it. See "
          + DOCS
          + "#bytes-stores";
    }
    return "the store in "
        + dir
        + " was created with codec '"
        + stored
        + "' (its segment headers name it), and a store keeps its codec for life, so it cannot be"
        + " opened with codec '"
        + asked
        + "'. Remove the codec option (the store then uses '"
        + stored
        + "') or set it to '"
        + stored
        + "'. See "
        + DOCS
        + "#choosing-a-codec";
  }

  /** "Add io.batpak:batpak-codec, which provides 'json'", or the generic form for other names. */
  private static String addArtifact(String name) {
    String artifact = ARTIFACTS.get(name);
    return artifact == null
        ? "Add the artifact that provides codec '" + name + "' to the class path or module path"
        : "Add "
            + artifact
            + ", which provides codec '"
            + name
            + "', to the class path or module path";
  }

  /**
   * Creates codec {@code name}, or returns null for {@code bytes} or a codec not found.
   *
   * @throws ProviderException {@code BATPAK-CODEC-005} if a codec provider is broken, {@code
   *     BATPAK-CODEC-004} if two providers claim one name
   */
  static Codec find(String name) {
    return BYTES.equals(name) ? null : Available.scan().create(name);
  }

  /**
   * The bytes to store for {@code payload}: a {@link Bytes} payload as is, anything else as {@code
   * codec} encodes it.
   *
   * @param codec the store's codec, or null when the store has none or it is not on the class path
   * @param codecName the store's codec name
   * @throws CodecException if the payload is not {@code Bytes} and {@code codec} is null (saying
   *     why and what to do), or if the codec cannot encode it
   */
  static byte[] encode(Codec codec, String codecName, Object payload) {
    if (payload instanceof Bytes b) {
      return b.toByteArray();
    }
    if (codec != null) {
      return codec.encode(payload).toByteArray();
    }
    String what = "cannot encode a payload of type " + payload.getClass().getName();
    if (BYTES.equals(codecName)) {
      Available available = Available.scan();
      return fail(
          what
              + ": this store has no payload codec. It was created without one (its segment"
              + " headers name codec '"
              + BYTES
              + "'), and a store keeps its codec for life"
              + (available.discovery().names().isEmpty()
                  ? ""
                  : ", even now that a codec is on the class path (" + available.names() + ")")
              + ". Pass the payload as Bytes (encode it yourself), or create a new store while "
              + ARTIFACTS.get(DEFAULT)
              + " is on the class path (it then uses codec '"
              + DEFAULT
              + "') and copy the events into it. See "
              + DOCS
              + "#bytes-stores");
    }
    return fail(
        what
            + ": "
            + missing(codecName)
            + ", or pass the payload as Bytes (encoded with codec '"
            + codecName
            + "'). See "
            + DOCS
            + "#missing-codec");
  }

  /**
   * Decodes the payload of event {@code id} as {@code type} with {@code codec}.
   *
   * @param codec the store's codec, or null when the store has none or it is not on the class path
   * @param codecName the store's codec name
   * @throws NullPointerException if {@code type} is null
   * @throws CodecException if {@code codec} is null (saying why and what to do), or if the codec
   *     cannot decode the payload as {@code type}
   */
  static <T> T decode(Codec codec, String codecName, EventId id, Bytes payload, Class<T> type) {
    Objects.requireNonNull(type, "type");
    if (codec != null) {
      return codec.decode(payload, type);
    }
    String what = "cannot decode event " + id + " as " + type.getName();
    if (BYTES.equals(codecName)) {
      return fail(
          what
              + ": this store has no payload codec. It was created without one (its segment"
              + " headers name codec '"
              + BYTES
              + "'), and a store keeps its codec for life, so its payloads are the bytes the"
              + " application passed. Read them with get(id).payload() and decode"
              + " them yourself. See "
              + DOCS
              + "#bytes-stores");
    }
    return fail(
        what
            + ": "
            + missing(codecName)
            + ", or read the payload with get(id).payload() and decode it yourself. See "
            + DOCS
            + "#missing-codec");
  }

  private static String missing(String codecName) {
    return "this store's codec is '"
        + codecName
        + "' (its segment headers name it), and no codec of that name is on the class path or"
        + " module path (codecs found: "
        + Available.scan().describe()
        + "). "
        + addArtifact(codecName);
  }

  private static <T> T fail(String message) {
    throw new CodecException(message);
  }
}
