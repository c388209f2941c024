package io.batpak.it.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import io.batpak.it.arch.violations.ExportsItsInternals;
import java.io.File;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Architecture rules of docs/architecture.md, enforced (issue 9, "Rules a test enforces"):
 *
 * <ul>
 *   <li>the engine reaches the disk only through {@code StoreFs}, reads time and waits with a
 *       timeout only through {@code StoreClock}, and draws randomness only from {@code
 *       StoreEntropy};
 *   <li>no two packages of batpak depend on each other, in any module;
 *   <li>{@code api} depends on nothing but the JDK;
 *   <li>no module exports or opens an {@code internal} package to everyone, and the engine exports
 *       to the bench exactly the internal packages listed in ADR 0007 (the bench is a named module
 *       and the compiler refuses it any other engine internal).
 * </ul>
 *
 * <p>Each rule is also run against deliberate violations (classes and descriptors under {@code
 * io.batpak.it.arch.violations}, test code that nothing runs), one way of breaking it per method,
 * and must refuse every one: a rule that can no longer fail, or that misses one of the ways it
 * names, is noticed.
 */
class ArchitectureTest {
  private static final JavaClasses ENGINE =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.batpak.engine");

  private static final String[] API_PACKAGES = {
    "io.batpak", "io.batpak.port", "io.batpak.spi", "io.batpak.gate"
  };

  private static final JavaClasses API =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages(API_PACKAGES);

  /** Every production class of batpak on the test class path (every module but the bench). */
  private static final JavaClasses BATPAK =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.batpak");

  private static final String VIOLATIONS_PACKAGE = "io.batpak.it.arch.violations";

  private static final JavaClasses VIOLATIONS =
      new ClassFileImporter().importPackages(VIOLATIONS_PACKAGE);

  /** The modules of the build that ship a descriptor (the bench's is checked by its compiler). */
  private static final Set<String> MODULES =
      Set.of(
          "io.batpak.api",
          "io.batpak.fs.spi",
          "io.batpak.fs.testkit",
          "io.batpak.engine",
          "io.batpak.fs.posix",
          "io.batpak.fs.sim",
          "io.batpak.codec",
          "io.batpak.test");

  /**
   * The engine's internal packages the bench may use, each exported to {@code io.batpak.bench} only
   * (ADR 0007 says which benchmark needs which).
   */
  static final Set<String> ENGINE_INTERNALS_FOR_THE_BENCH =
      Set.of(
          "io.batpak.engine.internal.format",
          "io.batpak.engine.internal.index",
          "io.batpak.engine.internal.recovery",
          "io.batpak.engine.internal.segment");

  // ---------------------------------------------------------------------------------------------
  // The ports: disk, time, randomness

  /** Types that reach the disk (or the file system) without {@code StoreFs}. */
  private static final Set<String> DISK_TYPES =
      Set.of(
          "java.io.File",
          "java.io.RandomAccessFile",
          "java.io.FileInputStream",
          "java.io.FileOutputStream",
          "java.io.FileReader",
          "java.io.FileWriter",
          "java.nio.channels.FileChannel",
          "java.nio.channels.AsynchronousFileChannel",
          "java.nio.file.Files",
          "java.nio.file.FileSystems",
          "java.nio.file.FileSystem",
          "java.nio.file.spi.FileSystemProvider");

  private static final Set<String> RANDOM_TYPES =
      Set.of(
          "java.util.Random",
          "java.util.concurrent.ThreadLocalRandom",
          "java.security.SecureRandom",
          "java.util.SplittableRandom");

  static ArchRule diskOnlyThroughStoreFs(String packages) {
    return noClasses()
        .that()
        .resideInAPackage(packages)
        .should()
        .dependOnClassesThat(
            DescribedPredicate.describe(
                "reach the disk (" + String.join(", ", new TreeSet<>(DISK_TYPES)) + ")",
                (JavaClass c) -> DISK_TYPES.contains(c.getName())))
        .orShould()
        .callMethodWhere(
            call(
                "Path.toRealPath or Path.register",
                c ->
                    owner(c, "java.nio.file.Path")
                        && (name(c, "toRealPath") || name(c, "register"))))
        .because(
            "the engine touches the disk only through StoreFs (docs/architecture.md, decision 8)");
  }

