package io.batpak.it.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.it.docs.MarkdownSamples.BadSampleException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The machinery behind {@link DocSamplesTest} on small Markdown texts written here: the markers are
 * read strictly, fragments are wrapped as documented, and a wrong sample fails with the file, the
 * Markdown line and the output. Without these, a sample test that never compiles or never runs
 * anything would pass.
 */
class SampleConventionTest {

  @TempDir Path tmp;

  private static String md(String... lines) {
    return String.join("\n", lines) + "\n";
  }

  @Test
  void markersChooseTheModeAndASkipKeepsItsReason() {
    List<MarkdownSample> s =
        MarkdownSamples.find(
            "GUIDE.md",
            md(
                "# Guide",
                "```java",
                "int a = 1;",
                "```",
                "<!-- sample: compile-only -->",
                "",
                "```java",
                "int b = 2;",
                "```",
                "<!-- sample: skip (needs a second machine) -->",
                "```java",
                "int c = 3;",
                "```",
                "```text",
                "not java",
                "```"));
    assertEquals(3, s.size());
    assertEquals(MarkdownSample.Mode.RUN, s.get(0).mode());
    assertEquals(2, s.get(0).line());
    assertEquals(MarkdownSample.Mode.COMPILE_ONLY, s.get(1).mode());
    assertEquals(7, s.get(1).line());
    assertEquals(MarkdownSample.Mode.SKIP, s.get(2).mode());
    assertEquals("needs a second machine", s.get(2).skipReason());
  }

  @Test
  void aSkipWithoutAReasonIsRefused() {
    BadSampleException e =
        assertThrows(
            BadSampleException.class,
            () ->
                MarkdownSamples.find(
                    "GUIDE.md", md("<!-- sample: skip -->", "```java", "x();", "```")));
    assertTrue(
        e.getMessage().startsWith("GUIDE.md:1: a skipped sample needs its reason"), e.getMessage());
    BadSampleException empty =
        assertThrows(
            BadSampleException.class,
            () ->
                MarkdownSamples.find(
                    "GUIDE.md", md("<!-- sample: skip ( ) -->", "```java", "x();", "```")));
    assertTrue(empty.getMessage().startsWith("GUIDE.md:1:"), empty.getMessage());
  }

  @Test
  void anUnknownMarkerAWordAfterJavaAndAnUnclosedBlockAreRefused() {
    BadSampleException unknown =
        assertThrows(
            BadSampleException.class,
            () ->
                MarkdownSamples.find(
                    "GUIDE.md", md("<!-- sample: compileonly -->", "```java", "x();", "```")));
    assertTrue(
        unknown.getMessage().startsWith("GUIDE.md:1: unknown sample marker \"compileonly\""),
        unknown.getMessage());
    BadSampleException info =
        assertThrows(
            BadSampleException.class,
            () -> MarkdownSamples.find("GUIDE.md", md("```java no-run", "x();", "```")));
    assertTrue(info.getMessage().startsWith("GUIDE.md:1: a java block's fence"), info.getMessage());
    BadSampleException unclosed =
        assertThrows(
            BadSampleException.class,
            () -> MarkdownSamples.find("GUIDE.md", md("text", "```java", "x();")));
    assertTrue(
        unclosed.getMessage().startsWith("GUIDE.md:2: a code block opens"), unclosed.getMessage());
  }

  @Test
  void aFragmentRunsWithItsTypesHoistedInAFreshWorkingDirectory() throws Exception {
    MarkdownSample s =
        only(
            md(
                "```java",
                "import java.nio.file.Files;",
                "import java.nio.file.Path;",
                "",
                "record Line(String sku, int quantity) {}",
                "",
                "class Counter {",
                "  int n;",
                "}",
                "",
                "Counter c = new Counter();",
                "c.n += new Line(\"A-1\", 2).quantity();",
                "Files.writeString(Path.of(\"data\"), \"x\");",
                "System.out.println(c.n + \" \" + Path.of(\"data\").toAbsolutePath());",
                "```"));
    String out = new SampleRunner(tmp).check(s);
    assertTrue(out.startsWith("2 " + tmp.toRealPath()), out);
    assertTrue(out.strip().endsWith(Path.of("work", "data").toString()), out);
  }

  @Test
  void aWholeClassIsCompiledAsWrittenAndRunsItsMain() throws Exception {
    MarkdownSample s =
        only(
            md(
                "```java",
                "package com.example;",
                "",
                "public final class Hello {",
                "  public static void main(String[] args) {",
                "    System.out.println(\"hello from \" + Hello.class.getName());",
                "  }",
                "}",
                "```"));
    assertEquals("com.example.Hello", SampleSource.of(s).mainClass().orElseThrow());
    assertEquals("hello from com.example.Hello", new SampleRunner(tmp).check(s).strip());
  }

