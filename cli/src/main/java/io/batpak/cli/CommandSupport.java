package io.batpak.cli;

import io.batpak.Bytes;
import io.batpak.EventHeader;
import io.batpak.OpenReport;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.function.Predicate;

/** What several commands share: finding and opening a store, paging and formatting. */
final class CommandSupport {

  /** Events read per page when walking the whole store. */
  static final int PAGE = 1000;

  private CommandSupport() {}

  /**
   * The store directory named on the command line, which must exist and hold a store (a segment
   * file): a command never creates a store, and one run on another directory (a serve member's
   * directory instead of its {@code store}, a typo's parent) must say so rather than report an
   * empty store.
   */
  static Path existingDirectory(String argument) throws UsageException {
    Path dir = Paths.get(argument).toAbsolutePath().normalize();
    if (!Files.exists(dir)) {
      throw new UsageException(
          "there is no directory "
              + dir
              + "; give the data directory of a store (for example the one 'batpak demo' made)");
    }
    if (!Files.isDirectory(dir)) {
      throw new UsageException(
          dir + " is a file, not a store directory; give the directory that holds the segments");
    }
    try {
      if (!holdsSegments(dir)) {
        throw new UsageException(
            dir
                + " holds no store (no segment file *.seg); give a store's data directory (for"
                + " example the one 'batpak demo' made; a serve member keeps its store in"
                + " <dir>/store)");
      }
    } catch (java.io.IOException e) {
      throw new UsageException(
          "cannot list " + dir + " (" + e + "); give a store directory this user may read");
    }
    return dir;
  }

  /** Whether the directory {@code dir} holds segment files ({@code *.seg}): a store's own. */
  static boolean holdsSegments(Path dir) throws java.io.IOException {
    try (java.util.stream.Stream<Path> files = Files.list(dir)) {
      return files.anyMatch(f -> f.getFileName().toString().endsWith(".seg"));
    }
  }

  /** Opens the store in {@code dir} read-only: no truncation, no writes, a shared lock. */
  static Store openReadOnly(Path dir) {
    return Store.open(StoreConfig.builder(dir).readOnly(true).build());
  }

  /**
   * Calls {@code action} for every visible event with global sequence above {@code after}, in
   * global order, a page at a time, until the end or until {@code action} returns false.
   */
  static void forEachEvent(Store store, long after, Predicate<EventHeader> action) {
    long cursor = after;
    while (true) {
      List<EventHeader> page = store.queryAfter(Region.all(), cursor, PAGE);
      if (page.isEmpty()) {
        return;
      }
      for (EventHeader h : page) {
        if (!action.test(h)) {
          return;
        }
      }
      cursor = page.get(page.size() - 1).globalSequence();
      if (page.size() < PAGE) {
        return;
      }
    }
  }

  /** The first 4 bytes of a hash in hex, enough to tell hashes apart by eye. */
  static String shortHash(Bytes hash) {
    String hex = hash.toHex();
    return hex.length() <= 8 ? hex : hex.substring(0, 8);
  }

  /**
   * The name of segment {@code segmentId} as the open report lists it, or {@code "segment N"} when
   * no listed file carries that number.
   */
  static String segmentName(OpenReport report, long segmentId) {
    for (String segment : report.segments()) {
      String name = Paths.get(segment).getFileName().toString();
      OptionalLong number = leadingNumber(name);
      if (number.isPresent() && number.getAsLong() == segmentId) {
        return segment;
      }
    }
    return "segment " + segmentId;
  }

  /** The size of a segment the open report lists, if it can be found in {@code dir}. */
  static OptionalLong segmentSize(Path dir, String segment) {
    Path p = Paths.get(segment);
    Path file = p.isAbsolute() ? p : dir.resolve(p);
    try {
      return Files.isRegularFile(file) ? OptionalLong.of(Files.size(file)) : OptionalLong.empty();
    } catch (IOException e) {
      return OptionalLong.empty();
    }
  }

  /** The first run of digits in {@code name}, if any. */
  private static OptionalLong leadingNumber(String name) {
    int start = 0;
    while (start < name.length() && !Character.isDigit(name.charAt(start))) {
      start++;
    }
    int end = start;
    while (end < name.length() && Character.isDigit(name.charAt(end)) && end - start < 18) {
      end++;
    }
    if (end == start) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(Long.parseLong(name.substring(start, end)));
  }

  /** {@code 1 event}, {@code 2 events}. */
  static String count(long n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }

  /** {@code 12,345 bytes (12.1 KiB)}. */
  static String bytes(long n) {
    String exact = String.format(Locale.ROOT, "%,d bytes", n);
    if (n < 1024) {
      return exact;
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = n;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return exact + String.format(Locale.ROOT, " (%.1f %s)", v, units[u]);
  }

  /** Microseconds as {@code 1.234 ms}. */
  static String micros(long micros) {
    return String.format(Locale.ROOT, "%.3f ms", micros / 1000.0);
  }

  /**
   * A store exception's message without the advice to run {@code batpak verify} or {@code repair},
   * for commands that are already doing that.
   */
  static String withoutAdvice(String message) {
    int advice = message.indexOf(". Run 'batpak ");
    return advice > 0 ? message.substring(0, advice) : message;
  }

  /** A one-line description of the open report's torn tail, or {@code "none"}. */
  static String tornTail(OpenReport report) {
    if (report.tornTail().isEmpty()) {
      return "none";
    }
    OpenReport.TornTail t = report.tornTail().get();
    return t.bytes()
        + " bytes at offset "
        + t.offset()
        + " of "
        + t.file()
        + " ("
        + t.reason()
        + "), "
        + (t.truncated()
            ? "cut off by this open"
            : "skipped by this read-only open (the next writable open cuts it)");
  }
}
