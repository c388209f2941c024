package io.batpak.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Child JVMs of the tests: the command's start ({@code <java.home>/bin/java} and the JVM flags the
 * build passes in {@code batpak.test.jvmArgs}) and a run that waits for the child, bounded by a
 * guard against a hung child (never a timing assertion), and returns its exit code and output.
 */
public final class ChildJvm {
  /** The system property the build passes JVM flags for child JVMs in. */
  public static final String JVM_ARGS = "batpak.test.jvmArgs";

  private ChildJvm() {}

  /** How a child ended: its exit code and everything it wrote to stdout and stderr. */
  public record Finished(int exitCode, String output) {}

  /** {@code <java.home>/bin/java}, the build's JVM flags, then {@code flags}. */
  public static List<String> java(String... flags) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    String jvmArgs = System.getProperty(JVM_ARGS, "").trim();
    if (!jvmArgs.isEmpty()) {
      command.addAll(Arrays.asList(jvmArgs.split("\\s+")));
    }
    command.addAll(Arrays.asList(flags));
    return command;
  }

  /**
   * Runs {@code command} in {@code directory} (null: this JVM's), its stdout and stderr together
   * into {@code output}, and waits for it; a child still running after ten minutes is killed.
   */
  public static Finished run(List<String> command, Path directory, Path output)
      throws IOException, InterruptedException {
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
    if (directory != null) {
      builder.directory(directory.toFile());
    }
    Process child = builder.start();
    if (!child.waitFor(10, TimeUnit.MINUTES)) {
      child.destroyForcibly().waitFor();
    }
    return new Finished(child.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
  }
}
