package io.batpak.it.docs;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the fenced {@code java} blocks of a Markdown text and reads the marker comment before each.
 *
 * <p>The convention: a block opens with a line {@code ```java} (nothing else after {@code java})
 * and closes with a line {@code ```}. The nearest non-blank line before the opening fence may be a
 * marker:
 *
 * <ul>
 *   <li>{@code <!-- sample: compile-only -->}: the block is compiled, not run;
 *   <li>{@code <!-- sample: skip (reason) -->}: the block is neither compiled nor run, and the test
 *       lists it with its reason; the reason may not be empty.
 * </ul>
 *
 * A block that is not {@code java} may be marked {@code <!-- sample: resource <path> -->}: its
 * lines become the file {@code <path>} (relative to the class path root, for example {@code
 * META-INF/services/io.batpak.spi.CodecProvider}) on the class path of the {@code java} sample
 * before it, as a user's build would package them. A resource with no sample before it, or after a
 * skipped one, is a {@link BadSampleException}.
 *
 * <p>Any other {@code <!-- sample: ... -->} comment, a skip without a reason, a {@code java} fence
 * with words after it, or a block that never closes is a {@link BadSampleException} naming the file
 * and line: a mistyped marker must not quietly turn a sample into one that runs, or into one that
 * does not.
 */
final class MarkdownSamples {
  private static final Pattern OPEN_JAVA = Pattern.compile("^\\s{0,3}```\\s*java\\b(.*)$");
  private static final Pattern ANY_FENCE = Pattern.compile("^\\s{0,3}```.*$");
  private static final Pattern MARKER = Pattern.compile("^\\s*<!--\\s*sample:(.*?)-->\\s*$");
  private static final Pattern REGION = Pattern.compile("^[A-Za-z0-9_./-]+\\.java#[A-Za-z0-9_-]+$");
  private static final Pattern SKIP = Pattern.compile("^skip\\s*\\((.*)\\)$");
  private static final Pattern RESOURCE =
      // Relative segments of letters, digits, '_', '.' and '-', none of them "." or "..".
      Pattern.compile(
          "^resource\\s+((?!\\.\\.?(?:/|$))[A-Za-z0-9_.-]+(?:/(?!\\.\\.?(?:/|$))[A-Za-z0-9_.-]+)*)$");

  private MarkdownSamples() {}

