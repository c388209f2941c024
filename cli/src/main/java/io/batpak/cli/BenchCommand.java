package io.batpak.cli;

/**
 * {@code batpak bench} when the CLI jar is run directly. The benchmark harness has its own jar
 * (module {@code bench}, never published, because it carries the peer databases), so the {@code
 * ./batpak} launcher hands {@code bench} to {@code bench/run-bench} before this jar is started;
 * this command only explains that.
 */
final class BenchCommand implements Command {

  @Override
  public String name() {
    return "bench";
  }

  @Override
  public String summary() {
    return "run the side-by-side benchmark harness (through the ./batpak launcher)";
  }

  @Override
  public String help() {
    return "usage: batpak bench [--quick|--full] [--systems a,b,...] [--out DIR]\n\n"
        + "Runs the side-by-side benchmark harness (module bench, its own runnable jar with the\n"
        + "peer databases): batpak against raw-disk/raw-cpu baselines, SQLite, H2 and Axon.\n"
        + "The ./batpak launcher delegates to bench/run-bench, which builds the jar when it is\n"
        + "missing; this jar cannot run it by itself.\n\n"
        + "exit codes: 2 (when run from this jar directly)\n";
  }

  @Override
  public int run(Args args, Terminal t) {
    t.err()
        .println(
            "batpak bench: the harness has its own jar; run it through the launcher as"
                + " './batpak bench --quick' or directly as 'bench/run-bench --quick'."
                + " Nothing was run.");
    return Main.USAGE;
  }
}
