package io.batpak.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.fs.testkit.StoreFsContract;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The child JVM's class path is read from the running JVM, manifest-only jars spelled out. */
class ChildClassPathTest {
  @TempDir Path tmp;

  private Path manifestOnlyJar(String classPath) throws IOException {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, classPath);
    Path jar = Files.createDirectories(tmp.resolve("boot")).resolve("booter.jar");
    try (OutputStream out = Files.newOutputStream(jar)) {
      new JarOutputStream(out, manifest).close(); // a manifest and nothing else, as Surefire's
    }
    return jar;
  }

  @Test
  void aManifestOnlyJarIsFollowedByItsClassPath() throws IOException {
    Path absolute = tmp.resolve("lib/a.jar");
    Path jar = manifestOnlyJar(absolute.toUri() + " ../classes/ lib%20b.jar");
    Path other = tmp.resolve("other");
    String expected =
        String.join(
            File.pathSeparator,
            jar.toString(),
            absolute.toString(),
            tmp.resolve("classes").toString(),
            tmp.resolve("boot/lib b.jar").toString(),
            other.toString());
    assertEquals(expected, ChildClassPath.of(jar + File.pathSeparator + other, null));
  }

  @Test
  void theModulePathCountsTooAndEntriesAreKeptOnce() {
    String path = String.join(File.pathSeparator, "x", "y", "x");
    assertEquals(
        String.join(File.pathSeparator, "x", "y", "z"),
        ChildClassPath.of(path, String.join(File.pathSeparator, "z", "", "y")));
  }

  @Test
  void nothingToGoOnIsAnErrorThatSaysWhatToSet() {
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> ChildClassPath.of("", null));
    assertTrue(e.getMessage().contains("batpak.test.classpath"), e.getMessage());
  }

  @Test
  void thisModulesBuildLeavesTheChildClassPathToTheKit() {
    assertNull(
        System.getProperty(StoreFsContract.CLASSPATH_PROPERTY),
        "testkit/pom.xml must not set it: NioContractTest proves that the annotation does");
  }

  @Test
  void theRunningJvmsClassPathHoldsTheContractSuite() {
    String path =
        ChildClassPath.of(
            System.getProperty("java.class.path"), System.getProperty("jdk.module.path"));
    assertTrue(path.contains("fs-testkit"), path);
  }
}
