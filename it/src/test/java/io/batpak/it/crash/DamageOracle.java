package io.batpak.it.crash;

import static io.batpak.it.crash.DamageExplorerIT.DIR;
import static io.batpak.it.crash.DamageStores.config;

import io.batpak.CorruptStoreException;
import io.batpak.OpenReport;
import io.batpak.ReceiptVerification;
import io.batpak.Store;
import io.batpak.fs.sim.SimStoreFs;
import io.batpak.it.crash.DamageCases.Case;
import io.batpak.it.crash.DamageStores.Acked;
import io.batpak.port.FileHandle;
import io.batpak.port.SyncMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The oracle of the damage explorer ({@link DamageExplorerIT}): reopens a damaged store read-only
 * and mutable and classifies each outcome, collecting violations (the rules are listed on {@link
 * DamageExplorerIT}).
 */
final class DamageOracle {
  private DamageOracle() {}

  /** What one case gave: an outcome per open, and violations as (class, detail). */
  record Result(Case c, String readOnly, String mutable, List<String[]> violations) {}

  static Result run(SimStoreFs fs, Case c) throws IOException {
    fs.restore(c.store().clean());
    Path file = DIR.resolve(c.segment());
    try (FileHandle h = fs.openWrite(file)) {
      h.write(ByteBuffer.wrap(c.damaged()), c.field().offset());
      h.sync(SyncMode.ALL);
    }
    Map<String, byte[]> damaged = new TreeMap<>();
    for (String s : c.store().segments().keySet()) {
      damaged.put(s, fs.contentOf(DIR.resolve(s)));
    }
    List<String[]> v = new ArrayList<>();
    String ro = open(fs, c, true, v);
    for (Map.Entry<String, byte[]> e : damaged.entrySet()) {
      byte[] now = present(fs, e.getKey());
      if (now == null || !Arrays.equals(now, e.getValue())) {
        v.add(
            new String[] {
              "a read-only open changed a segment",
              e.getKey() + (now == null ? " is gone" : " now has " + now.length + " bytes")
            });
      }
    }
    String rw = open(fs, c, false, v);
    if (rw.equals("refused")) {
      for (Map.Entry<String, byte[]> e : damaged.entrySet()) {
        byte[] now = present(fs, e.getKey());
        if (now == null || !Arrays.equals(now, e.getValue())) {
          v.add(
              new String[] {
                "a refused mutable open changed a segment",
                e.getKey() + (now == null ? " is gone" : " now has " + now.length + " bytes")
              });
        }
      }
    }
    // Every frame that was CRC-valid in the damaged file is still there, byte for byte.
    long damageFrom = c.field().offset();
    long damageTo = damageFrom + c.field().length();
    for (Map.Entry<String, SegmentMap> e : c.store().maps().entrySet()) {
      byte[] before = damaged.get(e.getKey());
      byte[] now = present(fs, e.getKey());
      for (SegmentMap.Frame f : e.getValue().frames) {
        boolean hit =
            e.getKey().equals(c.segment()) && damageFrom < f.end() && damageTo > f.offset();
        if (hit) {
          continue;
        }
        boolean kept =
            now != null
                && now.length >= f.end()
                && Arrays.equals(
                    now, (int) f.offset(), (int) f.end(), before, (int) f.offset(), (int) f.end());
        if (!kept) {
          v.add(
              new String[] {
                "a mutable open deleted or cut a CRC-valid acknowledged frame"
                    + (c.field().inHeader() ? " (damage in the segment header)" : ""),
                "frame "
                    + f.index()
                    + " at "
                    + f.offset()
                    + ".."
                    + f.end()
                    + " of "
                    + e.getKey()
                    + (now == null
                        ? ": the file is gone"
                        : ": the file now has " + now.length + " bytes")
              });
          break;
        }
      }
    }
    if (!fs.openHandles().isEmpty()) {
      v.add(new String[] {"a handle or lock outlived the open", fs.openHandles().toString()});
    }
    return new Result(c, ro, rw, v);
  }

  static byte[] present(SimStoreFs fs, String segment) throws IOException {
    Path p = DIR.resolve(segment);
    return fs.exists(p) ? fs.contentOf(p) : null;
  }

  /** Opens, applies the oracle, closes; returns the outcome class. */
  static String open(SimStoreFs fs, Case c, boolean readOnly, List<String[]> v) {
    String mode = readOnly ? "read-only" : "mutable";
    Store st;
    try {
      st = Store.open(config(fs, c.store().seed(), 4096, readOnly));
    } catch (RuntimeException e) {
      refusal(c, e, mode, v);
      return "refused";
    }
    try {
      return opened(st, c, mode, v);
    } catch (RuntimeException e) {
      v.add(new String[] {mode + ": reading the opened store failed", e.toString()});
      return "violation";
    } finally {
      try {
        st.close();
      } catch (RuntimeException e) {
        v.add(new String[] {mode + ": close threw", e.toString()});
      }
    }
  }

