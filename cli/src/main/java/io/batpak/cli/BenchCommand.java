package io.batpak.cli;

/** {@code batpak bench}: a placeholder until the benchmark harness exists. */
final class BenchCommand implements Command {

  @Override
  public String name() {
    return "bench";
  }

  @Override
  public String summary() {
    return "run the benchmark harness (not built yet)";
  }

  @Override
  public String help() {
    return "usage: batpak bench\n\n"
        + "Will run the side-by-side benchmark harness (module bench, its own runnable jar).\n"
        + "It is not built yet; a later issue adds it.\n\n"
        + "exit codes: 2 (not available yet)\n";
  }

  @Override
  public int run(Args args, Terminal t) {
    t.err()
        .println(
            "batpak bench: the benchmark harness is not built yet; a later issue adds it (module"
                + " bench, with its own runnable jar). Nothing was run.");
    return Main.USAGE;
  }
}
