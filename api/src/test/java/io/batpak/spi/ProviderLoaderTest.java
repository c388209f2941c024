package io.batpak.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.ProviderException;
import io.batpak.Store;
import io.batpak.StoreConfig;
import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ProviderLoader} through a real {@link ServiceLoader}, over a class loader that serves a
 * generated {@code META-INF/services} file per scenario (and no other resource), with providers
 * that are nested classes of this test: every kind of refusal, each message asserted in full.
 */
class ProviderLoaderTest {

  private static final String PREFIX = ProviderLoaderTest.class.getName() + "$";
  private static final String ALPHA = PREFIX + "AlphaEngine";
  private static final String BETA = PREFIX + "BetaEngine";
  private static final String ALPHA_TWIN = PREFIX + "AlphaTwinEngine";
  private static final String THROWING = PREFIX + "ThrowingEngine";
  private static final String BAD_NAME = PREFIX + "BadlyNamedEngine";
  private static final String JSON = PREFIX + "JsonCodecProvider";
  private static final String CBOR = PREFIX + "CborCodecProvider";

  @TempDir Path tmp;

  /** A store engine that is never asked to open anything here. */
  public abstract static class FakeEngine implements StoreEngine {
    @Override
    public Store open(StoreConfig config) {
      throw new UnsupportedOperationException("a fake engine opens nothing");
    }
  }

  /** Engine "alpha". */
  public static final class AlphaEngine extends FakeEngine {
    @Override
    public String name() {
      return "alpha";
    }
  }

  /** Engine "beta". */
  public static final class BetaEngine extends FakeEngine {
    @Override
    public String name() {
      return "beta";
    }
  }

  /** A second engine "alpha". */
  public static final class AlphaTwinEngine extends FakeEngine {
    @Override
    public String name() {
      return "alpha";
    }
  }

  /** An engine whose constructor throws. */
  public static final class ThrowingEngine extends FakeEngine {
    /** Throws. */
    public ThrowingEngine() {
      throw new IllegalStateException("the constructor throws on purpose");
    }

    @Override
    public String name() {
      return "throwing";
    }
  }

  /** An engine whose name is not short lowercase ASCII. */
  public static final class BadlyNamedEngine extends FakeEngine {
    @Override
    public String name() {
      return "Batpak Engine";
    }
  }

  /** A codec provider of the given name, whose codec is never created here. */
  public abstract static class FakeCodecProvider implements CodecProvider {
    @Override
    public Codec create() {
      throw new UnsupportedOperationException("a fake codec provider creates nothing");
    }
  }

  /** Codec "json". */
  public static final class JsonCodecProvider extends FakeCodecProvider {
    @Override
    public String name() {
      return "json";
    }
  }

  /** Codec "cbor". */
  public static final class CborCodecProvider extends FakeCodecProvider {
    @Override
    public String name() {
      return "cbor";
    }
  }

  /**
   * A class loader whose only resource is the services file of {@code service} listing {@code
   * providers}; classes come from this test's loader.
   */
  private ClassLoader scenario(Class<?> service, List<String> providers) throws IOException {
    Path file = Files.createTempFile(tmp, "services", ".txt");
    Files.write(file, providers, StandardCharsets.UTF_8);
    URL url = file.toUri().toURL();
    String resource = "META-INF/services/" + service.getName();
    return new ClassLoader("scenario", ProviderLoaderTest.class.getClassLoader()) {
      @Override
      public Enumeration<URL> getResources(String name) {
        return name.equals(resource)
            ? Collections.enumeration(List.of(url))
            : Collections.emptyEnumeration();
      }

      @Override
      public URL getResource(String name) {
        return name.equals(resource) ? url : null;
      }
    };
  }

  private ProviderDiscovery<StoreEngine> engines(String... providers) throws IOException {
    ClassLoader loader = scenario(StoreEngine.class, List.of(providers));
    return ProviderLoader.load(
        ProviderKind.STORE_ENGINE, ServiceLoader.load(StoreEngine.class, loader));
  }

  private ProviderDiscovery<CodecProvider> codecs(String... providers) throws IOException {
    ClassLoader loader = scenario(CodecProvider.class, List.of(providers));
    return ProviderLoader.load(ProviderKind.CODEC, ServiceLoader.load(CodecProvider.class, loader));
  }

  private static <S extends NamedProvider> ProviderChoice.Refused<S> refused(
      ProviderChoice<S> choice) {
    @SuppressWarnings("unchecked")
    ProviderChoice.Refused<S> r = assertInstanceOf(ProviderChoice.Refused.class, choice);
    ProviderException e = assertThrows(ProviderException.class, choice::orThrow);
    assertEquals(r.message(), e.getMessage());
    assertTrue(r.message().startsWith(r.code() + " "), r.message());
    return r;
  }

