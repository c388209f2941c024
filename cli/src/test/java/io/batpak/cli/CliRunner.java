package io.batpak.cli;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;

/** Runs {@code batpak} in this JVM over byte buffers. */
final class CliRunner {

  /** What one run printed and returned. */
  record Result(int code, String out, String err) {
    /** Both streams, for messages that may go to either. */
    String all() {
      return out + err;
    }

    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err;
    }
  }

  private CliRunner() {}

  /** Runs without a console (no one to answer questions) and stderr not a terminal. */
  static Result run(String... args) {
    return run(null, false, args);
  }

  /**
   * Runs with {@code input} as the console's typed lines ({@code null}: no console) and stderr
   * treated as a terminal when {@code errIsTerminal}.
   */
  static Result run(String input, boolean errIsTerminal, String... args) {
    Buffers b = new Buffers(input, errIsTerminal);
    int code = Main.run(args, b.terminal);
    return b.result(code);
  }

  /** Buffers behind a {@link Terminal}, for running one command directly. */
  static final class Buffers {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();
    final Terminal terminal;

    Buffers(String input, boolean errIsTerminal) {
      this.terminal =
          new Terminal(
              new PrintStream(out, true, StandardCharsets.UTF_8),
              new PrintStream(err, true, StandardCharsets.UTF_8),
              input == null ? null : new BufferedReader(new StringReader(input)),
              errIsTerminal);
    }

    Result result(int code) {
      terminal.out().flush();
      terminal.err().flush();
      return new Result(
          code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
  }
}
