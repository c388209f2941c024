package io.batpak.it.docs;

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
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Compiles a sample with the in-process {@code javax.tools} compiler ({@code --release 17}) against
 * the test class path (or, for a module declaration, the module path a user's build would have),
 * and runs it in a child JVM with assertions enabled and a fresh working directory, so a sample's
 * {@code Path.of("data")} lands there.
 */
final class SampleRunner {
  private static final Pattern STACK_FRAME = Pattern.compile("\\((\\w+\\.java):(\\d+)\\)");

  private final Path scratch;

  /** A runner whose samples compile and run under {@code scratch}, one directory each. */
  SampleRunner(Path scratch) {
    this.scratch = scratch;
  }

  /** A sample failed to compile or to run; the message names the file, line and output. */
  static final class SampleFailedException extends AssertionError {
    private static final long serialVersionUID = 1L;

    SampleFailedException(String message) {
      super(message);
    }
  }

  /**
   * Compiles {@code sample} and, if its mode is {@link MarkdownSample.Mode#RUN} and it has a class
   * to run, runs it.
   *
   * @return what the run printed, or the empty string when nothing ran
   * @throws SampleFailedException if the compiler reports an error or the run exits non-zero
   * @throws MarkdownSamples.BadSampleException if the sample breaks the convention
   */
  String check(MarkdownSample sample) throws IOException, InterruptedException {
    SampleSource source = SampleSource.of(sample);
    Path root = Files.createDirectories(scratch.resolve(directoryName(sample)));
    Path src = Files.createDirectories(root.resolve("src"));
    Path classes = Files.createDirectories(root.resolve("classes"));
    List<Path> files = new ArrayList<>();
    for (SampleSource.Unit u : source.units()) {
      Path f = src.resolve(u.path());
      Files.createDirectories(f.getParent());
      Files.write(f, u.lines(), StandardCharsets.UTF_8);
      files.add(f);
    }
    compile(sample, source, files, classes);
    for (Map.Entry<String, List<String>> r : sample.resources().entrySet()) {
      Path f = classes.resolve(r.getKey());
      Files.createDirectories(f.getParent());
      Files.write(f, r.getValue(), StandardCharsets.UTF_8);
    }
    if (sample.mode() != MarkdownSample.Mode.RUN || source.mainClass().isEmpty()) {
      return "";
    }
    return run(
        sample,
        source,
        source.mainClass().get(),
        classes,
        Files.createDirectories(root.resolve("work")));
  }

  private static String directoryName(MarkdownSample sample) {
    return sample.file().replaceAll("[^A-Za-z0-9]+", "-") + "-" + sample.line();
  }

  private static void compile(
      MarkdownSample sample, SampleSource source, List<Path> files, Path classes)
      throws IOException {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    List<String> options = new ArrayList<>(List.of("--release", "17", "-proc:none"));
    if (source.moduleDeclaration()) {
      options.add("--module-path");
      options.add(join(moduleDeclarationPath()));
    } else {
      options.add("-classpath");
      options.add(join(TestClasspath.entries()));
    }
    options.addAll(List.of("-d", classes.toString()));
    StringWriter out = new StringWriter();
    boolean ok;
    try (StandardJavaFileManager fm =
        javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
      ok =
          javac
              .getTask(out, fm, diagnostics, options, null, fm.getJavaFileObjectsFromPaths(files))
              .call();
    }
    if (ok) {
      return;
    }
    StringBuilder message =
        new StringBuilder(sample.where() + ": the sample does not compile (" + sample.mode() + ")");
    for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
      if (d.getKind() != Diagnostic.Kind.ERROR) {
        continue;
      }
      message.append('\n').append(sample.file()).append(':');
      SampleSource.Unit unit = unitOf(source, d);
      if (unit != null) {
        message.append(unit.markdownLine(d.getLineNumber())).append(':');
      }
      message.append(" error: ").append(d.getMessage(Locale.ROOT));
    }
    message.append(out).append("\ngenerated source:\n");
    for (SampleSource.Unit u : source.units()) {
      message.append("// ").append(u.path()).append('\n');
      for (int i = 0; i < u.lines().size(); i++) {
        message
            .append(String.format(Locale.ROOT, "%5d| ", u.markdownLines().get(i)))
            .append(u.lines().get(i))
            .append('\n');
      }
    }
    throw new SampleFailedException(message.toString());
  }

  private static SampleSource.Unit unitOf(
      SampleSource source, Diagnostic<? extends JavaFileObject> d) {
    if (d.getSource() == null) {
      return null;
    }
    String name = d.getSource().toUri().getPath();
    for (SampleSource.Unit u : source.units()) {
      if (name.endsWith("/" + u.path())) {
        return u;
      }
    }
    return null;
  }

  private static String run(
      MarkdownSample sample, SampleSource source, String mainClass, Path classes, Path work)
      throws IOException, InterruptedException {
    List<Path> cp = new ArrayList<>();
    cp.add(classes);
    cp.addAll(TestClasspath.entries());
    List<String> command = ChildJvm.java("-ea", "-cp", join(cp), mainClass);
    ChildJvm.Finished child = ChildJvm.run(command, work, work.getParent().resolve("output.txt"));
    String out = child.output();
    if (child.exitCode() != 0) {
      throw new SampleFailedException(
          sample.where()
              + ": the sample compiles but its run exits with "
              + child.exitCode()
              + " (working directory "
              + work
              + ", assertions enabled)\noutput:\n"
              + withMarkdownLines(sample, source, out));
    }
    return out;
  }

  /** Adds the Markdown line after each {@code (Sample.java:28)} of a stack trace. */
  private static String withMarkdownLines(
      MarkdownSample sample, SampleSource source, String output) {
    Matcher m = STACK_FRAME.matcher(output);
    StringBuilder result = new StringBuilder();
    while (m.find()) {
      String replacement = m.group();
      for (SampleSource.Unit u : source.units()) {
        if (u.path().equals(m.group(1)) || u.path().endsWith("/" + m.group(1))) {
          int line = u.markdownLine(Long.parseLong(m.group(2)));
          replacement = m.group() + " [" + sample.file() + ":" + line + "]";
        }
      }
      m.appendReplacement(result, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(result);
    return result.toString();
  }

  /**
   * What a user's build puts on the module path for a module that requires {@code io.batpak.api}
   * and opens packages to Jackson: the api module, Jackson (with {@code batpak-codec}) and the
   * annotations the api requires {@code static transitive}.
   */
  private static List<Path> moduleDeclarationPath() {
    List<Path> path = new ArrayList<>();
    path.add(TestClasspath.requireModule("api"));
    for (String artifact : List.of("jackson-databind", "jackson-core", "jackson-annotations")) {
      path.add(jar(artifact));
    }
    path.addAll(TestClasspath.compileOnlyAnnotations());
    return path;
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