  @Test
  void theOnlyEngineIsChosen() throws IOException {
    ProviderChoice<StoreEngine> choice = engines(ALPHA).selectOnly();
    ProviderChoice.Chosen<?> chosen = assertInstanceOf(ProviderChoice.Chosen.class, choice);
    assertEquals("alpha", chosen.name());
    assertEquals(ALPHA, chosen.provider().getClass().getName());
    assertEquals(List.of(new ProviderVerdict("alpha", ALPHA, true, "chosen")), chosen.verdicts());
  }

  @Test
  void noEngine() throws IOException {
    ProviderChoice.Refused<StoreEngine> r = refused(engines().selectOnly());
    assertEquals(Refusal.NONE_FOUND, r.reason());
    assertEquals(
        "BATPAK-ENGINE-001 no store engine found.\n"
            + "Candidates: none (ServiceLoader found no provider of io.batpak.spi.StoreEngine).\n"
            + "Fix: add io.batpak:batpak-engine to the class path or module path."
            + " See docs/errors.md#batpak-engine-001",
        r.message());
  }

  @Test
  void twoEnginesTieWhateverTheOrder() throws IOException {
    String expected =
        "BATPAK-ENGINE-003 more than one store engine: alpha, beta; none is chosen, since the"
            + " order of the class path must not decide.\n"
            + "Candidates:\n"
            + "  - alpha ("
            + ALPHA
            + "): tied with beta\n"
            + "  - beta ("
            + BETA
            + "): tied with alpha\n"
            + "Fix: keep exactly one store engine artifact on the class path or module path."
            + " See docs/errors.md#batpak-engine-003";
    assertEquals(expected, refused(engines(ALPHA, BETA).selectOnly()).message());
    assertEquals(expected, refused(engines(BETA, ALPHA).selectOnly()).message());
  }

  @Test
  void twoEnginesOfOneName() throws IOException {
    ProviderChoice.Refused<StoreEngine> r = refused(engines(ALPHA, ALPHA_TWIN).selectOnly());
    assertEquals(Refusal.DUPLICATE_NAME, r.reason());
    assertEquals(
        "BATPAK-ENGINE-004 duplicate store engine name: \"alpha\" is claimed by "
            + ALPHA
            + " and "
            + ALPHA_TWIN
            + ".\n"
            + "Candidates:\n"
            + "  - alpha ("
            + ALPHA
            + "): skipped: name also claimed by "
            + ALPHA_TWIN
            + "\n"
            + "  - alpha ("
            + ALPHA_TWIN
            + "): skipped: name also claimed by "
            + ALPHA
            + "\n"
            + "Fix: remove one of the artifacts that provide the same name from the class path or"
            + " module path. See docs/errors.md#batpak-engine-004",
        r.message());
  }

  @Test
  void aThrowingConstructorIsAVerdictAndDiscoveryGoesOn() throws IOException {
    ProviderDiscovery<StoreEngine> found = engines(THROWING, ALPHA);
    assertEquals(2, found.candidates().size());
    ProviderChoice.Refused<StoreEngine> r = refused(found.selectOnly());
    assertEquals(Refusal.BROKEN_PROVIDER, r.reason());
    assertEquals(
        "BATPAK-ENGINE-005 broken store engine provider: 1 provider failed to load.\n"
            + "Candidates:\n"
            + "  - alpha ("
            + ALPHA
            + "): would be chosen\n"
            + "  - "
            + THROWING
            + ": failed to load: java.util.ServiceConfigurationError: io.batpak.spi.StoreEngine:"
            + " Provider "
            + THROWING
            + " could not be instantiated; caused by java.lang.IllegalStateException: the"
            + " constructor throws on purpose\n"
            + "Fix: remove or repair the broken provider's artifact (the error is listed above and"
            + " attached as the cause). See docs/errors.md#batpak-engine-005",
        r.message());
    ProviderException e = r.toException();
    ServiceConfigurationError cause =
        assertInstanceOf(ServiceConfigurationError.class, e.getCause());
    assertEquals(
        "the constructor throws on purpose",
        assertInstanceOf(IllegalStateException.class, cause.getCause()).getMessage());
  }

