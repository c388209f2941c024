package io.batpak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;

/**
 * Every provider of our published modules is declared twice, in {@code module-info} ({@code
 * provides}, read with {@link ModuleFinder}) and in {@code META-INF/services}, and the two agree:
 * the module path and the class path then find the same providers. The built jars (or classes
 * directories, in a reactor build) come from {@code batpak.test.classpath}.
 */
class ProviderDeclarationsTest {

  /** The module directories of the published artifacts. */
  private static final List<String> PUBLISHED =
      List.of(
          "api",
          "fs-spi",
          "fs-testkit",
          "engine",
          "fs-posix",
          "fs-sim",
          "codec",
          "compress",
          "cli");

  private static final String STORE_FS_PROVIDER = "io.batpak.spi.StoreFsProvider";

  /** The only module in {@code artifact}. */
  private static ModuleDescriptor descriptor(Path artifact) {
    Set<ModuleReference> all = ModuleFinder.of(artifact).findAll();
    assertEquals(1, all.size(), "modules in " + artifact + ": " + all);
    return all.iterator().next().descriptor();
  }

  /** Service name to provider class names, from the module descriptor. */
  private static Map<String, Set<String>> provides(ModuleDescriptor d) {
    Map<String, Set<String>> result = new TreeMap<>();
    for (ModuleDescriptor.Provides p : d.provides()) {
      result.put(p.service(), new TreeSet<>(p.providers()));
    }
    return result;
  }

  private static Set<String> parse(InputStream in) throws IOException {
    Set<String> names = new TreeSet<>();
    String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    for (String line : text.split("\n", -1)) {
      int hash = line.indexOf('#');
      String name = (hash < 0 ? line : line.substring(0, hash)).strip();
      if (!name.isEmpty()) {
        names.add(name);
      }
    }
    return names;
  }

  /** Service name to provider class names, from {@code META-INF/services}. */
  private static Map<String, Set<String>> services(Path artifact) throws IOException {
    Map<String, Set<String>> result = new TreeMap<>();
    String prefix = "META-INF/services/";
    if (Files.isDirectory(artifact)) {
      Path dir = artifact.resolve(prefix);
      if (Files.isDirectory(dir)) {
        try (Stream<Path> files = Files.list(dir)) {
          for (Path f : files.sorted().collect(Collectors.toList())) {
            try (InputStream in = Files.newInputStream(f)) {
              result.put(f.getFileName().toString(), parse(in));
            }
          }
        }
      }
      return result;
    }
    try (JarFile jar = new JarFile(artifact.toFile())) {
      Enumeration<JarEntry> entries = jar.entries();
      while (entries.hasMoreElements()) {
        JarEntry e = entries.nextElement();
        String n = e.getName();
        if (n.startsWith(prefix) && !e.isDirectory() && n.length() > prefix.length()) {
          try (InputStream in = jar.getInputStream(e)) {
            result.put(n.substring(prefix.length()), parse(in));
          }
        }
      }
    }
    return result;
  }

  private static boolean containsClass(Path artifact, String className) throws IOException {
    String entry = className.replace('.', '/') + ".class";
    if (Files.isDirectory(artifact)) {
      return Files.isRegularFile(artifact.resolve(entry));
    }
    try (JarFile jar = new JarFile(artifact.toFile())) {
      return jar.getEntry(entry) != null;
    }
  }

  /** Checks agreement for one artifact; returns what it provides. */
  private static Map<String, Set<String>> checkAgreement(String module, Path artifact)
      throws IOException {
    Map<String, Set<String>> services = services(artifact);
    boolean classesWithoutDescriptor =
        Files.isDirectory(artifact) && !Files.isRegularFile(artifact.resolve("module-info.class"));
    ModuleDescriptor d = classesWithoutDescriptor ? null : descriptor(artifact);
    if (d == null || d.isAutomatic()) {
      // An automatic module's provides are derived from META-INF/services, so nothing to compare:
      // such a module must not provide anything.
      assertEquals(
          Map.of(),
          services,
          module + " (" + artifact + ") has META-INF/services files but no module-info.java");
      return Map.of();
    }
    Map<String, Set<String>> provides = provides(d);
    assertEquals(
        provides,
        services,
        module
            + " ("
            + artifact
            + "): module-info provides (expected) and META-INF/services (actual) disagree");
    for (Set<String> classes : provides.values()) {
      for (String c : classes) {
        assertTrue(containsClass(artifact, c), module + " declares " + c + " but lacks its class");
      }
    }
    return provides;
  }

