package io.batpak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backend is found on the module path too: a child JVM runs a tiny named module of our own
 * ({@code io.batpak.it.smoke}, which requires only {@code io.batpak.fs.spi} and uses the provider
 * service) with {@code api}, {@code fs-spi}, {@code fs-posix} and JNA on {@code --module-path},
 * resolves the backend through {@code StoreFsResolver}, and must get {@code posix} from the named
 * module {@code io.batpak.fs.posix}, which the module system binds because it provides the service.
 * The module path comes from {@code batpak.test.classpath}, never from {@code java.class.path}.
 */
class ModulePathSmokeIT {

  private static final String MODULE_INFO =
      String.join(
          "\n",
          "module io.batpak.it.smoke {",
          "  requires io.batpak.fs.spi;",
          "  uses io.batpak.spi.StoreFsProvider;",
          "}",
          "");

  private static final String MAIN =
      String.join(
          "\n",
          "package io.batpak.it.smoke;",
          "",
          "import io.batpak.fs.spi.StoreFsResolver;",
          "",
          "public final class Main {",
          "  public static void main(String[] args) {",
          "    StoreFsResolver.Resolution r =",
          "        StoreFsResolver.resolve(null, Main.class.getClassLoader());",
          "    System.out.println(r.name());",
          "    System.out.println(\"caller module: \" + Main.class.getModule().getName());",
          "    System.out.println(",
          "        \"provider module: \" + r.provider().getClass().getModule().getName());",
          "    System.out.println(r.explanation());",
          "  }",
          "}",
          "");

  @TempDir Path tmp;

  private static String join(List<Path> paths) {
    return paths.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator));
  }

  @Test
  void posixIsResolvedOnTheModulePath() throws IOException, InterruptedException {
    Path api = TestClasspath.requireModule("api");
    Path spi = TestClasspath.requireModule("fs-spi");
    Path posix = TestClasspath.requireModule("fs-posix");
    Path jna = TestClasspath.jna();

    Path src = tmp.resolve("src");
    Path pkg = Files.createDirectories(src.resolve(Path.of("io", "batpak", "it", "smoke")));
    Files.writeString(src.resolve("module-info.java"), MODULE_INFO);
    Files.writeString(pkg.resolve("Main.java"), MAIN);
    Path classes = Files.createDirectories(tmp.resolve("smoke"));

    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
    List<String> javacArgs =
        List.of(
            "--release",
            "17",
            "-Xlint:all",
            "-Werror",
            "--module-path",
            join(
                Stream.concat(Stream.of(api, spi), TestClasspath.compileOnlyAnnotations().stream())
                    .toList()),
            "-d",
            classes.toString(),
            src.resolve("module-info.java").toString(),
            pkg.resolve("Main.java").toString());
    int compiled = javac.run(null, diagnostics, diagnostics, javacArgs.toArray(new String[0]));
    assertEquals(0, compiled, "javac failed: " + diagnostics.toString(StandardCharsets.UTF_8));

    List<String> command =
        ChildJvm.java(
            "--module-path",
            join(List.of(classes, api, spi, posix, jna)),
            "--module",
            "io.batpak.it.smoke/io.batpak.it.smoke.Main");
    ChildJvm.Finished child = ChildJvm.run(command, null, tmp.resolve("child-output.txt"));
    String out = child.output();
    String context = "command: " + command + "\noutput:\n" + out;
    System.out.println(context);

    assertEquals(0, child.exitCode(), context);
    List<String> lines;
    try (Stream<String> s = out.lines()) {
      lines = s.collect(Collectors.toList());
    }
    assertEquals("posix", lines.get(0), context);
    assertEquals("caller module: io.batpak.it.smoke", lines.get(1), context);
    assertEquals("provider module: io.batpak.fs.posix", lines.get(2), context);
    assertTrue(
        lines
            .get(3)
            .equals(
                "filesystem backend posix chosen automatically: the highest-priority"
                    + " auto-selectable provider whose probe passed."),
        context);
  }
}
