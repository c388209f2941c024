package io.batpak.it.crash;

import static io.batpak.it.crash.DamageExplorerIT.DIR;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.CorruptStoreException;
import io.batpak.EventId;
import io.batpak.ReceiptVerification;
import io.batpak.Store;
import io.batpak.StoreVerification;
import io.batpak.VerificationProgress;
import io.batpak.fs.sim.SimSeed;
import io.batpak.fs.sim.SimStoreFs;
import io.batpak.it.crash.DamageCases.Case;
import io.batpak.it.crash.DamageStores.Acked;
import io.batpak.it.crash.DamageStores.Built;
import io.batpak.port.FileHandle;
import io.batpak.port.SyncMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The damage explorer's cases ({@link DamageCases}) applied to stores in the shape a clean close
 * leaves: every segment sealed and {@code index.ckpt} covering every event ({@code checkpoint}),
 * and the same without the checkpoint ({@code seals}). An open then reads the segment headers and
 * the seals or the checkpoint, never the frames, so damage inside a frame is found on read, not at
 * open. The rule, for each damaged field, read-only and mutable:
 *
 * <ul>
 *   <li>damage in a segment header: the open refuses with {@link CorruptStoreException} naming the
 *       segment, at the damaged field or the header's start (as in {@link DamageExplorerIT});
 *   <li>damage in a frame: the open succeeds with every event; each event of the damaged frame
 *       reads ({@code get}) as a {@link CorruptStoreException} naming the segment at an offset
 *       inside that frame, and its receipt is {@code FRAME_CORRUPT}; every other event reads its
 *       acknowledged payload and its receipt verifies, except an event whose stream predecessor is
 *       in the damaged frame, whose receipt is {@code FRAME_CORRUPT} (its chain cannot be checked);
 *       {@code verifyAll} lists exactly those events, each as {@code FRAME_CORRUPT};
 *   <li>damage in a seal (any field of its footer frame or trailer, {@link SegmentMap#sealFields}):
 *       the open refuses naming the segment, or opens with every event reading and verifying as
 *       acknowledged and {@code verifyAll} intact; in the {@code seals} shape it must also say so
 *       (the seal distrusted in {@code indexLoad().distrusted()}, or cut from the newest segment as
 *       a torn tail); under the checkpoint an older segment's seal is not read at all;
 *   <li>no open changes a byte of an existing segment, except that a mutable open may cut a damaged
 *       seal off the newest segment (the bytes before its footer stay).
 * </ul>
 *
 * The stores are those of {@link DamageExplorerIT} (same base seed property), the cases a sample:
 * the seeded bit flip of every field of the small stores and of the large store that is a frame's
 * length, CRC, type or event count, or a record's event id, stream sequence, hashes or payload; the
 * header cases (one flip of the header length); and every seal field of the oldest, a middle and
 * the newest segment of each store.
 */
class SealedDamageIT {

  @Test
  void damageInASealedSegmentIsFoundOnReadAndNeverChangesTheOpen() throws IOException {
    long base = SimSeed.resolve(DamageExplorerIT.DEFAULT_SEED);
    List<Built> stores = new ArrayList<>(DamageStores.smallStores(base));
    Built large = DamageStores.largeStore(base);
    List<Case> cases = new ArrayList<>(DamageCases.smallCases(stores, base));
    cases.addAll(DamageCases.largeCases(large, base));
    // Frame fields as sampled, one seeded bit flip each (every byte of a frame is under its CRC,
    // and the damage explorer covers the other damages in the crash shape); header fields once
    // each (the header rule is the damage explorer's, here only checked to hold with seals and a
    // checkpoint too).
    cases.removeIf(
        c ->
            c.field().inHeader()
                ? c.how().startsWith("flip-bit-") && !c.how().equals("flip-bit-0")
                : !sampled(c.field().name()) || !c.how().startsWith("flip-byte-"));
    SimStoreFs fs = SimStoreFs.builder().seed(base).build();
    stores.add(large);
    for (Built b : stores) {
      cases.addAll(sealCases(fs, b, base));
    }
    String only = System.getProperty("batpak.damage.only");
    if (only != null) {
      cases.removeIf(c -> !c.id().contains(only));
    }
    List<String> violations = new ArrayList<>();
    Map<String, Long> outcomes = new TreeMap<>();
    for (Case c : cases) {
      for (boolean withCheckpoint : new boolean[] {true, false}) {
        for (boolean readOnly : new boolean[] {true, false}) {
          String shape = withCheckpoint ? "checkpoint" : "seals";
          String what = c.id() + " [" + shape + (readOnly ? ", read-only" : ", mutable") + "]";
          String outcome = run(fs, c, withCheckpoint, readOnly, what, violations);
          outcomes.merge(shape + "/" + outcome, 1L, Long::sum);
        }
      }
    }
    System.out.println(
        "[sealed-damage] base seed "
            + base
            + ": "
            + cases.size()
            + " cases, outcomes "
            + outcomes
            + ", "
            + violations.size()
            + " violations");
    for (String v : violations.subList(0, Math.min(20, violations.size()))) {
      System.out.println("[sealed-damage] VIOLATION " + v);
    }
    assertTrue(cases.size() > 100 || only != null, "only " + cases.size() + " cases");
    assertEquals(
        List.of(),
        violations.subList(0, Math.min(20, violations.size())),
        "base seed " + base + ", " + violations.size() + " violations");
  }

  /**
   * Every field of the seal ({@link SegmentMap#sealFields}) of the oldest, a middle and the newest
   * segment of {@code b}, with the damages of {@link DamageCases#damages}.
   */
  static List<Case> sealCases(SimStoreFs fs, Built b, long base) throws IOException {
    fs.restore(b.sealed());
    List<String> names = new ArrayList<>(b.segments().keySet());
    java.util.Set<String> chosen =
        new java.util.TreeSet<>(
            List.of(names.get(0), names.get(names.size() / 2), names.get(names.size() - 1)));
    List<Case> out = new ArrayList<>();
    int salt = 0;
    for (String seg : chosen) {
      byte[] sealed = fs.contentOf(DIR.resolve(seg));
      for (SegmentMap.Field f : SegmentMap.sealFields(sealed)) {
        out.addAll(DamageCases.damages(b, seg, f, base * 41 + b.seed() + salt++, sealed));
      }
    }
    return out;
  }

  /** The frame fields the test damages. */
  static boolean sampled(String name) {
    return name.matches(
        "frame\\[\\d+\\]\\.(length|crc|type|count|record\\[\\d+\\]\\."
            + "(eventId|streamSequence|prevHash|eventHash|contentHash|payload))");
  }

  static String run(
      SimStoreFs fs, Case c, boolean withCheckpoint, boolean readOnly, String what, List<String> v)
      throws IOException {
    fs.restore(c.store().sealed());
    fs.clearFaults();
    if (!withCheckpoint) {
      fs.deleteIfExists(DIR.resolve(CrashShape.CHECKPOINT));
      fs.syncDirectory(DIR);
    }
    Path file = DIR.resolve(c.segment());
    try (FileHandle h = fs.openWrite(file)) {
      h.write(ByteBuffer.wrap(c.damaged()), c.field().offset());
      h.sync(SyncMode.ALL);
    }
    Map<String, byte[]> before = new TreeMap<>();
    for (String s : c.store().segments().keySet()) {
      before.put(s, fs.contentOf(DIR.resolve(s)));
    }
    String outcome = open(fs, c, withCheckpoint, readOnly, what, v);
    for (Map.Entry<String, byte[]> e : before.entrySet()) {
      byte[] now = fs.contentOf(DIR.resolve(e.getKey()));
      byte[] was = e.getValue();
      // A mutable open may cut a damaged seal off the newest segment (a torn tail at the footer)
      // and the close then seals it again: only the bytes before the footer must stay.
      int keep =
          c.field().inSeal()
                  && !readOnly
                  && e.getKey().equals(c.segment())
                  && c.segment().equals(c.store().newest())
              ? (int) c.field().containerStart()
              : was.length;
      boolean same =
          now.length >= keep
              && Arrays.equals(now, 0, keep, was, 0, keep)
              && (keep < was.length || now.length == was.length);
      if (!same) {
        int at = Arrays.mismatch(now, was);
        v.add(
            what
                + ": the open changed "
                + e.getKey()
                + " ("
                + was.length
                + " bytes, now "
                + now.length
                + ", first difference at "
                + at
                + ")");
      }
    }
    if (!fs.openHandles().isEmpty()) {
      v.add(what + ": a handle or lock outlived the open: " + fs.openHandles());
    }
    return outcome;
  }

  static String open(
      SimStoreFs fs,
      Case c,
      boolean withCheckpoint,
      boolean readOnly,
      String what,
      List<String> v) {
    Store st;
    try {
      st = Store.open(DamageStores.config(fs, c.store().seed(), 4096, readOnly));
    } catch (RuntimeException e) {
      if (c.field().inSeal()) {
        boolean named =
            e instanceof CorruptStoreException cs
                && cs.file() != null
                && cs.file().endsWith("/" + c.segment())
                && cs.offset() >= 0;
        if (!named) {
          v.add(what + ": a damaged seal made the open refuse without naming it: " + e);
        }
        return "refused";
      }
      if (!c.field().inHeader()) {
        v.add(what + ": damage inside a frame made the open refuse: " + e);
        return "refused";
      }
      List<String[]> refusal = new ArrayList<>();
      DamageOracle.refusal(c, e, readOnly ? "read-only" : "mutable", refusal);
      for (String[] r : refusal) {
        v.add(what + ": " + r[0] + ": " + r[1]);
      }
      return "refused";
    }
    try (Store s = st) {
      if (c.field().inHeader()) {
        v.add(what + ": damage in a segment header went unnoticed at open");
        return "opened";
      }
      if (c.field().inSeal()) {
        return sealDamaged(s, c, withCheckpoint, what, v);
      }
      return reads(s, c, what, v);
    } catch (RuntimeException e) {
      v.add(what + ": reading or closing the store failed: " + e);
      return "violation";
    }
  }

  /** Checks every read of a store whose damage is in frame {@code c.field().frame()}. */
  static String reads(Store st, Case c, String what, List<String> v) {
    Built b = c.store();
    SegmentMap.Frame frame = b.maps().get(c.segment()).frames.get(c.field().frame());
    List<Acked> damaged = b.inFrame(c.segment(), frame);
    Set<String> damagedHashes = new HashSet<>();
    Set<EventId> expectedProblems = new HashSet<>();
    for (Acked a : damaged) {
      damagedHashes.add(a.receipt().eventHash().toHex());
      expectedProblems.add(a.receipt().eventId());
    }
    if (st.stats().eventCount() != b.acked().size()) {
      v.add(what + ": " + st.stats().eventCount() + " events, " + b.acked().size() + " appended");
    }
    for (Acked a : b.acked()) {
      EventId id = a.receipt().eventId();
      ReceiptVerification rv = st.verifyReceipt(a.receipt());
      if (damaged.contains(a)) {
        try {
          st.get(id);
          v.add(what + ": the damaged event " + a.receipt().globalSequence() + " reads");
        } catch (CorruptStoreException e) {
          boolean named =
              e.file() != null
                  && e.file().endsWith("/" + c.segment())
                  && e.offset() >= frame.offset()
                  && e.offset() < frame.end();
          if (!named) {
            v.add(
                what
                    + ": reading the damaged event does not name its frame "
                    + frame.offset()
                    + ".."
                    + frame.end()
                    + ": "
                    + e.getMessage());
          }
        }
        if (!frameCorrupt(rv)) {
          v.add(what + ": the damaged event's receipt is " + rv);
        }
        continue;
      }
      byte[] stored = st.get(id).payload().toByteArray();
      if (!Arrays.equals(stored, a.payload())) {
        v.add(what + ": event " + a.receipt().globalSequence() + " reads other bytes");
      }
      boolean afterDamage = damagedHashes.contains(a.receipt().prevHash().toHex());
      if (afterDamage) {
        expectedProblems.add(id);
        if (!frameCorrupt(rv)) {
          v.add(what + ": the successor of a damaged event has receipt " + rv);
        }
      } else if (!rv.isValid()) {
        v.add(what + ": event " + a.receipt().globalSequence() + " does not verify: " + rv);
      }
    }
    StoreVerification all = st.verifyAll(VerificationProgress.none());
    Set<EventId> listed = new HashSet<>();
    for (StoreVerification.Problem p : all.problems()) {
      listed.add(p.eventId());
      if (p.reason() != ReceiptVerification.Reason.FRAME_CORRUPT) {
        v.add(what + ": verifyAll lists " + p);
      }
    }
    if (!listed.equals(expectedProblems) || all.problemCount() != expectedProblems.size()) {
      v.add(
          what
              + ": verifyAll lists "
              + all.problemCount()
              + " problems "
              + listed
              + ", expected "
              + expectedProblems);
    }
    return "found-on-read";
  }

  /**
   * A store opened over a damaged seal: every event reads and verifies as acknowledged, {@code
   * verifyAll} finds nothing, and, unless the checkpoint covers the segment (then the seal is not
   * read), the open said so: the seal was distrusted (in {@code indexLoad().distrusted()}) or, in
   * the newest segment, cut as a torn tail.
   */
  static String sealDamaged(Store st, Case c, boolean withCheckpoint, String what, List<String> v) {
    for (Acked a : c.store().acked()) {
      ReceiptVerification rv = st.verifyReceipt(a.receipt());
      if (!rv.isValid()) {
        v.add(what + ": event " + a.receipt().globalSequence() + " does not verify: " + rv);
        continue;
      }
      if (!Arrays.equals(st.get(a.receipt().eventId()).payload().toByteArray(), a.payload())) {
        v.add(what + ": event " + a.receipt().globalSequence() + " reads other bytes");
      }
    }
    if (st.stats().eventCount() != c.store().acked().size()) {
      v.add(what + ": " + st.stats().eventCount() + " events, " + c.store().acked().size());
    }
    StoreVerification all = st.verifyAll(VerificationProgress.none());
    if (!all.intact()) {
      v.add(what + ": verifyAll finds " + all.problems());
    }
    if (withCheckpoint) {
      return "seal-not-read";
    }
    io.batpak.OpenReport r = st.openReport();
    boolean distrusted =
        r.indexLoad().distrusted().stream().anyMatch(n -> n.contains("/" + c.segment()));
    boolean cut = r.tornTail().isPresent() && r.tornTail().get().file().endsWith("/" + c.segment());
    if (!distrusted && !cut) {
      v.add(what + ": the damaged seal was used or ignored without a word: " + r.indexLoad());
    }
    return cut ? "seal-cut" : "seal-distrusted";
  }

  static boolean frameCorrupt(ReceiptVerification rv) {
    return rv instanceof ReceiptVerification.Invalid inv
        && inv.reason() == ReceiptVerification.Reason.FRAME_CORRUPT;
  }
}
