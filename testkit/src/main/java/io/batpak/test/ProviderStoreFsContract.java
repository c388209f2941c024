package io.batpak.test;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import io.batpak.fs.spi.StoreFsResolver;
import io.batpak.fs.testkit.StoreFsContract;
import io.batpak.port.StoreFs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apiguardian.api.API;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code StoreFs} contract suite for a backend found by its provider name, set by {@link
 * StoreFsContractTest} on the subclass; the subclass needs no body:
 *
 * <pre>{@code
 * @StoreFsContractTest(provider = "myfs")
 * class MyFsContractTest extends ProviderStoreFsContract {}
 * }</pre>
 *
 * <p>Each test gets a fresh directory under a JUnit temporary directory as its root, a fresh
 * backend from the provider ({@code StoreFsResolver.resolve(provider, ...)}, with {@link
 * #childFsOptions()}), in which the root is created, and symbolic links made with {@link
 * Files#createSymbolicLink}. A backend that is not over real files overrides {@link #createSymlink}
 * to plant the link in its own model. Before anything else, the backend's {@link StoreFs#name()}
 * must be the provider's name (the child JVM finds the backend by it): a decorator built on {@code
 * ForwardingStoreFs} forwards {@code name()} to its delegate, and must override it to return its
 * own provider's name.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public abstract class ProviderStoreFsContract extends StoreFsContract {

  /** The JUnit temporary directory the roots are made in. */
  @TempDir Path temporary;

  /** For subclasses. */
  protected ProviderStoreFsContract() {}

  @Override
  protected Path newRoot() throws IOException {
    return Files.createTempDirectory(temporary, "root");
  }

  /**
   * Opens the backend by its provider name and creates {@code root} in it.
   *
   * @throws io.batpak.ProviderException if no provider of that name is found or it cannot open, or
   *     its backend's {@link StoreFs#name()} is not the provider's ({@code BATPAK-FS-005}: a {@code
   *     ForwardingStoreFs} forwards its delegate's name, so a decorator overrides it)
   */
  @Override
  protected StoreFs openFs(Path root) throws IOException {
    StoreFs fs =
        StoreFsResolver.resolve(providerName(), getClass().getClassLoader(), new Properties())
            .open(childFsOptions());
    fs.createDirectories(root);
    return fs;
  }

  @Override
  protected void createSymlink(Path link, Path target) throws IOException {
    Files.createSymbolicLink(link, target);
  }

  /**
   * The provider named by {@link StoreFsContractTest#provider()} on this class.
   *
   * @throws IllegalStateException if the class has no {@link StoreFsContractTest}
   */
  @Override
  protected String providerName() {
    return annotation().provider();
  }

  /** {@link StoreFsContractTest#realFiles()} on this class. */
  @Override
  protected boolean realFileSystem() {
    return annotation().realFiles();
  }

  private StoreFsContractTest annotation() {
    StoreFsContractTest a = getClass().getAnnotation(StoreFsContractTest.class);
    if (a == null) {
      throw new IllegalStateException(
          getClass().getName()
              + " extends ProviderStoreFsContract but has no @StoreFsContractTest(provider = ...):"
              + " annotate it with the name of the provider to test");
    }
    return a;
  }
}
