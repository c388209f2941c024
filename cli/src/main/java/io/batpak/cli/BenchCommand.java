package io.batpak.cli;

import java.util.Set;

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
        + "peer databases): batpak against raw-disk/raw-cpu baselines, SQLite, H2, RocksDB\n"
        + "and Axon. The ./batpak launcher delegates to bench/run-bench, which builds the jar\n"
        + "when it is missing; this jar cannot run it by itself. All the harness's options\n"
        + "(--workloads, --warmup, ...): bench/run-bench --help.\n\n"
        + "exit codes: 2 (when run from this jar directly)\n";
  }

  /**
   * The harness's options (BenchMain), accepted so that a command line meant for the harness gets
   * the pointer to the launcher below rather than "unknown option".
   */
  @Override
  public Set<String> valueOptions() {
    return Set.of("--systems", "--out", "--workloads", "--work", "--open-events", "--warmup");
  }

  @Override
  public Set<String> switchOptions() {
    return Set.of("--quick", "--full", "--tiny");
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