  static void refusal(Case c, RuntimeException e, String mode, List<String[]> v) {
    SegmentMap.Field f = c.field();
    if (!(e instanceof CorruptStoreException cs)) {
      v.add(
          new String[] {
            "refused with something other than CorruptStoreException", mode + ": " + e
          });
      return;
    }
    if (cs.file() == null || !cs.file().endsWith("/" + c.segment())) {
      v.add(
          new String[] {
            "refusal names another file", mode + ": " + cs.file() + ", damage in " + c.segment()
          });
      return;
    }
    if (!f.contains(cs.offset()) && cs.offset() != f.containerStart()) {
      int h = c.store().maps().get(c.segment()).headerLength;
      String where;
      if (f.inHeader() && cs.offset() == h - 4) {
        where = "header: reported at the header CRC";
      } else if (f.inHeader() && cs.offset() >= h) {
        where = "header: reported past the header, inside the first frame";
      } else {
        where = (f.inHeader() ? "header" : "frame") + " [" + generic(f.name()) + "]";
      }
      v.add(
          new String[] {
            "refusal offset is outside the damaged field and its " + where,
            mode
                + ": offset "
                + cs.offset()
                + ", damage in "
                + f.name()
                + " at "
                + f.offset()
                + ".."
                + (f.offset() + f.length())
                + (f.inHeader() ? "" : " of the frame at " + f.containerStart())
                + ": "
                + cs.getMessage()
          });
    }
  }

  static String opened(Store st, Case c, String mode, List<String[]> v) {
    Optional<OpenReport.TornTail> torn = st.openReport().tornTail();
    if (torn.isPresent() && !torn.get().file().endsWith("/" + c.store().newest())) {
      v.add(
          new String[] {
            "damage in a sealed segment reported as a torn tail",
            mode + ": " + torn.get() + ", damage in " + c.segment()
          });
    }
    if (torn.isPresent() && !c.newest()) {
      v.add(
          new String[] {
            "damage in a sealed segment made the open cut the newest one",
            mode + ": " + torn.get() + ", damage in " + c.segment()
          });
    }
    List<Acked> missing = new ArrayList<>();
    for (Acked a : c.store().acked()) {
      ReceiptVerification rv = st.verifyReceipt(a.receipt());
      if (!rv.isValid()) {
        boolean gone =
            rv instanceof ReceiptVerification.Invalid inv
                && inv.reason() == ReceiptVerification.Reason.MISSING_EVENT;
        if (!gone) {
          v.add(
              new String[] {
                "the store returned wrong data (a receipt fails)",
                mode + ": " + a.receipt().globalSequence() + ": " + rv
              });
        }
        missing.add(a);
        continue;
      }
      if (!Arrays.equals(st.get(a.receipt().eventId()).payload().toByteArray(), a.payload())) {
        v.add(
            new String[] {
              "the store returned wrong data (payload bytes differ)",
              mode + ": event " + a.receipt().globalSequence()
            });
      }
    }
    long count = st.stats().eventCount();
    if (count != c.store().acked().size() - missing.size()) {
      v.add(
          new String[] {
            "the store holds events that were never appended",
            mode
                + ": "
                + count
                + " events, "
                + (c.store().acked().size() - missing.size())
                + " known"
          });
    }
    if (missing.isEmpty()) {
      v.add(
          new String[] {
            "damage went unnoticed [" + generic(c.field().name()) + "]",
            mode + ": opened with every event intact" + torn.map(t -> ", torn " + t).orElse("")
          });
      return "unnoticed";
    }
    if (c.inLastFrameOfNewest()) {
      SegmentMap.Frame lastFrame = c.store().maps().get(c.segment()).frames.get(c.field().frame());
      List<Acked> tail = c.store().inFrame(c.segment(), lastFrame);
      boolean exact =
          torn.isPresent()
              && torn.get().file().endsWith("/" + c.segment())
              && torn.get().offset() == lastFrame.offset()
              && missing.size() == tail.size()
              && missing.containsAll(tail);
      if (exact) {
        return "cut-unprovable-tail";
      }
    }
    v.add(
        new String[] {
          "acknowledged events lost"
              + (c.field().inHeader() ? " (damage in the segment header)" : ""),
          mode
              + ": "
              + missing.size()
              + " of "
              + c.store().acked().size()
              + " missing, from global sequence "
              + missing.get(0).receipt().globalSequence()
              + torn.map(t -> "; torn tail reported: " + t).orElse("; no torn tail reported")
        });
    return "lost-acknowledged";
  }

  /** A field name without indices: {@code frame.record.payload}. */
  static String generic(String name) {
    return name.replaceAll("\\[\\d+\\]", "");
  }
}
