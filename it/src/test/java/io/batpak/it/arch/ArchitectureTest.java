package io.batpak.it.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Architecture rules of DESIGN.md, enforced (issue 9, "Rules a test enforces"): the engine reaches
 * the disk only through {@code StoreFs}, time only through {@code StoreClock} and randomness only
 * through {@code StoreEntropy}; its packages form no cycle; {@code api} depends on nothing but the
 * JDK; the engine exports only its public package. Each rule is also run against a deliberate
 * violation (classes under {@code io.batpak.it.arch.violations}, test code that nothing runs), so a
 * rule that can no longer fail is noticed.
 */
class ArchitectureTest {
  private static final JavaClasses ENGINE =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.batpak.engine");

  private static final JavaClasses API =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.batpak", "io.batpak.port", "io.batpak.spi");

  private static final JavaClasses VIOLATIONS =
      new ClassFileImporter().importPackages("io.batpak.it.arch.violations");

  static ArchRule diskOnlyThroughStoreFs(String packages) {
    return noClasses()
        .that()
        .resideInAPackage(packages)
        .should()
        .dependOnClassesThat()
        .haveFullyQualifiedName("java.io.File")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("java.io.RandomAccessFile")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("java.io.FileInputStream")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("java.io.FileOutputStream")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("java.nio.channels.FileChannel")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("java.nio.file.Files")
        .because("the engine touches the disk only through StoreFs (DESIGN.md decision 8)");
  }

  static ArchRule timeOnlyThroughStoreClock(String packages) {
    return noClasses()
        .that()
        .resideInAPackage(packages)
        .should()
        .callMethod(System.class, "nanoTime")
        .orShould()
        .callMethod(System.class, "currentTimeMillis")
        .orShould()
        .callMethod(java.time.Instant.class, "now")
        .because("the engine reads time only through StoreClock (DESIGN.md decision 8)");
  }

  static ArchRule randomnessOnlyFromStoreEntropy(String packages) {
    return noClasses()
        .that()
        .resideInAPackage(packages)
        .should()
        .dependOnClassesThat()
        .haveFullyQualifiedName("java.util.Random")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("java.util.concurrent.ThreadLocalRandom")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("java.security.SecureRandom")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("java.util.SplittableRandom")
        .because("the engine draws randomness only from StoreEntropy (DESIGN.md decision 8)");
  }

  static ArchRule noPackageCycles(String root) {
    return slices().matching(root + ".(**)").should().beFreeOfCycles();
  }

  @Test
  void theEngineReachesTheDiskOnlyThroughStoreFs() {
    diskOnlyThroughStoreFs("io.batpak.engine..").check(ENGINE);
  }

  @Test
  void theEngineReadsTimeOnlyThroughStoreClock() {
    timeOnlyThroughStoreClock("io.batpak.engine..").check(ENGINE);
  }

  @Test
  void theEngineDrawsRandomnessOnlyFromStoreEntropy() {
    randomnessOnlyFromStoreEntropy("io.batpak.engine..").check(ENGINE);
  }

  @Test
  void theEnginesPackagesFormNoCycle() {
    noPackageCycles("io.batpak.engine").check(ENGINE);
  }

  @Test
  void theApiDependsOnNothingButTheJdk() {
    noClasses()
        .that()
        .resideInAnyPackage("io.batpak", "io.batpak.port", "io.batpak.spi")
        .should()
        .dependOnClassesThat()
        .resideOutsideOfPackages(
            "java..",
            "io.batpak",
            "io.batpak.port",
            "io.batpak.spi",
            // Annotation-only, required static: not needed at run time (docs/adr/0008).
            "org.apiguardian.api",
            "org.jspecify.annotations")
        .because(
            "api is published with no run-time dependencies (DESIGN.md, modules); its only"
                + " compile-time ones are the status and nullness annotations (docs/adr/0008)")
        .check(API);
  }

  @Test
  void theEngineExportsOnlyItsPublicPackage() {
    Path classes =
        Path.of(
            io.batpak.engine.BatpakEngine.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .getPath());
    ModuleReference engine =
        ModuleFinder.of(classes).findAll().stream()
            .findFirst()
            .orElseThrow(() -> new AssertionError("no module descriptor in " + classes));
    ModuleDescriptor d = engine.descriptor();
    Set<String> unqualified =
        d.exports().stream()
            .filter(e -> !e.isQualified())
            .map(ModuleDescriptor.Exports::source)
            .collect(Collectors.toSet());
    assertEquals(Set.of("io.batpak.engine"), unqualified, "exports of " + d.name());
  }

  /** Each rule fails on its deliberate violation: none of them is a check that cannot fail. */
  @Test
  void everyRuleFailsOnADeliberateViolation() {
    String v = "io.batpak.it.arch.violations..";
    for (ArchRule rule :
        new ArchRule[] {
          diskOnlyThroughStoreFs(v),
          timeOnlyThroughStoreClock(v),
          randomnessOnlyFromStoreEntropy(v),
          noPackageCycles("io.batpak.it.arch.violations")
        }) {
      EvaluationResult result = rule.evaluate(VIOLATIONS);
      assertTrue(
          result.hasViolation(), "this rule found nothing to refuse: " + rule.getDescription());
    }
  }
}
