package io.batpak.cli;

import io.batpak.CopyReport;
import io.batpak.CopyReport.Sharing;
import io.batpak.Store;
import io.batpak.StoreStats;
import io.batpak.ValidationException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Set;

/**
 * {@code batpak snapshot <dir> <dest>} and {@code batpak fork <dir> <dest>}: publish a consistent
 * copy of a store as a new directory (docs/operations.md). The source is opened read-only, so it is
 * never written; a writer holding the store open elsewhere makes the command refuse (the lock).
 */
final class CopyCommand implements Command {
  /** Publishes the copy without verifying it. */
  static final String NO_VERIFY = "--no-verify";

  private final boolean fork;

  /**
   * The command.
   *
   * @param fork {@code fork} (share sealed segments) rather than {@code snapshot} (copy all)
   */
  CopyCommand(boolean fork) {
    this.fork = fork;
  }

  @Override
  public String name() {
    return fork ? "fork" : "snapshot";
  }

  @Override
  public String summary() {
    return fork
        ? "copy a store for a second writer, sharing its sealed segments (hard link, reflink)"
        : "publish a consistent backup copy of a store as a new directory";
  }

  @Override
  public String help() {
    String common =
        "The store in dir is opened read-only (a shared lock: stop any writer first) and copied\n"
            + "at its durable watermark into a temporary directory beside dest, every file and\n"
            + "the directory synced, then renamed to dest and dest's parent synced. dest must not\n"
            + "exist (not even as a symbolic link) and its parent must; it may not be dir or lie\n"
            + "inside it. A failure, a full device included, publishes nothing and removes the\n"
            + "temporary directory. A stopped command (Ctrl-C, SIGTERM) or a crash publishes\n"
            + "nothing either, but can leave the temporary directory (.NAME.batpak-tmp-N beside\n"
            + "dest), which is safe to delete. The copy opens as an ordinary store.\n\n"
            + "Then the copy is verified as 'batpak verify' would (every frame's CRC, hashes and\n"
            + "chain links): a copy takes the source's events as they are, damage included, so a\n"
            + "damaged copy is reported (exit 1) and left in place for you to inspect or remove.\n"
            + NO_VERIFY
            + " skips this.\n";
    if (fork) {
      return "usage: batpak fork <dir> <dest> [--no-verify]\n\n"
          + common
          + "\nSealed segments, which are never written again, are shared with the source: by\n"
          + "reflink where the file system can share blocks (Btrfs, XFS), else by hard link,\n"
          + "else copied; the newest segment is always copied. Appends to the fork never show\n"
          + "in the source, nor the source's in the fork.\n\n"
          + EXIT_CODES;
    }
    return "usage: batpak snapshot <dir> <dest> [--no-verify]\n\n"
        + common
        + "\nEvery segment is copied (the newest up to its synced end), so the backup shares\n"
        + "nothing with the source. For a cheap copy on the same file system, use 'fork'.\n\n"
        + EXIT_CODES;
  }

  private static final String EXIT_CODES =
      "exit codes: 0 published (and intact, unless "
          + NO_VERIFY
          + "), 1 failed (nothing published) or\n"
          + "published with damage found, 2 usage error or a refused destination (nothing done)\n";

  @Override
  public Set<String> switchOptions() {
    return Set.of(NO_VERIFY);
  }

  @Override
  public int run(Args args, Terminal t) throws UsageException {
    args.expectPositionals(2, 2, "a store directory and a destination");
    Path dir = CommandSupport.existingDirectory(args.positionals().get(0));
    Path dest = Paths.get(args.positionals().get(1)).toAbsolutePath().normalize();
    refuseDestination(dir, dest); // before anything is said or opened (the store checks again)
    PrintStream err = t.err();
    CopyReport r;
    try (Store store = CommandSupport.openReadOnly(dir)) {
      StoreStats stats = store.stats();
      err.println(
          name()
              + ": copying "
              + CommandSupport.count(stats.eventCount(), "event")
              + " in "
              + CommandSupport.count(stats.segmentCount(), "segment")
              + " ("
              + CommandSupport.bytes(stats.journalBytes())
              + ") from "
              + dir
              + " to "
              + dest);
      try {
        r = fork ? store.fork(dest) : store.snapshot(dest);
      } catch (ValidationException e) {
        throw new UsageException(e.getMessage());
      }
    }
    t.out().println(summary(dir, r));
    if (args.has(NO_VERIFY)) {
      return Main.OK;
    }
    err.println(name() + ": verifying the copy (" + NO_VERIFY + " skips this)");
    int verified = VerifyCommand.verify(r.destination(), t);
    if (verified != Main.OK) {
      err.println(
          name()
              + ": the copy "
              + r.destination()
              + " was published with the damage above, which it took from "
              + dir
              + ": check the source with 'batpak verify "
              + dir
              + "', repair or restore it, then remove the copy and take a new one.");
    }
    return verified;
  }

  /** The destination checks a user gets wrong, so that nothing announces a copy it refuses. */
  private void refuseDestination(Path dir, Path dest) throws UsageException {
    String what = name() + " destination " + dest;
    if (Files.exists(dest, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      throw new UsageException(
          what
              + " already exists; a "
              + name()
              + " never replaces or writes through anything: remove it or name a new directory");
    }
    if (dest.startsWith(dir)) {
      throw new UsageException(
          what + " lies inside the store's directory " + dir + "; name one outside it");
    }
    if (dir.startsWith(dest)) {
      throw new UsageException(
          what + " contains the store's directory " + dir + "; name a new directory");
    }
    Path parent = dest.getParent();
    if (parent == null || !Files.isDirectory(parent)) {
      throw new UsageException(
          what + ": its parent directory " + parent + " does not exist; create it first");
    }
  }

  private String summary(Path dir, CopyReport r) {
    StringBuilder b = new StringBuilder();
    b.append(fork ? "forked " : "snapshot of ")
        .append(dir)
        .append(" published as ")
        .append(r.destination())
        .append(": ")
        .append(CommandSupport.count(r.watermark(), "event"))
        .append(" (every event below global sequence ")
        .append(r.watermark())
        .append("), ")
        .append(CommandSupport.count(r.segments().size(), "segment"))
        .append(", ")
        .append(CommandSupport.bytes(r.bytes()))
        .append("; ")
        .append(CommandSupport.bytes(r.bytesWritten()))
        .append(" written");
    if (fork) {
      b.append("; segments reflinked: ")
          .append(r.count(Sharing.REFLINK))
          .append(", hard-linked: ")
          .append(r.count(Sharing.HARD_LINK))
          .append(", copied: ")
          .append(r.count(Sharing.COPY));
    }
    return b.toString();
  }
}
