package io.batpak.it;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Set;

/**
 * A class loader that sees only the packages of {@code api} and {@code fs-spi} (besides the JDK),
 * shared with the test's own loader so the test can use their types directly, and no resources at
 * all, so no {@code META-INF/services} file of the test class path leaks into a scenario. It is the
 * parent of each scenario's {@link java.net.URLClassLoader}; the real providers (fs-posix, fs-sim)
 * are therefore invisible unless a scenario adds their jar on purpose.
 */
final class ApiOnlyClassLoader extends ClassLoader {
  private static final Set<String> PACKAGES =
      Set.of("io.batpak", "io.batpak.port", "io.batpak.spi", "io.batpak.fs.spi");

  private final ClassLoader source;

  ApiOnlyClassLoader(ClassLoader source) {
    super("batpak-api-only", ClassLoader.getPlatformClassLoader());
    this.source = source;
  }

  @Override
  protected Class<?> findClass(String name) throws ClassNotFoundException {
    int dot = name.lastIndexOf('.');
    String pkg = dot < 0 ? "" : name.substring(0, dot);
    if (!PACKAGES.contains(pkg)) {
      throw new ClassNotFoundException(name + " is hidden from this scenario");
    }
    return source.loadClass(name);
  }

  /**
   * The batpak engine loaded by a new class loader named {@code name} over {@code urls} (the engine
   * and what the scenario lets it see), whose parent is an {@code ApiOnlyClassLoader} over {@code
   * test}'s loader. The class loader is added to {@code open}, which the test closes when it ends
   * (a store loads classes lazily).
   */
  static io.batpak.spi.StoreEngine engineSeeing(
      String name, java.util.List<URL> urls, Class<?> test, java.util.List<URLClassLoader> open)
      throws ReflectiveOperationException {
    URLClassLoader loader =
        new URLClassLoader(
            name, urls.toArray(new URL[0]), new ApiOnlyClassLoader(test.getClassLoader()));
    open.add(loader);
    return (io.batpak.spi.StoreEngine)
        loader.loadClass("io.batpak.engine.BatpakEngine").getDeclaredConstructor().newInstance();
  }

  @Override
  protected URL findResource(String name) {
    return null;
  }

  @Override
  protected Enumeration<URL> findResources(String name) throws IOException {
    return Collections.emptyEnumeration();
  }
}
