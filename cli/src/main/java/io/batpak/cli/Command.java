package io.batpak.cli;

import java.util.Set;

/** One {@code batpak} subcommand. */
interface Command {

  /** The name typed on the command line. */
  String name();

  /** One line for the overview. */
  String summary();

  /** The full {@code --help} text. */
  String help();

  /** Options that take a value, with their dashes. */
  default Set<String> valueOptions() {
    return Set.of();
  }

  /** Options without a value, with their dashes ({@code --help} is always allowed). */
  default Set<String> switchOptions() {
    return Set.of();
  }

  /**
   * Runs the command.
   *
   * @return the exit code: {@value Main#OK}, {@value Main#FAILURE} or {@value Main#USAGE}
   * @throws UsageException if the arguments do not make sense; exit {@value Main#USAGE}
   */
  int run(Args args, Terminal terminal) throws UsageException;
}
