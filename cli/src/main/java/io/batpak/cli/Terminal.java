package io.batpak.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
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
