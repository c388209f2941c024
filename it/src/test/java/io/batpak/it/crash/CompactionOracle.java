package io.batpak.it.crash;

import io.batpak.AppendReceipt;
import io.batpak.EventHeader;
import io.batpak.EventKind;
import io.batpak.EventNotFoundException;
import io.batpak.ReceiptVerification;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreVerification;
import io.batpak.StoredEvent;
import io.batpak.VerificationProgress;
import io.batpak.fs.sim.SimStoreFs;
import io.batpak.it.crash.CompactionWorkload.Ev;
import io.batpak.it.crash.CompactionWorkload.Session;
import io.batpak.it.crash.CompactionWorkload.Strategy;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The exact oracle of {@link CompactionCrashExplorerIT} for a store reopened (mutable) after a
 * crash or a fault in a compaction session.
 *
 * <ul>
 *   <li>Every acknowledged append is there: its receipt verifies, {@code Valid} with its payload
 *       read back byte for byte, or, for an event the compaction removes, {@code CompactedAway}
 *       (dropped: {@code get} throws {@code EventNotFoundException} and no query returns it;
 *       tombstoned: it reads back as a {@code TOMBSTONE} with an empty payload), with the evidence
 *       carrying the receipt's hash and sequence.
 *   <li>No event appears that no append of the setup or the session made (tags), none twice, and
 *       the visible order is the global order.
 *   <li>Per group of segments the compaction replaces: either every removable event has its old
 *       disposition or every one its new one, and the group's files are either all there (old) or
 *       only its last segment (new), consistently with the events.
 *   <li>{@code verifyAll} finds no problem, checks every event present and counts exactly the
 *       removed ones as compacted.
 *   <li>No {@code .compacting} file and no {@code compaction.intent} is left after the open.
 *   <li>Retrying a keyed acknowledged append answers its original receipt.
 * </ul>
 */
final class CompactionOracle {
  private CompactionOracle() {}

  /** What the disposition of every group must be. */
  enum Expect {
    ANY,
    /** The compaction returned PERFORMED, or failed after its switch and the disk was not lost. */
    NEW,
    /** The compaction failed before its switch. */
    OLD
  }

  /** The state of the removable events of a group, or of its files. */
  enum State {
    OLD,
    NEW,
    NONE
  }

