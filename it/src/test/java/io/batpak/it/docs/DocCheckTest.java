package io.batpak.it.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link DocCheck} on small repositories written here: each kind of drift is caught and named. */
class DocCheckTest {
  @TempDir Path root;

  @BeforeEach
  void aSourceWithOneRegion() throws IOException {
    write("pom.xml", "<project/>");
    write(
        "m/src/A.java",
        "class A {",
        "  void f() {",
        "    // sample:hello",
        "    int x = 1;",
        "",
        "    System.out.println(x);",
        "    // end-sample:hello",
        "  }",
        "}");
  }

  private void write(String path, String... lines) throws IOException {
    Path p = root.resolve(path);
    Files.createDirectories(p.getParent());
    Files.write(p, List.of(lines), StandardCharsets.UTF_8);
  }

  private List<String> problems() throws IOException {
    return DocCheck.check(root).problems();
  }

  private static void assertOne(List<String> problems, String... parts) {
    assertEquals(1, problems.size(), problems::toString);
    for (String part : parts) {
      assertTrue(problems.get(0).contains(part), () -> "'" + part + "' not in " + problems);
    }
  }

  @Test
  void aBlockEqualToItsRegionPassesWhateverItsIndentation() throws IOException {
    write(
        "README.md",
        "# T",
        "",
        "<!-- sample: m/src/A.java#hello -->",
        "```java",
        "int x = 1;",
        "",
        "System.out.println(x);",
        "```",
        "",
        "- in a list:",
        "  <!-- sample: m/src/A.java#hello -->",
        "  ```java",
        "  int x = 1;",
        "",
        "  System.out.println(x);",
        "  ```");
    DocCheck.Result r = DocCheck.check(root);
    assertEquals(List.of(), r.problems());
    assertEquals(2, r.samples());
  }

  @Test
  void aBlockWithoutItsMarkerFailsAtItsLine() throws IOException {
    write("docs/a.md", "text", "", "```java", "int x = 1;", "```");
    assertOne(problems(), "docs/a.md:3", "<!-- sample: PATH#NAME -->");
  }

  @Test
  void aMarkerSeparatedFromItsBlockDoesNotCount() throws IOException {
    write("docs/a.md", "<!-- sample: m/src/A.java#hello -->", "", "```java", "int x = 1;", "```");
    assertOne(problems(), "docs/a.md:3", "right before it");
  }

  @Test
  void driftNamesTheMarkdownLineTheSampleAndTheFirstDifferingLine() throws IOException {
    write(
        "README.md",
        "<!-- sample: m/src/A.java#hello -->",
        "```java",
        "int x = 1;",
        "",
        "System.out.println(x + 1);",
        "```");
    assertOne(
        problems(),
        "README.md:5",
        "m/src/A.java#hello",
        "at its line 3",
        "markdown: System.out.println(x + 1);",
        "source:   System.out.println(x);");
  }

  @Test
  void aBlockShorterOrLongerThanItsRegionFails() throws IOException {
    write("README.md", "<!-- sample: m/src/A.java#hello -->", "```java", "int x = 1;", "```");
    assertOne(problems(), "README.md:4", "<end of block>");
    write(
        "README.md",
        "<!-- sample: m/src/A.java#hello -->",
        "```java",
        "int x = 1;",
        "",
        "System.out.println(x);",
        "x++;",
        "```");
    assertOne(problems(), "README.md:6", "<end of region>");
  }

  @Test
  void aMissingRegionOrFileIsNamed() throws IOException {
    write("docs/a.md", "<!-- sample: m/src/A.java#bye -->", "```java", "int x = 1;", "```");
    assertOne(problems(), "docs/a.md:2", "m/src/A.java#bye", "no line '// sample:bye'");
    write("docs/a.md", "<!-- sample: m/src/B.java#hello -->", "```java", "int x = 1;", "```");
    assertOne(problems(), "docs/a.md:2", "m/src/B.java#hello", "names no .java file");
  }

  @Test
  void anUnendedOrDoubledRegionIsNamed() throws IOException {
    write("m/src/A.java", "// sample:x", "int y;", "// sample:x", "// end-sample:x");
    write("docs/a.md", "<!-- sample: m/src/A.java#x -->", "```java", "int y;", "```");
    assertOne(problems(), "docs/a.md:2", "starts twice (lines 1 and 3)");
    write("m/src/A.java", "// sample:x", "int y;");
    assertOne(problems(), "docs/a.md:2", "has no '// end-sample:x'");
  }

  @Test
  void otherLanguagesAreNotSamplesButAnUnclosedBlockFails() throws IOException {
    write(
        "docs/a.md",
        "```sh",
        "mvn verify",
        "```",
        "",
        "```text",
        "[x](nowhere.md)",
        "```",
        "```` ```java ```` in a sentence is inline code, not a fence");
    assertEquals(List.of(), problems());
    write("docs/a.md", "```java", "int x;");
    assertOne(problems(), "docs/a.md:1", "never closed");
  }

  @Test
  void aRelativeLinkMustNameAnExistingFile() throws IOException {
    write(
        "docs/a.md",
        "See [b](b.md#part), [root](../README.md), [web](https://example.com/x.md),",
        "[here](#top), `[code](not-a-link.md)` and [gone](missing.md).");
    write("docs/b.md", "# B");
    write("README.md", "[a](docs/a.md) and [module](m/src/A.java)");
    DocCheck.Result r = DocCheck.check(root);
    assertOne(r.problems(), "docs/a.md:2", "(missing.md)", "docs/missing.md");
    assertEquals(5, r.links());
  }

  @Test
  void moduleReadmesAreChecked() throws IOException {
    write("m/pom.xml", "<project/>");
    write("m/README.md", "```java", "int x;", "```");
    assertOne(problems(), "m/README.md:1");
  }

  @Test
  void aPendingPageMayBeMissingButNotOutliveItsReason() throws IOException {
    write("docs/index.md", "[later](later.md) and [gone](gone.md)");
    DocCheck.Result r = DocCheck.check(root, Set.of("docs/later.md"));
    assertOne(r.problems(), "docs/index.md:1", "(gone.md)");
    write("docs/later.md", "# Later");
    write("docs/index.md", "[later](later.md)");
    assertOne(DocCheck.check(root, Set.of("docs/later.md")).problems(), "docs/later.md exists now");
  }
}
