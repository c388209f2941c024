package io.batpak.fs.testkit;

import static io.batpak.fs.testkit.StoreFsContract.CHILD_TIMEOUT_SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.batpak.port.LockMode;
import io.batpak.spi.FsOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A running {@link LockHolder} child JVM, for the cross-process lock tests of {@link
 * StoreFsContract}: started with {@code <java.home>/bin/java}, the arguments in {@value
 * StoreFsContract#JVM_ARGS_PROPERTY}, and the class path in {@value
 * StoreFsContract#CLASSPATH_PROPERTY}. Every wait on it is bounded by {@value
 * StoreFsContract#CHILD_TIMEOUT_SECONDS} s.
 */
final class LockHolderChild {
  private static final String EOF = "\u0000EOF";

  final Process process;
  private final BlockingQueue<String> lines;
  private final StringBuffer transcript = new StringBuffer();
  private String status;

  private LockHolderChild(Process process, BlockingQueue<String> lines) {
    this.process = process;
    this.lines = lines;
  }

  /**
   * Starts a child that locks {@code lockFile} in {@code mode} through the backend registered as
   * {@code providerName}, opened with {@code options}.
   *
   * @throws IOException if the process cannot start
   */
  static LockHolderChild start(String providerName, FsOptions options, Path lockFile, LockMode mode)
      throws IOException {
    String classpath = System.getProperty(StoreFsContract.CLASSPATH_PROPERTY);
    if (classpath == null || classpath.isBlank()) {
      fail(
          "system property "
              + StoreFsContract.CLASSPATH_PROPERTY
              + " is not set: the build must set it to the class path of the child JVM (test"
              + " classes, classes and dependencies, including the backend and its"
              + " META-INF/services entry); the suite never falls back to java.class.path");
    }
    List<String> command = new ArrayList<>();
    command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    String jvmArgs = System.getProperty(StoreFsContract.JVM_ARGS_PROPERTY, "");
    for (String arg : jvmArgs.trim().split("\\s+")) {
      if (!arg.isEmpty()) {
        command.add(arg);
      }
    }
    command.add("-cp");
    command.add(classpath);
    command.add(LockHolder.class.getName());
    command.add(providerName);
    command.add(lockFile.toString());
    command.add(mode.name());
    for (Map.Entry<String, String> e : options.settings().entrySet()) {
      command.add(e.getKey() + "=" + e.getValue());
    }
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
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
    return new LockHolderChild(process, lines);
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