  static ArchRule timeOnlyThroughStoreClock(String packages) {
    return noClasses()
        .that()
        .resideInAPackage(packages)
        .should()
        .callMethodWhere(
            call(
                "read a clock (System.nanoTime, currentTimeMillis, java.time now(), Clock.system*)",
                c ->
                    (owner(c, "java.lang.System")
                            && (name(c, "nanoTime") || name(c, "currentTimeMillis")))
                        || (c.getTargetOwner().getPackageName().equals("java.time")
                            && name(c, "now"))
                        || (owner(c, "java.time.Clock") && c.getName().startsWith("system"))))
        .because(
            "the engine reads time only through StoreClock (docs/architecture.md, decision 8)");
  }

  /**
   * A timed wait reads the clock: a JDK call that sleeps, parks or waits with a timeout (any JDK
   * method that takes a {@code TimeUnit}, {@code Thread.sleep}, {@code Thread.join(long)}, {@code
   * Object.wait(long)}, {@code awaitNanos}, {@code awaitUntil}, {@code parkNanos}, {@code
   * parkUntil}, {@code TimeUnit.sleep}/{@code timedWait}/{@code timedJoin}).
   */
  static ArchRule timedWaitsOnlyThroughStoreClock(String packages) {
    return noClasses()
        .that()
        .resideInAPackage(packages)
        .should()
        .callMethodWhere(
            call(
                "wait with a timeout (Thread.sleep, Thread.join(long), Object.wait(long),"
                    + " awaitNanos, awaitUntil, parkNanos, parkUntil, or a JDK method that takes a"
                    + " TimeUnit)",
                ArchitectureTest::isTimedWait))
        .because(
            "the engine waits with a timeout only through StoreClock (docs/architecture.md, decision 8), so a"
                + " simulated clock drives every timeout");
  }

  private static boolean isTimedWait(JavaMethodCall c) {
    JavaClass owner = c.getTargetOwner();
    if (!owner.getPackageName().startsWith("java.")) {
      return false;
    }
    List<JavaClass> params = c.getTarget().getRawParameterTypes();
    String name = c.getName();
    if (owner.isEquivalentTo(java.util.concurrent.TimeUnit.class)) {
      return name.equals("sleep") || name.equals("timedWait") || name.equals("timedJoin");
    }
    if (owner.isEquivalentTo(Thread.class)
        && (name.equals("sleep") || (name.equals("join") && !params.isEmpty()))) {
      return true;
    }
    if (name.equals("wait") && !params.isEmpty()) {
      return true;
    }
    if (Set.of("awaitNanos", "awaitUntil", "parkNanos", "parkUntil").contains(name)) {
      return true;
    }
    return params.stream().anyMatch(p -> p.isEquivalentTo(java.util.concurrent.TimeUnit.class));
  }

  static ArchRule randomnessOnlyFromStoreEntropy(String packages) {
    return noClasses()
        .that()
        .resideInAPackage(packages)
        .should()
        .dependOnClassesThat(
            DescribedPredicate.describe(
                "draw randomness (" + String.join(", ", new TreeSet<>(RANDOM_TYPES)) + ")",
                (JavaClass c) ->
                    RANDOM_TYPES.contains(c.getName())
                        || c.getPackageName().equals("java.util.random")))
        .orShould()
        .callMethodWhere(
            call(
                "UUID.randomUUID, Math.random or Collections.shuffle without a source",
                c ->
                    (owner(c, "java.util.UUID") && name(c, "randomUUID"))
                        || (owner(c, "java.lang.Math") && name(c, "random"))
                        || (owner(c, "java.lang.StrictMath") && name(c, "random"))
                        || (owner(c, "java.util.Collections")
                            && name(c, "shuffle")
                            && c.getTarget().getRawParameterTypes().size() == 1)))
        .because(
            "the engine draws randomness only from StoreEntropy (docs/architecture.md, decision 8)");
  }

  private static DescribedPredicate<JavaMethodCall> call(
      String description, java.util.function.Predicate<JavaMethodCall> p) {
    return DescribedPredicate.describe(description, p);
  }

  private static boolean owner(JavaMethodCall c, String className) {
    return c.getTargetOwner().getName().equals(className);
  }

