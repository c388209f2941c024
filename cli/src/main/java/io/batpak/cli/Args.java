package io.batpak.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The arguments of one command: positionals, options with a value ({@code --entity E} or {@code
 * --entity=E}) and switches ({@code --yes}). {@code --} ends the options. Anything the command does
 * not declare is a {@link UsageException}.
 */
final class Args {
  private final String command;
  private final List<String> positionals = new ArrayList<>();
  private final Map<String, String> values = new HashMap<>();
  private final Set<String> switches = new HashSet<>();

  private Args(String command) {
    this.command = command;
  }

  /**
   * Parses {@code tokens} for {@code command}.
   *
   * @param valueOptions options that take a value, with their leading dashes
   * @param switchOptions options without a value; {@code --help} and {@code -h} are always allowed
   */
  static Args parse(
      String command, List<String> tokens, Set<String> valueOptions, Set<String> switchOptions)
      throws UsageException {
    Args args = new Args(command);
    boolean optionsEnded = false;
    for (int i = 0; i < tokens.size(); i++) {
      String token = tokens.get(i);
      if (optionsEnded || !token.startsWith("-") || token.equals("-")) {
        args.positionals.add(token);
        continue;
      }
      if (token.equals("--")) {
        optionsEnded = true;
        continue;
      }
      if (token.equals("-h") || token.equals("--help")) {
        args.switches.add("--help");
        continue;
      }
      String name = token;
      String value = null;
      int eq = token.indexOf('=');
      if (token.startsWith("--") && eq > 0) {
        name = token.substring(0, eq);
        value = token.substring(eq + 1);
      }
      if (valueOptions.contains(name)) {
        if (value == null) {
          if (i + 1 >= tokens.size()) {
            throw new UsageException(
                "option " + name + " needs a value; see 'batpak " + command + " --help'");
          }
          value = tokens.get(++i);
          if (value.startsWith("--")) {
            // '--entity --after 5' would read '--after' as the entity and 5 as a positional
            throw new UsageException(
                "option "
                    + name
                    + " needs a value, but the next argument is the option "
                    + value
                    + "; for a value that starts with '--', write "
                    + name
                    + "=VALUE");
          }
        }
        if (args.values.put(name, value) != null) {
          throw new UsageException("option " + name + " is given twice");
        }
      } else if (switchOptions.contains(name) && value == null) {
        args.switches.add(name);
      } else {
        throw new UsageException(
            "unknown option '" + token + "' for 'batpak " + command + "'; see --help");
      }
    }
    return args;
  }

  /** Whether {@code --help} (or {@code -h}) was given. */
  boolean help() {
    return switches.contains("--help");
  }

  /** Whether the switch {@code name} was given. */
  boolean has(String name) {
    return switches.contains(name);
  }

  /** The value of option {@code name}, if given. */
  Optional<String> value(String name) {
    return Optional.ofNullable(values.get(name));
  }

  /** The positional arguments. */
  List<String> positionals() {
    return positionals;
  }

  /**
   * Checks there are between {@code min} and {@code max} positionals.
   *
   * @param what how the positionals are called in messages, e.g. {@code "<dir>"}
   */
  void expectPositionals(int min, int max, String what) throws UsageException {
    if (positionals.size() < min) {
      throw new UsageException(
          "'batpak " + command + "' needs " + what + "; see 'batpak " + command + " --help'");
    }
    if (positionals.size() > max) {
      throw new UsageException(
          "'batpak "
              + command
              + "' takes "
              + what
              + " but got also "
              + positionals.subList(max, positionals.size())
              + "; see 'batpak "
              + command
              + " --help'");
    }
  }

  /** The value of {@code name} as a long, if given. */
  Optional<Long> longValue(String name, long min) throws UsageException {
    Optional<String> text = value(name);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    long v;
    try {
      v = Long.parseLong(text.get());
    } catch (NumberFormatException e) {
      throw new UsageException(
          "option " + name + " needs a whole number, got '" + text.get() + "'");
    }
    if (v < min) {
      throw new UsageException("option " + name + " must be at least " + min + ", got " + v);
    }
    return Optional.of(v);
  }
}
