package io.batpak.it.docs;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Issue 17: every {@code ```java} block of README.md, docs/ and the modules' READMEs is a region of
 * a compiled, tested source file, and every relative link resolves. The samples themselves run as
 * the tests of {@code io.batpak.it.docs.samples} (and fs-sim's {@code ReadmeSampleTest}); this test
 * proves the Markdown shows exactly them.
 */
class DocSamplesTest {
  /**
   * Pages that the documents may link to before they exist (none now: every page issue 17's
   * branches added is merged). The check fails for a listed page that exists, asking for its
   * removal here.
   */
  static final Set<String> PENDING_PAGES = Set.of();

  /** The repository root: the nearest directory above the working one with the parent pom. */
  static Path repositoryRoot() throws IOException {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path pom = p.resolve("pom.xml");
      if (Files.isRegularFile(pom)
          && Files.readString(pom, StandardCharsets.UTF_8)
              .contains("<artifactId>batpak-parent</artifactId>")
          && Files.isDirectory(p.resolve("docs"))) {
        return p;
      }
    }
    throw new IllegalStateException(
        "no directory above " + Path.of("").toAbsolutePath() + " holds the batpak parent pom.xml");
  }

  @Test
  void everyJavaBlockIsACompiledRegionAndEveryLinkResolves() throws IOException {
    DocCheck.Result r = DocCheck.check(repositoryRoot(), PENDING_PAGES);
    assertTrue(
        r.problems().isEmpty(),
        () -> r.problems().size() + " problems:\n" + String.join("\n", r.problems()));
  }

  /** Guards against a walk that finds nothing, which would make the test above pass vacuously. */
  @Test
  void theCheckSeesTheReadmeSamplesAndLinks() throws IOException {
    Path root = repositoryRoot();
    List<Path> docs = DocCheck.documents(root);
    assertTrue(docs.contains(root.resolve("README.md")), docs::toString);
    assertTrue(docs.contains(root.resolve("docs/index.md")), docs::toString);
    assertTrue(docs.contains(root.resolve("fs-sim/README.md")), docs::toString);
    DocCheck.Result readme = DocCheck.checkDocument(root, root.resolve("README.md"), PENDING_PAGES);
    assertTrue(readme.samples() >= 1, "README.md shows no ```java block");
    assertTrue(readme.links() >= 5, "README.md has fewer than 5 relative links: " + readme);
    DocCheck.Result all = DocCheck.check(root, PENDING_PAGES);
    assertTrue(all.samples() >= 20, "fewer than 20 samples in the documents: " + all.samples());
  }
}