  private static boolean name(JavaMethodCall c, String methodName) {
    return c.getName().equals(methodName);
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
  void theEngineWaitsWithATimeoutOnlyThroughStoreClock() {
    timedWaitsOnlyThroughStoreClock("io.batpak.engine..").check(ENGINE);
  }

  @Test
  void theEngineDrawsRandomnessOnlyFromStoreEntropy() {
    randomnessOnlyFromStoreEntropy("io.batpak.engine..").check(ENGINE);
  }

  // ---------------------------------------------------------------------------------------------
  // Packages and modules

  /** Each package is a slice: no package may reach, through others, back to itself. */
  static ArchRule noPackageCycles() {
    return slices()
        .assignedFrom(
            new SliceAssignment() {
              @Override
              public SliceIdentifier getIdentifierOf(JavaClass c) {
                return SliceIdentifier.of(c.getPackageName());
              }

              @Override
              public String getDescription() {
                return "packages";
              }
            })
        .should()
        .beFreeOfCycles()
        // The one bootstrap edge (ADR 0011): Store.open finds its engine through the provider
        // loader, whose StoreEngine returns a Store. Every other dependency counts.
        .ignoreDependency(
            JavaClass.Predicates.simpleName("Store")
                .and(JavaClass.Predicates.resideInAPackage("io.batpak")),
            JavaClass.Predicates.resideInAPackage("io.batpak.spi"));
  }

  /** Annotation-only packages api may use: required static, absent at run time (ADR 0008). */
  private static final String[] API_ANNOTATIONS = {
    "org.apiguardian.api", "org.jspecify.annotations"
  };

  static ArchRule apiDependsOnlyOnTheJdk(String... apiPackages) {
    List<String> allowed = new ArrayList<>();
    allowed.add("java..");
    allowed.addAll(List.of(apiPackages));
    allowed.addAll(List.of(API_ANNOTATIONS));
    return noClasses()
        .that()
        .resideInAnyPackage(apiPackages)
        .should()
        .dependOnClassesThat()
        .resideOutsideOfPackages(allowed.toArray(String[]::new))
        .because(
            "api is published with no run-time dependencies (docs/architecture.md, modules); its"
                + " only compile-time ones are the status and nullness annotations (ADR 0008)");
  }

  /**
   * The offline verifier is written from docs/format.md and runs with only api and Bouncy Castle
   * (ADR 0019; the verify pom's enforcer rule says the same of its dependencies).
   */
  @Test
  void theVerifierNeverReachesTheEngine() {
    noClasses()
        .that()
        .resideInAPackage("io.batpak.verify..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.batpak.engine..", "io.batpak.fs..", "io.batpak.codec..", "io.batpak.cli..")
        .because("batpak-verify depends only on batpak-api and Bouncy Castle (ADR 0019)")
        .check(BATPAK);
  }

  @Test
  void theEnginesPackagesFormNoCycle() {
    noPackageCycles().check(ENGINE);
  }

  /**
   * docs/architecture.md's map of the engine names each internal package exactly once, and every
   * top-level class of each package in its entry: a package or class added without its room, or an
   * entry a merge wrote twice, fails here.
   */
  @Test
  void theArchitectureDocumentMapsEveryEnginePackageOnceWithItsClasses() throws Exception {
    Path root = io.batpak.it.TestClasspath.testClasses().getParent().getParent().getParent();
    List<String> lines = Files.readAllLines(root.resolve(Path.of("docs", "architecture.md")));
    Map<String, StringBuilder> entries = new TreeMap<>();
    Map<String, Integer> seen = new TreeMap<>();
    String current = null;
    for (String line : lines) {
      if (line.startsWith("io.batpak.engine")) {
        current = line.split("\\s+")[0];
        seen.merge(current, 1, Integer::sum);
        entries.computeIfAbsent(current, k -> new StringBuilder()).append(line).append('\n');
      } else if (current != null && line.startsWith("      ")) {
        entries.get(current).append(line).append('\n');
      } else {
        current = null;
      }
    }
    List<String> problems = new ArrayList<>();
    seen.forEach(
        (pkg, n) -> {
          if (n > 1) {
            problems.add(pkg + " has " + n + " entries");
          }
        });
    for (JavaClass c : ENGINE) {
      String pkg = c.getPackageName();
      if (!pkg.startsWith("io.batpak.engine") || !c.isTopLevelClass()) {
        continue;
      }
      if (c.getSimpleName().equals("package-info") || c.getSimpleName().isEmpty()) {
        continue;
      }
      StringBuilder entry = entries.get(pkg);
      if (entry == null) {
        problems.add(pkg + " has no entry");
      } else if (!entry.toString().matches("(?s).*\\b" + c.getSimpleName() + "\\b.*")) {
        problems.add(c.getName() + " is not named in its package's entry");
      }
    }
    assertTrue(
        problems.isEmpty(),
        "docs/architecture.md's package map is out of step with the engine: "
            + new TreeSet<>(problems));
  }

  @Test
  void noPackageCycleInAnyModule() {
    noPackageCycles().check(BATPAK);
  }

  @Test
  void theApiDependsOnNothingButTheJdk() {
    apiDependsOnlyOnTheJdk(API_PACKAGES).check(API);
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

  /** What in {@code d} exports or opens an internal package to every module. */
  static List<String> internalPackagesOpenToEveryone(ModuleDescriptor d) {
    List<String> problems = new ArrayList<>();
    for (ModuleDescriptor.Exports e : d.exports()) {
      if (!e.isQualified() && isInternal(e.source())) {
        problems.add(d.name() + " exports " + e.source() + " to every module");
      }
    }
    for (ModuleDescriptor.Opens o : d.opens()) {
      if (!o.isQualified() && isInternal(o.source())) {
        problems.add(d.name() + " opens " + o.source() + " to every module");
      }
    }
    return problems;
  }

  private static boolean isInternal(String pkg) {
    return Arrays.asList(pkg.split("\\.")).contains("internal");
  }

  /**
   * How the engine's qualified exports differ from {@link #ENGINE_INTERNALS_FOR_THE_BENCH}, each to
   * {@code io.batpak.bench} alone.
   */
  static List<String> engineExportsBeyondTheBenchList(ModuleDescriptor engine) {
    Map<String, Set<String>> qualified = new TreeMap<>();
    for (ModuleDescriptor.Exports e : engine.exports()) {
      if (e.isQualified()) {
        qualified.put(e.source(), new TreeSet<>(e.targets()));
      }
    }
    List<String> problems = new ArrayList<>();
    qualified.forEach(
        (pkg, targets) -> {
          if (!ENGINE_INTERNALS_FOR_THE_BENCH.contains(pkg)) {
            problems.add(
                engine.name()
                    + " exports "
                    + pkg
                    + " to "
                    + targets
                    + ", which is not on the list of ADR 0007 (add it there and here, with the"
                    + " benchmark that needs it, or remove the export)");
          } else if (!targets.equals(Set.of("io.batpak.bench"))) {
            problems.add(
                engine.name()
                    + " exports "
                    + pkg
                    + " to "
                    + targets
                    + "; the list of ADR 0007 allows io.batpak.bench only");
          }
        });
    for (String pkg : new TreeSet<>(ENGINE_INTERNALS_FOR_THE_BENCH)) {
      if (!qualified.containsKey(pkg)) {
        problems.add(
            engine.name()
                + " no longer exports "
                + pkg
                + " to io.batpak.bench: remove it from the list of ADR 0007 and of this test");
      }
    }
    return problems;
  }

  /** Every batpak module descriptor on the class path the build gave the tests, by name. */
  private static Map<String, ModuleDescriptor> batpakModules() {
    String cp = System.getProperty("batpak.test.classpath", System.getProperty("java.class.path"));
    Map<String, ModuleDescriptor> found = new TreeMap<>();
    for (String entry : cp.split(File.pathSeparator)) {
      Path p = Path.of(entry);
      boolean descriptor =
          Files.isDirectory(p)
              ? Files.exists(p.resolve("module-info.class"))
              : p.getFileName().toString().startsWith("batpak-");
      if (entry.isEmpty() || !descriptor || !Files.exists(p)) {
        continue;
      }
      for (ModuleReference m : ModuleFinder.of(p).findAll()) {
        if (m.descriptor().name().startsWith("io.batpak")) {
          found.put(m.descriptor().name(), m.descriptor());
        }
      }
    }
    return found;
  }

  @Test
  void noModuleExportsAnInternalPackageToEveryone() {
    Map<String, ModuleDescriptor> modules = batpakModules();
    assertTrue(
        modules.keySet().containsAll(MODULES),
        "module descriptors found on the test class path: "
            + modules.keySet()
            + "; expected at least "
            + new TreeSet<>(MODULES));
    List<String> problems = new ArrayList<>();
    modules.values().forEach(d -> problems.addAll(internalPackagesOpenToEveryone(d)));
    assertEquals(List.of(), problems);
  }

  @Test
  void theEngineExportsToTheBenchExactlyTheListedInternals() {
    ModuleDescriptor engine = batpakModules().get("io.batpak.engine");
    assertTrue(engine != null, "no descriptor of io.batpak.engine on the test class path");
    assertEquals(List.of(), engineExportsBeyondTheBenchList(engine));
  }

  // ---------------------------------------------------------------------------------------------
  // Every rule refuses its deliberate violations

  /**
   * Evaluates {@code rule} over the violation class {@code simpleName} and asserts that it refuses
   * every method of that class (each method breaks the rule one way).
   */
  private static void refusesEveryMethodOf(ArchRule rule, String simpleName) {
    JavaClass c = VIOLATIONS.get(VIOLATIONS_PACKAGE + "." + simpleName);
    EvaluationResult result = rule.evaluate(VIOLATIONS);
    assertTrue(
        result.hasViolation(), "this rule found nothing to refuse: " + rule.getDescription());
    List<String> details = result.getFailureReport().getDetails();
    List<String> missed = new ArrayList<>();
    for (JavaMethod m : c.getMethods()) {
      if (m.getModifiers().contains(JavaModifier.SYNTHETIC)) {
        continue;
      }
      String origin = c.getName() + "." + m.getName() + "(";
      if (details.stream().noneMatch(d -> d.contains(origin))) {
        missed.add(m.getName());
      }
    }
    assertEquals(
        List.of(),
        missed,
        "methods of " + simpleName + " the rule let through; it reported:\n" + details);
  }

  @Test
  void theDiskRuleRefusesEveryWayAroundStoreFs() {
    refusesEveryMethodOf(
        diskOnlyThroughStoreFs(VIOLATIONS_PACKAGE + ".."), "TouchesTheDiskDirectly");
  }

  @Test
  void theClockRuleRefusesEveryClockReadAroundStoreClock() {
    refusesEveryMethodOf(timeOnlyThroughStoreClock(VIOLATIONS_PACKAGE + ".."), "ReadsTheWallClock");
  }

  @Test
  void theTimedWaitRuleRefusesEveryTimedWaitAroundStoreClock() {
    refusesEveryMethodOf(
        timedWaitsOnlyThroughStoreClock(VIOLATIONS_PACKAGE + ".."), "WaitsWithATimeout");
  }

  @Test
  void theRandomnessRuleRefusesEveryDrawAroundStoreEntropy() {
    refusesEveryMethodOf(
        randomnessOnlyFromStoreEntropy(VIOLATIONS_PACKAGE + ".."), "DrawsItsOwnRandomness");
  }

  @Test
  void theCycleRuleRefusesAPackageCycle() {
    EvaluationResult result = noPackageCycles().evaluate(VIOLATIONS);
    assertTrue(result.hasViolation(), "the package cycle of violations.cycle.a and .b passed");
    String report = String.join("\n", result.getFailureReport().getDetails());
    assertTrue(
        report.contains(VIOLATIONS_PACKAGE + ".cycle.a")
            && report.contains(VIOLATIONS_PACKAGE + ".cycle.b"),
        report);
  }

  @Test
  void theApiRuleRefusesADependencyOutsideTheJdk() {
    EvaluationResult result =
        apiDependsOnlyOnTheJdk(VIOLATIONS_PACKAGE + ".api").evaluate(VIOLATIONS);
    assertTrue(result.hasViolation(), "an api class that uses the engine passed");
    assertTrue(
        result.getFailureReport().getDetails().stream()
            .anyMatch(d -> d.contains("io.batpak.engine.BatpakEngine")),
        result.getFailureReport().toString());
  }

  @Test
  void theModuleRulesRefuseAnInternalPackageOpenToEveryone() {
    assertEquals(
        List.of(
            "io.batpak.violations.leaky exports io.batpak.violations.leaky.internal.format to"
                + " every module",
            "io.batpak.violations.leaky opens io.batpak.violations.leaky.internal.index to every"
                + " module"),
        internalPackagesOpenToEveryone(ExportsItsInternals.toEveryone()));
  }

  @Test
  void theBenchRuleRefusesAnEngineExportBeyondTheList() {
    List<String> problems =
        engineExportsBeyondTheBenchList(ExportsItsInternals.engineBeyondTheBenchList());
    assertEquals(3, problems.size(), problems::toString);
    assertTrue(problems.get(0).contains("io.batpak.engine.internal.commit"), problems::toString);
    assertTrue(
        problems
            .get(1)
            .contains("io.batpak.engine.internal.format to [io.batpak.bench," + " io.batpak.cli]"),
        problems::toString);
    assertTrue(
        problems.get(2).contains("no longer exports io.batpak.engine.internal.segment"),
        problems::toString);
  }
}
