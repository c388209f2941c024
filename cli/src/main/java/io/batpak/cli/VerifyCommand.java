package io.batpak.cli;

import io.batpak.CorruptStoreException;
import io.batpak.OpenReport;
import io.batpak.Store;
import io.batpak.StoreStats;
import io.batpak.StoreVerification;
import io.batpak.engine.FrameLocation;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code batpak verify <dir>}: checks every visible event of a store, read-only: its frame's CRC,
 * its content hash and chain hash recomputed by the store, its sequences, and each stream's chain
 * links.
 */
final class VerifyCommand implements Command {

  /**
   * CommandSupport with more events than this get a progress bar even when stderr is not a
   * terminal.
   */
  static final long PROGRESS_THRESHOLD = 10_000;

  /** Problems printed one by one; the rest are counted. */
  static final int PROBLEMS_LISTED = 1000;

  @Override
  public String name() {
    return "verify";
  }

  @Override
  public String summary() {
    return "check the CRC, hashes and chain links of every event (read-only); exit 0 if intact";
  }

  @Override
  public String help() {
    return "usage: batpak verify <dir>\n\n"
        + "Opens the store in dir read-only and checks every visible event: the store re-reads\n"
        + "its frame (CRC32C), recomputes its content hash and its chain hash and compares them\n"
        + "with the header (as for a receipt); the global sequence must be dense, each stream\n"
        + "must count from 0, and each event's previous hash must be the event hash of the one\n"
        + "before it in its stream (32 zero bytes for the first). A torn tail left by a crash\n"
        + "is reported too. Each problem is printed with the event id, the file and the offset.\n"
        + "A progress bar is drawn on stderr when it is a terminal or the store holds more than\n"
        + String.format("%,d", PROGRESS_THRESHOLD)
        + " events.\n\n"
        + "exit codes: 0 intact, 1 damage found or the store cannot be opened, 2 usage error\n";
  }

  @Override
  public int run(Args args, Terminal t) throws UsageException {
    args.expectPositionals(1, 1, "one store directory");
    return verify(CommandSupport.existingDirectory(args.positionals().get(0)), t);
  }

  /**
   * Verifies the store in {@code dir} read-only, printing {@code intact: ...} or its {@code DAMAGE}
   * lines on stdout and what to do on stderr; returns {@link Main#OK} when it is intact, else
   * {@link Main#FAILURE}.
   */
  static int verify(Path dir, Terminal t) {
    PrintStream out = t.out();
    Store opened;
    try {
      opened = CommandSupport.openReadOnly(dir);
    } catch (CorruptStoreException e) {
      // the message names the file and the offset (CorruptStoreException's contract)
      out.println("DAMAGE " + CommandSupport.withoutAdvice(e.getMessage()));
      t.err()
          .println(
              "verify: "
                  + dir
                  + " is NOT intact; the store refuses to open, so only the first damage is shown. 'batpak"
                  + " repair "
                  + dir
                  + "' shows what it would cut (back to the last intact frame) or set aside (an"
                  + " index checkpoint the journal falls short of) before it changes anything, and"
                  + " keeps a copy of what it removes.");
      return Main.FAILURE;
    }
    try (Store store = opened) {
      return new Check(store, dir, t).run();
    }
  }

  /** One verification pass: the torn tail the open found, then {@link Store#verifyAll}. */
  private static final class Check {
    private final Store store;
    private final Path dir;
    private final Terminal t;
    private final OpenReport report;
    private final List<String> problems = new ArrayList<>();
    private long problemCount;

    Check(Store store, Path dir, Terminal t) {
      this.store = store;
      this.dir = dir;
      this.t = t;
      this.report = store.openReport();
    }

