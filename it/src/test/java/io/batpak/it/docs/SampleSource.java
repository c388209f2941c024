package io.batpak.it.docs;

import io.batpak.it.docs.MarkdownSamples.BadSampleException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Java source a sample stands for. Three shapes:
 *
 * <ul>
 *   <li><b>a fragment</b> (statements at the top level, the usual case): its {@code import} lines
 *       are hoisted, its top-level type declarations become static members of a generated class
 *       {@code Sample}, and its statements become the body of {@code public static void
 *       main(String[] args) throws Exception}. It runs.
 *   <li><b>a compilation unit</b> (only type declarations and imports, perhaps a {@code package}):
 *       compiled as written; it runs if one of its types declares {@code static void main(}, and is
 *       compile-only otherwise (there is nothing to run).
 *   <li><b>a module declaration</b> ({@code module name { ... }}): compiled on the module path, in
 *       a module that has an empty class in each package it opens or exports (the user's packages
 *       the declaration talks about). Never run.
 * </ul>
 *
 * Every line of generated source remembers the Markdown line it came from, so a compiler message
 * names the line in the document.
 *
 * @param units the compilation units, each a path relative to the source root and its lines
 * @param mainClass the binary name of the class to run, empty if there is none
 * @param moduleDeclaration whether this is a module declaration (compiled on the module path)
 */
record SampleSource(List<Unit> units, Optional<String> mainClass, boolean moduleDeclaration) {

  /** One generated file: its path relative to the source root, its lines and their origin. */
  record Unit(String path, List<String> lines, List<Integer> markdownLines) {
    Unit {
      lines = List.copyOf(lines);
      markdownLines = List.copyOf(markdownLines);
    }

    /** The Markdown line of 1-based source line {@code line}, or 0 if there is none. */
    int markdownLine(long line) {
      return line >= 1 && line <= markdownLines.size() ? markdownLines.get((int) line - 1) : 0;
    }
  }

  private static final Pattern TYPE =
      Pattern.compile(
          "^(?:@[\\w.]+(?:\\([^)]*\\))?\\s+)*"
              + "(?:(?:public|protected|private|static|final|abstract|sealed|non-sealed|strictfp)\\s+)*"
              + "(class|record|interface|enum|@interface)\\s+(\\w+)\\b.*");
  private static final Pattern MODULE = Pattern.compile("^(?:open\\s+)?module\\s+([\\w.]+)\\b.*");
  private static final Pattern ANNOTATION_ONLY = Pattern.compile("^@[\\w.]+(?:\\(.*\\))?\\s*$");
  private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+)\\s*;\\s*$");
  private static final Pattern OPENS_OR_EXPORTS =
      Pattern.compile("^\\s*(?:opens|exports)\\s+([\\w.]+)\\b.*");

  /** The name of the class a fragment is wrapped in. */
  static final String WRAPPER = "Sample";

  SampleSource {
    units = List.copyOf(units);
  }

  /** A run of consecutive sample lines, with what kind of thing they are. */
  private record Chunk(Kind kind, String typeName, List<Integer> indexes) {}

  private enum Kind {
    HEADER,
    TYPE,
    MODULE,
    STATEMENTS
  }

  /**
   * The source {@code sample} stands for.
   *
   * @throws BadSampleException if the sample mixes a module declaration with anything else, or has
   *     a {@code package} line in a fragment
   */
  static SampleSource of(MarkdownSample sample) {
    List<String> code = sample.code();
    List<Chunk> chunks = chunks(code);
    String packageName = "";
    List<Chunk> types = new ArrayList<>();
    List<Chunk> statements = new ArrayList<>();
    List<Integer> header = new ArrayList<>();
    Chunk module = null;
    for (Chunk c : chunks) {
      switch (c.kind()) {
        case HEADER -> {
          header.addAll(c.indexes());
          Matcher p = PACKAGE.matcher(code.get(c.indexes().get(0)).strip());
          if (p.matches()) {
            packageName = p.group(1);
          }
        }
        case TYPE -> types.add(c);
        case MODULE -> module = c;
        case STATEMENTS -> {
          if (c.indexes().stream().anyMatch(i -> isCode(code.get(i)))) {
            statements.add(c);
          }
        }
      }
    }
    if (module != null) {
      if (!types.isEmpty() || !statements.isEmpty()) {
        throw new BadSampleException(
            sample.where()
                + ": a module declaration shares its block with other code; give it a block of"
                + " its own");
      }
      return moduleDeclaration(sample, module);
    }
    if (statements.isEmpty() && !types.isEmpty()) {
      return compilationUnit(sample, packageName, types);
    }
    if (!packageName.isEmpty()) {
      throw new BadSampleException(
          sample.where()
              + ": a sample with statements at the top level is wrapped in a generated class and"
              + " cannot have a package line; remove it, or make the sample a whole class");
    }
    return fragment(sample, header, types, chunks);
  }

  private static SampleSource compilationUnit(
      MarkdownSample sample, String packageName, List<Chunk> types) {
    String fileType = types.get(0).typeName();
    String mainType = null;
    for (Chunk t : types) {
      String first = sample.code().get(t.indexes().get(0));
      if (first.contains("public ") && TYPE.matcher(first.strip()).matches()) {
        fileType = t.typeName();
      }
      if (t.indexes().stream().anyMatch(i -> sample.code().get(i).contains("static void main("))) {
        mainType = t.typeName();
      }
    }
    List<String> lines = new ArrayList<>();
    List<Integer> origin = new ArrayList<>();
    for (int i = 0; i < sample.code().size(); i++) {
      lines.add(sample.code().get(i));
      origin.add(sample.markdownLine(i));
    }
    String prefix = packageName.isEmpty() ? "" : packageName + ".";
    String dir = packageName.isEmpty() ? "" : packageName.replace('.', '/') + "/";
    return new SampleSource(
        List.of(new Unit(dir + fileType + ".java", lines, origin)),
        Optional.ofNullable(mainType).map(m -> prefix + m),
        false);
  }

  private static SampleSource fragment(
      MarkdownSample sample, List<Integer> header, List<Chunk> types, List<Chunk> chunks) {
    List<String> lines = new ArrayList<>();
    List<Integer> origin = new ArrayList<>();
    int fence = sample.line();
    for (int i : header) {
      lines.add(sample.code().get(i));
      origin.add(sample.markdownLine(i));
    }
    lines.add("");
    origin.add(fence);
    lines.add("public final class " + WRAPPER + " {");
    origin.add(fence);
    for (Chunk t : types) {
      boolean declared = false;
      for (int i : t.indexes()) {
        String line = sample.code().get(i);
        if (!declared && TYPE.matcher(line.strip()).matches()) {
          // A nested class needs static to be used from main; records, enums and interfaces are
          // static already, and the redundant modifier is legal for them.
          line = line.replaceFirst("^(\\s*)", "$1static ");
          declared = true;
        }
        lines.add("  " + line);
        origin.add(sample.markdownLine(i));
      }
    }
    lines.add("  public static void main(String[] args) throws Exception {");
    origin.add(fence);
    for (Chunk c : chunks) {
      if (c.kind() == Kind.STATEMENTS) {
        for (int i : c.indexes()) {
          lines.add("    " + sample.code().get(i));
          origin.add(sample.markdownLine(i));
        }
      }
    }
    lines.add("  }");
    origin.add(fence + sample.code().size() + 1);
    lines.add("}");
    origin.add(fence + sample.code().size() + 1);
    return new SampleSource(
        List.of(new Unit(WRAPPER + ".java", lines, origin)), Optional.of(WRAPPER), false);
  }

  private static SampleSource moduleDeclaration(MarkdownSample sample, Chunk module) {
    List<String> lines = new ArrayList<>();
    List<Integer> origin = new ArrayList<>();
    List<Unit> units = new ArrayList<>();
    for (int i = 0; i < sample.code().size(); i++) {
      String line = sample.code().get(i);
      lines.add(line);
      origin.add(sample.markdownLine(i));
      Matcher p = OPENS_OR_EXPORTS.matcher(line);
      if (p.matches()) {
        String pkg = p.group(1);
        units.add(
            new Unit(
                pkg.replace('.', '/') + "/PackageOfTheSample.java",
                List.of(
                    "package " + pkg + ";",
                    "/** Stands for the user's types in the package the declaration names. */",
                    "final class PackageOfTheSample {}"),
                List.of(sample.markdownLine(i), sample.markdownLine(i), sample.markdownLine(i))));
      }
    }
    units.add(0, new Unit("module-info.java", lines, origin));
    return new SampleSource(units, Optional.empty(), true);
  }

  /** Splits the lines into header, type, module and statement chunks by brace depth. */
  private static List<Chunk> chunks(List<String> code) {
    List<Chunk> chunks = new ArrayList<>();
    BraceCounter braces = new BraceCounter();
    List<Integer> pendingAnnotations = new ArrayList<>();
    Kind kind = null;
    String typeName = "";
    List<Integer> current = new ArrayList<>();
    for (int i = 0; i < code.size(); i++) {
      String line = code.get(i).strip();
      if (kind == null || (kind == Kind.STATEMENTS && braces.depth() == 0)) {
        Matcher type = TYPE.matcher(line);
        Matcher module = MODULE.matcher(line);
        Kind next;
        if (line.startsWith("import ") || PACKAGE.matcher(line).matches()) {
          next = Kind.HEADER;
        } else if (ANNOTATION_ONLY.matcher(line).matches()) {
          pendingAnnotations.add(i);
          braces.scan(code.get(i));
          continue;
        } else if (type.matches()) {
          next = Kind.TYPE;
          typeName = type.group(2);
        } else if (module.matches()) {
          next = Kind.MODULE;
        } else {
          next = Kind.STATEMENTS;
        }
        if (next != Kind.STATEMENTS || kind != Kind.STATEMENTS) {
          if (kind != null) {
            chunks.add(new Chunk(kind, "", current));
          }
          current = new ArrayList<>();
        }
        current.addAll(pendingAnnotations);
        pendingAnnotations.clear();
        kind = next;
      }
      current.add(i);
      braces.scan(code.get(i));
      boolean ended =
          switch (kind) {
            case HEADER -> true;
            case TYPE, MODULE -> braces.depth() == 0 && braces.opened();
            case STATEMENTS -> false;
          };
      if (ended) {
        chunks.add(new Chunk(kind, kind == Kind.TYPE ? typeName : "", current));
        current = new ArrayList<>();
        kind = null;
        braces.resetOpened();
      }
    }
    if (kind != null) {
      chunks.add(new Chunk(kind, kind == Kind.TYPE ? typeName : "", current));
    }
    if (!pendingAnnotations.isEmpty()) {
      chunks.add(new Chunk(Kind.STATEMENTS, "", pendingAnnotations));
    }
    return chunks;
  }

  private static boolean isCode(String line) {
    String s = line.strip();
    return !s.isEmpty() && !s.startsWith("//") && !s.startsWith("/*") && !s.startsWith("*");
  }

  /** Counts braces outside comments, string, text-block and character literals. */
  private static final class BraceCounter {
    private int depth;
    private boolean opened;
    private boolean inBlockComment;
    private boolean inTextBlock;

    int depth() {
      return depth;
    }

    boolean opened() {
      return opened;
    }

    void resetOpened() {
      opened = false;
    }

    void scan(String line) {
      int i = 0;
      while (i < line.length()) {
        if (inBlockComment) {
          int end = line.indexOf("*/", i);
          if (end < 0) {
            return;
          }
          inBlockComment = false;
          i = end + 2;
          continue;
        }
        if (inTextBlock) {
          int end = line.indexOf("\"\"\"", i);
          if (end < 0) {
            return;
          }
          inTextBlock = false;
          i = end + 3;
          continue;
        }
        char c = line.charAt(i);
        if (line.startsWith("//", i)) {
          return;
        } else if (line.startsWith("/*", i)) {
          inBlockComment = true;
          i += 2;
        } else if (line.startsWith("\"\"\"", i)) {
          inTextBlock = true;
          i += 3;
        } else if (c == '"' || c == '\'') {
          i = endOfLiteral(line, i, c);
        } else {
          if (c == '{') {
            depth++;
            opened = true;
          } else if (c == '}') {
            depth--;
          }
          i++;
        }
      }
    }

    private static int endOfLiteral(String line, int start, char quote) {
      int i = start + 1;
      while (i < line.length()) {
        char c = line.charAt(i);
        if (c == '\\') {
          i += 2;
        } else if (c == quote) {
          return i + 1;
        } else {
          i++;
        }
      }
      return i;
    }
  }
}
