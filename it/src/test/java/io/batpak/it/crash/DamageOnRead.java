package io.batpak.it.crash;

import io.batpak.CorruptStoreException;
import io.batpak.EventId;
import io.batpak.OpenReport;
import io.batpak.ReceiptVerification;
import io.batpak.Store;
import io.batpak.StoreVerification;
import io.batpak.StoredEvent;
import io.batpak.fs.sim.SimSnapshot;
import io.batpak.fs.sim.SimStoreFs;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The recovery oracle's rule for damage an open does not read: an open trusts the index checkpoint
 * and the seals, so a fault that lied about a sync or corrupted bytes inside a sealed segment, or
 * inside what the checkpoint covers, is found on read and by {@code verifyAll}, not at open
 * (docs/architecture.md, decision 9). When {@code verifyAll} of a store reopened on a lying or
 * corrupting disk reports problems, the store must:
 *
 * <ul>
 *   <li>report each as {@code FRAME_CORRUPT} naming the segment file and the offset (or, for the
 *       event after a damaged one in its stream, saying the predecessor's frame is damaged);
 *   <li>refuse to read each damaged event with a {@link CorruptStoreException} naming a segment
 *       file and an offset;
 *   <li>read every event it does not report exactly as a full scan of the same journal does ({@link
 *       FullScanOracle});
 * </ul>
 *
 * and the disk in the shape a crash leaves ({@link CrashShape}: seals stripped, checkpoint deleted)
 * must pass the whole recovery oracle when reopened, as it did before seals existed: there the open
 * reads every frame, so it finds the damage at open (refusing with file and offset, or cutting a
 * torn tail it reports).
 */
final class DamageOnRead {
  private DamageOnRead() {}

  /**
   * The verdict on {@code store}, reopened over disk state {@code before}, whose {@code verifyAll}
   * gave {@code found} (not intact). Its outcome is {@code found-on-read+} followed by the outcome
   * of the crash shape under the recovery oracle, such as {@code found-on-read+refused}.
   */
  static Oracle.Verdict check(
      History h,
      long s,
      Store store,
      StoreVerification found,
      SimSnapshot before,
      OpenReport.TornTail earlier,
      Set<EventId> extra) {
    List<String> v = new ArrayList<>();
    Set<EventId> listed = new HashSet<>();
    for (StoreVerification.Problem p : found.problems()) {
      listed.add(p.eventId());
      boolean successor = p.detail().contains("stream predecessor");
      boolean named = p.detail().matches("(?s).*\\.seg at offset \\d+.*");
      if (p.reason() != ReceiptVerification.Reason.FRAME_CORRUPT || !(successor || named)) {
        v.add("verifyAll reports damage without naming file and offset: " + p);
        continue;
      }
      if (successor) {
        continue;
      }
      try {
        store.get(p.eventId());
        v.add("verifyAll reports event " + p.globalSequence() + " damaged, but it reads");
      } catch (CorruptStoreException e) {
        if (e.file() == null || !e.file().endsWith(".seg") || e.offset() < 0) {
          v.add("reading a damaged event names no segment and offset: " + Oracle.describe(e));
        }
      } catch (RuntimeException e) {
        v.add("reading a damaged event failed untyped: " + Oracle.describe(e));
      }
    }
    if (found.problemCount() > found.problems().size()) {
      v.add("more damage than verifyAll lists: " + found.problemCount());
    }
    FullScanOracle.Answer full = FullScanOracle.of(before, h.workload.seed);
    for (StoredEvent e : full.events()) {
      EventId id = e.header().eventId();
      if (listed.contains(id)) {
        continue;
      }
      try {
        StoredEvent got = store.get(id);
        if (!Objects.equals(got, e)) {
          v.add("event " + id + " reads otherwise than a full scan of the same journal");
        }
      } catch (RuntimeException ex) {
        v.add("event " + id + " is not reported damaged, but reading it failed: " + ex);
      }
    }
    SimStoreFs copy = SimStoreFs.fromSnapshot(before);
    try {
      CrashShape.strip(copy, Workload.DIR);
    } catch (IOException e) {
      v.add("stripping the seals of a copy failed: " + e);
      return new Oracle.Verdict("violation", v);
    }
    Store shaped = null;
    RuntimeException failure = null;
    String shapedOutcome;
    try {
      shaped = Store.open(Workload.plainConfig(copy, h.workload.seed));
    } catch (RuntimeException e) {
      failure = e;
    }
    try {
      Oracle.Verdict old = Oracle.check(h, s, shaped, failure, earlier, extra);
      shapedOutcome = old.outcome();
      for (String msg : old.violations()) {
        v.add("on the crash shape (seals stripped, no checkpoint): " + msg);
      }
    } finally {
      if (shaped != null) {
        shaped.close();
      }
    }
    return new Oracle.Verdict(v.isEmpty() ? "found-on-read+" + shapedOutcome : "violation", v);
  }
}
