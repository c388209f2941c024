package io.batpak.test;

import java.nio.file.Files;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * The one-line Maven command that replays one test with one seed. The module comes from the
 * directory the test runs in (Surefire's {@code basedir}, else {@code user.dir}): when its parents
 * hold a {@code pom.xml}, the test is in a module of a reactor, run from the top with {@code -pl};
 * otherwise the project is run on its own. A class whose name ends in {@code IT} is run by
 * Failsafe.
 */
final class ReplayCommand {
  private ReplayCommand() {}

  static String of(Class<?> testClass, @Nullable String method, long seed) {
    Path base = Path.of(System.getProperty("basedir", System.getProperty("user.dir", ".")));
    return of(base.toAbsolutePath().normalize(), testClass, method, seed);
  }

  static String of(Path base, Class<?> testClass, @Nullable String method, long seed) {
    Path top = base;
    while (top.getParent() != null && Files.isRegularFile(top.getParent().resolve("pom.xml"))) {
      top = top.getParent();
    }
    String module = top.equals(base) ? null : top.relativize(base).toString().replace('\\', '/');
    String name = testClass.getName();
    String selector =
        "'"
            + name.substring(name.lastIndexOf('.') + 1)
            + (method == null ? "" : "#" + method)
            + "'";
    StringBuilder b = new StringBuilder("mvn -B");
    if (module != null) {
      b.append(" -pl ").append(module).append(" -am");
    }
    if (testClass.getSimpleName().endsWith("IT")) {
      b.append(" verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=")
          .append(selector)
          .append(" -Dfailsafe.failIfNoSpecifiedTests=false");
    } else {
      b.append(" test -Dtest=").append(selector);
      if (module != null) {
        b.append(" -Dsurefire.failIfNoSpecifiedTests=false");
      }
    }
    return b.append(" -D").append(BatpakTest.SEED_PROPERTY).append('=').append(seed).toString();
  }
}