  /** A Markdown text breaks the sample convention; the message names the file and line. */
  static final class BadSampleException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BadSampleException(String message) {
      super(message);
    }
  }

  /**
   * Every {@code java} block of {@code markdown}, in order.
   *
   * @param file the file's name in messages, relative to the repository root
   * @param markdown the whole text of the file
   * @throws BadSampleException if the text breaks the convention described on this class
   */
  static List<MarkdownSample> find(String file, String markdown) {
    List<String> lines = markdown.lines().toList();
    List<MarkdownSample> samples = new ArrayList<>();
    int i = 0;
    while (i < lines.size()) {
      String line = lines.get(i);
      if (!ANY_FENCE.matcher(line).matches()) {
        i++;
        continue;
      }
      int close = closingFence(lines, i);
      if (close < 0) {
        throw new BadSampleException(
            file + ":" + (i + 1) + ": a code block opens here and never closes; add a line ```");
      }
      Matcher java = OPEN_JAVA.matcher(line);
      if (java.matches()) {
        String rest = java.group(1).trim();
        if (!rest.isEmpty()) {
          throw new BadSampleException(
              file
                  + ":"
                  + (i + 1)
                  + ": a java block's fence has \""
                  + rest
                  + "\" after java; write ```java alone and put a marker comment"
                  + " (<!-- sample: compile-only --> or <!-- sample: skip (reason) -->) on the"
                  + " line before it");
        }
        samples.add(sample(file, lines, i, close));
      } else {
        Optional<Integer> marker = markerBefore(lines, i);
        if (marker.isPresent()) {
          attachResource(file, lines, marker.get(), i, close, samples);
        }
      }
      i = close + 1;
    }
    return samples;
  }

  /**
   * Adds the block between {@code open} and {@code close}, marked as a resource on line {@code
   * markerLine}, to the last sample of {@code samples}.
   */
  private static void attachResource(
      String file,
      List<String> lines,
      int markerLine,
      int open,
      int close,
      List<MarkdownSample> samples) {
    Matcher m = MARKER.matcher(lines.get(markerLine - 1));
    if (!m.matches()) {
      throw new IllegalStateException("markerBefore returned a line that is not a marker");
    }
    Matcher resource = RESOURCE.matcher(m.group(1).trim());
    if (!resource.matches()) {
      throw new BadSampleException(
          file
              + ":"
              + markerLine
              + ": a sample marker stands before a block that is not ```java; only"
              + " <!-- sample: resource <path> --> may (a relative path such as"
              + " META-INF/services/io.batpak.spi.CodecProvider)");
    }
    if (samples.isEmpty() || samples.get(samples.size() - 1).mode() == MarkdownSample.Mode.SKIP) {
      throw new BadSampleException(
          file
              + ":"
              + markerLine
              + ": a resource block belongs to the ```java sample before it, and there is "
              + (samples.isEmpty() ? "none" : "only a skipped one"));
    }
    int last = samples.size() - 1;
    samples.set(
        last, samples.get(last).withResource(resource.group(1), lines.subList(open + 1, close)));
  }

  private static int closingFence(List<String> lines, int open) {
    for (int j = open + 1; j < lines.size(); j++) {
      if (lines.get(j).strip().equals("```")) {
        return j;
      }
    }
    return -1;
  }

  private static MarkdownSample sample(String file, List<String> lines, int open, int close) {
    List<String> code = lines.subList(open + 1, close);
    int fenceLine = open + 1;
    Optional<Integer> markerLine = markerBefore(lines, open);
    if (markerLine.isEmpty()) {
      return new MarkdownSample(file, fenceLine, code, MarkdownSample.Mode.RUN, "");
    }
    Matcher m = MARKER.matcher(lines.get(markerLine.get() - 1));
    if (!m.matches()) {
      throw new IllegalStateException("markerBefore returned a line that is not a marker");
    }
    String what = m.group(1).trim();
    if (what.equals("compile-only")) {
      return new MarkdownSample(file, fenceLine, code, MarkdownSample.Mode.COMPILE_ONLY, "");
    }
    Matcher skip = SKIP.matcher(what);
    if (skip.matches() && !skip.group(1).isBlank()) {
      return new MarkdownSample(
          file, fenceLine, code, MarkdownSample.Mode.SKIP, skip.group(1).strip());
    }
    if (REGION.matcher(what).matches()) {
      // Issue 17's region convention (<!-- sample: PATH#NAME -->): the block is a copy of a region
      // of a source file its own build compiles and runs; the region checker holds it to it.
      return new MarkdownSample(
          file, fenceLine, code, MarkdownSample.Mode.SKIP, "a copy of the region " + what);
    }
    if (what.startsWith("skip")) {
      throw new BadSampleException(
          file
              + ":"
              + markerLine.get()
              + ": a skipped sample needs its reason in parentheses, as"
              + " <!-- sample: skip (why it cannot compile or run) -->; found \""
              + what
              + "\"");
    }
    throw new BadSampleException(
        file
            + ":"
            + markerLine.get()
            + ": unknown sample marker \""
            + what
            + "\"; the markers are <!-- sample: compile-only --> and"
            + " <!-- sample: skip (reason) --> (and <!-- sample: resource <path> --> before a"
            + " block that is not java)");
  }

  /** The 1-based line of a marker comment that is the nearest non-blank line before {@code at}. */
  private static Optional<Integer> markerBefore(List<String> lines, int at) {
    for (int j = at - 1; j >= 0; j--) {
      String l = lines.get(j);
      if (l.isBlank()) {
        continue;
      }
      return MARKER.matcher(l).matches() ? Optional.of(j + 1) : Optional.empty();
    }
    return Optional.empty();
  }
}
