package io.batpak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

/**
 * {@code bom/pom.xml} ({@code batpak-bom}) manages exactly the published modules of the reactor, at
 * the reactor's version, and carries nothing a user would not want imported: no parent (whose
 * dependencyManagement pins JUnit, JNA, Jackson and others) and no dependencies of its own. The
 * published modules are the parent's {@code <modules>} minus the ones that are never deployed.
 */
class BomTest {

  /** Reactor modules that are not published artifacts. */
  private static final Set<String> NOT_PUBLISHED = Set.of("it", "bench", "cli", "bom");

  @Test
  void bomManagesExactlyThePublishedModulesAtTheReactorVersion() throws Exception {
    Path root = repositoryRoot();
    Element parent = read(root.resolve("pom.xml"));
    Element bom = read(root.resolve(Path.of("bom", "pom.xml")));

    Set<String> published = new TreeSet<>();
    for (Element module : children(child(parent, "modules"), "module")) {
      String dir = module.getTextContent().trim();
      if (!NOT_PUBLISHED.contains(dir)) {
        Element pom = read(root.resolve(Path.of(dir, "pom.xml")));
        published.add(text(pom, "artifactId"));
      }
    }
    assertTrue(
        published.contains("batpak-engine") && published.size() >= 7,
        "the parent's <modules> should list the library modules, found " + published);

    Set<String> managed = new TreeSet<>();
    for (Element dependency :
        children(child(child(bom, "dependencyManagement"), "dependencies"), "dependency")) {
      String artifact = text(dependency, "artifactId");
      assertEquals("io.batpak", text(dependency, "groupId"), "groupId of " + artifact);
      assertEquals("${project.version}", text(dependency, "version"), "version of " + artifact);
      assertTrue(managed.add(artifact), artifact + " is listed twice in bom/pom.xml");
    }
    assertEquals(
        published,
        managed,
        "bom/pom.xml must manage exactly the published modules (the parent's <modules> except "
            + NOT_PUBLISHED
            + ")");

    assertEquals("batpak-bom", text(bom, "artifactId"));
    assertEquals("pom", text(bom, "packaging"));
    assertEquals(
        text(parent, "version"),
        text(bom, "version"),
        "bom/pom.xml has no parent, so its <version> must be kept equal to the parent's by hand");
    assertEquals(
        List.of(),
        children(bom, "parent"),
        "an inherited dependencyManagement would reach every user who imports the BOM");
    assertEquals(List.of(), children(bom, "dependencies"), "a BOM declares no dependencies");
  }

  private static Path repositoryRoot() {
    // it/target/test-classes -> it/target -> it -> repository root
    return TestClasspath.testClasses().getParent().getParent().getParent();
  }

  private static Element read(Path pom)
      throws IOException, ParserConfigurationException, SAXException {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    factory.setExpandEntityReferences(false);
    try (var in = Files.newInputStream(pom)) {
      Document document = factory.newDocumentBuilder().parse(in);
      return document.getDocumentElement();
    }
  }

  /** The direct children of {@code parent} named {@code name}, in document order. */
  private static List<Element> children(Element parent, String name) {
    List<Element> result = new ArrayList<>();
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(name)) {
        result.add(e);
      }
    }
    return result;
  }

  private static Element child(Element parent, String name) {
    List<Element> found = children(parent, name);
    assertEquals(1, found.size(), "<" + parent.getTagName() + "> should have one <" + name + ">");
    return found.get(0);
  }

  private static String text(Element parent, String name) {
    return child(parent, name).getTextContent().trim();
  }
}