  @TestFactory
  List<DynamicTest> everyPublishedModuleDeclaresItsProvidersTwiceAndConsistently() {
    List<DynamicTest> tests = new ArrayList<>();
    for (String module : PUBLISHED) {
      Path artifact = TestClasspath.requireModule(module);
      tests.add(DynamicTest.dynamicTest(module, () -> checkAgreement(module, artifact)));
    }
    return tests;
  }

  @Test
  void fsPosixProvidesPosixAndNio() throws IOException {
    Path artifact = TestClasspath.requireModule("fs-posix");
    ModuleDescriptor d = descriptor(artifact);
    assertEquals("io.batpak.fs.posix", d.name());
    assertFalse(d.isAutomatic());
    assertEquals(
        Map.of(
            STORE_FS_PROVIDER,
            Set.of(
                "io.batpak.fs.posix.PosixStoreFsProvider", "io.batpak.fs.nio.NioStoreFsProvider")),
        checkAgreement("fs-posix", artifact));
  }

  @Test
  void fsSimProvidesSim() throws IOException {
    Path artifact = TestClasspath.requireModule("fs-sim");
    ModuleDescriptor d = descriptor(artifact);
    assertEquals("io.batpak.fs.sim", d.name());
    assertFalse(d.isAutomatic());
    assertEquals(
        Map.of(STORE_FS_PROVIDER, Set.of("io.batpak.fs.sim.SimStoreFsProvider")),
        checkAgreement("fs-sim", artifact));
  }

  @Test
  void fsSpiUsesTheProviderServiceAndProvidesNone() {
    ModuleDescriptor d = descriptor(TestClasspath.requireModule("fs-spi"));
    assertEquals("io.batpak.fs.spi", d.name());
    assertEquals(Set.of(STORE_FS_PROVIDER), d.uses());
    assertEquals(Set.of(), d.provides());
  }

  @Test
  void theFakeProvidersAreListedInNoServicesFileOnTheTestClassPath() throws IOException {
    assertEquals(Map.of(), services(TestClasspath.testClasses()));
  }

  /** The check itself: an exploded module whose services file disagrees with its provides. */
  @Test
  void aDisagreementIsCaught(@TempDir Path tmp) throws IOException {
    Path src = Files.createDirectories(tmp.resolve("src").resolve("p"));
    Files.writeString(
        tmp.resolve("src").resolve("module-info.java"),
        "module m { provides java.lang.Runnable with p.A; }\n");
    for (String c : List.of("A", "B")) {
      Files.writeString(
          src.resolve(c + ".java"),
          "package p; public final class "
              + c
              + " implements Runnable {"
              + " @Override public void run() {} }\n");
    }
    Path out = tmp.resolve("m");
    int rc =
        ToolProvider.getSystemJavaCompiler()
            .run(
                null,
                null,
                null,
                "--release",
                "17",
                "-d",
                out.toString(),
                tmp.resolve("src").resolve("module-info.java").toString(),
                src.resolve("A.java").toString(),
                src.resolve("B.java").toString());
    assertEquals(0, rc);
    Path services = Files.createDirectories(out.resolve("META-INF").resolve("services"));
    Files.writeString(services.resolve("java.lang.Runnable"), "# comment\np.A\n");
    assertEquals(Map.of("java.lang.Runnable", Set.of("p.A")), checkAgreement("m", out));

    Files.writeString(services.resolve("java.lang.Runnable"), "p.A\np.B\n");
    AssertionFailedError e =
        assertThrows(AssertionFailedError.class, () -> checkAgreement("m", out));
    assertTrue(e.getMessage().startsWith("m (" + out + "): module-info provides"), e.getMessage());
  }
}
