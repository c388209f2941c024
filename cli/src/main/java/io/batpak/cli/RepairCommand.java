package io.batpak.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** {@code batpak repair <dir> [--yes]}: cuts a damaged journal back to its last intact frame. */
final class RepairCommand implements Command {

  private final JournalRepair<?> repair;

  /** The command over {@code repair}: the engine's ({@link EngineRepair}), or a test's fake. */
  RepairCommand(JournalRepair<?> repair) {
    this.repair = repair;
  }

  @Override
  public String name() {
    return "repair";
  }

  @Override
  public String summary() {
    return "cut a damaged journal back to its last intact frame, keeping a copy (asks first)";
  }

  @Override
  public String help() {
    return "usage: batpak repair <dir> [--yes]\n\n"
        + "Shows what cutting the journal in dir back to its last intact frame would remove\n"
        + "(file, offset, bytes, events), asks for confirmation, then cuts it and keeps a copy\n"
        + "of every removed byte. The store must not be open elsewhere. Run 'batpak verify'\n"
        + "first to see the damage. Without a terminal to ask on, repair refuses unless --yes\n"
        + "is given.\n\n"
        + "  --yes   do not ask\n\n"
        + "exit codes: 0 repaired or nothing to repair, 1 failed or declined,\n"
        + "2 usage error (including: no terminal to ask on and no --yes)\n";
  }

  @Override
  public Set<String> switchOptions() {
    return Set.of("--yes");
  }

  @Override
  public int run(Args args, Terminal t) throws UsageException {
    args.expectPositionals(1, 1, "one store directory");
    Path dir = CommandSupport.existingDirectory(args.positionals().get(0));
    return repair(repair, dir, args, t);
  }

  private static <P> int repair(JournalRepair<P> r, Path dir, Args args, Terminal t)
      throws UsageException {
    P plan = r.plan(dir);
    List<JournalRepair.Cut> cuts = r.cuts(plan);
    PrintStream out = t.out();
    if (cuts.isEmpty()) {
      out.println("nothing to repair in " + dir + ": every frame is intact");
      return Main.OK;
    }
    out.println("repairing " + dir + " would cut:");
    for (JournalRepair.Cut c : cuts) {
      out.println(
          "  "
              + c.file()
              + " from offset "
              + c.offset()
              + ": "
              + CommandSupport.bytes(c.bytes())
              + "\n    because: "
              + c.reason());
    }
    out.println(
        "the events in these bytes leave the store; a copy of every cut byte is kept in the store"
            + " directory");
    List<String> choices = r.choices(plan);
    if (!choices.isEmpty()) {
      out.println("your choices:");
      for (int i = 0; i < choices.size(); i++) {
        out.println("  " + (i + 1) + ". " + choices.get(i));
      }
    }
    out.flush();
    if (!args.has("--yes")) {
      Optional<Boolean> answer = t.confirm("cut it?");
      if (answer.isEmpty()) {
        throw new UsageException(
            "refusing to cut without confirmation: there is no terminal to ask on. Rerun with"
                + " --yes once you have read the plan above.");
      }
      if (!answer.get()) {
        out.println("nothing was changed");
        return Main.FAILURE;
      }
    }
    Path copy;
    try {
      copy = r.apply(plan);
    } catch (IllegalStateException e) {
      t.err().println("batpak repair: " + e.getMessage() + ". Nothing was changed.");
      return Main.FAILURE;
    }
    out.println("repaired " + dir + "; the cut bytes are kept in " + copy);
    return Main.OK;
  }
}
