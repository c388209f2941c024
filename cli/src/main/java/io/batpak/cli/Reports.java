package io.batpak.cli;

import io.batpak.OpenReport;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.OptionalLong;

/** Prints what opening a store found and did. */
final class Reports {
  private Reports() {}

  private static String source(OpenReport.IndexSource source) {
    return switch (source) {
      case CHECKPOINT -> "checkpoint (index.ckpt), then the journal after it";
      case SEALS -> "seals of sealed segments, frames of the others";
      case SCAN -> "a scan of every frame";
    };
  }

  /** Prints {@code report} as an indented block headed {@code open report}. */
  static void printOpenReport(PrintStream out, OpenReport report, Path dir) {
    out.println("open report");
    String[] reason = report.backendReason().strip().split("\\R");
    out.println("  backend     " + report.backend() + ": " + reason[0].strip());
    for (int i = 1; i < reason.length; i++) {
      if (!reason[i].isBlank()) {
        out.println("              " + reason[i].strip());
      }
    }
    out.println("  mode        " + (report.readOnly() ? "read-only" : "read-write"));
    out.println("  codec       " + report.codec());
    // The segments the open found: a writable open after a clean close then starts another one,
    // which the store's own counts (stats()) include.
    out.println("  segments    " + report.segments().size() + " found at open");
    for (String segment : report.segments()) {
      OptionalLong size = CommandSupport.segmentSize(dir, segment);
      out.println(
          "    "
              + segment
              + (size.isPresent()
                  ? "  " + CommandSupport.bytes(size.getAsLong())
                  : "  (size unknown)"));
    }
    out.println(
        "  scanned     "
            + report.framesScanned()
            + " frames, "
            + report.eventsRecovered()
            + " events visible");
    OpenReport.IndexLoad load = report.indexLoad();
    out.println(
        "  index from  "
            + source(load.source())
            + ": "
            + load.fromCheckpoint()
            + " events from the checkpoint, "
            + load.fromSeals()
            + " from seals, "
            + load.fromScan()
            + " from frames read");
    for (String why : load.distrusted()) {
      out.println("  distrusted  " + why);
    }
    out.println("  torn tail   " + CommandSupport.tornTail(report));
    boolean cut = report.tornTail().map(OpenReport.TornTail::truncated).orElse(true);
    out.println((cut ? "  bytes cut   " : "  bytes left  ") + load.bytesCut());
    StringBuilder phases = new StringBuilder();
    for (OpenReport.Phase p : load.phases()) {
      phases.append(phases.length() == 0 ? "" : ", ");
      phases.append(p.name()).append(' ').append(CommandSupport.micros(p.micros()));
    }
    out.println("  phases      " + (phases.length() == 0 ? "none" : phases));
    out.println("  open took   " + CommandSupport.micros(report.elapsedMicros()));
  }
}
