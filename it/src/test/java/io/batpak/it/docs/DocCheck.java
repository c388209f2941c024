package io.batpak.it.docs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Issue 17: the documentation cannot drift from the code. Every {@code ```java} block in {@code
 * README.md}, {@code docs/**}{@code /*.md} and each module's {@code README.md} is a copy of a
 * region of a real source file that the build compiles and runs, and every relative Markdown link
 * names a file that exists.
 *
 * <p>The convention (docs/testing.md): the line right before a {@code ```java} fence is {@code <!--
 * sample: PATH#NAME -->}, PATH from the repository root to a {@code .java} file; in that file the
 * region is the lines strictly between {@code // sample:NAME} and {@code // end-sample:NAME}, NAME
 * unique in the file. The fence's lines must equal the region's lines, each side with its common
 * indentation removed and trailing blanks ignored.
 *
 * <p>{@link #check} returns one message per problem, each naming the Markdown file and line; an
 * empty list means the documents are in order. Pure: it only reads files under the root.
 */
final class DocCheck {
  static final Pattern MARKER = Pattern.compile("<!--\\s*sample:\\s*(\\S+)#(\\S+)\\s*-->");
  private static final Pattern LINK =
      Pattern.compile("\\[[^\\]]*\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");
  private static final Pattern FENCE = Pattern.compile("^\\s*(`{3,}|~{3,})\\s*(\\S*)");

  /** What one check found: the problems, and how many samples and links were compared. */
  record Result(List<String> problems, int samples, int links) {}

  private DocCheck() {}

  /**
   * The documents the build checks: {@code README.md}, every {@code .md} under {@code docs/}, and
   * the {@code README.md} of each directory just below the root that has a {@code pom.xml} (a
   * module), in a stable order.
   */
  static List<Path> documents(Path root) throws IOException {
    List<Path> docs = new ArrayList<>();
    Path readme = root.resolve("README.md");
    if (Files.isRegularFile(readme)) {
      docs.add(readme);
    }
    Path docsDir = root.resolve("docs");
    if (Files.isDirectory(docsDir)) {
      try (Stream<Path> s = Files.walk(docsDir)) {
        s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
      }
    }
    try (Stream<Path> s = Files.list(root)) {
      s.filter(d -> Files.isRegularFile(d.resolve("pom.xml")))
          .map(d -> d.resolve("README.md"))
          .filter(Files::isRegularFile)
          .sorted()
          .forEach(docs::add);
    }
    return docs;
  }

  /** Checks every document of {@link #documents}; every link must name an existing file. */
  static Result check(Path root) throws IOException {
    return check(root, Set.of());
  }

  /**
   * Checks every document of {@link #documents}. A link to one of {@code pending} (paths from the
   * root) may name a missing file: a page another branch adds. Once such a file exists, its entry
   * is reported as a problem, so the list cannot outlive its reason.
   */
  static Result check(Path root, Set<String> pending) throws IOException {
    List<String> problems = new ArrayList<>();
    for (String page : pending) {
      if (Files.exists(root.resolve(page))) {
        problems.add(
            page
                + " exists now: remove it from the pages still expected from other branches"
                + " (DocSamplesTest.PENDING_PAGES), so links to it are checked again");
      }
    }
    int samples = 0;
    int links = 0;
    for (Path doc : documents(root)) {
      Result r = checkDocument(root, doc, pending);
      problems.addAll(r.problems());
      samples += r.samples();
      links += r.links();
    }
    return new Result(problems, samples, links);
  }

  /** Checks one Markdown file: its {@code java} fences against their regions, and its links. */
  static Result checkDocument(Path root, Path doc, Set<String> pending) throws IOException {
    String name = root.relativize(doc).toString().replace('\\', '/');
    List<String> lines = Files.readAllLines(doc, StandardCharsets.UTF_8);
    List<String> problems = new ArrayList<>();
    int samples = 0;
    int links = 0;
    int i = 0;
    while (i < lines.size()) {
      Matcher open = FENCE.matcher(lines.get(i));
      if (!open.find() || isInlineCode(open, lines.get(i))) {
        links += checkLinks(root, doc, name, i + 1, lines.get(i), pending, problems);
        i++;
        continue;
      }
      String fence = open.group(1);
      int start = i;
      int end = start + 1;
      while (end < lines.size() && !lines.get(end).strip().startsWith(fence)) {
        end++;
      }
      if (end == lines.size()) {
        problems.add(name + ":" + (start + 1) + ": the code block is never closed");
        break;
      }
      if (open.group(2).equals("java")) {
        samples++;
        compareSample(root, name, lines, start, lines.subList(start + 1, end), problems);
      }
      i = end + 1;
    }
    return new Result(problems, samples, links);
  }

  /**
   * A line that starts with backticks whose rest holds a backtick is inline code, not a fence
   * (CommonMark: a backtick fence's info string has no backtick).
   */
  private static boolean isInlineCode(Matcher open, String line) {
    return open.group(1).charAt(0) == '`' && line.substring(open.end(1)).indexOf('`') >= 0;
  }

  private static void compareSample(
      Path root,
      String name,
      List<String> lines,
      int fenceLine,
      List<String> block,
      List<String> problems)
      throws IOException {
    String where = name + ":" + (fenceLine + 1);
    Matcher marker = fenceLine == 0 ? null : MARKER.matcher(lines.get(fenceLine - 1).strip());
    if (marker == null || !marker.matches()) {
      problems.add(
          where
              + ": a ```java block needs the line <!-- sample: PATH#NAME --> right before it,"
              + " naming the region of a compiled source file it shows (docs/testing.md)");
      return;
    }
    String path = marker.group(1);
    String region = marker.group(2);
    String sample = path + "#" + region;
    Path source = root.resolve(path).normalize();
    if (!source.startsWith(root) || !path.endsWith(".java") || !Files.isRegularFile(source)) {
      problems.add(
          where
              + ": sample "
              + sample
              + " names no .java file under the repository root; give the path from the root");
      return;
    }
    List<String> regionLines;
    try {
      regionLines = region(Files.readAllLines(source, StandardCharsets.UTF_8), region);
    } catch (IllegalArgumentException e) {
      problems.add(where + ": sample " + sample + ": " + e.getMessage());
      return;
    }
    List<String> expected = normalize(regionLines);
    List<String> actual = normalize(block);
    int n = Math.max(expected.size(), actual.size());
    for (int k = 0; k < n; k++) {
      String want = k < expected.size() ? expected.get(k) : "<end of region>";
      String got = k < actual.size() ? actual.get(k) : "<end of block>";
      if (!want.equals(got)) {
        problems.add(
            name
                + ":"
                + (fenceLine + 2 + k)
                + ": the block differs from sample "
                + sample
                + " at its line "
                + (k + 1)
                + "\n  markdown: "
                + got
                + "\n  source:   "
                + want
                + "\n  copy the region into the block (or fix the source and copy it again)");
        return;
      }
    }
  }

  /**
   * The lines strictly between {@code // sample:NAME} and {@code // end-sample:NAME}.
   *
   * @throws IllegalArgumentException naming what is wrong: no start, no end, or a second start
   */
  static List<String> region(List<String> source, String region) {
    String begin = "// sample:" + region;
    String end = "// end-sample:" + region;
    int from = -1;
    int to = -1;
    for (int i = 0; i < source.size(); i++) {
      String s = source.get(i).strip();
      if (s.equals(begin)) {
        if (from >= 0) {
          throw new IllegalArgumentException(
              "region " + region + " starts twice (lines " + (from + 1) + " and " + (i + 1) + ")");
        }
        from = i;
      } else if (s.equals(end) && from >= 0 && to < 0) {
        to = i;
      }
    }
    if (from < 0) {
      throw new IllegalArgumentException(
          "the file has no line '" + begin + "'; add the region or fix the marker's name");
    }
    if (to < 0) {
      throw new IllegalArgumentException(
          "region "
              + region
              + " starting at line "
              + (from + 1)
              + " has no '"
              + end
              + "' after it");
    }
    return source.subList(from + 1, to);
  }

  /** Lines without trailing blanks, without their common indentation, trailing blank lines cut. */
  static List<String> normalize(List<String> lines) {
    List<String> stripped = lines.stream().map(String::stripTrailing).toList();
    int indent =
        stripped.stream()
            .filter(s -> !s.isEmpty())
            .mapToInt(s -> s.length() - s.stripLeading().length())
            .min()
            .orElse(0);
    List<String> out = new ArrayList<>();
    for (String s : stripped) {
      out.add(s.isEmpty() ? s : s.substring(indent));
    }
    while (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
      out.remove(out.size() - 1);
    }
    return out;
  }

  private static int checkLinks(
      Path root,
      Path doc,
      String name,
      int lineNo,
      String line,
      Set<String> pending,
      List<String> problems) {
    int count = 0;
    Matcher m = LINK.matcher(line.replaceAll("`[^`]*`", ""));
    while (m.find()) {
      String target = m.group(1);
      if (target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*") || target.startsWith("#")) {
        continue; // a URL (https:, mailto:) or an anchor in the same page
      }
      count++;
      String file = target.replaceAll("[#?].*$", "");
      Path resolved = doc.getParent().resolve(file).normalize();
      String relative = root.relativize(resolved).toString().replace('\\', '/');
      if (!resolved.startsWith(root) || !Files.exists(resolved) && !pending.contains(relative)) {
        problems.add(
            name
                + ":"
                + lineNo
                + ": the link ("
                + target
                + ") names "
                + relative
                + ", which does not exist; fix the path (relative to this file)");
      }
    }
    return count;
  }
}
