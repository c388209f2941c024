package io.batpak.fs.testkit;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.port.FileHandle;
import io.batpak.port.FsCapabilities;
import io.batpak.port.LockMode;
import io.batpak.port.RenameMode;
import io.batpak.port.StoreFs;
import io.batpak.port.StoreLock;
import io.batpak.port.SyncMode;
import io.batpak.port.UnsupportedFsOperationException;
import io.batpak.spi.FsOptions;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apiguardian.api.API;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The conformance suite every {@link StoreFs} backend runs: ours ({@code posix}, {@code nio},
 * {@code sim}) and users' own adapters. It checks the contract written in the javadoc of {@link
 * StoreFs}, {@link FileHandle} and {@link StoreLock}: exclusive create, positional reads and writes
 * (including short reads at end of file), both {@link SyncMode}s, truncate, sorted listing, rename
 * with and without replacement, atomic publish under a concurrent reader, directory sync, the one
 * symbolic-link rule (a link at the final component of any file the store owns is refused, a link
 * on the way is followed), locks within this JVM and against a child JVM process, that a {@link
 * LockMode#SHARED} lock never creates, writes or opens for writing its file, the one answer for
 * missing paths and wrong file types, the exception types of each failure, and that an interrupted
 * thread never closes a handle other threads share.
 *
 * <h2>How to use it</h2>
 *
 * With the test kit {@code io.batpak:batpak-test} the whole set-up below is one annotation on an
 * empty class, {@code @StoreFsContractTest(provider = "my") class MyContractTest extends
 * ProviderStoreFsContract {}}, and the kit gives the child JVM its class path (docs/spi-guide.md).
 * Without the kit:
 *
 * <p>Three things, in your backend's build. First, the test dependencies: {@code
 * io.batpak:batpak-fs-testkit} and {@code org.junit.jupiter:junit-jupiter}. Second, a test class
 * that extends this one and implements the hooks; that is the whole suite, every test below runs
 * for it:
 *
 * <pre>{@code
 * import io.batpak.fs.testkit.StoreFsContract;
 * import io.batpak.port.StoreFs;
 * import java.io.IOException;
 * import java.nio.file.Files;
 * import java.nio.file.Path;
 * import org.junit.jupiter.api.io.TempDir;
 *
 * class MyStoreFsContractTest extends StoreFsContract {
 *   @TempDir Path tmp;
 *
 *   @Override
 *   protected Path newRoot() throws IOException {
 *     return Files.createTempDirectory(tmp, "root");
 *   }
 *
 *   @Override
 *   protected StoreFs openFs(Path root) throws IOException {
 *     return new MyStoreFs();
 *   }
 *
 *   @Override
 *   protected void createSymlink(Path link, Path target) throws IOException {
 *     Files.createSymbolicLink(link, target);
 *   }
 *
 *   @Override
 *   protected String providerName() {
 *     return "my"; // what MyStoreFsProvider.name() and MyStoreFs.name() return
 *   }
 *
 *   @Override
 *   protected boolean realFileSystem() {
 *     return true; // MyStoreFs works on real files
 *   }
 * }
 * }</pre>
 *
 * Third, for the cross-process lock tests, a provider the child JVM can find and the class path it
 * runs with (see below): the file {@code
 * src/main/resources/META-INF/services/io.batpak.spi.StoreFsProvider} holding the name of your
 * provider class (for example {@code com.example.MyStoreFsProvider}), or a {@code provides
 * io.batpak.spi.StoreFsProvider with com.example.MyStoreFsProvider} in your {@code
 * module-info.java}; and the two system properties, set for Surefire as below.
 *
 * <p>Before each test the suite calls {@link #newRoot()} once and {@link #openFs(Path)} once with
 * that root; every path a test touches is under the root, and every operation goes through the
 * {@code StoreFs} (never through {@link java.nio.file.Files}), so an in-memory backend whose paths
 * are only names runs the same suite. After each test the suite closes every handle, lock and the
 * backend it opened, and kills any child process still running. A backend over real files should
 * also override {@link #realFileSystem()} to return true, so the suite checks modification times
 * and (on Linux) the open mode of descriptors as well.
 *
 * <h2>Capabilities</h2>
 *
 * The suite reads {@link StoreFs#capabilities()}. Where a capability is absent it checks that the
 * backend refuses the operation with {@link UnsupportedFsOperationException} (for {@link
 * RenameMode#NO_REPLACE}, {@link LockMode#SHARED} and {@link StoreFs#syncDirectory}), and the
 * cross-process lock tests are skipped (by a JUnit assumption) when {@link
 * FsCapabilities#crossProcessLock()} is false. Without {@link FsCapabilities#mappedReads()} every
 * {@link io.batpak.port.FileHandle#map} must be refused with {@link
 * UnsupportedFsOperationException}; with it, mappings must hold exactly what reads return. Nothing
 * else is ever skipped.
 *
 * <h2>Cross-process lock tests</h2>
 *
 * These start {@link LockHolder} in a child JVM: {@code <java.home>/bin/java}, then the arguments
 * in system property {@value #JVM_ARGS_PROPERTY} (split at white space), then {@code -cp} and the
 * value of system property {@value #CLASSPATH_PROPERTY}. The build must set that class path so it
 * holds this module, the backend and its {@code META-INF/services/io.batpak.spi.StoreFsProvider}
 * entry naming {@link #providerName()}; the suite fails (it never guesses from {@code
 * java.class.path}, which Surefire may reduce to a manifest-only jar) when it is missing. With
 * Maven, the dependency plugin writes the test class path of the dependencies into a property, and
 * Surefire passes it on with the module's own classes:
 *
 * <pre>{@code
 * <plugin>
 *   <groupId>org.apache.maven.plugins</groupId>
 *   <artifactId>maven-dependency-plugin</artifactId>
 *   <executions>
 *     <execution>
 *       <id>test-classpath</id>
 *       <phase>generate-test-resources</phase>
 *       <goals><goal>build-classpath</goal></goals>
 *       <configuration>
 *         <includeScope>test</includeScope>
 *         <outputProperty>deps.classpath</outputProperty>
 *       </configuration>
 *     </execution>
 *   </executions>
 * </plugin>
 * <plugin>
 *   <groupId>org.apache.maven.plugins</groupId>
 *   <artifactId>maven-surefire-plugin</artifactId>
 *   <configuration>
 *     <systemPropertyVariables>
 *       <batpak.test.classpath>${project.build.testOutputDirectory}${path.separator}${project.build.outputDirectory}${path.separator}${deps.classpath}</batpak.test.classpath>
 *       <batpak.test.jvmArgs>-Xmx256m</batpak.test.jvmArgs>
 *     </systemPropertyVariables>
 *   </configuration>
 * </plugin>
 * }</pre>
 *
 * ({@value #JVM_ARGS_PROPERTY} may be left out; a backend that calls native code through the
 * foreign-function API adds {@code --enable-native-access=ALL-UNNAMED} there.)
 *
 * <p>Every wait on a child is bounded ({@value #CHILD_TIMEOUT_SECONDS} s), so a broken backend
 * fails a test instead of hanging the build.
 *
 * <h2>The areas</h2>
 *
 * The tests live in one package-private interface per area, all implemented by this class and all
 * reaching the backend through the same hooks and fields: {@code ReadWriteContract} (identity,
 * positional reads and writes, short reads, sync, truncate), {@code DirectoryContract}
 * (directories, create, exists, listing, directory sync), {@code RenamePublishContract} (rename,
 * delete, publish, copy), {@code SymlinkContract}, {@code LockContract} (locks in this JVM, SHARED
 * locks that change nothing), {@code CrossProcessLockContract}, {@code HandleContract} (close,
 * sharing, interrupts), {@code MissingPathContract} (missing paths and wrong types) and {@code
 * ShareContract} (since 0.2: removing an empty directory, renaming a directory, hard links and
 * reflinks). Their test methods are public, as interface methods are: a subclass must not declare a
 * method with the same name and parameters as one of them (JUnit reports each test by its method
 * name).
 *
 * <h2>Thread-safety</h2>
 *
 * An instance runs one test at a time (JUnit's default per-method lifecycle); some tests start
 * threads of their own against the backend under test and join them before they end.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public abstract non-sealed class StoreFsContract
    implements ReadWriteContract,
        DirectoryContract,
        RenamePublishContract,
        SymlinkContract,
        LockContract,
        CrossProcessLockContract,
        HandleContract,
        MissingPathContract,
        ShareContract,
        MapContract {

  /** System property holding the class path of the child JVM used by the lock tests. */
  public static final String CLASSPATH_PROPERTY = "batpak.test.classpath";

  /** System property holding extra JVM arguments (white-space separated) for the child JVM. */
  public static final String JVM_ARGS_PROPERTY = "batpak.test.jvmArgs";

  /** Upper bound, in seconds, of every wait on a child process or a helper thread. */
  public static final int CHILD_TIMEOUT_SECONDS = 30;

  /** The kinds of {@link ByteBuffer} the read and write tests use. */
  public enum BufferKind {
    /** {@link ByteBuffer#allocate(int)}. */
    HEAP,
    /** {@link ByteBuffer#allocateDirect(int)}. */
    DIRECT;

    ByteBuffer allocate(int capacity) {
      return this == HEAP ? ByteBuffer.allocate(capacity) : ByteBuffer.allocateDirect(capacity);
    }
  }

  /** The root directory of the current test, from {@link #newRoot()}. */
  protected Path root;

  /** The backend under test, from {@link #openFs(Path)}. */
  protected StoreFs fs;

  private final Deque<Closeable> opened = new ArrayDeque<>();
  private final List<Process> children = new ArrayList<>();

  /** Creates the suite; subclasses need a no-argument constructor for JUnit. */
  protected StoreFsContract() {}

  // ---------------------------------------------------------------------------------------------
  // Hooks
  // ---------------------------------------------------------------------------------------------

  /**
   * A fresh, empty, existing directory for one test. A real backend returns a new directory under a
   * JUnit {@code @TempDir}; a simulated one returns a path that exists in its model once {@link
   * #openFs(Path)} is called with it.
   *
   * @return the root directory of one test
   * @throws IOException if the directory cannot be made
   */
  protected abstract Path newRoot() throws IOException;

  /**
   * A fresh backend instance in which {@code root} exists as an empty directory. Called once per
   * test, after {@link #newRoot()}; the suite closes it after the test.
   *
   * @param root the directory returned by {@link #newRoot()}
   * @return the backend under test
   * @throws IOException if the backend cannot be opened
   */
  protected abstract StoreFs openFs(Path root) throws IOException;

  /**
   * Creates a symbolic link at {@code link} pointing to {@code target}, in the world the backend
   * sees (a real backend uses {@link java.nio.file.Files#createSymbolicLink}; a simulator plants
   * the link in its own model). {@code target} may not exist (a dangling link).
   *
   * @param link where the link goes; its parent exists
   * @param target what it points to
   * @throws IOException if the link cannot be made
   */
  protected abstract void createSymlink(Path link, Path target) throws IOException;

  /**
   * The {@link io.batpak.spi.StoreFsProvider#name()} under which the backend is registered; the
   * child process of the lock tests finds the backend by this name. {@link StoreFs#name()} must
   * return the same name.
   *
   * @return the provider name, for example {@code "nio"}
   */
  protected abstract String providerName();

  /**
   * Options the child process passes to {@link io.batpak.spi.StoreFsProvider#open(FsOptions)}; by
   * default none. Keys and values must not contain white space.
   *
   * @return the options for the child's backend
   */
  protected FsOptions childFsOptions() {
    return FsOptions.defaults();
  }

  /**
   * Whether the backend works on the real file system of this JVM, so that the suite may also
   * observe what it cannot see through a {@link StoreFs}: modification times and permissions
   * (through {@link java.nio.file.Files}) and, on Linux, the access mode of this process's open
   * descriptors (through {@code /proc/self/fdinfo}). These observations only ever read, except that
   * the suite sets a file's modification time to a fixed past value before an operation that must
   * not modify it, and makes a lock file read-only (mode {@code 0444}). By default false: an
   * in-memory backend is then checked only through its own answers.
   *
   * @return true for a backend over real files
   */
  protected boolean realFileSystem() {
    return false;
  }

  // ---------------------------------------------------------------------------------------------
  // Lifecycle
  // ---------------------------------------------------------------------------------------------

  @BeforeEach
  final void openBackend() throws IOException {
    root = newRoot();
    assertNotNull(root, "newRoot() returned null");
    fs = openFs(root);
    assertNotNull(fs, "openFs(root) returned null");
  }

  @AfterEach
  final void closeEverything() throws IOException, InterruptedException {
    for (Process child : children) {
      if (child.isAlive()) {
        child.destroyForcibly();
        child.waitFor(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      }
    }
    children.clear();
    IOException first = null;
    while (!opened.isEmpty()) {
      try {
        opened.pop().close();
      } catch (IOException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (fs != null) {
      fs.close();
      fs.close(); // idempotent
    }
    if (first != null) {
      throw first;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers
  // ---------------------------------------------------------------------------------------------

  /**
   * Registers {@code c} to be closed after the test.
   *
   * @param <T> the type of the resource
   * @param c a handle, lock or other resource opened by a test
   * @return {@code c}
   */
  protected final <T extends Closeable> T track(T c) {
    opened.push(c);
    return c;
  }

  /**
   * Creates {@code file} through the backend with {@code data}, and closes it.
   *
   * @param file a path that does not exist yet
   * @param data the content
   * @throws IOException if the backend fails
   */
  protected final void writeFile(Path file, byte[] data) throws IOException {
    try (FileHandle h = fs.create(file)) {
      h.write(ByteBuffer.wrap(data), 0);
    }
  }

  /**
   * Reads the whole of {@code file} through the backend.
   *
   * @param file an existing file smaller than 2 GiB
   * @return its content
   * @throws IOException if the backend fails
   */
  protected final byte[] readAll(Path file) throws IOException {
    try (FileHandle h = fs.openRead(file)) {
      long size = h.size();
      assertTrue(size <= Integer.MAX_VALUE, "file too large for readAll");
      ByteBuffer dst = ByteBuffer.allocate((int) size);
      h.read(dst, 0);
      return dst.array();
    }
  }

  /**
   * Deterministic pseudo-random bytes.
   *
   * @param n how many
   * @param seed what they derive from; equal seeds give equal bytes
   * @return {@code n} bytes
   */
  protected static byte[] bytes(int n, long seed) {
    byte[] b = new byte[n];
    new SplittableRandom(ContractSupport.SEED ^ (seed * 0x9E3779B97F4A7C15L)).nextBytes(b);
    return b;
  }

  /**
   * Starts a {@link LockHolder} child JVM that locks {@code lockFile} in {@code mode}; the suite
   * kills it after the test if it is still running.
   */
  final LockHolderChild startChild(Path lockFile, LockMode mode) throws IOException {
    LockHolderChild child = LockHolderChild.start(providerName(), childFsOptions(), lockFile, mode);
    children.add(child.process);
    return child;
  }
}
