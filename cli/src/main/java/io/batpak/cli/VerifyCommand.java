package io.batpak.cli;

import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.CorruptStoreException;
import io.batpak.EventHeader;
import io.batpak.OpenReport;
import io.batpak.ReceiptVerification;
import io.batpak.Store;
import io.batpak.StoreException;
import io.batpak.StoreStats;
import io.batpak.engine.FrameLocation;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code batpak verify <dir>}: checks every visible event of a store, read-only: its frame's CRC,
 * its content hash and chain hash recomputed by the store, its sequences, and each stream's chain
 * links.
 */
final class VerifyCommand implements Command {

  /** Stores with more events than this get a progress bar even when stderr is not a terminal. */
  static final long PROGRESS_THRESHOLD = 10_000;

  /** Problems printed one by one; the rest are counted. */
  static final int PROBLEMS_LISTED = 1000;

  private static final Bytes GENESIS = Bytes.ofOwned(new byte[32]);

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
    Path dir = Stores.existingDirectory(args.positionals().get(0));
    PrintStream out = t.out();
    Store opened;
    try {
      opened = Stores.openReadOnly(dir);
    } catch (CorruptStoreException e) {
      // the message names the file and the offset (CorruptStoreException's contract)
      out.println("DAMAGE " + Stores.withoutAdvice(e.getMessage()));
      t.err()
          .println(
              "verify: "
                  + dir
                  + " is NOT intact; the store refuses to open, so only the first damage is shown. 'batpak"
                  + " repair "
                  + dir
                  + "' cuts the journal back to its last intact frame and keeps a copy of the cut.");
      return Main.FAILURE;
    }
    try (Store store = opened) {
      return new Check(store, dir, t).run();
    }
  }

  /** One verification pass. */
  private static final class Check {
    private final Store store;
    private final Path dir;
    private final Terminal t;
    private final OpenReport report;
    private final List<String> problems = new ArrayList<>();
    private final Map<String, Link> chains = new HashMap<>();
    private long nextGlobal;
    private long events;
    private int problemCount;

    /** The end of a stream's chain so far. */
    private record Link(long streamSequence, Bytes eventHash) {}

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
              t.errIsTerminal() || stats.eventCount() > PROGRESS_THRESHOLD);
      Stores.forEachEvent(
          store,
          -1,
          h -> {
            check(h);
            bar.step();
            return true;
          });
      bar.finish();
      if (events != stats.eventCount()) {
        problem(
            "the store counts "
                + stats.eventCount()
                + " visible events but reading them all gave "
                + events);
      }
      PrintStream out = t.out();
      if (problemCount == 0) {
        out.println(
            "intact: "
                + dir
                + ": "
                + Stores.count(events, "event")
                + " in "
                + Stores.count(chains.size(), "stream")
                + " across "
                + Stores.count(report.segments().size(), "segment")
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
                  + Stores.count(events, "event")
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
      return "Frames whose CRC holds but whose hashes or links do not were changed after they were"
          + " written, not torn by a crash: restore the store from a copy. 'batpak repair "
          + dir
          + "' only cuts damage the open detects (a torn tail, a frame whose CRC fails).";
    }

    private void check(EventHeader h) {
      events++;
      if (h.globalSequence() != nextGlobal) {
        problem(
            h,
            "global sequence "
                + h.globalSequence()
                + " where "
                + nextGlobal
                + " was expected (the global sequence must be dense)");
      }
      nextGlobal = h.globalSequence() + 1;
      Link previous = chains.get(h.entity());
      if (previous == null) {
        if (h.streamSequence() != 0) {
          problem(h, "the stream's first visible event has stream sequence " + h.streamSequence());
        }
        if (!h.prevHash().equals(GENESIS)) {
          problem(
              h,
              "the stream's first event has previous hash "
                  + h.prevHash().toHex()
                  + " instead of 32 zero bytes");
        }
      } else {
        if (h.streamSequence() != previous.streamSequence() + 1) {
          problem(
              h,
              "stream sequence "
                  + h.streamSequence()
                  + " follows "
                  + previous.streamSequence()
                  + " (a stream must be dense)");
        }
        if (!h.prevHash().equals(previous.eventHash())) {
          problem(
              h,
              "chain broken: previous hash "
                  + h.prevHash().toHex()
                  + " but the stream's event #"
                  + previous.streamSequence()
                  + " has event hash "
                  + previous.eventHash().toHex());
        }
      }
      chains.put(h.entity(), new Link(h.streamSequence(), h.eventHash()));
      AppendReceipt receipt = h.toReceipt();
      try {
        ReceiptVerification v = store.verifyReceipt(receipt);
        if (v instanceof ReceiptVerification.Invalid) {
          ReceiptVerification.Invalid invalid = (ReceiptVerification.Invalid) v;
          problem(h, invalid.reason() + ": " + invalid.detail());
        }
      } catch (CorruptStoreException e) {
        problem(h, e.file(), e.offset(), e.getMessage());
      } catch (StoreException e) {
        problem(h, "the store could not check it: " + e.getMessage());
      }
    }

    private void problem(EventHeader h, String what) {
      FrameLocation frame = FrameLocation.of(store, h.eventId());
      problem(h, Stores.segmentName(report, frame.segmentId()), frame.offset(), what);
    }

    private void problem(EventHeader h, String file, long offset, String what) {
      problem(
          "event "
              + h.eventId()
              + " ("
              + h.entity()
              + " #"
              + h.streamSequence()
              + ", global "
              + h.globalSequence()
              + ") in "
              + file
              + " at offset "
              + offset
              + ": "
              + what);
    }

    private void problem(String line) {
      problemCount++;
      if (problems.size() < PROBLEMS_LISTED) {
        problems.add("DAMAGE " + line);
      }
    }
  }
}
