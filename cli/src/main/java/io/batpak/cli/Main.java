package io.batpak.cli;

import io.batpak.CorruptStoreException;
import io.batpak.ProviderException;
import io.batpak.StoreException;
import io.batpak.StoreLockedException;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code batpak} command line: {@code batpak <command> [arguments]}. Run {@code batpak --help}
 * for the list of commands and {@code batpak <command> --help} for each one.
 *
 * <p>Exit codes: {@value #OK} success; {@value #FAILURE} failure, or damage found; {@value #USAGE}
 * the command line was wrong (nothing was done). Results go to standard output; progress, problems
 * and what to do about them go to standard error, with the library's log records at {@code WARNING}
 * and above, one line each (the environment variable {@code BATPAK_LOG} sets another level: see
 * {@link CliLogging}).
 *
 * @since 0.1
 */
public final class Main {

  /** Exit code: success. */
  public static final int OK = 0;

  /** Exit code: the command failed or found damage. */
  public static final int FAILURE = 1;

  /** Exit code: the command line was wrong; nothing was done. */
  public static final int USAGE = 2;

  private static final Map<String, Command> COMMANDS = commands();

  private Main() {}

  /**
   * Runs {@code batpak} with {@code args} and exits the JVM with its exit code.
   *
   * @param args the command and its arguments
   */
  public static void main(String[] args) {
    PrintStream out =
        new PrintStream(
            new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16),
            false,
            StandardCharsets.UTF_8);
    PrintStream err =
        new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
    try {
      CliLogging.install(CliLogging.level(System.getenv(CliLogging.VARIABLE)), err);
    } catch (UsageException e) {
      err.println("batpak: " + e.getMessage());
      System.exit(USAGE);
    }
    boolean interactive = System.console() != null;
    BufferedReader in =
        interactive
            ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
            : null;
    int code =
        run(
            args,
            new Terminal(out, err, in, Terminal.errIsTerminal(interactive, Terminal.STDERR_LINK)));
    out.flush();
    err.flush();
    System.exit(code);
  }

  /**
   * Runs {@code batpak} with {@code args} on {@code terminal} and returns the exit code.
   *
   * @param args the command and its arguments
   */
  static int run(String[] args, Terminal terminal) {
    try {
      return dispatch(List.of(args), terminal);
    } finally {
      terminal.out().flush();
      terminal.err().flush();
    }
  }

  private static int dispatch(List<String> args, Terminal t) {
    if (args.isEmpty()) {
      t.err().print(overview());
      return USAGE;
    }
    String first = args.get(0);
    if (first.equals("--help") || first.equals("-h") || first.equals("help")) {
      if (args.size() > 1 && COMMANDS.containsKey(args.get(1))) {
        t.out().print(COMMANDS.get(args.get(1)).help());
      } else {
        t.out().print(overview());
      }
      return OK;
    }
    if (first.equals("--version")) {
      String version = Main.class.getPackage().getImplementationVersion();
      t.out().println("batpak " + (version == null ? "(development build)" : version));
      return OK;
    }
    Command command = COMMANDS.get(first);
    if (command == null) {
      t.err()
          .println(
              "batpak: unknown command '"
                  + first
                  + "'. Commands: "
                  + String.join(", ", COMMANDS.keySet())
                  + ". Run 'batpak --help' for details.");
      return USAGE;
    }
    try {
      Args parsed =
          Args.parse(
              command.name(),
              args.subList(1, args.size()),
              command.valueOptions(),
              command.switchOptions());
      if (parsed.help()) {
        t.out().print(command.help());
        return OK;
      }
      return command.run(parsed, t);
    } catch (UsageException e) {
      t.err().println("batpak " + command.name() + ": " + e.getMessage());
      return USAGE;
    } catch (RuntimeException e) {
      t.err().println("batpak " + command.name() + ": " + explain(e));
      return FAILURE;
    }
  }

  /** A message for a failure that escaped a command, with what to do about it. */
  static String explain(RuntimeException e) {
    if (e instanceof StoreLockedException) {
      return e.getMessage()
          + "\n  Another process has the store open for writing. Stop it first; read-only commands"
          + " (inspect, verify, dump) can share the store with other readers only.";
    }
    if (e instanceof CorruptStoreException) {
      return e.getMessage();
    }
    if (e instanceof ProviderException) {
      return e.getMessage()
          + "\n  The command-line jar is missing a module. Rebuild it: rm cli/target/batpak-cli.jar"
          + " && ./batpak --help";
    }
    if (e instanceof StoreException) {
      return e.getMessage();
    }
    StringWriter trace = new StringWriter();
    e.printStackTrace(new java.io.PrintWriter(trace));
    return "internal error, please report it with this trace:\n" + trace;
  }

  private static String overview() {
    StringBuilder b = new StringBuilder();
    b.append("batpak: an embedded, hash-chained event store\n\n");
    b.append("usage: batpak <command> [arguments]     (batpak <command> --help for details)\n\n");
    b.append("commands:\n");
    for (Command c : COMMANDS.values()) {
      b.append(String.format("  %-14s %s%n", c.name(), c.summary()));
    }
    b.append("\nexit codes: 0 ok, 1 failure or damage found, 2 usage error\n");
    b.append(
        "log records go to stderr at warning and above; "
            + CliLogging.VARIABLE
            + "=off|error|warning|info|debug sets the level\n");
    return b.toString();
  }

  private static Map<String, Command> commands() {
    Map<String, Command> map = new LinkedHashMap<>();
    for (Command c :
        Arrays.asList(
            new DemoCommand(),
            new InspectCommand(),
            new VerifyCommand(),
            new VerifyReceiptCommand(),
            new ExportReceiptCommand(),
            new DumpCommand(),
            new TraceCommand(),
            new RepairCommand(new EngineRepair()),
            new CopyCommand(false),
            new CopyCommand(true),
            new CompactCommand(),
            new ServeCommand(System.in),
            new BenchCommand())) {
      map.put(c.name(), c);
    }
    return map;
  }
}
