package io.batpak.it;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import io.batpak.ProviderException;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.fs.sim.SimStoreFs;
import io.batpak.fs.spi.StoreFsResolver;
import io.batpak.it.fakes.AlphaProvider;
import io.batpak.it.fakes.AlphaTwinProvider;
import io.batpak.it.fakes.BetaProvider;
import io.batpak.it.fakes.GammaProvider;
import io.batpak.it.fakes.JsonCodecTwinProvider;
import io.batpak.it.fakes.Lz4TwinCompressorProvider;
import io.batpak.it.fakes.OtherEngine;
import io.batpak.it.fakes.ShadowEngine;
import io.batpak.it.fakes.ThrowingCodecProvider;
import io.batpak.it.fakes.ThrowingCompressorProvider;
import io.batpak.it.fakes.ThrowingConstructorProvider;
import io.batpak.it.fakes.ThrowingEngine;
import io.batpak.it.fakes.UnavailableProvider;
import io.batpak.spi.ProviderKind;
import io.batpak.spi.ProviderLoader;
import io.batpak.spi.StoreEngine;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every diagnostic code in {@code docs/errors.md} ({@code BATPAK-FS-*}, {@code BATPAK-CODEC-*},
 * {@code BATPAK-COMPRESS-*}, {@code BATPAK-ENGINE-*}) has an example message there, and this test
 * raises each one in a scenario and checks that the message is the documented one, verbatim; a code
 * documented without a scenario, or raised without documentation, fails too. Providers come from
 * {@code io.batpak.it.fakes}, found by a real {@link ServiceLoader} over a generated services file,
 * except where a list of providers states the scenario more plainly. The codec codes are raised end
 * to end: the engine runs in its own class loader, whose {@code ServiceLoader} sees the fakes and
 * the real {@code json} codec.
 */
class ErrorCodesDocumentedTest {

  private static final Pattern HEADING = Pattern.compile("(?m)^### (BATPAK-[A-Z]+-[0-9]{3})$");
  private static final Pattern EXAMPLE = Pattern.compile("(?s)```text\n(.*?)\n```");

  @TempDir Path tmp;

  private final List<URLClassLoader> loaders = new ArrayList<>();

  @AfterEach
  void closeLoaders() throws IOException {
    for (URLClassLoader l : loaders) {
      l.close();
    }
  }

  /** Code to its documented example message, in document order. */
  private static Map<String, String> documentedExamples() throws IOException {
    Path doc = TestClasspath.testClasses().getParent().getParent().getParent();
    String text =
        Files.readString(doc.resolve(Path.of("docs", "errors.md")), StandardCharsets.UTF_8);
    Map<String, String> result = new LinkedHashMap<>();
    Matcher m = HEADING.matcher(text);
    List<Integer> starts = new ArrayList<>();
    List<String> codes = new ArrayList<>();
    while (m.find()) {
      starts.add(m.end());
      codes.add(m.group(1));
    }
    for (int i = 0; i < codes.size(); i++) {
      int end = i + 1 < starts.size() ? text.lastIndexOf("###", starts.get(i + 1)) : text.length();
      Matcher example = EXAMPLE.matcher(text.substring(starts.get(i), end));
      result.put(codes.get(i), example.find() ? example.group(1) : null);
    }
    return result;
  }

  /** A class loader whose only resources are generated services files; classes from this test's. */
  private ClassLoader services(Map<Class<?>, List<String>> providers) throws IOException {
    Map<String, URL> files = new TreeMap<>();
    for (Map.Entry<Class<?>, List<String>> e : providers.entrySet()) {
      Path file = Files.createTempFile(tmp, "services", ".txt");
      Files.write(file, e.getValue(), StandardCharsets.UTF_8);
      files.put("META-INF/services/" + e.getKey().getName(), file.toUri().toURL());
    }
    return new ClassLoader("scenario", ErrorCodesDocumentedTest.class.getClassLoader()) {
      @Override
      public Enumeration<URL> getResources(String name) {
        URL url = files.get(name);
        return url == null ? Collections.emptyEnumeration() : Collections.enumeration(List.of(url));
      }

      @Override
      public URL getResource(String name) {
        return files.get(name);
      }
    };
  }

