package io.batpak.it.concurrency;

import io.batpak.AppendReceipt;
import io.batpak.Durability;
import io.batpak.EventHeader;
import io.batpak.OutcomeUnknownException;
import io.batpak.ReceiptVerification;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StoreException;
import io.batpak.fs.sim.SimEntropy;
import io.batpak.fs.sim.SimStoreClock;
import io.batpak.it.concurrency.StressRun.Call;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The last check of a {@link StressRun}: a power loss, a reopen, and what must have survived. */
final class StressRecoveryCheck {
  private StressRecoveryCheck() {}

  /**
   * Loses power on {@code stress}'s simulator, reopens its store, and reports every acknowledged
   * event that did not survive with its bytes, and every event that appears though it was never
   * appended or definitely refused.
   */
  static void check(StressRun stress) {
    stress.sim.clearFaults(); // the reopen runs on an honest disk
    stress.sim.crash(stress.profile);
    long durableFloor = stress.maxDurable.get();
    Map<String, Call> attempted = new HashMap<>();
    Set<String> definitelyNot = new HashSet<>();
    for (Call c : stress.calls) {
      for (byte[] p : c.payloads) {
        String key = new String(p, StandardCharsets.UTF_8);
        attempted.putIfAbsent(key, c);
        Throwable f = c.failure;
        if (c.receipts == null
            && f instanceof StoreException
            && !(f instanceof OutcomeUnknownException)
            && !c.retryOf) {
          definitelyNot.add(key);
        }
      }
    }
    Store reopened;
    try {
      reopened =
          Store.open(
              StoreConfig.builder(stress.dir)
                  .fs(stress.sim)
                  .clock(new SimStoreClock())
                  .entropy(new SimEntropy(stress.seed + 1))
                  .codec("bytes")
                  .deterministic(true)
                  .build());
    } catch (RuntimeException e) {
      stress.violation(
          "recovery", "the store did not reopen after the crash (" + stress.profile + "): " + e);
      return;
    }
    try (Store s = reopened) {
      List<EventHeader> all = new ArrayList<>();
      for (long after = -1; ; ) {
        List<EventHeader> page = s.queryAfter(Region.all(), after, 500);
        if (page.isEmpty()) {
          break;
        }
        all.addAll(page);
        after = page.get(page.size() - 1).globalSequence();
      }
      for (int i = 0; i < all.size(); i++) {
        EventHeader h = all.get(i);
        if (h.globalSequence() != i) {
          stress.violation(
              "recovery", "global sequence not dense after reopen: row " + i + " is " + h);
          break;
        }
        String payload = s.get(h.eventId()).payload().toUtf8();
        if (!attempted.containsKey(payload)) {
          stress.violation("recovery", "event " + i + " after reopen was never appended: " + h);
        } else if (definitelyNot.contains(payload)) {
          Call c = attempted.get(payload);
          stress.violation(
              "recovery",
              "event "
                  + i
                  + " after reopen belongs to "
                  + c.describe()
                  + ", which failed with "
                  + c.failure);
        }
      }
      for (Call c : stress.calls) {
        if (c.receipts == null || c.retryOf) {
          continue;
        }
        for (int i = 0; i < c.receipts.size(); i++) {
          AppendReceipt r = c.receipts.get(i);
          boolean mustSurvive =
              stress.durability == Durability.DURABLE || r.globalSequence() < durableFloor;
          if (!mustSurvive) {
            continue;
          }
          ReceiptVerification v = s.verifyReceipt(r);
          if (!v.isValid()) {
            stress.violation(
                "recovery",
                c.describe()
                    + ": acknowledged event "
                    + r.globalSequence()
                    + (stress.durability == Durability.DURABLE
                        ? ""
                        : " (under the durable watermark " + durableFloor + ")")
                    + " lost or changed after the crash ("
                    + stress.profile
                    + "): "
                    + v);
            continue;
          }
          byte[] stored = s.get(r.eventId()).payload().toByteArray();
          if (!Arrays.equals(stored, c.payloads.get(i))) {
            stress.violation(
                "recovery",
                c.describe()
                    + ": event "
                    + r.globalSequence()
                    + " has other bytes after the crash");
          }
        }
      }
    } catch (StoreException e) {
      stress.violation("recovery", "reading the reopened store failed: " + e);
    }
  }
}
