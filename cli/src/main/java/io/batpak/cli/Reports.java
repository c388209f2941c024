package io.batpak.cli;

import io.batpak.OpenReport;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.OptionalLong;

/** Prints what opening a store found and did. */
final class Reports {
  private Reports() {}

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
    out.println("  segments    " + report.segments().size());
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
    out.println("  torn tail   " + CommandSupport.tornTail(report));
    out.println("  open took   " + CommandSupport.micros(report.elapsedMicros()));
  }
}
