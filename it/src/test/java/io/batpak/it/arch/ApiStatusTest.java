package io.batpak.it.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.all;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaPackage;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.lang.AbstractClassesTransformer;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.EvaluationResult;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import org.apiguardian.api.API;
import org.jspecify.annotations.NullMarked;
import org.junit.jupiter.api.Test;

/**
 * API status and nullness, enforced (issue 9, "A tighter API"; docs/adr/0008): every public
 * top-level type of a package that a published library module exports carries {@link API}, and
 * every such package is {@link NullMarked} in its {@code package-info.java}. The exported packages
 * are read from each module's descriptor, so a package exported later is covered without touching
 * this test. Qualified exports ({@code exports ... to}) are not public API and are not covered.
 *
 * <p>Each rule is also run against a deliberate violation ({@code
 * io.batpak.it.arch.violations.status}) and against a compliant package beside it ({@code
 * ...status.marked}), so a rule that can no longer fail, or that fails on everything, is noticed.
 */
class ApiStatusTest {

  /**
   * One class from each published library module, to find the module on the class path. The
   * applications ({@code cli}, {@code bench}) and the tests ({@code it}) publish no API.
   */
  private static final List<Class<?>> LIBRARY_MODULES =
      List.of(
          io.batpak.Store.class, // api
          io.batpak.fs.spi.ForwardingStoreFs.class, // fs-spi
          io.batpak.fs.sim.SimStoreFs.class, // fs-sim
          io.batpak.fs.testkit.StoreFsContract.class, // fs-testkit
          io.batpak.engine.BatpakEngine.class, // engine
          io.batpak.codec.json.JsonCodec.class, // codec
          io.batpak.verify.ReceiptVerifier.class, // verify
          io.batpak.compress.Lz4CompressorProvider.class, // compress
          io.batpak.fs.nio.NioStoreFs.class); // fs-posix

  private static final Set<String> EXPORTED = exportedPackages();
  private static final JavaClasses LIBRARY = libraryClasses();

  private static final String VIOLATIONS = "io.batpak.it.arch.violations.status";
  private static final String COMPLIANT = VIOLATIONS + ".marked";

  /** A public top-level type of one of {@code packages} carries {@code @API}. */
  static ArchRule everyPublicTypeHasAnApiStatus(Set<String> packages) {
    return classes()
        .that()
        .resideInAnyPackage(packages.toArray(String[]::new))
        .and()
        .arePublic()
        .and()
        .areTopLevelClasses()
        .should()
        .beAnnotatedWith(API.class)
        .because(
            "a user must see whether a type is STABLE, EXPERIMENTAL or INTERNAL: add"
                + " @API(status = ..., since = \"0.1\") from org.apiguardian.api (see"
                + " docs/api-status.md for which status to choose)");
  }

  /** Each of {@code packages} is {@code @NullMarked} in its {@code package-info.java}. */
  static ArchRule everyPackageIsNullMarked(Set<String> packages) {
    return all(new PackagesNamed(packages))
        .should(
            new ArchCondition<JavaPackage>("be @NullMarked") {
              @Override
              public void check(JavaPackage pkg, ConditionEvents events) {
                boolean marked = pkg.isAnnotatedWith(NullMarked.class);
                events.add(
                    new SimpleConditionEvent(
                        pkg,
                        marked,
                        "package "
                            + pkg.getName()
                            + (marked ? " is" : " is not")
                            + " @NullMarked: annotate it in its package-info.java, and mark"
                            + " with @Nullable every parameter, return and field that may be"
                            + " null"));
              }
            })
        .because("an exported package states which of its values may be null (docs/adr/0008)");
  }

  @Test
  void everyPublicTypeOfAnExportedPackageHasAnApiStatus() {
    everyPublicTypeHasAnApiStatus(EXPORTED).check(LIBRARY);
  }

  @Test
  void everyExportedPackageIsNullMarked() {
    everyPackageIsNullMarked(EXPORTED).check(LIBRARY);
  }

  /** The descriptors are read at all: an empty set would make both rules pass on nothing. */
  @Test
  void theRulesCoverEveryPublishedLibraryModule() {
    for (String expected :
        List.of(
            "io.batpak",
            "io.batpak.port",
            "io.batpak.fs.spi",
            "io.batpak.fs.sim",
            "io.batpak.fs.testkit",
            "io.batpak.engine",
            "io.batpak.codec.json",
            "io.batpak.codec.cbor",
            "io.batpak.verify",
            "io.batpak.compress",
            "io.batpak.fs.nio")) {
      assertTrue(EXPORTED.contains(expected), "not among the exported packages: " + expected);
    }
    assertFalse(
        EXPORTED.stream().anyMatch(p -> p.contains(".internal")),
        "an internal package is exported: " + EXPORTED);
  }