  @Test
  void aCompileErrorNamesTheMarkdownLine() {
    MarkdownSample s = only(md("# Guide", "", "```java", "int a = 1;", "a.noSuchMethod();", "```"));
    SampleRunner.SampleFailedException e =
        assertThrows(
            SampleRunner.SampleFailedException.class, () -> new SampleRunner(tmp).check(s));
    assertTrue(
        e.getMessage().startsWith("GUIDE.md:3: the sample does not compile"), e.getMessage());
    assertTrue(
        e.getMessage().contains("\nGUIDE.md:5: error: int cannot be dereferenced"), e.getMessage());
  }

  @Test
  void aFailedAssertFailsTheRunWithItsOutput() {
    MarkdownSample s = only(md("```java", "int a = 1;", "assert a == 2 : \"a is \" + a;", "```"));
    SampleRunner.SampleFailedException e =
        assertThrows(
            SampleRunner.SampleFailedException.class, () -> new SampleRunner(tmp).check(s));
    assertTrue(
        e.getMessage().startsWith("GUIDE.md:1: the sample compiles but its run exits with 1"),
        e.getMessage());
    assertTrue(e.getMessage().contains("java.lang.AssertionError: a is 1"), e.getMessage());
    assertTrue(e.getMessage().contains("(Sample.java:"), e.getMessage());
    assertTrue(e.getMessage().contains(") [GUIDE.md:3]"), e.getMessage());
  }

  @Test
  void aCompileOnlySampleIsCompiledAndNotRun() throws Exception {
    MarkdownSample fine =
        only(md("<!-- sample: compile-only -->", "```java", "System.exit(3);", "```"));
    assertEquals("", new SampleRunner(tmp).check(fine));
    MarkdownSample wrong =
        only(md("<!-- sample: compile-only -->", "```java", "System.exit(\"3\");", "```"));
    assertThrows(
        SampleRunner.SampleFailedException.class, () -> new SampleRunner(tmp).check(wrong));
  }

  @Test
  void aModuleDeclarationIsCompiledOnTheModulePath() throws Exception {
    MarkdownSample fine =
        only(
            md(
                "```java",
                "module com.example.shop {",
                "  requires io.batpak.api;",
                "  opens com.example.shop to tools.jackson.databind;",
                "}",
                "```"));
    assertEquals("", new SampleRunner(tmp).check(fine));
    MarkdownSample wrong =
        only(
            md(
                "```java",
                "module com.example.shop {",
                "  requires io.batpak.engine.nope;",
                "}",
                "```"));
    SampleRunner.SampleFailedException e =
        assertThrows(
            SampleRunner.SampleFailedException.class, () -> new SampleRunner(tmp).check(wrong));
    assertTrue(e.getMessage().contains("\nGUIDE.md:3: error: module not found"), e.getMessage());
  }

  @Test
  void aResourceBlockIsOnTheClassPathOfTheSampleBeforeIt() throws Exception {
    MarkdownSample s =
        only(
            md(
                "```java",
                "var in = ClassLoader.getSystemResourceAsStream(\"META-INF/services/x.Y\");",
                "System.out.print(new String(in.readAllBytes(), \"UTF-8\"));",
                "```",
                "<!-- sample: resource META-INF/services/x.Y -->",
                "```text",
                "com.example.Impl",
                "```"));
    assertEquals(
        java.util.Map.of("META-INF/services/x.Y", List.of("com.example.Impl")), s.resources());
    assertEquals("com.example.Impl", new SampleRunner(tmp).check(s).strip());
  }

  @Test
  void aResourceWithoutASampleBeforeItOrWithABadPathIsRefused() {
    BadSampleException none =
        assertThrows(
            BadSampleException.class,
            () ->
                MarkdownSamples.find(
                    "GUIDE.md", md("<!-- sample: resource a/b.txt -->", "```text", "x", "```")));
    assertTrue(
        none.getMessage().startsWith("GUIDE.md:1: a resource block belongs"), none.getMessage());
    BadSampleException badPath =
        assertThrows(
            BadSampleException.class,
            () ->
                MarkdownSamples.find(
                    "GUIDE.md",
                    md(
                        "```java",
                        "int a;",
                        "```",
                        "<!-- sample: resource ../up -->",
                        "```text",
                        "x",
                        "```")));
    assertTrue(
        badPath.getMessage().startsWith("GUIDE.md:4: a sample marker stands"),
        badPath.getMessage());
  }

  private static MarkdownSample only(String markdown) {
    List<MarkdownSample> s = MarkdownSamples.find("GUIDE.md", markdown);
    assertEquals(1, s.size(), markdown);
    return s.get(0);
  }
}
