package io.batpak.it.docs;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One fenced {@code java} block of a Markdown file, with what its marker comment asks for.
 *
 * @param file the Markdown file, relative to the repository root (for example {@code README.md})
 * @param line the 1-based line of the opening fence in that file
 * @param code the lines between the fences; {@code code.get(i)} is line {@code line + 1 + i}
 * @param mode what the build does with the block
 * @param skipReason why the block is skipped; empty unless {@code mode} is {@link Mode#SKIP}
 * @param resources files the sample's run has on its class path, by path relative to the class path
 *     root (for example {@code META-INF/services/io.batpak.spi.CodecProvider}), each the lines of a
 *     block marked {@code <!-- sample: resource <path> -->} after the sample
 */
record MarkdownSample(
    String file,
    int line,
    List<String> code,
    Mode mode,
    String skipReason,
    Map<String, List<String>> resources) {

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
    resources = Map.copyOf(resources);
  }

  /** A sample without resources. */
  MarkdownSample(String file, int line, List<String> code, Mode mode, String skipReason) {
    this(file, line, code, mode, skipReason, Map.of());
  }

  /** This sample with resource {@code path} holding {@code lines} too. */
  MarkdownSample withResource(String path, List<String> lines) {
    Map<String, List<String>> more = new LinkedHashMap<>(resources);
    more.put(path, List.copyOf(lines));
    return new MarkdownSample(file, line, code, mode, skipReason, more);
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
