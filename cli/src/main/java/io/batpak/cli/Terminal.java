package io.batpak.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Where a command writes and reads: standard output (results), standard error (progress, problems,
 * advice) and, when a person is at the keyboard, standard input for confirmations. Tests build one
 * over byte buffers.
 *
 * @param out results: report lines, JSON lines
 * @param err progress, warnings, errors and what to do about them
 * @param in the console to ask questions on, or {@code null} when nobody can answer (no terminal)
 * @param errIsTerminal whether {@code err} is a terminal, so a redrawn progress bar is readable
 */
record Terminal(PrintStream out, PrintStream err, BufferedReader in, boolean errIsTerminal) {

  /** Where Linux shows what this process's standard error is open on. */
  static final Path STDERR_LINK = Path.of("/proc/self/fd/2");

  /**
   * Whether standard error is a terminal. Java 17 can tell only whether a console exists (standard
   * input and output are a terminal); standard error alone may still be redirected ({@code 2>
   * log}). Where {@code stderrLink} (on Linux {@link #STDERR_LINK}) can be read, its target
   * decides: a terminal device ({@code /dev/pts/N}, {@code /dev/ttyN}, {@code /dev/tty}, {@code
   * /dev/console}) or not. Elsewhere the console decides.
   *
   * @param consolePresent whether {@code System.console()} is not null
   * @param stderrLink the symbolic link naming standard error's file
   */
  static boolean errIsTerminal(boolean consolePresent, Path stderrLink) {
    if (!consolePresent) {
      return false;
    }
    String target;
    try {
      target = Files.readSymbolicLink(stderrLink).toString();
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return true;
    }
    return target.startsWith("/dev/pts/")
        || target.startsWith("/dev/tty")
        || target.equals("/dev/console");
  }

  /**
   * Asks a yes/no question on {@code err} and reads the answer.
   *
   * @return the answer, or empty when there is no console or input ended
   */
  Optional<Boolean> confirm(String question) {
    if (in == null) {
      return Optional.empty();
    }
    err.print(question + " [y/N] ");
    err.flush();
    try {
      String line = in.readLine();
      if (line == null) {
        return Optional.empty();
      }
      String answer = line.trim().toLowerCase(Locale.ROOT);
      return Optional.of(answer.equals("y") || answer.equals("yes"));
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
