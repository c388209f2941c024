package io.batpak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.batpak.fs.posix.PosixStoreFsProvider;
import io.batpak.port.StoreFs;
import io.batpak.port.SyncMode;
import io.batpak.spi.FsOptions;
import io.batpak.spi.ProbeResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves on the real kernel that the {@code posix} backend's {@code publish} syncs the temporary
 * file (fdatasync for {@link SyncMode#DATA}, fsync for {@link SyncMode#ALL}), then renames it over
 * the target, then fsyncs the directory, in that order. A child JVM publishes one file per mode
 * under {@code strace -ff -y}; each thread's calls go to their own trace file, so no call is split
 * across lines by another thread's. Where strace is missing or ptrace is not permitted, the test
 * fails and says so: a durability proof that did not run must never pass.
 */
class PublishSyscallOrderIT {
  private static final String TRACED = "openat,fsync,fdatasync,rename,renameat,renameat2";
  private static final Pattern SYNC =
      Pattern.compile("^(fsync|fdatasync)\\((\\d+)<(.*)>\\)\\s+=\\s+(-?\\d+)");
  private static final Pattern RENAME =
      Pattern.compile("^(rename|renameat|renameat2)\\((.*)\\)\\s+=\\s+(-?\\d+)");

  @TempDir Path dir;

  @Test
  void publishSyncsTempThenRenamesThenSyncsTheDirectoryForBothModes() throws Exception {
    Path data = Files.createDirectory(dir.resolve("data")).toRealPath();
    Path traces = Files.createDirectory(dir.resolve("trace"));
    runUnderStrace(data, traces.resolve("t"));
    List<List<String>> threads = new ArrayList<>();
    try (Stream<Path> files = Files.list(traces)) {
      for (Path f : files.sorted().collect(Collectors.toList())) {
        threads.add(Files.readAllLines(f, StandardCharsets.UTF_8));
      }
    }
    for (SyncMode mode : SyncMode.values()) {
      Path temp = data.resolve("temp-" + mode);
      Path target = data.resolve("target-" + mode);
      List<String> calls = threadThatRenamed(threads, temp, target);
      int rename = indexOfRename(calls, temp, target);
      String expectedSync = mode == SyncMode.DATA ? "fdatasync" : "fsync";
      String wrongSync = mode == SyncMode.DATA ? "fsync" : "fdatasync";
      int tempSync = -1;
      for (int i = 0; i < rename; i++) {
        Matcher m = SYNC.matcher(calls.get(i));
        if (m.find() && m.group(3).equals(temp.toString())) {
          assertEquals(
              expectedSync,
              m.group(1),
              mode + ": temp synced with the wrong call: " + calls.get(i));
          assertEquals("0", m.group(4), mode + ": temp sync failed: " + calls.get(i));
          tempSync = i;
        }
        assertTrue(
            !calls.get(i).startsWith(wrongSync + "(") || !calls.get(i).contains(temp.toString()),
            mode + ": " + wrongSync + " used on the temp: " + calls.get(i));
      }
      assertTrue(tempSync >= 0, mode + ": no " + expectedSync + " of " + temp + " before rename");
      int dirSync = -1;
      for (int i = rename + 1; i < calls.size() && dirSync < 0; i++) {
        Matcher m = SYNC.matcher(calls.get(i));
        if (m.find() && m.group(1).equals("fsync") && m.group(3).equals(data.toString())) {
          assertEquals("0", m.group(4), mode + ": directory fsync failed: " + calls.get(i));
          dirSync = i;
        }
        assertTrue(
            !calls.get(i).startsWith("rename"),
            mode + ": another rename before the directory fsync: " + calls.get(i));
      }
      assertTrue(
          dirSync > rename,
          mode
              + ": no fsync of "
              + data
              + " after the rename; calls:\n"
              + String.join("\n", calls));
    }
  }

  private static List<String> threadThatRenamed(
      List<List<String>> threads, Path temp, Path target) {
    for (List<String> calls : threads) {
      if (indexOfRename(calls, temp, target) >= 0) {
        return calls;
      }
    }
    fail("no successful rename of " + temp + " to " + target + " in the trace");
    throw new AssertionError("unreachable");
  }

  private static int indexOfRename(List<String> calls, Path temp, Path target) {
    for (int i = 0; i < calls.size(); i++) {
      Matcher m = RENAME.matcher(calls.get(i));
      if (m.find()
          && m.group(2).contains("\"" + temp + "\"")
          && m.group(2).contains("\"" + target + "\"")
          && m.group(3).equals("0")) {
        return i;
      }
    }
    return -1;
  }

  private static void runUnderStrace(Path data, Path tracePrefix) throws Exception {
    List<String> command = new ArrayList<>();
    command.add("strace");
    command.add("-ff");
    command.add("-y");
    command.add("-qq");
    command.add("-e");
    command.add("trace=" + TRACED);
    command.add("-o");
    command.add(tracePrefix.toString());
    command.addAll(childJvmCommand(PublishSyscallOrderIT.class, data.toString()));
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      fail(
          "strace could not be started ("
              + e.getMessage()
              + "). This test needs strace(1) on the PATH (apt-get install strace); it fails rather"
              + " than pass without proving the publish order.");
      return;
    }
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(10, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      fail("the traced child JVM did not finish; output:\n" + output);
    }
    int exit = process.exitValue();
    if (exit != 0) {
      boolean ptrace = output.contains("ptrace") || output.contains("Operation not permitted");
      fail(
          (ptrace
                  ? "strace is not permitted to trace here (ptrace denied): this test needs"
                      + " ptrace, for example CAP_SYS_PTRACE or kernel.yama.ptrace_scope <= 1 in"
                      + " containers. "
                  : "strace or the traced child JVM failed. ")
              + "exit "
              + exit
              + ", output:\n"
              + output);
    }
  }

  /**
   * The command line of a child JVM running {@code mainClass.main(args)}: {@code
   * <java.home>/bin/java}, the JVM flags the build passes in {@code batpak.test.jvmArgs}, and the
   * class path it passes in {@code batpak.test.classpath} (never {@code java.class.path}, which
   * Surefire and Failsafe may reduce to a manifest-only jar). Shared with {@link
   * CrossBackendLockIT}.
   */
  static List<String> childJvmCommand(Class<?> mainClass, String... args) {
    String classPath = System.getProperty("batpak.test.classpath");
    if (classPath == null || classPath.isBlank()) {
      throw new IllegalStateException(
          "system property batpak.test.classpath is not set; run this test through Maven,"
              + " whose parent pom sets it for Surefire and Failsafe");
    }
    List<String> command = ChildJvm.java("-cp", classPath, mainClass.getName());
    command.addAll(Arrays.asList(args));
    return command;
  }

  /**
   * The traced child: publishes {@code temp-<MODE>} over {@code target-<MODE>} in {@code args[0]}
   * through the {@code posix} backend for each sync mode.
   */
  public static void main(String[] args) throws IOException {
    Path data = Path.of(args[0]);
    PosixStoreFsProvider provider = new PosixStoreFsProvider();
    ProbeResult probe = provider.probe();
    if (!probe.available()) {
      throw new IllegalStateException("posix backend unavailable: " + probe.reason());
    }
    try (StoreFs fs = provider.open(FsOptions.defaults())) {
      for (SyncMode mode : SyncMode.values()) {
        Path temp = data.resolve("temp-" + mode);
        Path target = data.resolve("target-" + mode);
        Files.writeString(target, "old");
        Files.writeString(temp, "new " + mode);
        fs.publish(temp, target, mode);
      }
    }
  }
}