  /**
   * docs/api-status.md matches the code: its table has one row per status, and it names every
   * {@code EXPERIMENTAL} top-level type of {@code io.batpak} (the package users program against
   * first), so a type whose shape may still change is never presented as stable by omission.
   */
  @Test
  void theStatusDocumentNamesEveryExperimentalTypeOfTheStorePackage() throws IOException {
    Path root = io.batpak.it.TestClasspath.testClasses().getParent().getParent().getParent();
    String doc = Files.readString(root.resolve(Path.of("docs", "api-status.md")));
    for (API.Status status :
        List.of(API.Status.STABLE, API.Status.EXPERIMENTAL, API.Status.INTERNAL)) {
      long rows = doc.lines().filter(l -> l.startsWith("| `" + status + "` |")).count();
      assertEquals(1, rows, "docs/api-status.md needs exactly one table row for " + status);
    }
    List<String> unnamed = new ArrayList<>();
    for (var c : LIBRARY) {
      API api = c.isAnnotatedWith(API.class) ? c.reflect().getAnnotation(API.class) : null;
      if (c.getPackageName().equals("io.batpak")
          && c.isTopLevelClass()
          && api != null
          && api.status() == API.Status.EXPERIMENTAL
          && !doc.contains("`" + c.getSimpleName() + "`")) {
        unnamed.add(c.getSimpleName());
      }
    }
    assertTrue(
        unnamed.isEmpty(),
        "EXPERIMENTAL in the code but not named in docs/api-status.md: "
            + unnamed
            + ". Name each in the EXPERIMENTAL row (or make it STABLE if it is).");
  }

  /** The status rule fails on a public type without {@code @API}, and on nothing else. */
  @Test
  void theStatusRuleFailsOnADeliberateViolation() {
    JavaClasses classes = violationClasses();

    EvaluationResult bad = everyPublicTypeHasAnApiStatus(Set.of(VIOLATIONS)).evaluate(classes);
    List<String> reported = bad.getFailureReport().getDetails();
    assertEquals(1, reported.size(), "one violation expected: " + reported);
    assertTrue(
        reported.get(0).contains(VIOLATIONS + ".PublicTypeWithoutStatus"),
        "the unannotated public type is reported: " + reported);

    EvaluationResult good = everyPublicTypeHasAnApiStatus(Set.of(COMPLIANT)).evaluate(classes);
    assertFalse(good.hasViolation(), good.getFailureReport().toString());
  }

  /** The nullness rule fails on a package without {@code @NullMarked}, and passes a marked one. */
  @Test
  void theNullnessRuleFailsOnADeliberateViolation() {
    JavaClasses classes = violationClasses();

    EvaluationResult bad = everyPackageIsNullMarked(Set.of(VIOLATIONS)).evaluate(classes);
    List<String> reported = bad.getFailureReport().getDetails();
    assertEquals(1, reported.size(), "one violation expected: " + reported);
    assertTrue(
        reported.get(0).contains("package " + VIOLATIONS + " is not @NullMarked"),
        "the unmarked package is reported: " + reported);

    EvaluationResult good = everyPackageIsNullMarked(Set.of(COMPLIANT)).evaluate(classes);
    assertFalse(good.hasViolation(), good.getFailureReport().toString());
  }

  private static JavaClasses violationClasses() {
    return new ClassFileImporter().importPackages(VIOLATIONS);
  }

  private static JavaClasses libraryClasses() {
    // Location.of reads a classes directory (a module built alone) and a jar (a module the reactor
    // packaged before this one, as `mvn verify` does) alike.
    List<Location> locations = new ArrayList<>();
    for (Class<?> anchor : LIBRARY_MODULES) {
      Path at = location(anchor);
      try {
        locations.add(
            Files.isDirectory(at) ? Location.of(at) : Location.of(new JarFile(at.toFile())));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the classes of " + anchor + " in " + at, e);
      }
    }
    return new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importLocations(locations);
  }

  /** The unqualified exports of every library module, read from its module descriptor. */
  private static Set<String> exportedPackages() {
    Set<String> exported = new TreeSet<>();
    for (Class<?> anchor : LIBRARY_MODULES) {
      Path at = location(anchor);
      ModuleReference module =
          ModuleFinder.of(at).findAll().stream()
              .findFirst()
              .orElseThrow(() -> new AssertionError("no module descriptor in " + at));
      for (ModuleDescriptor.Exports e : module.descriptor().exports()) {
        if (!e.isQualified()) {
          exported.add(e.source());
        }
      }
    }
    return exported;
  }

  private static Path location(Class<?> anchor) {
    try {
      return Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new AssertionError("cannot locate the classes of " + anchor, e);
    }
  }

  /** The packages of the imported classes whose names are in a given set. */
  private static final class PackagesNamed extends AbstractClassesTransformer<JavaPackage> {
    private final Set<String> names;

    PackagesNamed(Set<String> names) {
      super("packages " + names);
      this.names = Set.copyOf(names);
    }

    @Override
    public Iterable<JavaPackage> doTransform(JavaClasses classes) {
      List<JavaPackage> found = new ArrayList<>();
      for (String name : new TreeSet<>(names)) {
        if (!classes.containPackage(name)) {
          throw new AssertionError("no classes imported for the exported package " + name);
        }
        found.add(classes.getPackage(name));
      }
      return found;
    }
  }
}
