package io.batpak.fs.testkit;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.batpak.port.FileHandle;
import io.batpak.port.FsCapabilities;
import io.batpak.port.LockMode;
import io.batpak.port.LockUnavailableException;
import io.batpak.port.RenameMode;
import io.batpak.port.ShortReadException;
import io.batpak.port.StoreFs;
import io.batpak.port.StoreLock;
import io.batpak.port.SymlinkRefusedException;
import io.batpak.port.SyncMode;
import io.batpak.port.UnsupportedFsOperationException;
import io.batpak.spi.FsOptions;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.NonWritableChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.FileTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

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
 * Extend it in your backend's test sources and implement the hooks:
 *
 * <pre>{@code
 * class MyStoreFsContractTest extends StoreFsContract {
 *   @TempDir Path tmp;
 *
 *   protected Path newRoot() throws IOException { return Files.createTempDirectory(tmp, "root"); }
 *   protected StoreFs openFs(Path root) throws IOException { return new MyStoreFs(); }
 *   protected void createSymlink(Path link, Path target) throws IOException {
 *     Files.createSymbolicLink(link, target);
 *   }
 *   protected String providerName() { return "my"; }
 * }
 * }</pre>
 *
 * Before each test the suite calls {@link #newRoot()} once and {@link #openFs(Path)} once with that
 * root; every path a test touches is under the root, and every operation goes through the {@code
 * StoreFs} (never through {@link java.nio.file.Files}), so an in-memory backend whose paths are
 * only names runs the same suite. After each test the suite closes every handle, lock and the
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
 * FsCapabilities#crossProcessLock()} is false. Nothing else is ever skipped.
 *
 * <h2>Cross-process lock tests</h2>
 *
 * These start {@link LockHolder} in a child JVM: {@code <java.home>/bin/java}, then the arguments
 * in system property {@value #JVM_ARGS_PROPERTY} (split at white space), then {@code -cp} and the
 * value of system property {@value #CLASSPATH_PROPERTY}. The build must set that class path so it
 * holds this module, the backend and its {@code META-INF/services/io.batpak.spi.StoreFsProvider}
 * entry naming {@link #providerName()}; the suite fails (it never guesses from {@code
 * java.class.path}, which Surefire may reduce to a manifest-only jar) when it is missing. With
 * Maven Surefire:
 *
 * <pre>{@code
 * <systemPropertyVariables>
 *   <batpak.test.classpath>${project.build.testOutputDirectory}${path.separator}...</batpak.test.classpath>
 *   <batpak.test.jvmArgs>${argLine}</batpak.test.jvmArgs>
 * </systemPropertyVariables>
 * }</pre>
 *
 * Every wait on a child is bounded ({@value #CHILD_TIMEOUT_SECONDS} s), so a broken backend fails a
 * test instead of hanging the build.
 *
 * <h2>Thread-safety</h2>
 *
 * An instance runs one test at a time (JUnit's default per-method lifecycle); some tests start
 * threads of their own against the backend under test and join them before they end.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public abstract class StoreFsContract {

  /** System property holding the class path of the child JVM used by the lock tests. */
  public static final String CLASSPATH_PROPERTY = "batpak.test.classpath";

  /** System property holding extra JVM arguments (white-space separated) for the child JVM. */
  public static final String JVM_ARGS_PROPERTY = "batpak.test.jvmArgs";

  /** Upper bound, in seconds, of every wait on a child process or a helper thread. */
  public static final int CHILD_TIMEOUT_SECONDS = 30;

  private static final long SEED = 0x5EED_BA7BAL;

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
  // Identity and capabilities
  // ---------------------------------------------------------------------------------------------

  @Test
  @DisplayName("name() is the provider name and capabilities are declared")
  void nameAndCapabilities() {
    assertEquals(providerName(), fs.name(), "StoreFs.name() must equal the provider's name");
    FsCapabilities caps = fs.capabilities();
    assertNotNull(caps, "capabilities()");
    assertFalse(caps.lockFamily().isBlank(), "lockFamily");
    assertEquals(caps, fs.capabilities(), "capabilities() must be stable");
  }

  // ---------------------------------------------------------------------------------------------
  // Directories, create, exists
  // ---------------------------------------------------------------------------------------------

  @Test
  @DisplayName("createDirectories makes nested directories and is idempotent")
  void createDirectoriesNestedAndIdempotent() throws IOException {
    Path deep = root.resolve("a").resolve("b").resolve("c");
    fs.createDirectories(deep);
    fs.createDirectories(deep);
    assertTrue(fs.exists(deep));
    assertEquals(List.of("a"), fs.list(root));
    assertEquals(List.of("c"), fs.list(root.resolve("a").resolve("b")));
    writeFile(deep.resolve("f"), bytes(10, 1));
    assertArrayEquals(bytes(10, 1), readAll(deep.resolve("f")));
  }

  @Test
  @DisplayName("createDirectories over a regular file -> FileAlreadyExistsException")
  void createDirectoriesOverFile() throws IOException {
    Path file = root.resolve("file");
    writeFile(file, bytes(3, 2));
    assertThrows(FileAlreadyExistsException.class, () -> fs.createDirectories(file));
    assertArrayEquals(bytes(3, 2), readAll(file));
  }

  @Test
  @DisplayName("create makes an empty writable file; exists sees it")
  void createMakesEmptyWritableFile() throws IOException {
    Path file = root.resolve("new");
    assertFalse(fs.exists(file));
    FileHandle h = track(fs.create(file));
    assertEquals(file, h.path());
    assertTrue(h.writable());
    assertEquals(0, h.size());
    assertTrue(fs.exists(file));
    assertEquals(List.of("new"), fs.list(root));
  }

  @Test
  @DisplayName("second create of the same path -> FileAlreadyExistsException, content kept")
  void createIsExclusive() throws IOException {
    Path file = root.resolve("seg");
    writeFile(file, bytes(100, 3));
    assertThrows(FileAlreadyExistsException.class, () -> track(fs.create(file)));
    assertArrayEquals(bytes(100, 3), readAll(file), "a failed create must not touch the file");
  }

  @Test
  @DisplayName("create while another handle still has the file open -> FileAlreadyExistsException")
  void createIsExclusiveWhileOpen() throws IOException {
    Path file = root.resolve("open");
    FileHandle first = track(fs.create(file));
    assertThrows(FileAlreadyExistsException.class, () -> track(fs.create(file)));
    first.write(ByteBuffer.wrap(bytes(5, 4)), 0);
    assertArrayEquals(bytes(5, 4), readAll(file));
  }

  @Test
  @DisplayName("create in a missing directory -> NoSuchFileException")
  void createInMissingDirectory() throws IOException {
    Path file = root.resolve("missing").resolve("f");
    assertThrows(NoSuchFileException.class, () -> track(fs.create(file)));
    assertFalse(fs.exists(root.resolve("missing")));
  }

  @Test
  @DisplayName("exists does not follow a symbolic link at the last component")
  void existsDoesNotFollowLinks() throws IOException {
    Path link = root.resolve("dangling");
    createSymlink(link, root.resolve("nowhere"));
    assertTrue(fs.exists(link), "a dangling link exists as a name");
    assertFalse(fs.exists(root.resolve("nowhere")));
  }

  // ---------------------------------------------------------------------------------------------
  // Positional reads and writes
  // ---------------------------------------------------------------------------------------------

  static Stream<Arguments> offsetsAndBuffers() {
    List<Arguments> cases = new ArrayList<>();
    long[] offsets = {0, 1, 511, 4095, 4096, 4097, 65_537, (1L << 20) + 3};
    int[] lengths = {1, 100, 4096, 70_000};
    int i = 0;
    for (long offset : offsets) {
      for (BufferKind kind : BufferKind.values()) {
        cases.add(Arguments.of(offset, lengths[i++ % lengths.length], kind));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "offset {0}, {1} bytes, {2} buffers")
  @MethodSource("offsetsAndBuffers")
  @DisplayName("write then read round trips at various offsets")
  void roundTripAtOffset(long offset, int length, BufferKind kind) throws IOException {
    Path file = root.resolve("rt");
    byte[] data = bytes(length, offset + length);
    FileHandle h = track(fs.create(file));
    ByteBuffer src = kind.allocate(length).put(data).flip();
    h.write(src, offset);
    assertEquals(0, src.remaining(), "write must consume the whole buffer");
    assertEquals(offset + length, h.size());

    ByteBuffer dst = kind.allocate(length);
    h.read(dst, offset);
    assertEquals(0, dst.remaining(), "read must fill the whole buffer");
    assertArrayEquals(data, toArray(dst.flip()));

    // The gap before the offset reads as zeros.
    if (offset > 0) {
      int gap = (int) Math.min(offset, 4096);
      ByteBuffer zeros = kind.allocate(gap);
      h.read(zeros, offset - gap);
      assertArrayEquals(new byte[gap], toArray(zeros.flip()), "a hole must read as zeros");
    }

    // A second handle sees the same bytes.
    FileHandle reader = track(fs.openRead(file));
    assertFalse(reader.writable());
    ByteBuffer again = kind.allocate(length);
    reader.read(again, offset);
    assertArrayEquals(data, toArray(again.flip()));
  }

  @ParameterizedTest(name = "{0} buffers")
  @EnumSource(BufferKind.class)
  @DisplayName("large buffers (8 MiB + 17) are written and read in full")
  void largeBuffers(BufferKind kind) throws IOException {
    int length = (8 << 20) + 17;
    byte[] data = bytes(length, 99);
    FileHandle h = track(fs.create(root.resolve("large")));
    ByteBuffer src = kind.allocate(length).put(data).flip();
    h.write(src, 3);
    assertEquals(0, src.remaining());
    assertEquals(length + 3L, h.size());
    ByteBuffer dst = kind.allocate(length);
    h.read(dst, 3);
    assertEquals(0, dst.remaining());
    assertArrayEquals(data, toArray(dst.flip()));
  }

  @Test
  @DisplayName("write respects the buffer's position and limit, read fills only remaining()")
  void buffersPositionAndLimit() throws IOException {
    FileHandle h = track(fs.create(root.resolve("slice")));
    ByteBuffer src = ByteBuffer.wrap(bytes(50, 5));
    src.position(10).limit(30);
    h.write(src, 0);
    assertEquals(30, src.position());
    assertEquals(20, h.size());
    ByteBuffer dst = ByteBuffer.allocate(40);
    dst.position(5).limit(25);
    h.read(dst, 0);
    assertEquals(25, dst.position());
    byte[] expected = new byte[20];
    System.arraycopy(bytes(50, 5), 10, expected, 0, 20);
    byte[] got = new byte[20];
    dst.get(5, got);
    assertArrayEquals(expected, got);
  }

  @Test
  @DisplayName("overwriting in the middle changes only those bytes")
  void overwriteInMiddle() throws IOException {
    Path file = root.resolve("mid");
    byte[] base = bytes(1000, 6);
    writeFile(file, base);
    FileHandle h = track(fs.openWrite(file));
    assertTrue(h.writable());
    assertEquals(1000, h.size(), "openWrite must not truncate");
    byte[] patch = bytes(100, 7);
    h.write(ByteBuffer.wrap(patch), 450);
    System.arraycopy(patch, 0, base, 450, 100);
    assertEquals(1000, h.size());
    assertArrayEquals(base, readAll(file));
  }

  @Test
  @DisplayName("write on a read-only handle -> NonWritableChannelException, file unchanged")
  void readOnlyHandleRefusesWrites() throws IOException {
    Path file = root.resolve("ro");
    writeFile(file, bytes(10, 8));
    FileHandle h = track(fs.openRead(file));
    assertFalse(h.writable());
    assertThrows(NonWritableChannelException.class, () -> h.write(ByteBuffer.wrap(bytes(4, 9)), 0));
    assertArrayEquals(bytes(10, 8), readAll(file));
  }

  @Test
  @DisplayName("concurrent positional writes and reads from several threads")
  void concurrentPositionalIo() throws Exception {
    Path file = root.resolve("conc");
    FileHandle h = track(fs.create(file));
    int threads = 4;
    int chunk = 4096;
    int rounds = 32;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        futures.add(
            pool.submit(
                () -> {
                  for (int r = 0; r < rounds; r++) {
                    long pos = ((long) r * threads + id) * chunk;
                    byte[] data = bytes(chunk, pos);
                    h.write(ByteBuffer.wrap(data), pos);
                    ByteBuffer back = ByteBuffer.allocateDirect(chunk);
                    h.read(back, pos);
                    assertArrayEquals(data, toArray(back.flip()));
                  }
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        await(f);
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals((long) threads * rounds * chunk, h.size());
    for (long pos = 0; pos < h.size(); pos += chunk) {
      ByteBuffer back = ByteBuffer.allocate(chunk);
      h.read(back, pos);
      assertArrayEquals(bytes(chunk, pos), back.array(), "chunk at " + pos);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Short reads
  // ---------------------------------------------------------------------------------------------

  @ParameterizedTest(name = "{0} buffers")
  @EnumSource(BufferKind.class)
  @DisplayName(
      "a read past EOF -> ShortReadException with bytesRead; those bytes are in the buffer")
  void shortReadAtEof(BufferKind kind) throws IOException {
    Path file = root.resolve("short");
    byte[] data = bytes(100, 10);
    writeFile(file, data);
    FileHandle h = track(fs.openRead(file));

    ByteBuffer dst = kind.allocate(150);
    ShortReadException e = assertThrows(ShortReadException.class, () -> h.read(dst, 0));
    assertEquals(100, e.bytesRead());
    assertEquals(150, e.requested());
    assertEquals(0, e.position());
    assertEquals(file, e.path());
    byte[] partial = new byte[100];
    dst.get(0, partial);
    assertArrayEquals(data, partial, "the bytes read before EOF must be in the buffer");

    ByteBuffer tail = kind.allocate(80);
    ShortReadException mid = assertThrows(ShortReadException.class, () -> h.read(tail, 60));
    assertEquals(40, mid.bytesRead());
    assertEquals(60, mid.position());
    byte[] tailBytes = new byte[40];
    tail.get(0, tailBytes);
    byte[] expected = new byte[40];
    System.arraycopy(data, 60, expected, 0, 40);
    assertArrayEquals(expected, tailBytes);
  }

  @Test
  @DisplayName("a read starting at or past EOF -> ShortReadException with bytesRead 0")
  void shortReadPastEof() throws IOException {
    Path file = root.resolve("eof");
    writeFile(file, bytes(10, 11));
    FileHandle h = track(fs.openRead(file));
    assertEquals(0, assertThrows(ShortReadException.class, () -> h.read(buf(1), 10)).bytesRead());
    assertEquals(0, assertThrows(ShortReadException.class, () -> h.read(buf(5), 500)).bytesRead());
    ByteBuffer empty = ByteBuffer.allocate(0);
    h.read(empty, 10); // nothing requested: nothing missing
    FileHandle e = track(fs.create(root.resolve("empty")));
    assertEquals(0, assertThrows(ShortReadException.class, () -> e.read(buf(1), 0)).bytesRead());
  }

  // ---------------------------------------------------------------------------------------------
  // Sync and truncate
  // ---------------------------------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @EnumSource(SyncMode.class)
  @DisplayName("sync succeeds in both modes and the bytes stay readable")
  void syncModes(SyncMode mode) throws IOException {
    Path file = root.resolve("sync-" + mode);
    FileHandle h = track(fs.create(file));
    h.write(ByteBuffer.wrap(bytes(5000, 12)), 0);
    h.sync(mode);
    h.write(ByteBuffer.wrap(bytes(10, 13)), 5000);
    h.sync(mode);
    h.sync(mode); // nothing new: still fine
    assertEquals(5010, h.size());
    byte[] all = readAll(file);
    byte[] expected = new byte[5010];
    System.arraycopy(bytes(5000, 12), 0, expected, 0, 5000);
    System.arraycopy(bytes(10, 13), 0, expected, 5000, 10);
    assertArrayEquals(expected, all);
  }

  @Test
  @DisplayName("truncate shrinks the file and size reports it")
  void truncateShrinks() throws IOException {
    Path file = root.resolve("trunc");
    FileHandle h = track(fs.create(file));
    byte[] data = bytes(1000, 14);
    h.write(ByteBuffer.wrap(data), 0);
    h.truncate(100);
    assertEquals(100, h.size());
    ByteBuffer first = ByteBuffer.allocate(100);
    h.read(first, 0);
    byte[] expected = new byte[100];
    System.arraycopy(data, 0, expected, 0, 100);
    assertArrayEquals(expected, first.array());
    assertEquals(
        100, assertThrows(ShortReadException.class, () -> h.read(buf(101), 0)).bytesRead());
    h.sync(SyncMode.DATA);
    h.truncate(0);
    assertEquals(0, h.size());
    FileHandle other = track(fs.openRead(file));
    assertEquals(0, other.size(), "another handle sees the truncated size");
    // Writing after truncation extends the file again from the given position.
    h.write(ByteBuffer.wrap(bytes(3, 15)), 0);
    assertArrayEquals(bytes(3, 15), readAll(file));
  }

  // ---------------------------------------------------------------------------------------------
  // Listing
  // ---------------------------------------------------------------------------------------------

  @Test
  @DisplayName("list returns names sorted by String.compareTo whatever the creation order")
  void listIsSorted() throws IOException {
    List<String> names =
        new ArrayList<>(
            List.of(
                "000002.seg",
                "000010.seg",
                "000001.seg",
                "a",
                "B",
                "a10",
                "a2",
                "_x",
                "Z",
                "z",
                "cursor.ckpt",
                "cursor.ckpt.tmp",
                "-dash",
                "9",
                "10",
                "~tilde"));
    Collections.shuffle(names, new java.util.Random(SEED));
    for (String n : names) {
      if (n.equals("a2")) {
        fs.createDirectories(root.resolve(n)); // directories are listed too
      } else {
        writeFile(root.resolve(n), bytes(1, n.hashCode()));
      }
    }
    List<String> expected = new ArrayList<>(names);
    Collections.sort(expected);
    List<String> listed = fs.list(root);
    assertEquals(expected, listed);
    assertEquals(expected, fs.list(root), "listing twice gives the same answer");
  }

  @Test
  @DisplayName("list of an empty directory is empty; of a missing one -> NoSuchFileException")
  void listEmptyAndMissing() throws IOException {
    assertEquals(List.of(), fs.list(root));
    assertThrows(NoSuchFileException.class, () -> fs.list(root.resolve("missing")));
  }

  // ---------------------------------------------------------------------------------------------
  // Rename and delete
  // ---------------------------------------------------------------------------------------------

  @Test
  @DisplayName("rename REPLACE onto an existing file replaces it")
  void renameReplaceExisting() throws IOException {
    Path a = root.resolve("a");
    Path b = root.resolve("b");
    writeFile(a, bytes(64, 20));
    writeFile(b, bytes(32, 21));
    fs.rename(a, b, RenameMode.REPLACE);
    assertFalse(fs.exists(a));
    assertArrayEquals(bytes(64, 20), readAll(b));
    assertEquals(List.of("b"), fs.list(root));
  }

  @Test
  @DisplayName("rename REPLACE to a new name moves the file")
  void renameReplaceToNewName() throws IOException {
    Path a = root.resolve("a");
    Path c = root.resolve("c");
    writeFile(a, bytes(64, 22));
    fs.rename(a, c, RenameMode.REPLACE);
    assertFalse(fs.exists(a));
    assertArrayEquals(bytes(64, 22), readAll(c));
    assertThrows(NoSuchFileException.class, () -> track(fs.openRead(a)));
  }

  @Test
  @DisplayName("rename NO_REPLACE onto an existing file -> FileAlreadyExistsException, both kept")
  void renameNoReplaceOntoExisting() throws IOException {
    Path a = root.resolve("a");
    Path b = root.resolve("b");
    writeFile(a, bytes(64, 23));
    writeFile(b, bytes(32, 24));
    if (fs.capabilities().noReplaceRename()) {
      assertThrows(FileAlreadyExistsException.class, () -> fs.rename(a, b, RenameMode.NO_REPLACE));
    } else {
      assertThrows(
          UnsupportedFsOperationException.class, () -> fs.rename(a, b, RenameMode.NO_REPLACE));
    }
    assertArrayEquals(bytes(64, 23), readAll(a), "source unchanged");
    assertArrayEquals(bytes(32, 24), readAll(b), "target unchanged");
    assertEquals(List.of("a", "b"), fs.list(root));
  }

  @Test
  @DisplayName("rename NO_REPLACE to a new name moves the file (or is refused as unsupported)")
  void renameNoReplaceToNewName() throws IOException {
    Path a = root.resolve("a");
    Path c = root.resolve("c");
    writeFile(a, bytes(64, 25));
    if (fs.capabilities().noReplaceRename()) {
      fs.rename(a, c, RenameMode.NO_REPLACE);
      assertFalse(fs.exists(a), "the source name is gone");
      assertArrayEquals(bytes(64, 25), readAll(c));
      assertEquals(List.of("c"), fs.list(root));
    } else {
      assertThrows(
          UnsupportedFsOperationException.class, () -> fs.rename(a, c, RenameMode.NO_REPLACE));
      assertArrayEquals(bytes(64, 25), readAll(a));
      assertFalse(fs.exists(c));
    }
  }

  @Test
  @DisplayName("rename of a missing source -> NoSuchFileException")
  void renameMissingSource() throws IOException {
    Path b = root.resolve("b");
    writeFile(b, bytes(8, 26));
    assertThrows(
        NoSuchFileException.class, () -> fs.rename(root.resolve("nope"), b, RenameMode.REPLACE));
    if (fs.capabilities().noReplaceRename()) {
      assertThrows(
          NoSuchFileException.class,
          () -> fs.rename(root.resolve("nope"), root.resolve("c"), RenameMode.NO_REPLACE));
    }
    assertArrayEquals(bytes(8, 26), readAll(b));
  }

  @Test
  @DisplayName("an open handle keeps working on the file after its rename")
  void handleSurvivesRename() throws IOException {
    Path a = root.resolve("a");
    Path b = root.resolve("b");
    FileHandle h = track(fs.create(a));
    h.write(ByteBuffer.wrap(bytes(10, 27)), 0);
    fs.rename(a, b, RenameMode.REPLACE);
    h.write(ByteBuffer.wrap(bytes(10, 28)), 10);
    h.sync(SyncMode.ALL);
    byte[] expected = new byte[20];
    System.arraycopy(bytes(10, 27), 0, expected, 0, 10);
    System.arraycopy(bytes(10, 28), 0, expected, 10, 10);
    assertArrayEquals(expected, readAll(b));
  }

  @Test
  @DisplayName("deleteIfExists returns true once, then false")
  void deleteIfExists() throws IOException {
    Path f = root.resolve("victim");
    writeFile(f, bytes(5, 29));
    assertTrue(fs.deleteIfExists(f));
    assertFalse(fs.exists(f));
    assertFalse(fs.deleteIfExists(f));
    assertThrows(NoSuchFileException.class, () -> track(fs.openRead(f)));
    assertEquals(List.of(), fs.list(root));
    assertFalse(fs.deleteIfExists(root.resolve("never")));
  }

  // ---------------------------------------------------------------------------------------------
  // Publish
  // ---------------------------------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @EnumSource(SyncMode.class)
  @DisplayName("publish replaces the target (or creates it) and removes the temp name")
  void publishReplacesTarget(SyncMode mode) throws IOException {
    Path target = root.resolve("meta");
    Path temp = root.resolve("meta.tmp");
    writeFile(temp, bytes(300, 30));
    if (!publishSupported(temp, target, mode)) {
      return;
    }
    assertArrayEquals(bytes(300, 30), readAll(target));
    assertFalse(fs.exists(temp));
    writeFile(temp, bytes(200, 31));
    fs.publish(temp, target, mode);
    assertArrayEquals(bytes(200, 31), readAll(target));
    assertEquals(List.of("meta"), fs.list(root));
  }

  @Test
  @DisplayName("publish of a missing temp -> NoSuchFileException, target unchanged")
  void publishMissingTemp() throws IOException {
    Path target = root.resolve("meta");
    writeFile(target, bytes(40, 32));
    assertThrows(
        NoSuchFileException.class,
        () -> fs.publish(root.resolve("meta.tmp"), target, SyncMode.ALL));
    assertArrayEquals(bytes(40, 32), readAll(target));
  }

  @Test
  @DisplayName("a concurrent reader of a published file sees only whole versions")
  void publishIsAtomicForConcurrentReaders() throws Exception {
    int size = 64 * 1024;
    int versions = 40;
    Path target = root.resolve("checkpoint");
    Path temp = root.resolve("checkpoint.tmp");
    writeFile(temp, version(0, size));
    if (!publishSupported(temp, target, SyncMode.DATA)) {
      return;
    }
    AtomicBoolean done = new AtomicBoolean();
    AtomicInteger reads = new AtomicInteger();
    AtomicInteger distinct = new AtomicInteger();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<?> reader =
          pool.submit(
              () -> {
                int last = -1;
                boolean finalRead = false;
                while (true) {
                  boolean stop = done.get();
                  int seen = checkVersion(target, size);
                  reads.incrementAndGet();
                  assertTrue(seen >= last, "versions went backwards: " + last + " then " + seen);
                  if (seen != last) {
                    distinct.incrementAndGet();
                    last = seen;
                  }
                  if (stop) {
                    if (finalRead) {
                      break;
                    }
                    finalRead = true;
                  }
                }
                assertEquals(versions, last, "the last read must see the last version");
                return null;
              });
      for (int v = 1; v <= versions; v++) {
        writeFile(temp, version(v, size));
        fs.publish(temp, target, v % 2 == 0 ? SyncMode.ALL : SyncMode.DATA);
      }
      done.set(true);
      await(reader);
    } finally {
      done.set(true);
      pool.shutdownNow();
    }
    assertTrue(reads.get() >= 2, "the reader read " + reads.get() + " times");
    assertTrue(distinct.get() >= 1);
    assertArrayEquals(version(versions, size), readAll(target));
  }

  /** Reads the whole target and returns its version, failing on any torn or mixed content. */
  private int checkVersion(Path target, int size) throws IOException {
    try (FileHandle h = fs.openRead(target)) {
      assertEquals(size, h.size(), "the target must always have its full size");
      ByteBuffer all = ByteBuffer.allocate(size);
      h.read(all, 0);
      byte[] got = all.array();
      int v = ByteBuffer.wrap(got).getInt(0);
      assertTrue(v >= 0, "bad version header " + v);
      byte[] expected = version(v, size);
      for (int i = 0; i < size; i++) {
        if (got[i] != expected[i]) {
          fail("mixed content: version " + v + " header but byte " + i + " differs");
        }
      }
      return v;
    }
  }

  /** The full-size content of one version: a 4-byte header and a pattern derived from it. */
  private static byte[] version(int v, int size) {
    byte[] b = bytes(size, 1_000_003L * (v + 1));
    ByteBuffer.wrap(b).putInt(0, v);
    return b;
  }

  /**
   * Publishes; when the backend has no directory sync it may refuse publish as unsupported, in
   * which case the target must be unchanged and this returns false.
   */
  private boolean publishSupported(Path temp, Path target, SyncMode mode) throws IOException {
    if (fs.capabilities().directorySync()) {
      fs.publish(temp, target, mode);
      return true;
    }
    boolean existed = fs.exists(target);
    try {
      fs.publish(temp, target, mode);
      return true;
    } catch (UnsupportedFsOperationException e) {
      assertEquals(existed, fs.exists(target), "a refused publish must not touch the target");
      return false;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Directory sync
  // ---------------------------------------------------------------------------------------------

  @Test
  @DisplayName("syncDirectory succeeds, or is refused as unsupported without the capability")
  void syncDirectory() throws IOException {
    writeFile(root.resolve("entry"), bytes(10, 33));
    Path sub = root.resolve("sub");
    fs.createDirectories(sub);
    if (fs.capabilities().directorySync()) {
      fs.syncDirectory(root);
      fs.syncDirectory(sub);
      fs.syncDirectory(root); // repeatable
      assertThrows(NoSuchFileException.class, () -> fs.syncDirectory(root.resolve("missing")));
    } else {
      assertThrows(UnsupportedFsOperationException.class, () -> fs.syncDirectory(root));
    }
    assertEquals(List.of("entry", "sub"), fs.list(root));
  }

  // ---------------------------------------------------------------------------------------------
  // Symbolic links
  // ---------------------------------------------------------------------------------------------

  /**
   * Asserts that {@code op} is refused with {@link SymlinkRefusedException} naming {@code link}:
   * the one answer for a symbolic link at the final component of a file the store owns.
   */
  private static void assertSymlinkRefused(String what, Path link, Refused op) {
    SymlinkRefusedException e = assertThrows(SymlinkRefusedException.class, op::run, what);
    assertEquals(link.toString(), e.getFile(), what + ": the exception must name the link");
  }

  /** Asserts that {@code link} is still a symbolic link (opening it for writing is refused). */
  private void assertStillALink(Path link) throws IOException {
    assertTrue(fs.exists(link), link + " must still exist");
    assertSymlinkRefused("openWrite of the kept link", link, () -> track(fs.openWrite(link)));
  }

  @Test
  @DisplayName("create on a symlink -> SymlinkRefusedException, the link's target untouched")
  void createOnSymlinkRefused() throws IOException {
    Path victim = root.resolve("victim");
    writeFile(victim, bytes(50, 40));
    Path link = root.resolve("link");
    createSymlink(link, victim);
    assertSymlinkRefused("create", link, () -> track(fs.create(link)));
    assertArrayEquals(bytes(50, 40), readAll(victim));
    assertStillALink(link);
  }

  @Test
  @DisplayName("create on a dangling symlink -> SymlinkRefusedException, nothing created behind it")
  void createOnDanglingSymlinkRefused() throws IOException {
    Path absent = root.resolve("absent");
    Path link = root.resolve("link");
    createSymlink(link, absent);
    assertSymlinkRefused("create", link, () -> track(fs.create(link)));
    assertFalse(fs.exists(absent), "the link's target must not be created");
  }

  @Test
  @DisplayName("openRead on a symlink (to a file or dangling) -> SymlinkRefusedException")
  void openReadOnSymlinkRefused() throws IOException {
    Path victim = root.resolve("victim");
    writeFile(victim, bytes(50, 47));
    Path link = root.resolve("link");
    createSymlink(link, victim);
    assertSymlinkRefused("openRead", link, () -> track(fs.openRead(link)));
    Path dangling = root.resolve("dangling");
    createSymlink(dangling, root.resolve("absent"));
    assertSymlinkRefused("openRead (dangling)", dangling, () -> track(fs.openRead(dangling)));
    assertArrayEquals(bytes(50, 47), readAll(victim));
    assertEquals(List.of("dangling", "link", "victim"), fs.list(root));
  }

  @Test
  @DisplayName("openWrite on a symlink (to a file or dangling) -> SymlinkRefusedException")
  void openWriteOnSymlinkRefused() throws IOException {
    Path victim = root.resolve("victim");
    writeFile(victim, bytes(50, 41));
    Path link = root.resolve("link");
    createSymlink(link, victim);
    assertSymlinkRefused("openWrite", link, () -> track(fs.openWrite(link)));
    Path dangling = root.resolve("dangling");
    Path absent = root.resolve("absent");
    createSymlink(dangling, absent);
    assertSymlinkRefused("openWrite (dangling)", dangling, () -> track(fs.openWrite(dangling)));
    assertFalse(fs.exists(absent));
    assertArrayEquals(bytes(50, 41), readAll(victim));
  }

  @Test
  @DisplayName("publish onto a symlink -> SymlinkRefusedException, the link's target untouched")
  void publishOntoSymlinkRefused() throws IOException {
    Path victim = root.resolve("victim");
    writeFile(victim, bytes(50, 42));
    Path link = root.resolve("link");
    createSymlink(link, victim);
    Path temp = root.resolve("link.tmp");
    writeFile(temp, bytes(70, 43));
    assertSymlinkRefused("publish target", link, () -> fs.publish(temp, link, SyncMode.ALL));
    assertArrayEquals(bytes(50, 42), readAll(victim));
    assertStillALink(link);
    assertTrue(fs.list(root).containsAll(List.of("link", "victim")), "both names remain");
  }

  @Test
  @DisplayName("publish of a symlink as the temporary file -> SymlinkRefusedException")
  void publishFromSymlinkRefused() throws IOException {
    Path victim = root.resolve("victim");
    writeFile(victim, bytes(50, 48));
    Path target = root.resolve("meta");
    writeFile(target, bytes(20, 49));
    Path temp = root.resolve("meta.tmp");
    createSymlink(temp, victim);
    assertSymlinkRefused("publish temp", temp, () -> fs.publish(temp, target, SyncMode.ALL));
    assertArrayEquals(bytes(20, 49), readAll(target), "the target must be unchanged");
    assertArrayEquals(bytes(50, 48), readAll(victim));
    assertStillALink(temp);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(LockMode.class)
  @DisplayName("lock on a symlink (to a file or dangling) -> SymlinkRefusedException")
  void lockOnSymlinkRefused(LockMode mode) throws IOException {
    if (mode == LockMode.SHARED) {
      assumeTrue(fs.capabilities().sharedLock(), "backend declares no shared lock");
    }
    Path victim = root.resolve("victim");
    writeFile(victim, bytes(50, 44));
    Path link = root.resolve("lock");
    createSymlink(link, victim);
    assertSymlinkRefused("lock " + mode, link, () -> track(fs.lock(link, mode)));
    assertArrayEquals(bytes(50, 44), readAll(victim));
    // The victim itself was not locked by the refused attempt.
    track(fs.lock(victim, LockMode.EXCLUSIVE));

    Path dangling = root.resolve("lock2");
    Path absent = root.resolve("absent");
    createSymlink(dangling, absent);
    assertSymlinkRefused(
        "lock " + mode + " (dangling)", dangling, () -> track(fs.lock(dangling, mode)));
    assertFalse(fs.exists(absent), "a refused lock must not create the link's target");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(RenameMode.class)
  @DisplayName("rename of a symlink -> SymlinkRefusedException, nothing moves")
  void renameFromSymlinkRefused(RenameMode mode) throws IOException {
    assumeRenameMode(mode);
    Path victim = root.resolve("victim");
    writeFile(victim, bytes(50, 55));
    Path link = root.resolve("link");
    createSymlink(link, victim);
    Path to = root.resolve("moved");
    assertSymlinkRefused("rename " + mode + " from", link, () -> fs.rename(link, to, mode));
    assertFalse(fs.exists(to), "nothing may appear at the target");
    assertStillALink(link);
    assertArrayEquals(bytes(50, 55), readAll(victim));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(RenameMode.class)
  @DisplayName("rename onto a symlink -> SymlinkRefusedException, the link and the source stay")
  void renameOntoSymlinkRefused(RenameMode mode) throws IOException {
    assumeRenameMode(mode);
    Path victim = root.resolve("victim");
    writeFile(victim, bytes(50, 56));
    Path link = root.resolve("link");
    createSymlink(link, victim);
    Path from = root.resolve("source");
    writeFile(from, bytes(30, 57));
    assertSymlinkRefused("rename " + mode + " to", link, () -> fs.rename(from, link, mode));
    assertArrayEquals(bytes(30, 57), readAll(from), "the source must stay");
    assertStillALink(link);
    assertArrayEquals(bytes(50, 56), readAll(victim));
    Path dangling = root.resolve("dangling");
    createSymlink(dangling, root.resolve("absent"));
    assertSymlinkRefused(
        "rename " + mode + " to (dangling)", dangling, () -> fs.rename(from, dangling, mode));
    assertFalse(fs.exists(root.resolve("absent")));
    assertArrayEquals(bytes(30, 57), readAll(from));
  }

  @Test
  @DisplayName("copy from or onto a symlink -> SymlinkRefusedException, nothing is created")
  void copyWithSymlinkRefused() throws IOException {
    Path victim = root.resolve("victim");
    writeFile(victim, bytes(50, 58));
    Path link = root.resolve("link");
    createSymlink(link, victim);
    assertSymlinkRefused("copy from", link, () -> fs.copy(link, root.resolve("copy")));
    assertFalse(fs.exists(root.resolve("copy")));
    Path source = root.resolve("source");
    writeFile(source, bytes(30, 59));
    assertSymlinkRefused("copy onto", link, () -> fs.copy(source, link));
    assertArrayEquals(bytes(50, 58), readAll(victim), "the link's target must be untouched");
    Path dangling = root.resolve("dangling");
    Path absent = root.resolve("absent");
    createSymlink(dangling, absent);
    assertSymlinkRefused("copy onto (dangling)", dangling, () -> fs.copy(source, dangling));
    assertFalse(fs.exists(absent), "nothing may be created behind the link");
    assertStillALink(link);
  }

  @Test
  @DisplayName("deleteIfExists of a symlink deletes the link itself, never its target")
  void deleteIfExistsRemovesTheLinkOnly() throws IOException {
    Path victim = root.resolve("victim");
    writeFile(victim, bytes(50, 64));
    Path link = root.resolve("link");
    createSymlink(link, victim);
    Path dangling = root.resolve("dangling");
    createSymlink(dangling, root.resolve("absent"));
    assertTrue(fs.deleteIfExists(link));
    assertTrue(fs.deleteIfExists(dangling));
    assertFalse(fs.exists(link));
    assertFalse(fs.exists(dangling));
    assertArrayEquals(bytes(50, 64), readAll(victim));
    assertEquals(List.of("victim"), fs.list(root));
  }

  @Test
  @DisplayName("a symlinked directory on the way (the store directory itself) is followed")
  void symlinkedDirectoryIsFollowed() throws IOException {
    Path real = root.resolve("real");
    fs.createDirectories(real);
    Path store = root.resolve("store");
    createSymlink(store, real);
    assertTrue(fs.exists(store));
    assertEquals(List.of(), fs.list(store));
    writeFile(store.resolve("000001.seg"), bytes(40, 65));
    try (FileHandle h = fs.openWrite(store.resolve("000001.seg"))) {
      h.write(ByteBuffer.wrap(bytes(10, 66)), 40);
    }
    byte[] expected = new byte[50];
    System.arraycopy(bytes(40, 65), 0, expected, 0, 40);
    System.arraycopy(bytes(10, 66), 0, expected, 40, 10);
    assertArrayEquals(expected, readAll(store.resolve("000001.seg")));
    assertArrayEquals(expected, readAll(real.resolve("000001.seg")), "the file is in the real dir");
    StoreLock lock = fs.lock(store.resolve(".batpak.lock"), LockMode.EXCLUSIVE);
    lock.close();
    if (fs.capabilities().sharedLock()) {
      fs.lock(store.resolve(".batpak.lock"), LockMode.SHARED).close();
    }
    fs.copy(store.resolve("000001.seg"), store.resolve("copy"));
    fs.rename(store.resolve("copy"), store.resolve("renamed"), RenameMode.REPLACE);
    writeFile(store.resolve("meta.tmp"), bytes(8, 67));
    if (publishSupported(store.resolve("meta.tmp"), store.resolve("meta"), SyncMode.ALL)) {
      assertArrayEquals(bytes(8, 67), readAll(real.resolve("meta")));
    } else {
      assertTrue(fs.deleteIfExists(store.resolve("meta.tmp")));
    }
    if (fs.capabilities().directorySync()) {
      fs.syncDirectory(store);
    }
    assertTrue(fs.deleteIfExists(store.resolve("renamed")));
    List<String> names = new ArrayList<>(List.of(".batpak.lock", "000001.seg"));
    if (fs.exists(real.resolve("meta"))) {
      names.add("meta");
    }
    assertEquals(names, fs.list(real), "every entry landed in the link's target");
    assertEquals(names, fs.list(store));
    assertEquals(List.of("real", "store"), fs.list(root));
  }

  private void assumeRenameMode(RenameMode mode) {
    if (mode == RenameMode.NO_REPLACE) {
      assumeTrue(fs.capabilities().noReplaceRename(), "backend declares no no-replace rename");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Locks in this JVM
  // ---------------------------------------------------------------------------------------------

  @Test
  @DisplayName("lock creates the lock file and reports its path and mode")
  void lockCreatesFile() throws IOException {
    Path lockFile = root.resolve(".batpak.lock");
    assertFalse(fs.exists(lockFile));
    StoreLock lock = track(fs.lock(lockFile, LockMode.EXCLUSIVE));
    assertTrue(fs.exists(lockFile));
    assertEquals(lockFile, lock.path());
    assertEquals(LockMode.EXCLUSIVE, lock.mode());
    assertTrue(lock.isValid());
  }

  @Test
  @DisplayName("lock keeps an existing lock file as it is (no truncation, no replacement)")
  void lockKeepsExistingFile() throws IOException {
    Path lockFile = root.resolve(".batpak.lock");
    writeFile(lockFile, bytes(12, 45));
    StoreLock lock = fs.lock(lockFile, LockMode.EXCLUSIVE);
    assertTrue(lock.isValid());
    lock.close();
    assertArrayEquals(bytes(12, 45), readAll(lockFile));
    assertEquals(List.of(".batpak.lock"), fs.list(root));
  }

  @Test
  @DisplayName("a lock in a missing directory -> NoSuchFileException")
  void lockInMissingDirectory() {
    assertThrows(
        NoSuchFileException.class,
        () -> track(fs.lock(root.resolve("missing").resolve("lock"), LockMode.EXCLUSIVE)));
  }

  @Test
  @DisplayName("a second EXCLUSIVE lock in the same JVM -> LockUnavailableException")
  void exclusiveLockExcludesSecondHolder() throws IOException {
    Path lockFile = root.resolve("lock");
    StoreLock first = track(fs.lock(lockFile, LockMode.EXCLUSIVE));
    assertThrows(
        LockUnavailableException.class, () -> track(fs.lock(lockFile, LockMode.EXCLUSIVE)));
    assertThrows(
        LockUnavailableException.class, () -> track(fs.lock(lockFile, LockMode.EXCLUSIVE)));
    assertTrue(first.isValid(), "a refused attempt must not release the held lock");
  }

  @Test
  @DisplayName("a lock taken from another thread is also excluded")
  void exclusiveLockExcludesOtherThread() throws Exception {
    Path lockFile = root.resolve("lock");
    StoreLock first = track(fs.lock(lockFile, LockMode.EXCLUSIVE));
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<Class<?>> other =
          pool.submit(
              () -> {
                try (StoreLock l = fs.lock(lockFile, LockMode.EXCLUSIVE)) {
                  return l.getClass();
                } catch (LockUnavailableException e) {
                  return e.getClass();
                }
              });
      assertEquals(LockUnavailableException.class, await(other));
    } finally {
      pool.shutdownNow();
    }
    assertTrue(first.isValid());
  }

  @Test
  @DisplayName("a lock is released by close (idempotent) and can be taken again")
  void lockReleasedOnClose() throws IOException {
    Path lockFile = root.resolve("lock");
    StoreLock first = fs.lock(lockFile, LockMode.EXCLUSIVE);
    first.close();
    assertFalse(first.isValid());
    first.close(); // idempotent
    StoreLock second = track(fs.lock(lockFile, LockMode.EXCLUSIVE));
    assertTrue(second.isValid());
    assertFalse(first.isValid(), "closing again must not affect the new holder");
    first.close();
    assertTrue(second.isValid(), "closing an old lock must not release the new one");
    assertThrows(
        LockUnavailableException.class, () -> track(fs.lock(lockFile, LockMode.EXCLUSIVE)));
  }

  @Test
  @DisplayName("SHARED + SHARED coexist; SHARED and EXCLUSIVE conflict (or SHARED unsupported)")
  void sharedLocks() throws IOException {
    Path lockFile = root.resolve("lock");
    if (!fs.capabilities().sharedLock()) {
      assertThrows(
          UnsupportedFsOperationException.class, () -> track(fs.lock(lockFile, LockMode.SHARED)));
      track(fs.lock(lockFile, LockMode.EXCLUSIVE)); // the refusal left nothing behind
      return;
    }
    fs.lock(lockFile, LockMode.EXCLUSIVE).close(); // SHARED never creates the file
    StoreLock s1 = fs.lock(lockFile, LockMode.SHARED);
    StoreLock s2 = fs.lock(lockFile, LockMode.SHARED);
    assertEquals(LockMode.SHARED, s1.mode());
    assertTrue(s1.isValid() && s2.isValid());
    assertThrows(
        LockUnavailableException.class, () -> track(fs.lock(lockFile, LockMode.EXCLUSIVE)));
    s1.close();
    assertTrue(s2.isValid(), "releasing one shared holder keeps the other");
    assertThrows(
        LockUnavailableException.class, () -> track(fs.lock(lockFile, LockMode.EXCLUSIVE)));
    s2.close();
    StoreLock ex = fs.lock(lockFile, LockMode.EXCLUSIVE);
    assertThrows(LockUnavailableException.class, () -> track(fs.lock(lockFile, LockMode.SHARED)));
    ex.close();
    track(fs.lock(lockFile, LockMode.SHARED));
  }

  @Test
  @DisplayName("locks on different files are independent")
  void locksOnDifferentFilesIndependent() throws IOException {
    StoreLock a = track(fs.lock(root.resolve("a.lock"), LockMode.EXCLUSIVE));
    StoreLock b = track(fs.lock(root.resolve("b.lock"), LockMode.EXCLUSIVE));
    assertTrue(a.isValid() && b.isValid());
  }

  // ---------------------------------------------------------------------------------------------
  // Locks against a child JVM process
  // ---------------------------------------------------------------------------------------------

  @Test
  @DisplayName("child JVM holds EXCLUSIVE -> this JVM's lock is refused; released when it exits")
  void childHoldsLockParentRefused() throws Exception {
    assumeCrossProcess();
    Path lockFile = root.resolve(".batpak.lock");
    Child child = startChild(lockFile, LockMode.EXCLUSIVE);
    assertEquals(LockHolder.LOCKED, child.awaitStatus());
    assertThrows(
        LockUnavailableException.class, () -> track(fs.lock(lockFile, LockMode.EXCLUSIVE)));
    if (fs.capabilities().sharedLock()) {
      assertThrows(LockUnavailableException.class, () -> track(fs.lock(lockFile, LockMode.SHARED)));
    }
    child.release();
    StoreLock mine = track(fs.lock(lockFile, LockMode.EXCLUSIVE));
    assertTrue(mine.isValid());
  }

  @Test
  @DisplayName("this JVM holds EXCLUSIVE -> a child JVM's lock is refused")
  void parentHoldsLockChildRefused() throws Exception {
    assumeCrossProcess();
    Path lockFile = root.resolve(".batpak.lock");
    StoreLock mine = track(fs.lock(lockFile, LockMode.EXCLUSIVE));
    Child child = startChild(lockFile, LockMode.EXCLUSIVE);
    assertEquals(
        LockHolder.REFUSED + " " + LockUnavailableException.class.getName(), child.awaitStatus());
    child.release();
    if (fs.capabilities().sharedLock()) {
      Child shared = startChild(lockFile, LockMode.SHARED);
      assertEquals(
          LockHolder.REFUSED + " " + LockUnavailableException.class.getName(),
          shared.awaitStatus());
      shared.release();
    }
    assertTrue(mine.isValid());
  }

  @Test
  @DisplayName("a refused second attempt in this JVM does not release the held lock for others")
  void failedAttemptKeepsLockAgainstChild() throws Exception {
    assumeCrossProcess();
    Path lockFile = root.resolve(".batpak.lock");
    StoreLock mine = track(fs.lock(lockFile, LockMode.EXCLUSIVE));
    // With fcntl locks, opening and closing a second descriptor of the file would drop the lock.
    for (int i = 0; i < 3; i++) {
      assertThrows(
          LockUnavailableException.class, () -> track(fs.lock(lockFile, LockMode.EXCLUSIVE)));
    }
    if (fs.capabilities().sharedLock()) {
      assertThrows(LockUnavailableException.class, () -> track(fs.lock(lockFile, LockMode.SHARED)));
    }
    Child child = startChild(lockFile, LockMode.EXCLUSIVE);
    assertEquals(
        LockHolder.REFUSED + " " + LockUnavailableException.class.getName(), child.awaitStatus());
    child.release();
    assertTrue(mine.isValid());
  }

  @Test
  @DisplayName("this JVM releases its lock -> a child JVM can take it")
  void parentReleasesChildLocks() throws Exception {
    assumeCrossProcess();
    Path lockFile = root.resolve(".batpak.lock");
    fs.lock(lockFile, LockMode.EXCLUSIVE).close();
    Child child = startChild(lockFile, LockMode.EXCLUSIVE);
    assertEquals(LockHolder.LOCKED, child.awaitStatus());
    assertThrows(
        LockUnavailableException.class, () -> track(fs.lock(lockFile, LockMode.EXCLUSIVE)));
    child.release();
  }

  @Test
  @DisplayName("a child JVM killed while holding the lock releases it")
  void lockReleasedWhenHolderDies() throws Exception {
    assumeCrossProcess();
    Path lockFile = root.resolve(".batpak.lock");
    Child child = startChild(lockFile, LockMode.EXCLUSIVE);
    assertEquals(LockHolder.LOCKED, child.awaitStatus());
    assertThrows(
        LockUnavailableException.class, () -> track(fs.lock(lockFile, LockMode.EXCLUSIVE)));
    child.kill();
    StoreLock mine = track(fs.lock(lockFile, LockMode.EXCLUSIVE));
    assertTrue(mine.isValid());
  }

  @Test
  @DisplayName("SHARED locks coexist across processes")
  void sharedLocksAcrossProcesses() throws Exception {
    assumeCrossProcess();
    assumeTrue(fs.capabilities().sharedLock(), "backend declares no shared lock");
    Path lockFile = root.resolve(".batpak.lock");
    fs.lock(lockFile, LockMode.EXCLUSIVE).close(); // SHARED never creates the file
    StoreLock mine = track(fs.lock(lockFile, LockMode.SHARED));
    Child child = startChild(lockFile, LockMode.SHARED);
    assertEquals(LockHolder.LOCKED, child.awaitStatus());
    Child exclusive = startChild(lockFile, LockMode.EXCLUSIVE);
    assertEquals(
        LockHolder.REFUSED + " " + LockUnavailableException.class.getName(),
        exclusive.awaitStatus());
    exclusive.release();
    child.release();
    assertTrue(mine.isValid());
  }

  @Test
  @DisplayName(
      "a child JVM's SHARED lock: NoSuchFileException without the file, else it excludes EXCLUSIVE here")
  void childSharedLockExcludesExclusiveAndNeverCreates() throws Exception {
    assumeCrossProcess();
    assumeTrue(fs.capabilities().sharedLock(), "backend declares no shared lock");
    Path lockFile = root.resolve(".batpak.lock");
    Child missing = startChild(lockFile, LockMode.SHARED);
    assertEquals(
        LockHolder.REFUSED + " " + NoSuchFileException.class.getName(), missing.awaitStatus());
    missing.release();
    assertFalse(fs.exists(lockFile), "the child's SHARED lock must not create the lock file");
    fs.lock(lockFile, LockMode.EXCLUSIVE).close(); // EXCLUSIVE creates it
    Child child = startChild(lockFile, LockMode.SHARED);
    assertEquals(LockHolder.LOCKED, child.awaitStatus());
    assertThrows(
        LockUnavailableException.class, () -> track(fs.lock(lockFile, LockMode.EXCLUSIVE)));
    StoreLock mine = fs.lock(lockFile, LockMode.SHARED);
    assertTrue(mine.isValid(), "SHARED holders in two processes coexist");
    mine.close();
    child.release();
    track(fs.lock(lockFile, LockMode.EXCLUSIVE));
  }

  // ---------------------------------------------------------------------------------------------
  // Handles: close, sharing, interrupts
  // ---------------------------------------------------------------------------------------------

  @Test
  @DisplayName("operations after FileHandle.close fail with IOException; close is idempotent")
  void closedHandleFails() throws IOException {
    Path file = root.resolve("closed");
    FileHandle h = fs.create(file);
    h.write(ByteBuffer.wrap(bytes(10, 50)), 0);
    h.close();
    h.close();
    assertThrows(IOException.class, () -> h.write(ByteBuffer.wrap(bytes(1, 51)), 0));
    assertThrows(IOException.class, () -> h.read(buf(1), 0));
    assertThrows(IOException.class, () -> h.sync(SyncMode.ALL));
    assertThrows(IOException.class, h::size);
    assertThrows(IOException.class, () -> h.truncate(0));
    assertArrayEquals(bytes(10, 50), readAll(file));
  }

  @Test
  @DisplayName("closing one handle does not break another handle of the same file")
  void closingOneHandleKeepsOthers() throws IOException {
    Path file = root.resolve("shared");
    FileHandle writer = track(fs.create(file));
    writer.write(ByteBuffer.wrap(bytes(20, 52)), 0);
    FileHandle reader = fs.openRead(file);
    FileHandle second = fs.openWrite(file);
    reader.close();
    second.close();
    writer.write(ByteBuffer.wrap(bytes(20, 53)), 20);
    writer.sync(SyncMode.DATA);
    assertEquals(40, writer.size());
    ByteBuffer back = ByteBuffer.allocate(20);
    writer.read(back, 0);
    assertArrayEquals(bytes(20, 52), back.array());
  }

  /** An operation on a shared handle, run on a thread whose interrupt flag is set. */
  private interface HandleOp {
    void run(FileHandle h) throws IOException;
  }

  static Stream<Arguments> interruptedOps() {
    return Stream.of(
        Arguments.of("write", (HandleOp) h -> h.write(ByteBuffer.wrap(bytes(64, 60)), 128)),
        Arguments.of(
            "write(direct)",
            (HandleOp) h -> h.write(ByteBuffer.allocateDirect(64).put(bytes(64, 60)).flip(), 128)),
        Arguments.of("read", (HandleOp) h -> h.read(ByteBuffer.allocate(64), 0)),
        Arguments.of("sync(DATA)", (HandleOp) h -> h.sync(SyncMode.DATA)),
        Arguments.of("sync(ALL)", (HandleOp) h -> h.sync(SyncMode.ALL)),
        Arguments.of("size", (HandleOp) FileHandle::size),
        Arguments.of("truncate", (HandleOp) h -> h.truncate(192)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("interruptedOps")
  @DisplayName("an interrupted thread's call never closes a handle other threads share")
  void interruptDoesNotCloseSharedHandle(String name, HandleOp op) throws Exception {
    Path file = root.resolve("interrupt");
    FileHandle h = track(fs.create(file));
    h.write(ByteBuffer.wrap(bytes(192, 61)), 0);
    AtomicReference<Boolean> flagAfter = new AtomicReference<>();
    Thread t =
        new Thread(
            () -> {
              Thread.currentThread().interrupt();
              try {
                op.run(h);
              } catch (IOException | RuntimeException e) {
                // Whatever the backend did for the interrupted caller is its business.
              }
              flagAfter.set(Thread.interrupted()); // reads and clears the flag
            },
            "interrupted-" + name);
    t.start();
    t.join(TimeUnit.SECONDS.toMillis(CHILD_TIMEOUT_SECONDS));
    assertFalse(t.isAlive(), name + " on an interrupted thread did not return");
    assertEquals(Boolean.TRUE, flagAfter.get(), name + " must not swallow the interrupt flag");
    assertHandleWorksFromAnotherThread(h, file);
  }

  @Test
  @DisplayName("interrupts arriving during I/O never close a handle other threads share")
  void interruptStormDoesNotCloseSharedHandle() throws Exception {
    Path file = root.resolve("storm");
    FileHandle h = track(fs.create(file));
    int chunk = 256 * 1024;
    byte[] data = bytes(chunk, 62);
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch started = new CountDownLatch(1);
    ByteBuffer src = ByteBuffer.allocateDirect(chunk).put(data).flip();
    ByteBuffer dst = ByteBuffer.allocateDirect(chunk);
    Thread worker =
        new Thread(
            () -> {
              started.countDown();
              for (int i = 0; i < 200 && !stop.get(); i++) {
                try {
                  h.write(src.clear(), (long) (i % 8) * chunk);
                  h.read(dst.clear(), (long) (i % 8) * chunk);
                  if (i % 50 == 0) {
                    h.sync(SyncMode.DATA);
                  }
                } catch (IOException | RuntimeException e) {
                  // The interrupted caller may fail; others must not.
                }
                Thread.interrupted();
              }
            },
            "interrupt-storm");
    worker.start();
    assertTrue(started.await(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CHILD_TIMEOUT_SECONDS);
    while (worker.isAlive() && System.nanoTime() - deadline < 0) {
      worker.interrupt();
      LockSupport.parkNanos(20_000);
    }
    stop.set(true);
    worker.join(TimeUnit.SECONDS.toMillis(CHILD_TIMEOUT_SECONDS));
    assertFalse(worker.isAlive());
    assertHandleWorksFromAnotherThread(h, file);
  }

  private void assertHandleWorksFromAnotherThread(FileHandle h, Path file) throws Exception {
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<byte[]> other =
          pool.submit(
              () -> {
                h.write(ByteBuffer.wrap(bytes(32, 63)), 0);
                h.sync(SyncMode.DATA);
                ByteBuffer back = ByteBuffer.allocate(32);
                h.read(back, 0);
                return back.array();
              });
      assertArrayEquals(bytes(32, 63), await(other), "the shared handle must still work");
    } finally {
      pool.shutdownNow();
    }
    byte[] prefix = new byte[32];
    System.arraycopy(readAll(file), 0, prefix, 0, 32);
    assertArrayEquals(bytes(32, 63), prefix);
  }

  // ---------------------------------------------------------------------------------------------
  // Copy and error mapping
  // ---------------------------------------------------------------------------------------------

  @Test
  @DisplayName("copy duplicates content; existing target or missing source are refused")
  void copy() throws IOException {
    Path from = root.resolve("from");
    Path to = root.resolve("to");
    byte[] data = bytes(300_000, 70);
    writeFile(from, data);
    fs.copy(from, to);
    assertArrayEquals(data, readAll(to));
    assertArrayEquals(data, readAll(from));
    Path other = root.resolve("other");
    writeFile(other, bytes(5, 71));
    assertThrows(FileAlreadyExistsException.class, () -> fs.copy(from, other));
    assertArrayEquals(bytes(5, 71), readAll(other));
    assertThrows(NoSuchFileException.class, () -> fs.copy(root.resolve("nope"), root.resolve("x")));
    assertFalse(fs.exists(root.resolve("x")));
  }

  @Test
  @DisplayName("opening a missing file -> NoSuchFileException")
  void openMissing() {
    assertThrows(NoSuchFileException.class, () -> track(fs.openRead(root.resolve("missing"))));
    assertThrows(NoSuchFileException.class, () -> track(fs.openWrite(root.resolve("missing"))));
    assertThrows(
        NoSuchFileException.class,
        () -> track(fs.openRead(root.resolve("no-dir").resolve("missing"))));
  }

  // ---------------------------------------------------------------------------------------------
  // SHARED locks change nothing on disk (a read-only open of a store writes nothing)
  // ---------------------------------------------------------------------------------------------

  @Test
  @DisplayName(
      "SHARED on a missing lock file -> NoSuchFileException; nothing is created or changed")
  void sharedLockOnMissingFileCreatesNothing() throws IOException {
    Path dir = root.resolve("store");
    fs.createDirectories(dir);
    writeFile(dir.resolve("000001.seg"), bytes(16, 90));
    Path lockFile = dir.resolve(".batpak.lock");
    FileTime dirTime = agedModificationTime(dir);
    if (fs.capabilities().sharedLock()) {
      for (int attempt = 1; attempt <= 2; attempt++) {
        NoSuchFileException e =
            assertThrows(
                NoSuchFileException.class,
                () -> track(fs.lock(lockFile, LockMode.SHARED)),
                "SHARED lock of a missing file, attempt " + attempt);
        assertTrue(
            String.valueOf(e.getMessage()).contains(lockFile.toString()),
            "the message must name the lock file: " + e.getMessage());
      }
    } else {
      assertThrows(
          UnsupportedFsOperationException.class, () -> track(fs.lock(lockFile, LockMode.SHARED)));
    }
    assertFalse(fs.exists(lockFile), "a SHARED lock must not create the lock file");
    assertEquals(List.of("000001.seg"), fs.list(dir), "the directory must be unchanged");
    assertModificationTimeKept(dir, dirTime, "the store directory");
    assertArrayEquals(bytes(16, 90), readAll(dir.resolve("000001.seg")));
    StoreLock exclusive = track(fs.lock(lockFile, LockMode.EXCLUSIVE));
    assertTrue(exclusive.isValid());
    assertTrue(fs.exists(lockFile), "EXCLUSIVE still creates the lock file");
  }

  @Test
  @DisplayName(
      "SHARED on an existing read-only (0444) lock file: opened read-only, nothing written")
  void sharedLockOnReadOnlyFileWritesNothing() throws IOException {
    assumeTrue(fs.capabilities().sharedLock(), "backend declares no shared lock");
    Path lockFile = root.resolve(".batpak.lock");
    byte[] content = bytes(12, 91);
    writeFile(lockFile, content);
    makeReadOnly(lockFile);
    FileTime fileTime = agedModificationTime(lockFile);
    FileTime dirTime = agedModificationTime(root);
    StoreLock first = fs.lock(lockFile, LockMode.SHARED);
    StoreLock second = fs.lock(lockFile, LockMode.SHARED);
    assertTrue(first.isValid() && second.isValid());
    assertEquals(LockMode.SHARED, first.mode());
    List<Integer> modes = descriptorAccessModes(lockFile);
    if (modes != null) {
      assertFalse(
          modes.isEmpty(), "no descriptor of " + lockFile + " is open while SHARED locks are held");
      for (int mode : modes) {
        assertEquals(
            0,
            mode,
            "a SHARED lock must open the lock file read-only (O_RDONLY); access modes of this"
                + " process's descriptors of it: "
                + modes);
      }
    }
    first.close();
    second.close();
    assertArrayEquals(content, readAll(lockFile), "the lock file's bytes must be unchanged");
    assertModificationTimeKept(lockFile, fileTime, "the lock file");
    assertModificationTimeKept(root, dirTime, "the directory");
    assertEquals(List.of(".batpak.lock"), fs.list(root));
  }

  // ---------------------------------------------------------------------------------------------
  // Missing paths and wrong types: one answer on every backend (StoreFs, "Missing paths")
  // ---------------------------------------------------------------------------------------------

  /** An operation expected to fail, for the one-answer checks below. */
  private interface Refused {
    void run() throws IOException;
  }

  /**
   * Asserts that {@code op} throws exactly a {@link NoSuchFileException} whose message names {@code
   * named}: the answer for a path that does not exist, including one below a regular file.
   */
  private static void assertMissing(String what, Path named, Refused op) {
    NoSuchFileException e = assertThrows(NoSuchFileException.class, op::run, what);
    assertTrue(
        String.valueOf(e.getMessage()).contains(named.toString()),
        what + ": the message must name " + named + ": " + e.getMessage());
  }

  /**
   * Asserts that {@code op} on the directory {@code dir} is refused with an {@link IOException}
   * naming it that is none of the port's typed answers (the directory exists, is no link, and is no
   * missing path), and that it fails at once rather than on a later read.
   */
  private static void assertRefusedAsDirectory(String what, Path dir, Refused op) {
    IOException e = assertThrows(IOException.class, op::run, what);
    assertFalse(
        e instanceof NoSuchFileException
            || e instanceof FileAlreadyExistsException
            || e instanceof NotDirectoryException
            || e instanceof SymlinkRefusedException
            || e instanceof LockUnavailableException
            || e instanceof UnsupportedFsOperationException,
        what + ": a directory is none of these, got " + e);
    assertTrue(
        String.valueOf(e.getMessage()).contains(dir.toString()),
        what + ": the message must name " + dir + ": " + e.getMessage());
  }

  @Test
  @DisplayName("exists and deleteIfExists below a regular file -> false (the path is missing)")
  void queriesBelowARegularFileAnswerMissing() throws IOException {
    Path file = root.resolve("file");
    writeFile(file, bytes(7, 80));
    Path below = file.resolve("child");
    assertFalse(fs.exists(below), "exists(file/child)");
    assertFalse(fs.exists(below.resolve("deeper")), "exists(file/child/deeper)");
    assertFalse(fs.deleteIfExists(below), "deleteIfExists(file/child)");
    assertFalse(fs.exists(root.resolve("no-dir").resolve("child")), "exists(no-dir/child)");
    assertFalse(fs.deleteIfExists(root.resolve("no-dir").resolve("child")));
    assertArrayEquals(bytes(7, 80), readAll(file));
    assertEquals(List.of("file"), fs.list(root));
  }

  @Test
  @DisplayName("opens, list and sync below a regular file -> NoSuchFileException naming the path")
  void opensBelowARegularFileAreMissing() throws IOException {
    Path file = root.resolve("file");
    writeFile(file, bytes(7, 81));
    Path below = file.resolve("child");
    assertMissing("openRead", below, () -> track(fs.openRead(below)));
    assertMissing("openWrite", below, () -> track(fs.openWrite(below)));
    assertMissing("list", below, () -> fs.list(below));
    assertMissing(
        "list(no-dir/child)",
        root.resolve("no-dir"),
        () -> fs.list(root.resolve("no-dir").resolve("child")));
    if (fs.capabilities().directorySync()) {
      assertMissing("syncDirectory", below, () -> fs.syncDirectory(below));
    }
    assertMissing("copy from", below, () -> fs.copy(below, root.resolve("copy")));
    assertMissing(
        "rename from", below, () -> fs.rename(below, root.resolve("moved"), RenameMode.REPLACE));
    assertMissing("publish", file, () -> fs.publish(below, file.resolve("target"), SyncMode.ALL));
    assertArrayEquals(bytes(7, 81), readAll(file));
    assertEquals(List.of("file"), fs.list(root));
  }

  @Test
  @DisplayName("creates below a regular file -> NoSuchFileException (no parent directory)")
  void createsBelowARegularFileAreMissing() throws IOException {
    Path file = root.resolve("file");
    writeFile(file, bytes(7, 82));
    Path source = root.resolve("source");
    writeFile(source, bytes(9, 83));
    Path below = file.resolve("child");
    assertMissing("create", below, () -> track(fs.create(below)));
    assertMissing("lock EXCLUSIVE", below, () -> track(fs.lock(below, LockMode.EXCLUSIVE)));
    if (fs.capabilities().sharedLock()) {
      assertMissing("lock SHARED", below, () -> track(fs.lock(below, LockMode.SHARED)));
    }
    assertMissing("copy to", below, () -> fs.copy(source, below));
    assertMissing("rename to", below, () -> fs.rename(source, below, RenameMode.REPLACE));
    if (fs.capabilities().noReplaceRename()) {
      assertMissing(
          "rename NO_REPLACE to", below, () -> fs.rename(source, below, RenameMode.NO_REPLACE));
    }
    assertArrayEquals(bytes(7, 82), readAll(file));
    assertArrayEquals(bytes(9, 83), readAll(source));
    assertEquals(List.of("file", "source"), fs.list(root));
  }

  @Test
  @DisplayName("createDirectories through a regular file -> FileAlreadyExistsException")
  void createDirectoriesThroughAFile() throws IOException {
    Path file = root.resolve("file");
    writeFile(file, bytes(7, 84));
    assertThrows(
        FileAlreadyExistsException.class,
        () -> fs.createDirectories(file.resolve("a").resolve("b")));
    assertArrayEquals(bytes(7, 84), readAll(file));
    assertEquals(List.of("file"), fs.list(root));
  }

  @Test
  @DisplayName("list and syncDirectory of a regular file -> NotDirectoryException")
  void directoryOperationsOnAFile() throws IOException {
    Path file = root.resolve("file");
    writeFile(file, bytes(7, 85));
    NotDirectoryException e = assertThrows(NotDirectoryException.class, () -> fs.list(file));
    assertEquals(file.toString(), e.getFile());
    if (fs.capabilities().directorySync()) {
      NotDirectoryException s =
          assertThrows(NotDirectoryException.class, () -> fs.syncDirectory(file));
      assertEquals(file.toString(), s.getFile());
    }
    assertArrayEquals(bytes(7, 85), readAll(file));
  }

  @Test
  @DisplayName("file operations on a directory are refused at once, naming it; nothing changes")
  void fileOperationsOnADirectory() throws IOException {
    Path dir = root.resolve("dir");
    fs.createDirectories(dir);
    writeFile(dir.resolve("inner"), bytes(4, 86));
    Path empty = root.resolve("empty");
    fs.createDirectories(empty);
    assertRefusedAsDirectory("openRead", dir, () -> track(fs.openRead(dir)));
    assertRefusedAsDirectory("openWrite", dir, () -> track(fs.openWrite(dir)));
    assertRefusedAsDirectory("lock EXCLUSIVE", dir, () -> track(fs.lock(dir, LockMode.EXCLUSIVE)));
    if (fs.capabilities().sharedLock()) {
      assertRefusedAsDirectory("lock SHARED", dir, () -> track(fs.lock(dir, LockMode.SHARED)));
    }
    assertRefusedAsDirectory("copy from", dir, () -> fs.copy(dir, root.resolve("copy")));
    assertRefusedAsDirectory("deleteIfExists", dir, () -> fs.deleteIfExists(dir));
    assertRefusedAsDirectory("deleteIfExists(empty)", empty, () -> fs.deleteIfExists(empty));
    assertThrows(FileAlreadyExistsException.class, () -> track(fs.create(dir)));
    assertEquals(List.of("dir", "empty"), fs.list(root), "nothing created or removed");
    assertEquals(List.of("inner"), fs.list(dir));
    assertEquals(List.of(), fs.list(empty));
    assertArrayEquals(bytes(4, 86), readAll(dir.resolve("inner")));
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
    new SplittableRandom(SEED ^ (seed * 0x9E3779B97F4A7C15L)).nextBytes(b);
    return b;
  }

  private static ByteBuffer buf(int n) {
    return ByteBuffer.allocate(n);
  }

  private static byte[] toArray(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  private static <T> T await(Future<T> f) throws Exception {
    try {
      return f.get(CHILD_TIMEOUT_SECONDS * 2L, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof Error) {
        throw (Error) cause;
      }
      if (cause instanceof Exception) {
        throw (Exception) cause;
      }
      throw e;
    } catch (TimeoutException e) {
      f.cancel(true);
      throw new AssertionError(
          "a helper thread did not finish within " + CHILD_TIMEOUT_SECONDS * 2 + " s", e);
    }
  }

  /** 2000-01-01T00:00:00Z: a modification time no operation of a test can produce. */
  private static final FileTime LONG_AGO = FileTime.fromMillis(946_684_800_000L);

  /**
   * On a real file system, sets {@code path}'s modification time to {@link #LONG_AGO} and returns
   * it as the file system stores it; otherwise null.
   */
  private @Nullable FileTime agedModificationTime(Path path) throws IOException {
    if (!realFileSystem()) {
      return null;
    }
    java.nio.file.Files.setLastModifiedTime(path, LONG_AGO);
    return java.nio.file.Files.getLastModifiedTime(path, LinkOption.NOFOLLOW_LINKS);
  }

  /** On a real file system, asserts that {@code path}'s modification time is still {@code aged}. */
  private void assertModificationTimeKept(Path path, FileTime aged, String what)
      throws IOException {
    if (aged == null) {
      return;
    }
    assertEquals(
        aged,
        java.nio.file.Files.getLastModifiedTime(path, LinkOption.NOFOLLOW_LINKS),
        what + " (" + path + ") was modified");
  }

  /**
   * On a real POSIX file system, makes {@code file} mode {@code 0444}. (Tests running as root can
   * still open it for writing, which is why {@link #descriptorAccessModes} checks the open mode.)
   */
  private void makeReadOnly(Path file) throws IOException {
    if (!realFileSystem()) {
      return;
    }
    try {
      java.nio.file.Files.setPosixFilePermissions(
          file, java.nio.file.attribute.PosixFilePermissions.fromString("r--r--r--"));
    } catch (UnsupportedOperationException e) {
      // No POSIX permissions here (Windows): nothing to make read-only.
    }
  }

  /**
   * On Linux over a real file system, the access modes ({@code 0} read-only, {@code 1} write-only,
   * {@code 2} read-write) of every descriptor this process has open on {@code file}, read from
   * {@code /proc/self/fd} and {@code /proc/self/fdinfo}; otherwise null.
   */
  private @Nullable List<Integer> descriptorAccessModes(Path file) throws IOException {
    Path fds = Paths.get("/proc/self/fd");
    if (!realFileSystem() || !java.nio.file.Files.isDirectory(Paths.get("/proc/self/fdinfo"))) {
      return null;
    }
    Path real = file.toRealPath();
    List<Integer> modes = new ArrayList<>();
    List<Path> entries;
    try (Stream<Path> list = java.nio.file.Files.list(fds)) {
      entries = list.collect(java.util.stream.Collectors.toList());
    }
    for (Path fd : entries) {
      Path target;
      List<String> info;
      try {
        target = java.nio.file.Files.readSymbolicLink(fd);
        info =
            java.nio.file.Files.readAllLines(
                Paths.get("/proc/self/fdinfo").resolve(fd.getFileName()));
      } catch (IOException e) {
        continue; // closed meanwhile (for example the descriptor of the listing itself)
      }
      if (!target.equals(real)) {
        continue;
      }
      for (String line : info) {
        if (line.startsWith("flags:")) {
          modes.add(Integer.parseInt(line.substring("flags:".length()).trim(), 8) & 3);
        }
      }
    }
    return modes;
  }

  private void assumeCrossProcess() {
    assumeTrue(
        fs.capabilities().crossProcessLock(),
        "backend " + fs.name() + " declares no cross-process lock");
  }

  /** A running {@link LockHolder} child process. */
  private final class Child {
    private final Process process;
    private final BlockingQueue<String> lines;
    private final StringBuffer transcript = new StringBuffer();
    private String status;

    Child(Process process, BlockingQueue<String> lines) {
      this.process = process;
      this.lines = lines;
    }

    /** Waits (bounded) for the status line and returns it. */
    String awaitStatus() throws InterruptedException {
      while (status == null) {
        String line = lines.poll(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (line == null) {
          fail(
              "the LockHolder child printed no status line within "
                  + CHILD_TIMEOUT_SECONDS
                  + " s (alive="
                  + process.isAlive()
                  + "); output so far:\n"
                  + transcript);
        }
        if (line.equals(EOF)) {
          fail("the LockHolder child exited without a status line; output:\n" + transcript);
        }
        transcript.append(line).append('\n');
        if (line.equals(LockHolder.LOCKED)
            || line.startsWith(LockHolder.REFUSED + " ")
            || line.startsWith(LockHolder.ERROR)) {
          status = line;
        }
      }
      if (status.startsWith(LockHolder.ERROR)) {
        fail("the LockHolder child failed: " + status + "\noutput:\n" + transcript);
      }
      return status;
    }

    /** Closes the child's standard input, so it releases its lock and exits, and waits for it. */
    void release() throws IOException, InterruptedException {
      process.getOutputStream().close();
      if (!process.waitFor(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        fail("the LockHolder child did not exit after its input was closed");
      }
      assertEquals(0, process.exitValue(), "LockHolder exit status; output:\n" + transcript);
    }

    /** Kills the child as SIGKILL would, and waits for it to be gone. */
    void kill() throws InterruptedException {
      process.destroyForcibly();
      assertTrue(
          process.waitFor(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS),
          "the LockHolder child did not die");
    }
  }

  private static final String EOF = "\u0000EOF";

  private Child startChild(Path lockFile, LockMode mode) throws IOException {
    String classpath = System.getProperty(CLASSPATH_PROPERTY);
    if (classpath == null || classpath.isBlank()) {
      fail(
          "system property "
              + CLASSPATH_PROPERTY
              + " is not set: the build must set it to the class path of the child JVM (test"
              + " classes, classes and dependencies, including the backend and its"
              + " META-INF/services entry); the suite never falls back to java.class.path");
    }
    List<String> command = new ArrayList<>();
    command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    String jvmArgs = System.getProperty(JVM_ARGS_PROPERTY, "");
    for (String arg : jvmArgs.trim().split("\\s+")) {
      if (!arg.isEmpty()) {
        command.add(arg);
      }
    }
    command.add("-cp");
    command.add(classpath);
    command.add(LockHolder.class.getName());
    command.add(providerName());
    command.add(lockFile.toString());
    command.add(mode.name());
    for (Map.Entry<String, String> e : childFsOptions().settings().entrySet()) {
      command.add(e.getKey() + "=" + e.getValue());
    }
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    children.add(process);
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread pump =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  lines.add(line);
                }
              } catch (IOException e) {
                lines.add("(reading the child's output failed: " + e + ")");
              } finally {
                lines.add(EOF);
              }
            },
            "lock-holder-output");
    pump.setDaemon(true);
    pump.start();
    return new Child(process, lines);
  }
}
