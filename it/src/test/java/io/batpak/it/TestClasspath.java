package io.batpak.it;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The class path the build gives the tests in the system property {@code batpak.test.classpath}
 * (never {@code java.class.path}, which Surefire and Failsafe may reduce to a manifest-only jar),
 * and the entries of our modules in it: a jar from the local repository when only {@code it} is
 * built, or {@code <module>/target/classes} (or the module's jar) in a reactor build.
 */
public final class TestClasspath {
  public static final String PROPERTY = "batpak.test.classpath";

  private TestClasspath() {}

  /** Every entry, in order. */
  public static List<Path> entries() {
    String cp = System.getProperty(PROPERTY);
    if (cp == null || cp.isBlank()) {
      throw new IllegalStateException(
          "system property "
              + PROPERTY
              + " is not set; run the tests through Maven (the parent pom sets it for Surefire and"
              + " Failsafe)");
    }
    List<Path> result = new ArrayList<>();
    for (String entry : cp.split(Pattern.quote(File.pathSeparator))) {
      if (!entry.isBlank()) {
        result.add(Path.of(entry));
      }
    }
    return result;
  }

  /** The test-classes directory of this module (the first entry). */
  public static Path testClasses() {
    Path first = entries().get(0);
    if (!Files.isDirectory(first) || !first.endsWith(Path.of("target", "test-classes"))) {
      throw new IllegalStateException(
          "the first entry of " + PROPERTY + " should be it/target/test-classes, is " + first);
    }
    return first;
  }

  /**
   * The jar or classes directory of our module {@code dir} (for example {@code fs-posix}, artifact
   * {@code batpak-fs-posix}), if it is on the class path.
   */
  static Optional<Path> module(String dir) {
    String artifact = "batpak-" + dir + "-";
    for (Path p : entries()) {
      String file = p.getFileName().toString();
      if (file.startsWith(artifact) && file.endsWith(".jar") && !file.endsWith("-tests.jar")) {
        return Optional.of(p);
      }
      if (p.endsWith(Path.of(dir, "target", "classes"))) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /** Like {@link #module(String)}, but fails when the module is missing. */
  public static Path requireModule(String dir) {
    return module(dir)
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "batpak module " + dir + " is not in " + PROPERTY + ": " + entries()));
  }

  /** The JNA jar. */
  static Path jna() {
    return jar("jna");
  }

  /**
   * The jars of the annotations the library modules require {@code static transitive} (apiguardian
   * and jspecify, ADR 0008): a user's build has them at compile time, since they are compile-scope
   * dependencies of {@code batpak-api}, and so must a compile on the module path here. They are not
   * needed at run time.
   */
  public static List<Path> compileOnlyAnnotations() {
    return List.of(jar("apiguardian-api"), jar("jspecify"));
  }

  /**
   * The jar of a third-party {@code artifact} (for example {@code jackson-core}) in the class path:
   * {@code <artifact>-<version>.jar}.
   *
   * @throws IllegalStateException if it is not there
   */
  public static Path jar(String artifact) {
    Pattern p =
        Pattern.compile(
            Pattern.quote(artifact) + "-[0-9][^" + Pattern.quote(File.separator) + "]*\\.jar");
    for (Path e : entries()) {
      if (p.matcher(e.getFileName().toString()).matches()) {
        return e;
      }
    }
    throw new IllegalStateException(artifact + ".jar is not in " + PROPERTY + ": " + entries());
  }
}
