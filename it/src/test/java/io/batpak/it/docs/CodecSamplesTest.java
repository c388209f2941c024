package io.batpak.it.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.example.tiny.TinyCodecProvider;
import io.batpak.it.ChildJvm;
import io.batpak.it.TestClasspath;
import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two docs/codecs.md samples that need more than a test method: a codec of your own, found by
 * {@code ServiceLoader} through a service file as a user's build packages it, and the module
 * declaration for the module path.
 */
class CodecSamplesTest {
  @TempDir Path tmp;

  /**
   * "Your own codec": {@code TinyDemo.main} runs in a child JVM (assertions on) whose class path is
   * the test class path plus a directory holding only {@code
   * META-INF/services/io.batpak.spi.CodecProvider}, as docs/codecs.md tells the reader to write it;
   * the engine's provider loader finds codec {@code tiny} there. Without the file, the same run
   * fails: the provider is found through the file, not by accident.
   */
  @Test
  void theTinyCodecIsFoundThroughItsServiceFileAndRoundTrips() throws Exception {
    Path services = Files.createDirectories(tmp.resolve("resources/META-INF/services"));
    Files.writeString(
        services.resolve("io.batpak.spi.CodecProvider"),
        TinyCodecProvider.class.getName() + "\n",
        StandardCharsets.UTF_8);
    ChildJvm.Finished run = runTinyDemo(tmp.resolve("resources"), "with");
    assertEquals(0, run.exitCode(), run.output());
    assertTrue(run.output().contains("hello, w"), run.output());

    ChildJvm.Finished without =
        runTinyDemo(Files.createDirectories(tmp.resolve("none")), "without");
    assertTrue(without.exitCode() != 0, without.output());
    assertTrue(without.output().contains("tiny"), without.output());
  }

  private ChildJvm.Finished runTinyDemo(Path resources, String name)
      throws IOException, InterruptedException {
    Path work = Files.createDirectories(tmp.resolve("work-" + name));
    List<Path> cp = new ArrayList<>();
    cp.add(resources);
    cp.addAll(TestClasspath.entries());
    return ChildJvm.run(
        ChildJvm.java("-ea", "-cp", join(cp), "com.example.tiny.TinyDemo"),
        work,
        tmp.resolve("out-" + name + ".txt"));
  }

  /**
   * "Module path": the module declaration compiles with {@code javac --release 17} against what a
   * user's module path holds (batpak-api, Jackson, the annotations the api requires static), with
   * one class in each package it opens.
   */
  @Test
  void theOrdersModuleDeclarationCompilesOnTheModulePath() throws IOException {
    Path src = tmp.resolve("src");
    Path info = src.resolve("module-info.java");
    Files.createDirectories(src);
    Files.copy(
        DocSamplesTest.repositoryRoot()
            .resolve("it/src/test/resources/docs-samples/orders-module/module-info.java"),
        info);
    List<Path> files = new ArrayList<>(List.of(info));
    for (String pkg : List.of("com.example.orders", "com.example.orders.money")) {
      Path f = src.resolve(pkg.replace('.', '/')).resolve("Money.java");
      Files.createDirectories(f.getParent());
      Files.writeString(f, "package " + pkg + ";\npublic record Money(long cents) {}\n");
      files.add(f);
    }
    List<Path> modulePath = new ArrayList<>();
    modulePath.add(TestClasspath.requireModule("api"));
    for (String artifact : List.of("jackson-databind", "jackson-core", "jackson-annotations")) {
      modulePath.add(jar(artifact));
    }
    modulePath.addAll(TestClasspath.compileOnlyAnnotations());
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    StringWriter out = new StringWriter();
    boolean ok;
    try (StandardJavaFileManager fm =
        javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
      ok =
          javac
              .getTask(
                  out,
                  fm,
                  diagnostics,
                  List.of(
                      "--release",
                      "17",
                      "-proc:none",
                      "--module-path",
                      join(modulePath),
                      "-d",
                      tmp.resolve("classes").toString()),
                  null,
                  fm.getJavaFileObjectsFromPaths(files))
              .call();
    }
    assertTrue(ok, () -> out + "\n" + diagnostics.getDiagnostics());
    assertTrue(Files.isRegularFile(tmp.resolve("classes/module-info.class")));
  }

  private static Path jar(String artifact) {
    Pattern p =
        Pattern.compile(
            Pattern.quote(artifact) + "-[0-9][^" + Pattern.quote(File.separator) + "]*\\.jar");
    return TestClasspath.entries().stream()
        .filter(e -> p.matcher(e.getFileName().toString()).matches())
        .findFirst()
        .orElseThrow(() -> new IllegalStateException(artifact + " is not in the test class path"));
  }

  private static String join(List<Path> paths) {
    return paths.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator));
  }
}
