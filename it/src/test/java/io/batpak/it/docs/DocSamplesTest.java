package io.batpak.it.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.batpak.it.TestClasspath;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17: every code sample in {@code README.md} and {@code docs/**}{@code /*.md} is compiled and
 * run by the build, so the documentation cannot drift from the code.
 *
 * <p>Each fenced {@code java} block is one sample, one dynamic test named {@code file:line}. The
 * conventions (see {@link MarkdownSamples} and {@link SampleSource}, and docs/testing.md):
 *
 * <ul>
 *   <li>a block with statements at the top level is a fragment: its imports are hoisted, its type
 *       declarations become static members of a generated class, its statements the body of {@code
 *       main};
 *   <li>a block of type declarations only is a compilation unit, compiled as written and run if it
 *       has a {@code main};
 *   <li>a module declaration is compiled on the module path, never run;
 *   <li>{@code <!-- sample: compile-only -->} before the fence compiles without running; {@code
 *       <!-- sample: skip (reason) -->} neither compiles nor runs, and the test reports the sample
 *       as skipped with its reason (a skip without a reason fails).
 * </ul>
 *
 * Samples compile with {@code javax.tools} ({@code --release 17}) against the test class path,
 * which holds every batpak module and {@code batpak-codec}, as a user's class path would. They run
 * in a child JVM with assertions enabled ({@code -ea}, so a sample's {@code assert} is checked)
 * whose working directory is a fresh temporary directory: {@code Path.of("data")} writes there. A
 * failure names the Markdown file and line and gives the compiler's or the run's output.
 *
 * <p>{@code docs/adr/} is left out on purpose: an ADR is the record of a decision as it was made,
 * and its code shows the shape under discussion, not the API of today.
 */
class DocSamplesTest {

  @TempDir Path tmp;

  /** The repository root: {@code it/target/test-classes} is three levels below it. */
  static Path repositoryRoot() {
    return TestClasspath.testClasses().getParent().getParent().getParent();
  }

  /** README.md and every Markdown file under docs/ except docs/adr/, in a stable order. */
  static List<Path> documents(Path root) throws IOException {
    List<Path> docs = new ArrayList<>();
    docs.add(root.resolve("README.md"));
    Path adr = root.resolve(Path.of("docs", "adr"));
    try (Stream<Path> s = Files.walk(root.resolve("docs"))) {
      s.filter(p -> p.toString().endsWith(".md"))
          .filter(p -> !p.startsWith(adr))
          .sorted()
          .forEach(docs::add);
    }
    return docs;
  }

  /** Every sample of the documents, in document order. */
  static List<MarkdownSample> samples() throws IOException {
    Path root = repositoryRoot();
    List<MarkdownSample> samples = new ArrayList<>();
    for (Path doc : documents(root)) {
      String name = root.relativize(doc).toString().replace('\\', '/');
      samples.addAll(MarkdownSamples.find(name, Files.readString(doc, StandardCharsets.UTF_8)));
    }
    return samples;
  }

  @TestFactory
  Stream<DynamicTest> everySampleCompilesAndRunsAsWritten() throws IOException {
    SampleRunner runner = new SampleRunner(tmp);
    List<MarkdownSample> samples = samples();
    for (MarkdownSample s : samples) {
      if (s.mode() == MarkdownSample.Mode.SKIP) {
        System.out.println("skipped sample " + s.where() + ": " + s.skipReason());
      }
    }
    return samples.stream()
        .map(
            s ->
                DynamicTest.dynamicTest(
                    s.where() + " " + s.mode().name().toLowerCase(java.util.Locale.ROOT),
                    () -> {
                      Assumptions.assumeFalse(
                          s.mode() == MarkdownSample.Mode.SKIP,
                          () -> "skipped by its marker: " + s.skipReason());
                      String out = runner.check(s);
                      if (!out.isEmpty()) {
                        System.out.println(s.where() + " printed:\n" + out);
                      }
                    }));
  }

  /**
   * The README's "Use it" sample is found and runs: a guard against an extractor that finds
   * nothing, which would make the dynamic tests above pass vacuously.
   */
  @Test
  void theReadmeUseItSampleIsFoundAndRuns() throws IOException {
    List<MarkdownSample> readme =
        samples().stream().filter(s -> s.file().equals("README.md")).toList();
    assertFalse(readme.isEmpty(), "README.md has no ```java block");
    MarkdownSample useIt = readme.get(0);
    assertEquals(MarkdownSample.Mode.RUN, useIt.mode(), useIt.where());
    assertEquals(
        SampleSource.WRAPPER, SampleSource.of(useIt).mainClass().orElseThrow(), useIt.where());
  }
}
