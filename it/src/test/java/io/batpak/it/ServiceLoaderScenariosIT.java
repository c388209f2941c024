package io.batpak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.ProviderException;
import io.batpak.fs.spi.StoreFsResolver;
import io.batpak.fs.spi.StoreFsResolver.Resolution;
import io.batpak.fs.spi.StoreFsResolver.Source;
import io.batpak.it.fakes.AlphaProvider;
import io.batpak.it.fakes.AlphaTwinProvider;
import io.batpak.it.fakes.BetaProvider;
import io.batpak.it.fakes.MissingNativeLibraryProvider;
import io.batpak.it.fakes.ThrowingConstructorProvider;
import io.batpak.spi.StoreFsProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.ServiceConfigurationError;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backend discovery through a real {@link java.util.ServiceLoader}, each scenario in its own class
 * loader: a {@link URLClassLoader} over a temporary directory that holds a generated {@code
 * META-INF/services/io.batpak.spi.StoreFsProvider} file and copies of the fake providers, whose
 * parent ({@link ApiOnlyClassLoader}) sees only {@code api} and {@code fs-spi}. The real providers
 * are visible only where a scenario adds their jar, and in {@link #realClassPathPicksPosix()}.
 * Every diagnostic is asserted in full.
 */
class ServiceLoaderScenariosIT {

  private static final String SERVICE = "META-INF/services/" + StoreFsProvider.class.getName();
  private static final String ALPHA = AlphaProvider.class.getName();
  private static final String BETA = BetaProvider.class.getName();
  private static final String TWIN = AlphaTwinProvider.class.getName();
  private static final String THROWING = ThrowingConstructorProvider.class.getName();
  private static final String NATIVE = MissingNativeLibraryProvider.class.getName();
  private static final String SIM = "io.batpak.fs.sim.SimStoreFsProvider";
  private static final String POSIX = "io.batpak.fs.posix.PosixStoreFsProvider";
  private static final String NIO = "io.batpak.fs.nio.NioStoreFsProvider";

  private static final String FIX_001 =
      "Fix: add io.batpak:batpak-fs-posix (backends posix and nio) to the class path or module"
          + " path, select a backend by name, or pass a StoreFs instance."
          + " See docs/errors.md#batpak-fs-001";
  private static final String FIX_005 =
      "Fix: remove or repair the broken provider's artifact (the error is listed above and"
          + " attached as the cause), or pass a StoreFs instance. See docs/errors.md#batpak-fs-005";

  @TempDir Path tmp;

  /**
   * A class loader for one scenario: the fake provider classes, a services file listing {@code
   * providers} (none when empty), and the {@code extra} jars or directories.
   */
  private URLClassLoader scenario(List<String> providers, Path... extra) throws IOException {
    Path root = Files.createTempDirectory(tmp, "scenario");
    Path fakes = Path.of("io", "batpak", "it", "fakes");
    Path from = TestClasspath.testClasses().resolve(fakes);
    try (Stream<Path> files = Files.list(from)) {
      Files.createDirectories(root.resolve(fakes));
      files.forEach(
          f -> {
            try {
              Files.copy(f, root.resolve(fakes).resolve(f.getFileName().toString()));
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          });
    }
    if (!providers.isEmpty()) {
      Path services = root.resolve(SERVICE);
      Files.createDirectories(services.getParent());
      Files.write(services, providers, StandardCharsets.UTF_8);
    }
    List<URL> urls = new ArrayList<>();
    urls.add(url(root));
    for (Path p : extra) {
      urls.add(url(p));
    }
    return new URLClassLoader(
        "scenario",
        urls.toArray(new URL[0]),
        new ApiOnlyClassLoader(ServiceLoaderScenariosIT.class.getClassLoader()));
  }

  private static URL url(Path p) throws MalformedURLException {
    return p.toUri().toURL();
  }

  private static Resolution resolve(String name, ClassLoader loader) {
    return StoreFsResolver.resolve(name, loader, new Properties());
  }

  private static ProviderException failure(String name, ClassLoader loader) {
    return assertThrows(ProviderException.class, () -> resolve(name, loader));
  }

  @Test
  void noProvider() throws IOException {
    try (URLClassLoader loader = scenario(List.of())) {
      // The real providers are on the test class path, but not visible to the scenario.
      assertThrows(ClassNotFoundException.class, () -> loader.loadClass(POSIX));
      assertThrows(ClassNotFoundException.class, () -> loader.loadClass(SIM));

      ProviderException e = failure(null, loader);

      assertEquals(
          "BATPAK-FS-001 no filesystem backend: no auto-selectable provider passed its probe.\n"
              + "Candidates: none (ServiceLoader found no provider of"
              + " io.batpak.spi.StoreFsProvider).\n"
              + FIX_001,
          e.getMessage());
    }
  }

  @Test
  void twoProvidersOfDifferentPriorityTheHigherWinsWhateverTheOrder() throws IOException {
    String expected =
        "filesystem backend beta chosen automatically: the highest-priority auto-selectable"
            + " provider whose probe passed.\n"
            + "Candidates:\n"
            + "  - beta ("
            + BETA
            + ", priority 20): chosen: probe passed: beta fake is always available\n"
            + "  - alpha ("
            + ALPHA
            + ", priority 10): skipped: lower priority than beta (20); not probed\n";
    try (URLClassLoader loader = scenario(List.of(ALPHA, BETA))) {
      Resolution r = resolve(null, loader);
      assertEquals("beta", r.name());
      assertEquals(Source.AUTOMATIC, r.source());
      assertEquals(BETA, r.provider().getClass().getName());
      assertEquals(loader, r.provider().getClass().getClassLoader());
      assertEquals(expected, r.explanation());
    }
    try (URLClassLoader loader = scenario(List.of(BETA, ALPHA))) {
      assertEquals(expected, resolve(null, loader).explanation());
    }
  }

  @Test
  void explicitNameByArgumentAndBySystemProperty() throws IOException {
    try (URLClassLoader loader = scenario(List.of(ALPHA, BETA))) {
      Resolution r = resolve("alpha", loader);
      assertEquals("alpha", r.name());
      assertEquals(Source.NAME, r.source());
      assertEquals(
          "filesystem backend alpha chosen by name (named by the caller); its probe passed.\n"
              + "Candidates:\n"
              + "  - beta ("
              + BETA
              + ", priority 20): skipped: not the requested name\n"
              + "  - alpha ("
              + ALPHA
              + ", priority 10): chosen: probe passed: alpha fake is always available\n",
          r.explanation());

      Properties properties = new Properties();
      properties.setProperty(StoreFsResolver.BACKEND_PROPERTY, "alpha");
      Resolution byProperty = StoreFsResolver.resolve(null, loader, properties);
      assertEquals("alpha", byProperty.name());
      assertEquals(Source.SYSTEM_PROPERTY, byProperty.source());
      assertTrue(
          byProperty
              .explanation()
              .startsWith(
                  "filesystem backend alpha chosen by name (named by system property"
                      + " batpak.fs.backend); its probe passed.\n"),
          byProperty.explanation());
    }
  }

  @Test
  void unknownName() throws IOException {
    try (URLClassLoader loader = scenario(List.of(ALPHA, BETA))) {
      ProviderException e = failure("gamma", loader);
      assertEquals(
          "BATPAK-FS-002 unknown filesystem backend \"gamma\" (named by the caller). Available"
              + " names: alpha, beta.\n"
              + "Candidates:\n"
              + "  - beta ("
              + BETA
              + ", priority 20): skipped: not the requested name\n"
              + "  - alpha ("
              + ALPHA
              + ", priority 10): skipped: not the requested name\n"
              + "Fix: use an available name, or add the artifact that provides \"gamma\";"
              + " io.batpak:batpak-fs-posix adds the default backends posix and nio,"
              + " io.batpak:batpak-fs-sim adds sim. See docs/errors.md#batpak-fs-002",
          e.getMessage());
    }
  }

  @Test
  void duplicateName() throws IOException {
    try (URLClassLoader loader = scenario(List.of(ALPHA, BETA, TWIN))) {
      ProviderException e = failure(null, loader);
      assertEquals(
          "BATPAK-FS-004 duplicate filesystem backend name: \"alpha\" is claimed by "
              + TWIN
              + " and "
              + ALPHA
              + ".\n"
              + "Candidates:\n"
              + "  - beta ("
              + BETA
              + ", priority 20): would be chosen: probe passed: beta fake is always available\n"
              + "  - alpha ("
              + TWIN
              + ", priority 15): skipped: name also claimed by "
              + ALPHA
              + "\n"
              + "  - alpha ("
              + ALPHA
              + ", priority 10): skipped: name also claimed by "
              + TWIN
              + "\n"
              + "Fix: remove one of the artifacts that provide the same name from the class path"
              + " or module path. See docs/errors.md#batpak-fs-004",
          e.getMessage());
    }
  }

  @Test
  void providerWhoseConstructorThrows() throws IOException {
    try (URLClassLoader loader = scenario(List.of(THROWING, BETA))) {
      ProviderException e = failure(null, loader);
      assertEquals(
          "BATPAK-FS-005 broken filesystem backend provider: 1 provider failed to load.\n"
              + "Candidates:\n"
              + "  - beta ("
              + BETA
              + ", priority 20): would be chosen: probe passed: beta fake is always available\n"
              + "  - "
              + THROWING
              + ": failed to load: java.util.ServiceConfigurationError:"
              + " io.batpak.spi.StoreFsProvider: Provider "
              + THROWING
              + " could not be instantiated; caused by java.lang.IllegalStateException: the fake"
              + " constructor throws on purpose\n"
              + FIX_005,
          e.getMessage());
      ServiceConfigurationError cause =
          assertInstanceOf(ServiceConfigurationError.class, e.getCause());
      assertEquals(
          "the fake constructor throws on purpose",
          assertInstanceOf(IllegalStateException.class, cause.getCause()).getMessage());
    }
  }

  @Test
  void providerClassMissingAndDiscoveryGoesOnAfterIt() throws IOException {
    String missing = "io.batpak.it.fakes.NoSuchProvider";
    try (URLClassLoader loader = scenario(List.of(missing, BETA))) {
      ProviderException e = failure(null, loader);
      assertEquals(
          "BATPAK-FS-005 broken filesystem backend provider: 1 provider failed to load.\n"
              + "Candidates:\n"
              + "  - beta ("
              + BETA
              + ", priority 20): would be chosen: probe passed: beta fake is always available\n"
              + "  - unknown class: failed to load: java.util.ServiceConfigurationError:"
              + " io.batpak.spi.StoreFsProvider: Provider "
              + missing
              + " not found\n"
              + FIX_005,
          e.getMessage());
      assertInstanceOf(ServiceConfigurationError.class, e.getCause());
    }
  }

  /** What {@code System.loadLibrary} says about the missing library in this JVM. */
  private static String missingLibraryMessage() {
    UnsatisfiedLinkError e =
        assertThrows(
            UnsatisfiedLinkError.class,
            () -> System.loadLibrary(MissingNativeLibraryProvider.LIBRARY));
    assertTrue(
        e.getMessage().startsWith("no batpak_does_not_exist in java.library.path"), e.getMessage());
    return e.getMessage();
  }

  @Test
  void providerWhoseNativeLibraryIsMissingLoadsAndItsProbeSaysWhy() throws IOException {
    String reason =
        "native library batpak_does_not_exist is not loadable: " + missingLibraryMessage();
    try (URLClassLoader loader = scenario(List.of(NATIVE, ALPHA))) {
      Resolution r = resolve(null, loader);
      assertEquals("alpha", r.name());
      assertEquals(
          "filesystem backend alpha chosen automatically: the highest-priority auto-selectable"
              + " provider whose probe passed.\n"
              + "Candidates:\n"
              + "  - native ("
              + NATIVE
              + ", priority 30): skipped: probe failed: "
              + reason
              + "\n"
              + "  - alpha ("
              + ALPHA
              + ", priority 10): chosen: probe passed: alpha fake is always available\n",
          r.explanation());

      ProviderException e = failure("native", loader);
      assertEquals(
          "BATPAK-FS-006 filesystem backend \"native\" (named by the caller) is unavailable here:"
              + " probe failed: "
              + reason
              + "\n"
              + "Candidates:\n"
              + "  - native ("
              + NATIVE
              + ", priority 30): skipped: probe failed: "
              + reason
              + "\n"
              + "  - alpha ("
              + ALPHA
              + ", priority 10): skipped: not the requested name\n"
              + "Fix: choose another backend by name, or name none and let automatic selection"
              + " pick one. See docs/errors.md#batpak-fs-006",
          e.getMessage());
    }
  }

  private static StoreFsProvider instantiate(String className, ClassLoader loader) {
    try {
      return (StoreFsProvider) loader.loadClass(className).getConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      throw new AssertionError("cannot instantiate " + className, e);
    }
  }

  @Test
  void simIsNeverAutoSelectedButCanBeNamed() throws IOException {
    // Only fs-sim's jar, with its own META-INF/services file; no generated services file.
    try (URLClassLoader loader = scenario(List.of(), TestClasspath.requireModule("fs-sim"))) {
      StoreFsProvider sim = instantiate(SIM, loader);
      assertEquals("sim", sim.name());
      String line = "  - sim (" + SIM + ", priority " + sim.priority() + "): ";

      ProviderException e = failure(null, loader);
      assertEquals(
          "BATPAK-FS-001 no filesystem backend: no auto-selectable provider passed its probe.\n"
              + "Candidates:\n"
              + line
              + "skipped: not auto-selectable; select it by name\n"
              + FIX_001,
          e.getMessage());

      Resolution r = resolve("sim", loader);
      assertEquals("sim", r.name());
      assertEquals(
          "filesystem backend sim chosen by name (named by the caller); its probe passed.\n"
              + "Candidates:\n"
              + line
              + "chosen: probe passed: "
              + sim.probe().reason()
              + "\n",
          r.explanation());
    }
  }

  @Test
  void realPosixProviderLoadsWithoutJnaAndNioTakesOver() throws IOException {
    // fs-posix's jar and its own services file, but no jna.jar.
    try (URLClassLoader loader = scenario(List.of(), TestClasspath.requireModule("fs-posix"))) {
      assertThrows(ClassNotFoundException.class, () -> loader.loadClass("com.sun.jna.Native"));
      StoreFsProvider posix = instantiate(POSIX, loader);
      StoreFsProvider nio = instantiate(NIO, loader);
      String posixReason = posix.probe().reason();
      assertTrue(posixReason.startsWith("jna.jar is not on the class path"), posixReason);

      Resolution r = resolve(null, loader);
      assertEquals("nio", r.name());
      assertEquals(
          "filesystem backend nio chosen automatically: the highest-priority auto-selectable"
              + " provider whose probe passed.\n"
              + "Candidates:\n"
              + "  - posix ("
              + POSIX
              + ", priority 100): skipped: probe failed: "
              + posixReason
              + "\n"
              + "  - nio ("
              + NIO
              + ", priority 50): chosen: probe passed: "
              + nio.probe().reason()
              + "\n",
          r.explanation());

      ProviderException e = failure("posix", loader);
      assertEquals(
          "BATPAK-FS-006 filesystem backend \"posix\" (named by the caller) is unavailable here:"
              + " probe failed: "
              + posixReason
              + "\n"
              + "Candidates:\n"
              + "  - posix ("
              + POSIX
              + ", priority 100): skipped: probe failed: "
              + posixReason
              + "\n"
              + "  - nio ("
              + NIO
              + ", priority 50): skipped: not the requested name\n"
              + "Fix: choose another backend by name, or name none and let automatic selection"
              + " pick one. See docs/errors.md#batpak-fs-006",
          e.getMessage());
    }
  }

  @Test
  void realClassPathPicksPosix() {
    assertEquals("Linux", System.getProperty("os.name"), "this scenario expects Linux");
    ClassLoader loader = ServiceLoaderScenariosIT.class.getClassLoader();
    List<StoreFsProvider> real = new ArrayList<>();
    for (String className : List.of(POSIX, NIO, SIM)) {
      real.add(instantiate(className, loader));
    }
    real.sort(
        Comparator.comparingInt((StoreFsProvider p) -> -p.priority())
            .thenComparing(StoreFsProvider::name));
    StoreFsProvider posix = real.get(0);
    assertEquals("posix", posix.name());
    assertTrue(posix.probe().available(), posix.probe().reason());

    StringBuilder expected =
        new StringBuilder(
            "filesystem backend posix chosen automatically: the highest-priority auto-selectable"
                + " provider whose probe passed.\nCandidates:\n");
    for (StoreFsProvider p : real) {
      expected
          .append("  - ")
          .append(p.name())
          .append(" (")
          .append(p.getClass().getName())
          .append(", priority ")
          .append(p.priority())
          .append("): ");
      if (p == posix) {
        expected.append("chosen: probe passed: ").append(p.probe().reason());
      } else if (!p.autoSelectable()) {
        expected.append("skipped: not auto-selectable; select it by name");
      } else {
        expected.append("skipped: lower priority than posix (100); not probed");
      }
      expected.append('\n');
    }

    Resolution r = resolve(null, loader);

    assertEquals("posix", r.name());
    assertEquals(POSIX, r.provider().getClass().getName());
    assertEquals(Source.AUTOMATIC, r.source());
    assertEquals(expected.toString(), r.explanation());
  }
}
