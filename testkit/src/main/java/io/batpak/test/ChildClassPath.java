package io.batpak.test;

import static org.apiguardian.api.API.Status.INTERNAL;

import io.batpak.fs.testkit.StoreFsContract;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Sets {@value StoreFsContract#CLASSPATH_PROPERTY} for the contract suite's child JVM from the
 * running JVM, when the build did not set it, and removes it after the class.
 *
 * <p>Public only because JUnit instantiates it; use {@link StoreFsContractTest}, not this class.
 */
@API(status = INTERNAL, since = "0.1")
public final class ChildClassPath implements BeforeAllCallback, AfterAllCallback {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(ChildClassPath.class);

  /** Created by JUnit, through {@link StoreFsContractTest}. */
  public ChildClassPath() {}

  @Override
  public void beforeAll(ExtensionContext context) {
    String set = System.getProperty(StoreFsContract.CLASSPATH_PROPERTY);
    if (set == null || set.isBlank()) {
      System.setProperty(
          StoreFsContract.CLASSPATH_PROPERTY,
          of(System.getProperty("java.class.path"), System.getProperty("jdk.module.path")));
      context.getStore(NAMESPACE).put("set", Boolean.TRUE);
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (context.getStore(NAMESPACE).remove("set", Boolean.class) != null) {
      System.clearProperty(StoreFsContract.CLASSPATH_PROPERTY);
    }
  }

  /**
   * The class path for a child JVM that sees what this one sees: every entry of {@code classPath}
   * and {@code modulePath} in order, each jar followed by the entries of its manifest's {@code
   * Class-Path} (resolved against the jar), without duplicates.
   */
  static String of(@Nullable String classPath, @Nullable String modulePath) {
    Set<String> entries = new LinkedHashSet<>();
    for (String path : new String[] {classPath, modulePath}) {
      if (path == null) {
        continue;
      }
      for (String entry : path.split(File.pathSeparator)) {
        if (!entry.isBlank()) {
          entries.add(entry);
          entries.addAll(manifestClassPath(Path.of(entry)));
        }
      }
    }
    if (entries.isEmpty()) {
      throw new IllegalStateException(
          "cannot set "
              + StoreFsContract.CLASSPATH_PROPERTY
              + " for the contract suite's child JVM: java.class.path and jdk.module.path are"
              + " both empty; set it in the build (StoreFsContract's javadoc shows how)");
    }
    return String.join(File.pathSeparator, entries);
  }

  private static Set<String> manifestClassPath(Path jar) {
    Set<String> entries = new LinkedHashSet<>();
    if (!Files.isRegularFile(jar) || !jar.toString().endsWith(".jar")) {
      return entries;
    }
    try (JarFile file = new JarFile(jar.toFile())) {
      Manifest manifest = file.getManifest();
      String value =
          manifest == null
              ? null
              : manifest.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
      if (value == null) {
        return entries;
      }
      URI base = jar.toAbsolutePath().toUri();
      for (String url : value.trim().split("\\s+")) {
        if (!url.isEmpty()) {
          entries.add(Path.of(base.resolve(new URI(url))).toString());
        }
      }
      return entries;
    } catch (IOException e) {
      throw new UncheckedIOException("reading the manifest of " + jar + " on the class path", e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(
          "the Class-Path of " + jar + "'s manifest holds an entry that is not a URI: " + e, e);
    }
  }
}