    int run() {
      report
          .tornTail()
          .ifPresent(
              tail ->
                  problem(
                      "torn tail in "
                          + tail.file()
                          + " at offset "
                          + tail.offset()
                          + ": "
                          + tail.bytes()
                          + " bytes that are not a whole valid frame ("
                          + tail.reason()
                          + "); the remains of an interrupted write, which the next writable open"
                          + " cuts off"));
      StoreStats stats = store.stats();
      ProgressBar bar =
          ProgressBar.start(
                  t.err(),
                  "verifying",
                  stats.eventCount(),
                  t.errIsTerminal() || stats.eventCount() > PROGRESS_THRESHOLD,
                  t.errIsTerminal())
              .showingRate();
      StoreVerification checked = store.verifyAll((done, total) -> bar.at(done, total));
      bar.finish();
      checked.problems().forEach(this::problem);
      long unlisted = checked.problemCount() - checked.problems().size();
      problemCount += unlisted;
      long events = checked.eventsChecked();
      if (events - checked.eventsDropped() != stats.eventCount()) {
        problem(
            "the store counts "
                + stats.eventCount()
                + " readable events but reading them all gave "
                + (events - checked.eventsDropped())
                + " (of "
                + events
                + " checked, "
                + checked.eventsDropped()
                + " dropped by compaction)");
      }
      PrintStream out = t.out();
      if (problemCount == 0) {
        out.println(
            "intact: "
                + dir
                + ": "
                + CommandSupport.count(events, "event")
                + " in "
                + CommandSupport.count(checked.streamsChecked(), "stream")
                + " across "
                + CommandSupport.count(report.segments().size(), "segment")
                + (checked.eventsCompacted() > 0
                    ? " ("
                        + checked.eventsCompacted()
                        + " of them compacted away: their headers, hashes and chain links"
                        + " checked, no payload left to hash)"
                    : "")
                + "; every frame CRC, content hash, chain hash and chain link checks"
                + " out");
        return Main.OK;
      }
      problems.forEach(out::println);
      if (problemCount > problems.size()) {
        out.println("... and " + (problemCount - problems.size()) + " more problems");
      }
      t.err()
          .println(
              "verify: "
                  + dir
                  + " is NOT intact: "
                  + problemCount
                  + " problem(s) in "
                  + CommandSupport.count(events, "event")
                  + ". "
                  + advice());
      return Main.FAILURE;
    }

    /** What to do, which depends on whether a crash explains the damage. */
    private String advice() {
      boolean onlyTornTail = report.tornTail().isPresent() && problemCount == 1;
      if (onlyTornTail) {
        return "A crash interrupted a write; the next writable open, or 'batpak repair "
            + dir
            + "', cuts the torn tail (it holds no event that was durable).";
      }
      if (!linkDamage) {
        return "Frames whose CRC fails were damaged after they were written (a crash tears only"
            + " the newest segment's end): restore the store from a backup or a replica, or let"
            + " 'batpak repair "
            + dir
            + "' cut the journal back to its last intact frame (the events after it leave the"
            + " store; the cut bytes are kept in a copy).";
      }
      return "Frames whose CRC holds but whose hashes or links do not were changed after they were"
          + " written, not torn by a crash: restore the store from a copy. 'batpak repair "
          + dir
          + "' only cuts damage the open detects (a torn tail, a frame whose CRC fails).";
    }

    /** Whether a problem is one a frame's CRC does not catch: a hash or a link that differs. */
    private boolean linkDamage;

    private void problem(StoreVerification.Problem p) {
      linkDamage |= p.reason() != io.batpak.ReceiptVerification.Reason.FRAME_CORRUPT;
      FrameLocation frame = FrameLocation.of(store, p.eventId());
      problem(
          "event "
              + p.eventId()
              + " ("
              + p.entity()
              + " #"
              + p.streamSequence()
              + ", global "
              + p.globalSequence()
              + ") in "
              + CommandSupport.segmentName(report, frame.segmentId())
              + " at offset "
              + frame.offset()
              + ": "
              + p.reason()
              + ": "
              + p.detail());
    }

    private void problem(String line) {
      problemCount++;
      if (problems.size() < PROBLEMS_LISTED) {
        problems.add("DAMAGE " + line);
      }
    }
  }
}
