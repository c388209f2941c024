package io.batpak.cli;

import io.batpak.Store;
import io.batpak.StoreException;
import io.batpak.StoreStats;
import io.batpak.Watermarks;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/** {@code batpak inspect <dir>}: what a store holds, opened read-only. */
final class InspectCommand implements Command {

  /** Streams listed by name; the rest are counted. */
  static final int STREAMS_LISTED = 50;

  @Override
  public String name() {
    return "inspect";
  }

  @Override
  public String summary() {
    return "show a store's segments, event and stream counts, sizes and open report (read-only)";
  }

  @Override
  public String help() {
    return "usage: batpak inspect <dir>\n\n"
        + "Opens the store in dir read-only (it never truncates or writes anything, not even\n"
        + "a torn tail) and prints its segments and their sizes, the numbers of events and\n"
        + "streams, the pipeline watermarks, what the open found (a torn tail, for example)\n"
        + "and the streams with their event counts.\n\n"
        + "exit codes: 0 ok, 1 the store cannot be opened, 2 usage error\n";
  }

  @Override
  public int run(Args args, Terminal t) throws UsageException {
    args.expectPositionals(1, 1, "one store directory");
    Path dir = CommandSupport.existingDirectory(args.positionals().get(0));
    PrintStream out = t.out();
    try (Store store = CommandSupport.openReadOnly(dir)) {
      StoreStats stats = store.stats();
      Watermarks w = store.watermarks();
      out.println("store " + dir);
      out.println();
      Reports.printOpenReport(out, store.openReport(), dir);
      out.println();
      out.println("contents");
      out.println("  events      " + stats.eventCount());
      out.println("  streams     " + stats.streamCount());
      out.println(
          "  journal     "
              + CommandSupport.bytes(stats.journalBytes())
              + " in "
              + stats.segmentCount()
              + " segment(s)");
      out.println(
          "  watermarks  accepted "
              + w.accepted()
              + ", written "
              + w.written()
              + ", durable "
              + w.durable()
              + ", visible "
              + w.visible());
      Map<String, long[]> streams = new TreeMap<>();
      try {
        CommandSupport.forEachEvent(
            store,
            -1,
            h -> {
              long[] s = streams.computeIfAbsent(h.entity(), k -> new long[2]);
              s[0]++;
              s[1] = h.globalSequence();
              return true;
            });
      } catch (StoreException e) {
        // The error (file and offset) goes to stderr; stdout says its report ends here, so that a
        // reader of stdout alone does not take the part above for the whole report.
        out.println();
        out.println("report cut short: reading the events failed (the error follows on stderr)");
        throw e;
      }
      out.println();
      out.println("streams (entity: events, last global sequence)");
      int listed = 0;
      for (Map.Entry<String, long[]> e : streams.entrySet()) {
        if (listed++ == STREAMS_LISTED) {
          out.println("  ... and " + (streams.size() - STREAMS_LISTED) + " more");
          break;
        }
        out.println("  " + e.getKey() + ": " + e.getValue()[0] + ", last " + e.getValue()[1]);
      }
      if (streams.isEmpty()) {
        out.println("  (none)");
      }
    }
    return Main.OK;
  }
}
