package io.batpak.test;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.apiguardian.api.API;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the {@code StoreFs} contract suite ({@code io.batpak.fs.testkit.StoreFsContract}) against
 * the backend a provider registers, with nothing in the build but the test dependency on {@code
 * batpak-test}:
 *
 * <pre>{@code
 * @StoreFsContractTest(provider = "myfs")
 * class MyFsContractTest extends ProviderStoreFsContract {}
 * }</pre>
 *
 * <p>The cross-process lock tests of the suite start a child JVM that finds the backend by its
 * provider name; it needs a class path holding the backend, its {@code
 * META-INF/services/io.batpak.spi.StoreFsProvider} entry and the suite. Before the class's tests,
 * the annotation sets the system property {@code batpak.test.classpath} from the running JVM when
 * the build did not set it: the entries of {@code java.class.path} and {@code jdk.module.path},
 * with the {@code Class-Path} of a manifest-only jar (as Surefire starts tests by default) spelled
 * out. After the class it removes the property again. A class that extends {@code StoreFsContract}
 * directly (for an in-memory backend with hooks of its own) may carry the annotation for this
 * alone.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@ExtendWith(ChildClassPath.class)
public @interface StoreFsContractTest {

  /**
   * The name under which the backend's {@code StoreFsProvider} is registered; {@link
   * ProviderStoreFsContract} opens the backend by this name, and the child JVM finds it by it.
   *
   * @return the provider name, for example {@code "myfs"}
   */
  String provider();

  /**
   * Whether the backend works on the real files of this machine, so the suite also checks
   * modification times, permissions and (on Linux) descriptor modes; see {@code
   * StoreFsContract.realFileSystem()}.
   *
   * @return false for an in-memory backend
   */
  boolean realFiles() default true;
}
