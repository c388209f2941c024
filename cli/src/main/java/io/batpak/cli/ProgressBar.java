package io.batpak.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Progress of a long command on standard error. On a terminal it is a bar redrawn in place (a
 * carriage return, no new line) at most every {@value #REDRAW_MILLIS} ms. In a pipe or a log file,
 * where each carriage return would become one more line, it prints a plain line at most every
 * {@value #PLAIN_LINE_SECONDS} s instead. Either way it prints the complete state a last time when
 * the work ends. Disabled bars print nothing. Not thread-safe: one command thread drives it.
 */
final class ProgressBar {

  /** Least time between two redraws in place, on a terminal. */
  static final long REDRAW_MILLIS = 100;

  /** Least time between two plain lines, when standard error is not a terminal. */
  static final long PLAIN_LINE_SECONDS = 5;

  private static final int WIDTH = 30;

  private final PrintStream err;
  private final String label;
  private final String unit;
  private long total;
  private final boolean enabled;
  private final boolean inPlace;
  private final LongSupplier nanoTime;
  private final long intervalNanos;
  private long done;
  private long lastDrawNanos;
  private boolean drawn;
  private final long startNanos;
  private boolean showRate;

  private ProgressBar(
      PrintStream err,
      String label,
      String unit,
      long total,
      boolean enabled,
      boolean inPlace,
      LongSupplier nanoTime) {
    this.err = err;
    this.label = label;
    this.unit = unit;
    this.total = Math.max(total, 0);
    this.enabled = enabled;
    this.inPlace = inPlace;
    this.nanoTime = nanoTime;
    this.intervalNanos = inPlace ? REDRAW_MILLIS * 1_000_000L : PLAIN_LINE_SECONDS * 1_000_000_000L;
    this.lastDrawNanos = enabled ? nanoTime.getAsLong() : 0;
    this.startNanos = lastDrawNanos;
  }

  /**
   * Makes the bar also show the rate since it started, in units per second (for example {@code
   * "1,234,567 events/s"}); returns this bar.
   */
  ProgressBar showingRate() {
    showRate = true;
    return this;
  }

  /**
   * A bar over {@code total} units, printing only when {@code enabled}: redrawn in place when
   * {@code inPlace} (standard error is a terminal), else as plain lines a few seconds apart.
   */
  static ProgressBar start(
      PrintStream err, String label, long total, boolean enabled, boolean inPlace) {
    return start(err, label, total, enabled, inPlace, System::nanoTime);
  }

  /** As {@link #start(PrintStream, String, long, boolean, boolean)}, on the given clock (nanos). */
  static ProgressBar start(
      PrintStream err,
      String label,
      long total,
      boolean enabled,
      boolean inPlace,
      LongSupplier nanoTime) {
    return new ProgressBar(err, label, "events", total, enabled, inPlace, nanoTime);
  }

  /**
   * A bar over {@code total} {@code unit}s (for example {@code "bytes"}) that is told where it is
   * with {@link #at(long, long)} rather than stepped.
   */
  static ProgressBar start(
      PrintStream err,
      String label,
      String unit,
      long total,
      boolean enabled,
      boolean inPlace,
      LongSupplier nanoTime) {
    return new ProgressBar(err, label, unit, total, enabled, inPlace, nanoTime);
  }

  /** Whether the bar prints. */
  boolean enabled() {
    return enabled;
  }

  /**
   * One more unit done; redraws when the last redraw is old enough (on a terminal the first step
   * draws at once; in a pipe the first line comes after one interval, so short work prints only its
   * final line).
   */
  void step() {
    done++;
    redraw();
  }

  /**
   * {@code done} of {@code total} units are done (the total may change, as when work reports its
   * own size); redraws as {@link #step()} does.
   */
  void at(long done, long total) {
    this.done = Math.max(done, 0);
    this.total = Math.max(total, 0);
    redraw();
  }

  private void redraw() {
    if (!enabled) {
      return;
    }
    long now = nanoTime.getAsLong();
    if ((inPlace && !drawn) || now - lastDrawNanos >= intervalNanos) {
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
    if (inPlace) {
      err.println();
    }
    err.flush();
  }

  private void draw() {
    drawn = true;
    long of = Math.max(total, done);
    int percent = of == 0 ? 100 : (int) (done * 100 / of);
    int filled = of == 0 ? WIDTH : (int) (done * WIDTH / of);
    StringBuilder b = new StringBuilder(inPlace ? "\r" : "").append(label).append(" [");
    for (int i = 0; i < WIDTH; i++) {
      b.append(i < filled ? '#' : '-');
    }
    b.append(String.format(Locale.ROOT, "] %3d%%  %,d/%,d %s", percent, done, of, unit));
    long elapsed = nanoTime.getAsLong() - startNanos;
    if (showRate && elapsed > 0) {
      b.append(String.format(Locale.ROOT, "  %,d %s/s", (long) (done * 1e9 / elapsed), unit));
    }
    if (inPlace) {
      err.print(b);
    } else {
      err.println(b);
    }
    err.flush();
  }
}
