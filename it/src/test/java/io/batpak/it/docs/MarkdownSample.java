package io.batpak.it.docs;

import java.util.List;

/**
 * One fenced {@code java} block of a Markdown file, with what its marker comment asks for.
 *
 * @param file the Markdown file, relative to the repository root (for example {@code README.md})
 * @param line the 1-based line of the opening fence in that file
 * @param code the lines between the fences; {@code code.get(i)} is line {@code line + 1 + i}
 * @param mode what the build does with the block
 * @param skipReason why the block is skipped; empty unless {@code mode} is {@link Mode#SKIP}
 */
record MarkdownSample(String file, int line, List<String> code, Mode mode, String skipReason) {

  /** What the build does with a sample. */
  enum Mode {
    /** Compiled, then run in a child JVM (the default). */
    RUN,
    /** Compiled, not run ({@code <!-- sample: compile-only -->}). */
    COMPILE_ONLY,
    /**
     * Neither compiled nor run ({@code <!-- sample: skip (reason) -->}); listed with its reason.
     */
    SKIP
  }

  MarkdownSample {
    code = List.copyOf(code);
  }

  /** The Markdown line of code line {@code index} (0-based). */
  int markdownLine(int index) {
    return line + 1 + index;
  }

  /** {@code file:line}, the name of the sample in every message. */
  String where() {
    return file + ":" + line;
  }
}