  private static String name(Class<?> c) {
    return c.getName();
  }

  private String fs(String name, List<io.batpak.spi.StoreFsProvider> providers) {
    return assertThrows(
            ProviderException.class,
            () -> StoreFsResolver.resolve(name, providers, new Properties()))
        .getMessage();
  }

  private String fsDiscovered(String name, ClassLoader loader) {
    return assertThrows(
            ProviderException.class, () -> StoreFsResolver.resolve(name, loader, new Properties()))
        .getMessage();
  }

  private String engine(ClassLoader loader) {
    return assertThrows(
            ProviderException.class,
            () ->
                ProviderLoader.load(
                        ProviderKind.STORE_ENGINE, ServiceLoader.load(StoreEngine.class, loader))
                    .selectOnly()
                    .orThrow())
        .getMessage();
  }

  private ClassLoader engines(String... providers) throws IOException {
    return services(Map.of(StoreEngine.class, List.of(providers)));
  }

  /**
   * Opens a new store with an engine in its own class loader that sees the real {@code json} codec
   * and the fake codec providers {@code extra}; returns the message of the refusal.
   */
  private String codecOpen(StoreConfig config, String... extra) throws Exception {
    Path root = Files.createTempDirectory(tmp, "codecs");
    Path fakes = Path.of("io", "batpak", "it", "fakes");
    Files.createDirectories(root.resolve(fakes));
    try (Stream<Path> files = Files.list(TestClasspath.testClasses().resolve(fakes))) {
      files.forEach(
          f -> {
            try {
              Files.copy(f, root.resolve(fakes).resolve(f.getFileName().toString()));
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          });
    }
    Path services =
        root.resolve("META-INF/services/" + io.batpak.spi.CodecProvider.class.getName());
    Files.createDirectories(services.getParent());
    Files.write(services, List.of(extra), StandardCharsets.UTF_8);
    List<URL> urls = new ArrayList<>();
    urls.add(root.toUri().toURL());
    urls.add(TestClasspath.requireModule("engine").toUri().toURL());
    urls.add(TestClasspath.requireModule("codec").toUri().toURL());
    Pattern jar =
        Pattern.compile("(bcprov|jackson)-[^" + Pattern.quote(File.separator) + "]*\\.jar");
    for (Path p : TestClasspath.entries()) {
      if (jar.matcher(p.getFileName().toString()).matches()) {
        urls.add(p.toUri().toURL());
      }
    }
    StoreEngine engine =
        ApiOnlyClassLoader.engineSeeing("codecs", urls, ErrorCodesDocumentedTest.class, loaders);
    return assertThrows(ProviderException.class, () -> engine.open(config)).getMessage();
  }

  /**
   * Opens {@code config} with an engine in its own class loader that sees {@code modules} (jars or
   * classes directories: batpak-compress and its libraries, or some of them) and the fake
   * compressor providers {@code extra}; returns the message of the refusal.
   */
  private String compressOpen(StoreConfig config, List<Path> modules, String... extra)
      throws Exception {
    Path root = Files.createTempDirectory(tmp, "compressors");
    Path fakes = Path.of("io", "batpak", "it", "fakes");
    Files.createDirectories(root.resolve(fakes));
    for (String c : extra) {
      String file = c.substring(c.lastIndexOf('.') + 1) + ".class";
      Files.copy(
          TestClasspath.testClasses().resolve(fakes).resolve(file),
          root.resolve(fakes).resolve(file));
    }
    Path services =
        root.resolve("META-INF/services/" + io.batpak.spi.CompressorProvider.class.getName());
    Files.createDirectories(services.getParent());
    Files.write(services, List.of(extra), StandardCharsets.UTF_8);
    List<URL> urls = new ArrayList<>();
    urls.add(root.toUri().toURL());
    urls.add(TestClasspath.requireModule("engine").toUri().toURL());
    urls.add(TestClasspath.jar("bcprov-jdk18on").toUri().toURL());
    for (Path p : modules) {
      urls.add(p.toUri().toURL());
    }
    StoreEngine engine =
        ApiOnlyClassLoader.engineSeeing(
            "compressors", urls, ErrorCodesDocumentedTest.class, loaders);
    return assertThrows(ProviderException.class, () -> engine.open(config)).getMessage();
  }

  private static StoreConfig.Builder newStore() {
    return StoreConfig.builder(Path.of("/stores/orders")).fs(new SimStoreFs(8));
  }

  /** Code to the message its scenario raises. */
  private Map<String, String> raised() throws Exception {
    Map<String, String> m = new TreeMap<>();
    ClassLoader none = new ApiOnlyClassLoader(ErrorCodesDocumentedTest.class.getClassLoader());
    m.put("BATPAK-FS-001", fsDiscovered(null, none));
    m.put("BATPAK-FS-002", fs("posx", List.of(new AlphaProvider(), new BetaProvider())));
    m.put(
        "BATPAK-FS-003",
        fs(null, List.of(new AlphaProvider(), new BetaProvider(), new GammaProvider())));
    m.put(
        "BATPAK-FS-004",
        fs(null, List.of(new AlphaProvider(), new BetaProvider(), new AlphaTwinProvider())));
    m.put(
        "BATPAK-FS-005",
        fsDiscovered(
            null,
            services(
                Map.of(
                    io.batpak.spi.StoreFsProvider.class,
                    List.of(name(ThrowingConstructorProvider.class), name(BetaProvider.class))))));
    m.put("BATPAK-FS-006", fs("remote", List.of(new UnavailableProvider(), new BetaProvider())));

    m.put(
        "BATPAK-CODEC-002",
        assertThrows(ProviderException.class, () -> Store.open(newStore().codec("avro").build()))
            .getMessage());
    m.put("BATPAK-CODEC-004", codecOpen(newStore().build(), name(JsonCodecTwinProvider.class)));
    m.put("BATPAK-CODEC-005", codecOpen(newStore().build(), name(ThrowingCodecProvider.class)));

    List<Path> compress =
        List.of(
            TestClasspath.requireModule("compress"),
            TestClasspath.jar("lz4-java"),
            TestClasspath.jar("zstd-jni"));
    m.put("BATPAK-COMPRESS-002", compressOpen(newStore().compression("zstd").build(), List.of()));
    m.put(
        "BATPAK-COMPRESS-004",
        compressOpen(
            newStore().compression("zstd").build(),
            compress,
            name(Lz4TwinCompressorProvider.class)));
    m.put(
        "BATPAK-COMPRESS-005",
        compressOpen(
            newStore().compression("lz4").build(),
            compress,
            name(ThrowingCompressorProvider.class)));
    m.put(
        "BATPAK-COMPRESS-006",
        compressOpen(newStore().compression("zstd").build(), compress.subList(0, 2)));

    String real = "io.batpak.engine.BatpakEngine";
    m.put("BATPAK-ENGINE-001", engine(none));
    m.put("BATPAK-ENGINE-003", engine(engines(real, name(OtherEngine.class))));
    m.put("BATPAK-ENGINE-004", engine(engines(real, name(ShadowEngine.class))));
    m.put("BATPAK-ENGINE-005", engine(engines(real, name(ThrowingEngine.class))));
    return m;
  }

  @Test
  void everyCodeIsDocumentedWithTheMessageItRaisesVerbatim() throws Exception {
    Map<String, String> documented = documentedExamples();
    Map<String, String> raised = raised();
    StringBuilder problems = new StringBuilder();
    for (Map.Entry<String, String> e : raised.entrySet()) {
      String doc = documented.get(e.getKey());
      if (!documented.containsKey(e.getKey())) {
        problems.append(e.getKey()).append(" is raised but has no section in docs/errors.md\n");
      } else if (doc == null) {
        problems.append(e.getKey()).append(" has no ```text example in docs/errors.md\n");
      } else if (!doc.equals(e.getValue())) {
        problems.append(e.getKey()).append(" differs from docs/errors.md\n");
      }
      if (doc == null || !doc.equals(e.getValue())) {
        problems.append("actual:\n```text\n").append(e.getValue()).append("\n```\n\n");
      }
    }
    for (String code : documented.keySet()) {
      if (!raised.containsKey(code)) {
        problems.append(code).append(" is documented but no scenario here raises it\n");
      }
    }
    if (problems.length() > 0) {
      fail(problems.toString());
    }
  }
}
