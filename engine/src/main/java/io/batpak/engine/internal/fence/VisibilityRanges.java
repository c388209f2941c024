package io.batpak.engine.internal.fence;

import io.batpak.engine.internal.artifact.AuthorityFile;
import io.batpak.engine.internal.artifact.BodyInput;
import io.batpak.port.StoreFs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The visibility-ranges file {@code visibility.ranges} (docs/format.md "Visibility ranges", ADR
 * 0015): a checkpoint of the journal's fence frames, holding the cancelled ranges and how many
 * global sequences it is complete up to. It is never authoritative: the fence frames are. An open
 * checks it against the ranges the journal gave; a missing, damaged or disagreeing file is
 * reported, logged and rebuilt, never an open failure, and never believed beyond the journal.
 *
 * <pre>
 * body, version 1:
 *   u64  complete up to W: the ranges of global sequences 0 .. W-1
 *   u32  n, the number of ranges
 *   n ×  u64 start, u64 end: a half-open range [start, end), sorted, not touching, end <= W
 * </pre>
 */
public final class VisibilityRanges {
  /** The file's name in the store directory. */
  public static final String FILE = "visibility.ranges";

  /** Its kind: magic {@code 89 42 50 4B 56 52 47 0A}, body version 1. */
  public static final AuthorityFile.Kind KIND =
      new AuthorityFile.Kind(
          "visibility-ranges file",
          new byte[] {(byte) 0x89, 'B', 'P', 'K', 'V', 'R', 'G', 0x0A},
          1);

  private VisibilityRanges() {}

  /**
   * What the file holds.
   *
   * @param completeUpTo the global sequences it covers, 0 .. completeUpTo-1
   * @param ranges the cancelled ranges among them
   */
  public record Content(long completeUpTo, CancelledRanges ranges) {}

  /**
   * Publishes the file through {@code fs} ({@link AuthorityFile#publish}: temp file, {@link
   * StoreFs#publish}).
   *
   * @throws IOException naming the step that failed
   */
  public static void publish(StoreFs fs, Path directory, Content content) throws IOException {
    List<CancelledRanges.Range> ranges = content.ranges().ranges();
    AuthorityFile.publish(
        fs,
        directory.resolve(FILE),
        KIND,
        out -> {
          out.putLong(content.completeUpTo()).putInt(ranges.size());
          for (CancelledRanges.Range r : ranges) {
            out.putLong(r.start()).putLong(r.end());
          }
        });
  }

  /**
   * Reads the file.
   *
   * @return its content, or null if there is none
   * @throws Damaged if it cannot be believed (the message names the file and what is wrong)
   * @throws io.batpak.UnsupportedFormatException if it is of a newer version
   * @throws IOException if reading fails
   */
  public static Content read(StoreFs fs, Path directory) throws IOException, Damaged {
    Path file = directory.resolve(FILE);
    AuthorityFile.Opened opened = AuthorityFile.open(fs, file, KIND);
    if (opened instanceof AuthorityFile.Missing) {
      return null;
    }
    if (opened instanceof AuthorityFile.Damaged d) {
      throw new Damaged(d.reason());
    }
    try (BodyInput in = ((AuthorityFile.Found) opened).body()) {
      long upTo = in.getLong();
      int n = in.getInt();
      if (upTo < 0 || n < 0 || n > in.remaining() / 16) {
        throw new Damaged(file + ": " + n + " ranges complete up to " + upTo);
      }
      List<CancelledRanges.Range> list = new ArrayList<>(n);
      long previousEnd = -1;
      for (int i = 0; i < n; i++) {
        long start = in.getLong();
        long end = in.getLong();
        if (start <= previousEnd || end <= start || end > upTo) {
          String crc = in.finish();
          throw new Damaged(
              crc != null
                  ? crc
                  : file + ": range " + i + " [" + start + ", " + end + ") is out of order");
        }
        list.add(new CancelledRanges.Range(start, end));
        previousEnd = end;
      }
      String problem = in.finish();
      if (problem != null) {
        throw new Damaged(problem);
      }
      return new Content(upTo, CancelledRanges.of(list));
    } catch (BodyInput.Truncated e) {
      throw new Damaged(e.getMessage());
    }
  }

  /** A file that cannot be believed. */
  public static final class Damaged extends Exception {
    private static final long serialVersionUID = 1L;

    Damaged(String why) {
      super(why, null, false, false);
    }
  }

  /**
   * On open: checks the file against {@code journal}, the cancelled ranges the journal's fence
   * frames gave for its {@code events} global sequences. A file that is missing (while the journal
   * holds ranges), damaged, claims more than the journal holds, or disagrees with it is reported in
   * {@code notes}; on a mutable open the file is then rewritten from the journal, and also when it
   * is merely behind (a crash after a cancel frame and before the file's publish).
   *
   * @throws IOException if rewriting fails (the caller logs it; the journal still holds the ranges)
   */
  public static void reconcile(
      StoreFs fs,
      Path directory,
      CancelledRanges journal,
      long events,
      boolean mutable,
      List<String> notes)
      throws IOException {
    Path file = directory.resolve(FILE);
    String problem = null;
    boolean rewrite;
    Content found;
    try {
      found = read(fs, directory);
    } catch (Damaged e) {
      found = null;
      problem = e.getMessage();
    }
    if (found == null) {
      if (problem == null && !journal.isEmpty()) {
        problem = file + " is missing";
      }
      rewrite = problem != null;
    } else if (found.completeUpTo() > events) {
      problem =
          file
              + " claims to be complete up to global sequence "
              + found.completeUpTo()
              + ", beyond the journal's "
              + events;
      rewrite = true;
    } else if (!found.ranges().equals(journal.below(found.completeUpTo()))) {
      problem =
          file
              + " holds cancelled ranges "
              + found.ranges()
              + " where the journal's fence frames give "
              + journal.below(found.completeUpTo());
      rewrite = true;
    } else {
      rewrite = !found.ranges().equals(journal);
    }
    if (problem != null) {
      notes.add(
          problem
              + "; the cancelled ranges were rebuilt from the journal's fence frames"
              + (mutable ? " and the file rewritten" : ""));
    }
    if (rewrite && mutable) {
      publish(fs, directory, new Content(events, journal));
    }
  }
}
