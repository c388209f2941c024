package io.batpak.it.crash;

import io.batpak.AppendReceipt;
import io.batpak.CorruptStoreException;
import io.batpak.EventHeader;
import io.batpak.EventId;
import io.batpak.OpenReport;
import io.batpak.ReceiptVerification;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreVerification;
import io.batpak.VerificationProgress;
import io.batpak.engine.FrameLocation;
import io.batpak.fs.sim.SimSnapshot;
import io.batpak.it.crash.History.Call;
import io.batpak.it.crash.History.Intent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The recovery oracle of docs/architecture.md, applied to a store reopened after a crash at crash
 * point {@code s} (the number of state-changing operations the disk had seen):
 *
 * <ul>
 *   <li>unless the fault plan lied or corrupted durable bytes, the store opens;
 *   <li>every event whose append returned a receipt by {@code s} is present, with identical payload
 *       bytes, and its receipt verifies (on a lying disk it may be missing, but if present it
 *       verifies; on a corrupting one it may be missing only with the damage reported);
 *   <li>nothing appears that was never appended: every event maps, by the tag at the start of its
 *       payload, to an intent of a call that had started by {@code s} and may have written it, with
 *       the same coordinate, kind, payload and id;
 *   <li>an intent appears at most once, and an idempotency key at most once;
 *   <li>chains verify (stream sequences 0..n-1, each prev hash the predecessor's event hash, and
 *       every event's own receipt verifies, which recomputes its content and event hash);
 *   <li>global sequence is dense (paging with {@code queryAfter} gives 0..N-1, N = event count);
 *   <li>the durable watermark the store reported by {@code s} is covered.
 * </ul>
 */
final class Oracle {
  private static final int PAGE = 37;

  /** The outcome class of one crash-and-reopen, and what broke the rules. */
  record Verdict(String outcome, List<String> violations) {
    boolean ok() {
      return violations.isEmpty();
    }
  }

  private Oracle() {}

  /**
   * Checks {@code store} (null if the open failed with {@code openFailure}) against {@code h} at
   * crash point {@code s}.
   */
  static Verdict check(History h, long s, Store store, RuntimeException openFailure) {
    return check(h, s, store, openFailure, null);
  }

  /**
   * Like {@link #check(History, long, Store, RuntimeException)}; {@code earlier} is the damage an
   * earlier reopen of the same crash point reported before a second crash interrupted it, or null.
   */
  static Verdict check(
      History h, long s, Store store, RuntimeException openFailure, OpenReport.TornTail earlier) {
    return check(h, s, store, openFailure, earlier, java.util.Set.of());
  }

  /**
   * Like {@link #check(History, long, Store, RuntimeException, OpenReport.TornTail, Set)} for a
   * store reopened over disk state {@code before} (null: not known). On a lying or corrupting disk
   * the open may have trusted a seal or the checkpoint over damaged frames: if {@code verifyAll}
   * finds damage, {@link DamageOnRead} judges the store instead.
   */
  static Verdict check(
      History h,
      long s,
      Store store,
      RuntimeException openFailure,
      OpenReport.TornTail earlier,
      Set<EventId> extra,
      SimSnapshot before) {
    if (store != null && before != null && h.workload.fault.mode() != Fault.Mode.HONEST) {
      StoreVerification found;
      try {
        found = store.verifyAll(VerificationProgress.none());
      } catch (RuntimeException e) {
        return new Verdict(
            "violation", List.of("verifyAll of the reopened store failed: " + describe(e)));
      }
      if (!found.intact()) {
        return DamageOnRead.check(h, s, store, found, before, earlier, extra);
      }
    }
    return check(h, s, store, openFailure, earlier, extra);
  }

  /**
   * Like {@link #check(History, long, Store, RuntimeException, OpenReport.TornTail)}, for a store
   * to which the test itself appended the events {@code extra} after recovering it: they are not
   * intents of the workload, but take part in every other rule.
   */
  static Verdict check(
      History h,
      long s,
      Store store,
      RuntimeException openFailure,
      OpenReport.TornTail earlier,
      Set<EventId> extra) {
    Fault.Mode mode = h.workload.fault.mode();
    List<String> v = new ArrayList<>();
    if (store == null) {
      if (mode == Fault.Mode.HONEST) {
        v.add("refused to open on an honest disk: " + describe(openFailure));
      } else if (!(openFailure instanceof CorruptStoreException c)) {
        v.add("refused to open with an untyped error: " + describe(openFailure));
      } else if (c.file() == null || c.file().isEmpty() || c.offset() < 0) {
        v.add("refused to open without naming file and offset: " + describe(openFailure));
      }
      return new Verdict("refused", v);
    }
    // Damage the engine reported: by this reopen, by an interrupted earlier one, or by an open of
    // the workload itself. On a corrupting disk, an acknowledged event may be missing only at or
    // after a reported cut in its own segment.
    List<OpenReport.TornTail> reports = new ArrayList<>();
    store.openReport().tornTail().ifPresent(reports::add);
    if (earlier != null) {
      reports.add(earlier);
    }
    for (Call c : h.calls) {
      if (c.damage != null && c.start < s) {
        reports.add(c.damage);
      }
    }

    // Dense global sequence, by paging.
    List<EventHeader> all = new ArrayList<>();
    long after = -1;
    while (true) {
      List<EventHeader> page = store.queryAfter(Region.all(), after, PAGE);
      if (page.isEmpty()) {
        break;
      }
      for (EventHeader e : page) {
        if (e.globalSequence() != all.size()) {
          v.add(
              "global sequence not dense: expected " + all.size() + ", got " + e.globalSequence());
          return new Verdict("violation", v);
        }
        all.add(e);
      }
      after = page.get(page.size() - 1).globalSequence();
    }
    long count = store.stats().eventCount();
    if (count != all.size()) {
      v.add("stats say " + count + " events, paging found " + all.size());
    }

    // Every event is an intent that may have been written by s, once.
    Map<Integer, Integer> seenTags = new HashMap<>();
    Map<EventId, Integer> seenIds = new HashMap<>();
    Set<Integer> present = new LinkedHashSet<>();
    for (EventHeader e : all) {
      if (extra.contains(e.eventId())) {
        continue;
      }
      byte[] payload = store.get(e.eventId()).payload().toByteArray();
      int tag = Intent.tagOf(payload);
      Intent in = h.byTag.get(tag);
      String where = "event " + e.eventId() + " at global sequence " + e.globalSequence();
      if (in == null) {
        v.add(where + " was never appended (payload " + Workload.hex(payload) + ")");
        continue;
      }
      if (!Arrays.equals(payload, in.payload)) {
        v.add(
            where + " has payload " + Workload.hex(payload) + ", intent t" + tag + " had another");
      }
      if (!e.coordinate().equals(in.coordinate) || !e.kind().equals(in.kind)) {
        v.add(where + " is " + e.coordinate() + "/" + e.kind() + ", intent t" + tag + " was not");
      }
      if (in.id != null && !in.id.equals(e.eventId())) {
        v.add(where + " should have id " + in.id + " (intent t" + tag + ")");
      }
      boolean written = false;
      for (Call c : h.callsByTag.getOrDefault(tag, List.of())) {
        written |= c.mayHaveWritten(s);
      }
      if (!written) {
        v.add(where + " (intent t" + tag + ") appeared, but no call could have written it by " + s);
      }
      if (seenTags.merge(tag, 1, Integer::sum) > 1) {
        v.add("intent t" + tag + " appears twice, again as " + where);
      }
      if (in.key != null && seenIds.merge(e.eventId(), 1, Integer::sum) > 1) {
        v.add("idempotency key " + in.key + " appears twice, again as " + where);
      }
      present.add(tag);
    }

    // Chains and per-event verification.
    Map<String, byte[]> heads = new HashMap<>();
    Map<String, Long> nextSeq = new HashMap<>();
    for (EventHeader e : all) {
      String entity = e.coordinate().entity();
      long expectSeq = nextSeq.getOrDefault(entity, 0L);
      byte[] expectPrev = heads.getOrDefault(entity, new byte[32]);
      if (e.streamSequence() != expectSeq) {
        v.add("stream " + entity + ": sequence " + e.streamSequence() + ", expected " + expectSeq);
      }
      if (!Arrays.equals(e.prevHash().toByteArray(), expectPrev)) {
        v.add("stream " + entity + " at " + e.streamSequence() + ": prev hash does not chain");
      }
      heads.put(entity, e.eventHash().toByteArray());
      nextSeq.put(entity, expectSeq + 1);
      AppendReceipt self = e.toReceipt();
      ReceiptVerification rv = store.verifyReceipt(self);
      if (!rv.isValid()) {
        v.add("event at global sequence " + e.globalSequence() + " does not verify: " + rv);
      }
    }
    for (String entity : heads.keySet()) {
      List<EventHeader> st = store.stream(entity);
      if (st.size() != nextSeq.get(entity)) {
        v.add("stream(" + entity + ") lists " + st.size() + " events, the journal has " + nextSeq);
      }
    }

    // Acknowledged events: every receipt that had to be durable by s is present and verifies.
    // Per run epoch (between power losses): the highest verifying receipt and the lowest failing.
    Map<Integer, long[]> prefix = new HashMap<>();
    boolean lost = false;
    long durable = -1;
    for (Call c : h.calls) {
      if (c.end > s || c.crashed) {
        continue;
      }
      durable = Math.max(durable, c.durableAfter);
      if (!c.ok()) {
        continue;
      }
      for (int i = 0; i < c.receipts.size(); i++) {
        AppendReceipt r = c.receipts.get(i);
        FrameLocation frame = c.frames == null ? null : c.frames.get(i);
        Intent in = c.intents.get(i);
        ReceiptVerification rv = store.verifyReceipt(r);
        boolean missing =
            rv instanceof ReceiptVerification.Invalid inv
                && inv.reason() == ReceiptVerification.Reason.MISSING_EVENT;
        // A loss the engine reported as a torn tail it cut, of bytes a corrupting fault damaged,
        // or of an event that never had to be durable (VISIBLE mode): the store's history
        // restarts there (later appends take the same global sequences), so it does not count
        // against the prefix rule. A hole instead shows as a sequence gap or a receipt mismatch.
        boolean excusedCut = mode == Fault.Mode.CORRUPTING && missing && cut(reports, frame);
        boolean required = h.mustSurvive(c, r, s);
        long[] range = prefix.computeIfAbsent(c.epoch, e -> new long[] {-1, Long.MAX_VALUE});
        if (rv.isValid()) {
          range[0] = Math.max(range[0], r.globalSequence());
        } else if (!excusedCut && !(missing && !required)) {
          range[1] = Math.min(range[1], r.globalSequence());
        }
        if (rv.isValid()) {
          byte[] stored = store.get(r.eventId()).payload().toByteArray();
          if (!Arrays.equals(stored, in.payload)) {
            v.add("acknowledged t" + in.tag + " reads back different bytes");
          }
          continue;
        }
        if (!required) {
          continue; // not durable yet (VISIBLE mode): present once or absent, checked above
        }
        lost = true;
        if (mode == Fault.Mode.LYING || excusedCut) {
          continue; // a lying disk dropped it (and a retry may have appended it again)
        }
        v.add(
            (missing
                    ? "acknowledged t" + in.tag + " is lost"
                    : "receipt of t" + in.tag + " fails: " + rv)
                + " ("
                + c
                + ", receipt "
                + brief(r, frame)
                + ")");
      }
    }
    for (Map.Entry<Integer, long[]> e : prefix.entrySet()) {
      if (e.getValue()[1] < e.getValue()[0]) {
        v.add(
            "not a prefix: the receipt at global sequence "
                + e.getValue()[0]
                + " verifies, the one at "
                + e.getValue()[1]
                + " does not (run epoch "
                + e.getKey()
                + ")");
      }
    }
    if (mode == Fault.Mode.HONEST && durable > all.size()) {
      v.add("the store reported " + durable + " events durable, " + all.size() + " survived");
    }

    String outcome;
    if (lost) {
      outcome = "lost-acknowledged";
    } else if (h.poisonedBy(s)) {
      outcome = "poisoned";
    } else {
      outcome = "committed-prefix";
      for (Call c : h.calls) {
        if (c.inFlightAt(s) && c.mayHaveWritten(s)) {
          for (Intent in : c.intents) {
            if (!present.contains(in.tag)) {
              outcome = "rolled-back";
            }
          }
        }
      }
    }
    return new Verdict(v.isEmpty() ? outcome : "violation", v);
  }

  /** Whether a reported cut covers {@code frame} (false when its location is unknown). */
  private static boolean cut(List<OpenReport.TornTail> reports, FrameLocation frame) {
    if (frame == null) {
      return false;
    }
    String file = frame.segmentFileName();
    for (OpenReport.TornTail t : reports) {
      if (t.file().endsWith("/" + file) && t.offset() <= frame.offset()) {
        return true;
      }
    }
    return false;
  }

  private static String brief(AppendReceipt r, FrameLocation frame) {
    return r.eventId()
        + "@"
        + r.globalSequence()
        + " "
        + (frame == null ? "(frame unknown)" : frame);
  }

  static String describe(Throwable t) {
    if (t == null) {
      return "null";
    }
    String s = t.toString();
    Throwable c = t.getCause();
    if (c != null && c != t) {
      s += " (cause " + c + ")";
    }
    return s;
  }
}
