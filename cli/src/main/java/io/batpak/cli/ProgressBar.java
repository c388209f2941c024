package io.batpak.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A progress bar redrawn in place on standard error, at most every {@value #REDRAW_MILLIS} ms, and
 * drawn a last time, complete, when the work ends. Disabled bars print nothing.
 */
final class ProgressBar {

  /** Least time between two redraws. */
  static final long REDRAW_MILLIS = 100;

  private static final int WIDTH = 30;

  private final PrintStream err;
  private final String label;
  private final long total;
  private final boolean enabled;
  private long done;
  private long lastDrawNanos;
  private boolean drawn;

  private ProgressBar(PrintStream err, String label, long total, boolean enabled) {
    this.err = err;
    this.label = label;
    this.total = Math.max(total, 0);
    this.enabled = enabled;
  }

  /** A bar over {@code total} units, printing only when {@code enabled}. */
  static ProgressBar start(PrintStream err, String label, long total, boolean enabled) {
    return new ProgressBar(err, label, total, enabled);
  }

  /** Whether the bar prints. */
  boolean enabled() {
    return enabled;
  }

  /** One more unit done; redraws when the last redraw is old enough. */
  void step() {
    done++;
    if (!enabled) {
      return;
    }
    long now = System.nanoTime();
    if (!drawn || now - lastDrawNanos >= REDRAW_MILLIS * 1_000_000L) {
      lastDrawNanos = now;
      draw();
    }
  }

  /** Draws the final state and ends the line. */
  void finish() {
    if (!enabled) {
      return;
    }
    draw();
    err.println();
    err.flush();
  }

  private void draw() {
    drawn = true;
    long of = Math.max(total, done);
    int percent = of == 0 ? 100 : (int) (done * 100 / of);
    int filled = of == 0 ? WIDTH : (int) (done * WIDTH / of);
    StringBuilder b = new StringBuilder("\r").append(label).append(" [");
    for (int i = 0; i < WIDTH; i++) {
      b.append(i < filled ? '#' : '-');
    }
    b.append(String.format(Locale.ROOT, "] %3d%%  %,d/%,d events", percent, done, of));
    err.print(b);
    err.flush();
  }
}
