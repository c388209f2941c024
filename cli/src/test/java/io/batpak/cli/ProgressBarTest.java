package io.batpak.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The progress bar in a pipe writes a few plain lines, not one carriage-return update per redraw;
 * on a terminal it still redraws in place. Time comes from a fake clock the test advances per step,
 * so the number of lines follows from the simulated duration, never from the machine's speed.
 */
class ProgressBarTest {

  private static final long STEPS = 1_000_000;

  /** Simulated time per step: 1 M steps take 20 s. */
  private static final long NANOS_PER_STEP = 20_000;

  private final long[] now = {0};
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);

  private String run(boolean inPlace, long nanosPerStep) {
    ProgressBar bar = ProgressBar.start(err, "verifying", STEPS, true, inPlace, () -> now[0]);
    for (long i = 0; i < STEPS; i++) {
      now[0] += nanosPerStep;
      bar.step();
    }
    bar.finish();
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aRedirectedMillionStepRunWritesAFewPlainLines() {
    String out = run(false, NANOS_PER_STEP);
    assertFalse(out.contains("\r"), "a carriage return in redirected output: " + out);
    List<String> lines = out.lines().toList();
    long seconds = STEPS * NANOS_PER_STEP / 1_000_000_000L;
    long most = seconds / ProgressBar.PLAIN_LINE_SECONDS + 1;
    assertTrue(
        lines.size() >= 2 && lines.size() <= most,
        "expected between 2 and " + most + " lines over " + seconds + " s, got: " + out);
    assertTrue(out.endsWith(System.lineSeparator()), "the last line is ended: " + out);
    for (String line : lines) {
      assertTrue(line.startsWith("verifying ["), "a line that is not progress: " + line);
    }
    assertTrue(
        lines.get(lines.size() - 1).endsWith("100%  1,000,000/1,000,000 events"),
        "the final line shows the complete state: " + out);
    assertFalse(lines.get(0).contains("100%"), "an intermediate line shows progress: " + out);
  }

  @Test
  void redirectedShortWorkPrintsOnlyTheFinalLine() {
    String out = run(false, 0);
    assertEquals(
        List.of("verifying [##############################] 100%  1,000,000/1,000,000 events"),
        out.lines().toList());
  }

  @Test
  void onATerminalTheBarRedrawsInPlaceAtMostEveryRedrawInterval() {
    String out = run(true, NANOS_PER_STEP);
    long redraws = out.chars().filter(c -> c == '\r').count();
    long intervals = STEPS * NANOS_PER_STEP / (ProgressBar.REDRAW_MILLIS * 1_000_000L);
    assertTrue(
        redraws >= 2 && redraws <= intervals + 2,
        "expected at most " + (intervals + 2) + " redraws, got " + redraws);
    assertEquals(
        1, out.chars().filter(c -> c == '\n').count(), "one line, ended once at the finish");
    assertTrue(
        out.endsWith("100%  1,000,000/1,000,000 events" + System.lineSeparator()),
        "the bar ends complete");
  }

  @Test
  void aDisabledBarPrintsNothing() {
    ProgressBar bar = ProgressBar.start(err, "verifying", STEPS, false, false, () -> now[0]);
    for (int i = 0; i < 1000; i++) {
      now[0] += 10_000_000_000L;
      bar.step();
    }
    bar.finish();
    assertEquals("", bytes.toString(StandardCharsets.UTF_8));
  }

  /** With the rate shown, the final line says events per second over the simulated time. */
  @Test
  void theRateIsTheUnitsDoneOverTheTimeSinceTheStart() {
    ProgressBar bar =
        ProgressBar.start(err, "verifying", STEPS, true, false, () -> now[0]).showingRate();
    for (long i = 0; i < STEPS; i++) {
      now[0] += NANOS_PER_STEP; // 1 M steps in 20 s: 50,000 per second
      bar.at(i + 1, STEPS);
    }
    bar.finish();
    List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
    assertEquals(
        "verifying [##############################] 100%  1,000,000/1,000,000 events"
            + "  50,000 events/s",
        lines.get(lines.size() - 1));
  }
}
