package io.batpak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.batpak.fs.nio.NioStoreFsProvider;
import io.batpak.fs.posix.PosixStoreFsProvider;
import io.batpak.fs.testkit.LockHolder;
import io.batpak.port.LockMode;
import io.batpak.port.LockUnavailableException;
import io.batpak.port.StoreFs;
import io.batpak.port.StoreLock;
import io.batpak.spi.FsOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One owner per store directory, whichever backend or runtime asks: a lock file held through {@code
 * posix} refuses {@code nio} (in this JVM and in a child JVM) and util-linux {@code flock(1)}
 * (another process, the lock family Rust's batpak uses); a lock held through {@code nio} or by
 * {@code flock(1)} refuses {@code posix}. Each case ends with a control: once the holder lets go,
 * the refused side gets the lock, so a refusal is the lock's doing and not a broken backend. Child
 * JVMs run {@link LockHolder} with the class path from {@code batpak.test.classpath}. Without
 * flock(1) the test fails and says so.
 */
class CrossBackendLockIT {
  /** flock(1)'s exit status when the lock is taken ({@code -E}); anything else is an error. */
  private static final int FLOCK_CONFLICT = 75;

  @TempDir Path dir;
  private Path lockFile;
  private StoreFs posix;
  private StoreFs nio;
  private final List<Process> children = new ArrayList<>();

  @BeforeEach
  void open() throws IOException {
    lockFile = dir.resolve(".batpak.lock");
    PosixStoreFsProvider posixProvider = new PosixStoreFsProvider();
    assertTrue(posixProvider.probe().available(), posixProvider.probe().reason());
    posix = posixProvider.open(FsOptions.defaults());
    nio = new NioStoreFsProvider().open(FsOptions.defaults());
  }

  @AfterEach
  void close() throws IOException, InterruptedException {
    for (Process child : children) {
      child.destroyForcibly();
      child.waitFor(30, TimeUnit.SECONDS);
    }
    posix.close();
    nio.close();
  }

  @Test
  void posixLockRefusesNioHereAndInAChildJvmAndFlock1() throws Exception {
    try (StoreLock held = posix.lock(lockFile, LockMode.EXCLUSIVE)) {
      assertTrue(held.isValid());
      assertThrows(LockUnavailableException.class, () -> nio.lock(lockFile, LockMode.EXCLUSIVE));
      assertThrows(LockUnavailableException.class, () -> nio.lock(lockFile, LockMode.SHARED));
      assertChildRefused("nio", LockMode.EXCLUSIVE);
      assertChildRefused("nio", LockMode.SHARED);
      assertEquals(FLOCK_CONFLICT, flockOnce(), "flock(1) must find the lock taken");
    }
    nio.lock(lockFile, LockMode.EXCLUSIVE).close();
    assertEquals(0, flockOnce(), "flock(1) gets the lock once posix released it");
  }

  @Test
  void nioLockRefusesPosixHereAndInAChildJvm() throws Exception {
    try (StoreLock held = nio.lock(lockFile, LockMode.EXCLUSIVE)) {
      assertTrue(held.isValid());
      assertThrows(LockUnavailableException.class, () -> posix.lock(lockFile, LockMode.EXCLUSIVE));
      assertThrows(LockUnavailableException.class, () -> posix.lock(lockFile, LockMode.SHARED));
      assertChildRefused("posix", LockMode.EXCLUSIVE);
      // The refused posix attempts in this JVM must not have dropped nio's record lock.
      assertChildRefused("nio", LockMode.EXCLUSIVE);
    }
    posix.lock(lockFile, LockMode.EXCLUSIVE).close();
  }

  @Test
  void flock1LockRefusesPosixHereAndInAChildJvm() throws Exception {
    Process flock = startFlockHolder();
    assertThrows(LockUnavailableException.class, () -> posix.lock(lockFile, LockMode.EXCLUSIVE));
    assertThrows(LockUnavailableException.class, () -> posix.lock(lockFile, LockMode.SHARED));
    assertChildRefused("posix", LockMode.EXCLUSIVE);
    flock.getOutputStream().close();
    assertTrue(flock.waitFor(30, TimeUnit.SECONDS), "flock(1) did not exit");
    assertEquals(0, flock.exitValue());
    posix.lock(lockFile, LockMode.EXCLUSIVE).close();
  }

  @Test
  void posixLockInAChildJvmRefusesNioPosixAndFlock1Here() throws Exception {
    Process child = startLockHolder("posix", LockMode.EXCLUSIVE);
    assertEquals(LockHolder.LOCKED, statusLine(child));
    assertThrows(LockUnavailableException.class, () -> nio.lock(lockFile, LockMode.EXCLUSIVE));
    assertThrows(LockUnavailableException.class, () -> posix.lock(lockFile, LockMode.EXCLUSIVE));
    assertEquals(FLOCK_CONFLICT, flockOnce(), "flock(1) must find the lock taken");
    child.getOutputStream().close();
    assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the LockHolder child did not exit");
    assertEquals(0, child.exitValue());
    nio.lock(lockFile, LockMode.EXCLUSIVE).close();
    assertEquals(0, flockOnce());
  }

  /** Starts a LockHolder child on {@code provider} and asserts it was refused. */
  private void assertChildRefused(String provider, LockMode mode) throws Exception {
    Process child = startLockHolder(provider, mode);
    String status = statusLine(child);
    assertEquals(
        LockHolder.REFUSED + " " + LockUnavailableException.class.getName(),
        status,
        "child " + provider + " " + mode);
    child.getOutputStream().close();
    assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the LockHolder child did not exit");
  }

  private Process startLockHolder(String provider, LockMode mode) throws IOException {
    Process child =
        new ProcessBuilder(
                PublishSyscallOrderIT.childJvmCommand(
                    LockHolder.class, provider, lockFile.toString(), mode.name()))
            .redirectErrorStream(true)
            .start();
    children.add(child);
    return child;
  }

  /** The first line the child prints that is a LockHolder status (JVM warnings may come first). */
  private static String statusLine(Process child) throws IOException {
    BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    StringBuilder transcript = new StringBuilder();
    for (String line; (line = out.readLine()) != null; ) {
      transcript.append(line).append('\n');
      if (line.equals(LockHolder.LOCKED)
          || line.startsWith(LockHolder.REFUSED)
          || line.startsWith(LockHolder.ERROR)) {
        return line;
      }
    }
    fail("the LockHolder child printed no status; output:\n" + transcript);
    throw new AssertionError("unreachable");
  }

  /** Runs {@code flock -n -E 75 <lockFile> true} and returns its exit status. */
  private int flockOnce() throws Exception {
    Process p = startFlock("true");
    p.getOutputStream().close();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "flock(1) did not exit");
    int exit = p.exitValue();
    if (exit != 0 && exit != FLOCK_CONFLICT) {
      fail("flock(1) failed with exit " + exit + ": " + output);
    }
    return exit;
  }

  /** Starts flock(1) holding the lock until its standard input is closed. */
  private Process startFlockHolder() throws Exception {
    Process p = startFlock("sh", "-c", "echo LOCKED; exec cat >/dev/null");
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    assertEquals("LOCKED", line, "flock(1) could not take the free lock");
    return p;
  }

  private Process startFlock(String... command) throws IOException {
    List<String> args = new ArrayList<>(List.of("flock", "-n", "-E", "" + FLOCK_CONFLICT));
    args.add(lockFile.toString());
    args.addAll(List.of(command));
    try {
      Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
      children.add(p);
      return p;
    } catch (IOException e) {
      fail(
          "flock(1) could not be started ("
              + e.getMessage()
              + "); this test needs util-linux flock on the PATH (apt-get install util-linux)");
      throw e;
    }
  }
}