  /**
   * Judges {@code store}, freshly opened over {@code fs}; with {@code retry}, also retries the
   * keyed appends (which writes nothing, but is a call on the store); {@code expect} says what
   * every group's state must be.
   */
  static List<String> check(
      Store store,
      SimStoreFs fs,
      CompactionWorkload w,
      Strategy strategy,
      Session s,
      boolean retry,
      List<Expect> expect) {
    List<String> v = new ArrayList<>();
    Map<Integer, Ev> byTag = new HashMap<>();
    Map<Integer, AppendReceipt> acked = new TreeMap<>(w.setupReceipts);
    acked.putAll(s.acked);
    Set<Integer> allowed = new HashSet<>(w.setupReceipts.keySet());
    allowed.addAll(s.attempted);
    for (Ev e : w.setupEvents) {
      byTag.put(e.tag(), e);
    }
    for (Ev e : w.sessionEvents) {
      byTag.put(e.tag(), e);
    }

    // Everything visible: known, once, in order, payload exact.
    List<EventHeader> visible = query(store);
    Map<Integer, EventHeader> seen = new HashMap<>();
    Set<io.batpak.EventId> tombstones = new HashSet<>();
    long prev = -1;
    for (EventHeader h : visible) {
      if (h.globalSequence() <= prev) {
        v.add("visible order: " + h.globalSequence() + " after " + prev);
      }
      prev = h.globalSequence();
      StoredEvent got = store.get(h.eventId());
      if (h.kind().equals(EventKind.TOMBSTONE)) {
        tombstones.add(h.eventId());
        if (got.payload().size() != 0) {
          v.add("tombstone " + h.globalSequence() + " has a payload");
        }
        continue;
      }
      byte[] payload = got.payload().toByteArray();
      int tag = CompactionWorkload.tagOf(payload);
      Ev e = byTag.get(tag);
      if (e == null || !allowed.contains(tag)) {
        v.add("event " + h.globalSequence() + " (tag " + tag + ") was never appended");
        continue;
      }
      if (!Arrays.equals(e.payload(), payload)) {
        v.add("event " + h.globalSequence() + " (tag " + tag + ") payload differs");
      }
      if (!h.coordinate().entity().equals(e.entity())) {
        v.add("event tag " + tag + " in stream " + h.coordinate().entity() + ", not " + e.entity());
      }
      if (seen.put(tag, h) != null) {
        v.add("tag " + tag + " appears twice");
      }
    }

    // Every acknowledged append, old or new disposition.
    Map<Integer, State> stateOf = new HashMap<>();
    long compacted = 0;
    for (Map.Entry<Integer, AppendReceipt> en : acked.entrySet()) {
      int tag = en.getKey();
      AppendReceipt r = en.getValue();
      Ev e = byTag.get(tag);
      ReceiptVerification rv = store.verifyReceipt(r);
      boolean canGo = strategy != Strategy.MERGE && e.removable();
      if (rv instanceof ReceiptVerification.Valid) {
        EventHeader h = seen.get(tag);
        if (h == null) {
          v.add("acknowledged tag " + tag + " (global " + r.globalSequence() + ") is not visible");
        } else if (h.globalSequence() != r.globalSequence() || !h.eventId().equals(r.eventId())) {
          v.add("tag " + tag + " visible at " + h.globalSequence() + ", receipt says " + r);
        }
        if (canGo) {
          stateOf.put(tag, State.OLD);
        }
      } else if (rv instanceof ReceiptVerification.CompactedAway away && canGo) {
        compacted++;
        stateOf.put(tag, State.NEW);
        boolean tomb = strategy == Strategy.TOMBSTONE;
        if (away.tombstone() != tomb) {
          v.add("tag " + tag + ": compacted away with tombstone=" + away.tombstone());
        }
        if (!away.evidence().eventHash().equals(r.eventHash())
            || away.evidence().globalSequence() != r.globalSequence()) {
          v.add("tag " + tag + ": the evidence " + away.evidence() + " does not match " + r);
        }
        if (tomb) {
          StoredEvent t = store.get(r.eventId());
          if (!t.header().kind().equals(EventKind.TOMBSTONE)
              || t.payload().size() != 0
              || !tombstones.contains(r.eventId())) {
            v.add("tag " + tag + ": not read back as a visible tombstone: " + t.header());
          }
        } else {
          try {
            store.get(r.eventId());
            v.add("tag " + tag + ": dropped, yet get returns it");
          } catch (EventNotFoundException expected) {
            // dropped
          }
        }
        if (seen.containsKey(tag)) {
          v.add("tag " + tag + ": compacted away, yet visible with its payload");
        }
      } else {
        v.add("acknowledged tag " + tag + " (" + e.entity() + "): receipt check " + rv);
      }
    }
    int tombstoneCount = 0;
    for (State st : stateOf.values()) {
      tombstoneCount += st == State.NEW && strategy == Strategy.TOMBSTONE ? 1 : 0;
    }
    if (tombstones.size() != tombstoneCount) {
      v.add(tombstones.size() + " tombstones visible, " + tombstoneCount + " expected");
    }

    // Per group: one state for its events, and files that agree.
    List<String> names;
    try {
      names = fs.list(Workload.DIR);
    } catch (IOException e) {
      v.add("cannot list the store directory: " + e);
      return v;
    }
    for (int gi = 0; gi < w.groups(strategy).size(); gi++) {
      List<Long> g = w.groups(strategy).get(gi);
      State events = State.NONE;
      for (Ev e : w.setupEvents) {
        State st = stateOf.get(e.tag());
        if (st == null || !g.contains(w.segments.get(e.cycle()))) {
          continue;
        }
        if (events == State.NONE) {
          events = st;
        } else if (events != st) {
          v.add("group " + g + " is a mix of old and new dispositions: " + stateOf);
          break;
        }
      }
      int present = 0;
      for (long id : g) {
        present += names.contains(String.format("%010d.seg", id)) ? 1 : 0;
      }
      boolean lastThere = names.contains(String.format("%010d.seg", g.get(g.size() - 1)));
      State files;
      if (g.size() == 1) {
        files = State.NONE; // the names cannot tell
        if (!lastThere) {
          v.add("segment " + g + " is missing");
        }
      } else if (present == g.size()) {
        files = State.OLD;
      } else if (present == 1 && lastThere) {
        files = State.NEW;
      } else {
        files = State.NONE;
        v.add("group " + g + ": a replaced segment is left behind or missing, files " + names);
      }
      Expect want = expect.get(gi);
      State wrong = want == Expect.NEW ? State.OLD : want == Expect.OLD ? State.NEW : null;
      if (wrong != null && (events == wrong || files == wrong)) {
        v.add(
            "group " + g + " must be " + want + ": its events are " + events + ", files " + files);
      }
      if (events != State.NONE && files != State.NONE && events != files) {
        v.add("group " + g + ": events " + events + " but files " + files + " " + names);
      }
    }
    for (String n : names) {
      if (n.endsWith(".compacting") || n.startsWith("compaction.intent")) {
        v.add("left over after a mutable open: " + n + " in " + names);
      }
    }

    StoreVerification all = store.verifyAll(VerificationProgress.none());
    if (!all.intact()) {
      v.add("verifyAll: " + all.problemCount() + " problems " + all.problems());
    }
    long present = seen.size() + compacted;
    if (all.eventsChecked() != present) {
      v.add("verifyAll checked " + all.eventsChecked() + " events, " + present + " present");
    }
    if (all.eventsCompacted() != compacted) {
      v.add("verifyAll counts " + all.eventsCompacted() + " compacted, expected " + compacted);
    }
    if (retry) {
      for (Map.Entry<Integer, AppendReceipt> en : acked.entrySet()) {
        Ev e = byTag.get(en.getKey());
        if (e.key() == null) {
          continue;
        }
        AppendReceipt again = CompactionWorkload.append(store, e);
        if (!again.equals(en.getValue())) {
          v.add("retrying keyed tag " + e.tag() + " answered " + again + ", not " + en.getValue());
        }
      }
    }
    return v;
  }

  /** Every visible header, in global order. */
  static List<EventHeader> query(Store store) {
    List<EventHeader> all = new ArrayList<>();
    long after = -1;
    while (true) {
      List<EventHeader> page = store.queryAfter(Region.all(), after, 1000);
      all.addAll(page);
      if (page.size() < 1000) {
        return all;
      }
      after = page.get(page.size() - 1).globalSequence();
    }
  }
}
