package io.batpak.test;

import io.batpak.AppendReceipt;
import io.batpak.EventHeader;
import io.batpak.OutcomeUnknownException;
import io.batpak.ReceiptVerification;
import io.batpak.Store;
import io.batpak.StoreException;
import io.batpak.StoreVerification;
import io.batpak.VerificationProgress;
import io.batpak.fs.sim.CrashProfile;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@link BatpakTest} checks after a test: close (a store the test poisoned may say so), a
 * power loss, a reopen, and every acknowledged receipt verified and read back.
 */
final class InvariantCheck {
  /** How many problems the failure lists; the rest are counted. */
  static final int LISTED = 20;

  private InvariantCheck() {}

  /**
   * Runs the check on {@code sim} and returns the problems found, none when the invariants hold.
   * Leaves no store open.
   */
  static List<String> run(SimStore sim) {
    sim.fs().clearFaults();
    RecordingStore running = sim.running();
    if (running != null) {
      if (!running.isClosed() && !sim.fs().isFrozen()) {
        try {
          running.proxy().close();
        } catch (OutcomeUnknownException e) {
          // The test poisoned the store (a failed write or fsync); what it acknowledged before
          // must survive all the same, which the reopen below checks.
        }
      }
      sim.receipts().keepDurable(running.durableAtLoss());
      sim.forgetRunning();
    }
    sim.fs().crash(CrashProfile.SECTOR);
    List<String> problems = new ArrayList<>();
    Store store;
    try {
      store = Store.open(sim.config());
    } catch (StoreException e) {
      problems.add("the store did not reopen after a power loss: " + e);
      return problems;
    }
    try (store) {
      for (AppendReceipt receipt : sim.receipts().all()) {
        check(store, receipt, problems);
      }
      StoreVerification all = store.verifyAll(VerificationProgress.none());
      if (!all.intact()) {
        problems.add(
            "verifyAll found "
                + all.problemCount()
                + " problem(s), first: "
                + all.problems().subList(0, Math.min(3, all.problems().size())));
      }
    }
    return problems;
  }

  private static void check(Store store, AppendReceipt receipt, List<String> problems) {
    String which =
        "acknowledged event "
            + receipt.eventId()
            + " (global sequence "
            + receipt.globalSequence()
            + ")";
    ReceiptVerification verification = store.verifyReceipt(receipt);
    if (verification instanceof ReceiptVerification.Invalid) {
      ReceiptVerification.Invalid invalid = (ReceiptVerification.Invalid) verification;
      problems.add(
          which + ": receipt does not verify: " + invalid.reason() + ", " + invalid.detail());
      return;
    }
    if (verification instanceof ReceiptVerification.CompactedAway) {
      return; // the test compacted it away; the verification checked its proof
    }
    try {
      EventHeader header = store.get(receipt.eventId()).header();
      if (header.globalSequence() != receipt.globalSequence()
          || header.streamSequence() != receipt.streamSequence()) {
        problems.add(
            which
                + ": reads back at global sequence "
                + header.globalSequence()
                + ", stream sequence "
                + header.streamSequence()
                + ", the receipt says "
                + receipt.globalSequence()
                + ", "
                + receipt.streamSequence());
      }
    } catch (StoreException e) {
      problems.add(which + ": verifies but does not read back: " + e);
    }
  }
}