  @Test
  void aMissingClassAndAnInvalidNameAreBrokenTooEachErrorKept() throws IOException {
    String missing = PREFIX + "NoSuchEngine";
    ProviderDiscovery<StoreEngine> found = engines(missing, BAD_NAME, ALPHA);
    ProviderChoice.Refused<StoreEngine> r = refused(found.selectOnly());
    assertEquals(
        "BATPAK-ENGINE-005 broken store engine provider: 2 providers failed to load.\n"
            + "Candidates:\n"
            + "  - alpha ("
            + ALPHA
            + "): would be chosen\n"
            + "  - unknown class: failed to load: java.util.ServiceConfigurationError:"
            + " io.batpak.spi.StoreEngine: Provider "
            + missing
            + " not found\n"
            + "  - "
            + BAD_NAME
            + ": failed to load: invalid name \"Batpak Engine\"; a provider name is short"
            + " lowercase ASCII matching [a-z][a-z0-9-]{0,31}\n"
            + "Fix: remove or repair the broken provider's artifact (the error is listed above and"
            + " attached as the cause). See docs/errors.md#batpak-engine-005",
        r.message());
    assertEquals(1, r.errors().size(), "the invalid name threw nothing");
    assertInstanceOf(ServiceConfigurationError.class, r.toException().getCause());
  }

  @Test
  void aCodecIsChosenByName() throws IOException {
    ProviderChoice<CodecProvider> choice = codecs(JSON, CBOR).selectByName("cbor");
    assertEquals(CBOR, choice.orThrow().getClass().getName());
    assertEquals(
        List.of(
            new ProviderVerdict("cbor", CBOR, true, "chosen"),
            new ProviderVerdict("json", JSON, false, "skipped: not the requested name")),
        choice.verdicts());
  }

  @Test
  void aNamedCodecThatIsNotFound() throws IOException {
    ProviderChoice.Refused<CodecProvider> r = refused(codecs(JSON).selectByName("cbor"));
    assertEquals(Refusal.UNKNOWN_NAME, r.reason());
    assertEquals(
        "BATPAK-CODEC-002 unknown codec \"cbor\". Available names: json.\n"
            + "Candidates:\n"
            + "  - json ("
            + JSON
            + "): skipped: not the requested name\n"
            + "Fix: use an available name, or add the artifact that provides \"cbor\" to the class"
            + " path or module path. See docs/errors.md#batpak-codec-002",
        r.message());
  }

  @Test
  void aDuplicateOfAnotherNameRefusesASelectionByName() throws IOException {
    ProviderDiscovery<CodecProvider> found =
        ProviderLoader.of(
            ProviderKind.CODEC,
            List.of(new JsonCodecProvider(), new JsonCodecProvider(), new CborCodecProvider()));
    ProviderChoice.Refused<CodecProvider> r = refused(found.selectByName("cbor"));
    assertEquals(Refusal.DUPLICATE_NAME, r.reason());
    assertEquals(new ProviderVerdict("cbor", CBOR, true, "would be chosen"), r.verdicts().get(0));
    assertEquals(Map.of("json", 2), Map.of("json", found.duplicates().get("json").size()));
    assertEquals(r.code(), found.refusalIfUnsound().orElseThrow().code());
  }

  @Test
  void aListThatThrowsServiceConfigurationErrorIsOneBrokenCandidateAndGoesOn() {
    ServiceConfigurationError boom = new ServiceConfigurationError("boom");
    Iterable<CodecProvider> providers =
        () ->
            new java.util.Iterator<>() {
              private int next;

              @Override
              public boolean hasNext() {
                return next < 2;
              }

              @Override
              public CodecProvider next() {
                if (next++ == 0) {
                  throw boom;
                }
                return new JsonCodecProvider();
              }
            };
    ProviderDiscovery<CodecProvider> found = ProviderLoader.of(ProviderKind.CODEC, providers);
    assertEquals(2, found.candidates().size());
    ProviderChoice.Refused<CodecProvider> r = refused(found.selectByName("json"));
    assertEquals(Refusal.BROKEN_PROVIDER, r.reason());
    assertSame(boom, r.toException().getCause());
  }

  @Test
  void codesAndAnchorsFollowOneNumbering() {
    assertEquals("BATPAK-FS-001", ProviderKind.FILESYSTEM_BACKEND.code(Refusal.NONE_FOUND));
    assertEquals("BATPAK-CODEC-004", ProviderKind.CODEC.code(Refusal.DUPLICATE_NAME));
    assertEquals(
        "docs/errors.md#batpak-engine-005",
        ProviderKind.STORE_ENGINE.docs(Refusal.BROKEN_PROVIDER));
    assertSame(StoreFsProvider.class, ProviderKind.FILESYSTEM_BACKEND.service());
  }
}
