package io.batpak.it.crash;

import io.batpak.AppendReceipt;
import io.batpak.Cursor;
import io.batpak.EventHeader;
import io.batpak.EventId;
import io.batpak.EventKind;
import io.batpak.IdempotencyKey;
import io.batpak.ReceiptVerification;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoredEvent;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What {@link LifetimeExplorerIT} knows a store must hold, across its sessions, and the oracle that
 * judges a reopened store against it.
 *
 * <p>Every event carries a unique tag in its first four payload bytes. An event is, to the model,
 * {@link State#ACKED} (its append, or its fence's commit, returned: durable in {@code DURABLE}
 * mode), {@link State#UNCERTAIN} ({@code OutcomeUnknownException}, a crash in the call, or a fence
 * commit that failed), {@link State#FAILED} (a definite error: nothing written), {@link
 * State#FENCED} (written under a fence still open) or {@link State#CANCELLED} (its fence was
 * cancelled, closed, or never committed before the session ended). The first reopen after a session
 * resolves each uncertain event (all or nothing per batch or fence) and from then on the model
 * holds the answer; later reopens must agree.
 *
 * <p>Compaction: the predicate of {@code retain} and {@code tombstone} rejects the streams named
 * {@code temp-*}. Which of their events a compaction reached depends on which segments were sealed,
 * which the model does not track, so an acknowledged {@code temp-} event may read back whole, as a
 * tombstone (once a tombstone compaction was attempted), or be compacted away (once a retain
 * compaction was attempted); but once seen tombstoned or dropped it never comes back, and the
 * counts the compactions returned (PERFORMED, and FAILED: the groups before the failing one stay
 * compacted) are a lower bound for what the reopened store shows.
 */
final class LifetimeModel {
  enum State {
    ACKED,
    UNCERTAIN,
    FAILED,
    FENCED,
    CANCELLED
  }

  /** What became of an acknowledged event under compaction, as last observed. */
  enum Fate {
    WHOLE,
    TOMBSTONED,
    DROPPED
  }

  static final class Ev {
    final int tag;
    final String entity;
    final byte[] payload;
    final IdempotencyKey key;

    /** The batch or fence it belongs to (all or nothing), or -1. */
    final int group;

    /** Whether it was appended alone (not in a batch, not under a fence): retries use it. */
    final boolean single;

    State state;
    AppendReceipt receipt;
    Fate fate = Fate.WHOLE;
    String why = "";

    Ev(int tag, String entity, byte[] payload, IdempotencyKey key, int group, boolean single) {
      this.tag = tag;
      this.entity = entity;
      this.payload = payload;
      this.key = key;
      this.group = group;
      this.single = single;
    }

    boolean temp() {
      return entity.startsWith("temp-");
    }

    @Override
    public String toString() {
      return "tag " + tag + " (" + entity + ", " + state + (why.isEmpty() ? "" : ", " + why) + ")";
    }
  }

  /** A published snapshot or fork, judged at the end of the seed. */
  record Copy(Path dest, boolean fork, Set<Integer> ackedAtCall, int firstTagAfter, String what) {}

  final TreeMap<Integer, Ev> events = new TreeMap<>();
  int nextTag = 1;
  int nextGroup = 1;

  /** The groups that are fences (the others are batches). */
  final Set<Integer> fenceGroups = new HashSet<>();

  boolean retainTried;
  boolean tombstoneTried;

  /** Lower bounds from the compactions' results. */
  long droppedAtLeast;

  long tombstonedAtLeast;

  /**
   * Whether every retain and tombstone compaction so far returned PERFORMED or SKIPPED (none
   * failed, threw or was cut by a crash): then the counts they returned are exact.
   */
  boolean countsExact = true;

  /** The durable cursor's possible positions after a reopen ({@code -1}: nothing saved). */
  Set<Long> cursorAllowed = new TreeSet<>(Set.of(-1L));

  /**
   * Whether a checkpoint may have been renamed into place without the directory's fsync (a
   * StoreIoException after the rename): a reopen in the same boot sees it, a power loss may take it
   * back, until a checkpoint succeeds.
   */
  boolean cursorUnsynced;

  final List<Copy> copies = new ArrayList<>();

  /** Copy destinations whose call failed: they must not exist. */
  final List<String> unpublished = new ArrayList<>();

  static int tagOf(byte[] payload) {
    return payload.length < 4 ? -1 : ByteBuffer.wrap(payload, 0, 4).getInt();
  }

  /** The stream's next sequence, counting the acknowledged events. */
  long nextSequence(String entity) {
    long n = 0;
    for (Ev e : events.values()) {
      if (e.entity.equals(entity) && e.state == State.ACKED) {
        n++;
      }
    }
    return n;
  }

  boolean anyUncertain() {
    for (Ev e : events.values()) {
      if (e.state == State.UNCERTAIN) {
        return true;
      }
    }
    return false;
  }

  Set<Integer> acked() {
    Set<Integer> s = new TreeSet<>();
    for (Ev e : events.values()) {
      if (e.state == State.ACKED) {
        s.add(e.tag);
      }
    }
    return s;
  }

  /** Every visible event, by paging {@code queryAfter}. */
  static List<EventHeader> all(Store store) {
    List<EventHeader> out = new ArrayList<>();
    long after = -1;
    while (true) {
      List<EventHeader> page = store.queryAfter(Region.all(), after, 200);
      if (page.isEmpty()) {
        return out;
      }
      out.addAll(page);
      after = page.get(page.size() - 1).globalSequence();
    }
  }

  /**
   * Judges {@code store} against the model; resolves uncertain events when {@code resolve}. Returns
   * the violations.
   */
  List<String> check(Store store, boolean resolve, boolean cursor) {
    List<String> v = new ArrayList<>();
    List<EventHeader> visible = all(store);
    Map<Integer, EventHeader> byTag = new HashMap<>();
    Map<Integer, StoredEvent> stored = new HashMap<>();
    Map<EventId, EventHeader> tombstones = new HashMap<>();
    long last = -1;
    for (EventHeader h : visible) {
      if (h.globalSequence() <= last) {
        v.add("global order broken at " + h.globalSequence() + " after " + last);
      }
      last = h.globalSequence();
      StoredEvent e = store.get(h.eventId());
      if (h.kind().equals(EventKind.TOMBSTONE)) {
        if (e.payload().size() != 0) {
          v.add("tombstone " + h.globalSequence() + " has a payload");
        }
        tombstones.put(h.eventId(), h);
        continue;
      }
      int tag = tagOf(e.payload().toByteArray());
      Ev m = events.get(tag);
      if (m == null) {
        v.add("phantom event " + h.globalSequence() + " with tag " + tag);
        continue;
      }
      if (byTag.put(tag, h) != null) {
        v.add("tag " + tag + " is visible twice (a retry appended again?)");
      }
      stored.put(tag, e);
      if (!Arrays.equals(m.payload, e.payload().toByteArray())) {
        v.add(m + ": payload differs at " + h.globalSequence());
      }
      if (!h.entity().equals(m.entity)) {
        v.add(m + ": read back on stream " + h.entity());
      }
    }
    if (resolve) {
      resolve(byTag, v);
    }
    Set<Long> used = new TreeSet<>();
    for (EventHeader h : visible) {
      used.add(h.globalSequence());
    }
    long dropped = 0;
    long tombstoned = 0;
    Map<String, List<long[]>> streams = new TreeMap<>();
    for (Ev m : events.values()) {
      EventHeader h = byTag.get(m.tag);
      switch (m.state) {
        case ACKED -> {
          AppendReceipt r = m.receipt;
          ReceiptVerification rv = store.verifyReceipt(r);
          streams
              .computeIfAbsent(m.entity, k -> new ArrayList<>())
              .add(new long[] {r.globalSequence(), r.streamSequence()});
          if (h != null) {
            if (m.fate != Fate.WHOLE) {
              v.add(m + ": was " + m.fate + ", is whole again at " + h.globalSequence());
            }
            if (h.globalSequence() != r.globalSequence()
                || h.streamSequence() != r.streamSequence()
                || !h.eventId().equals(r.eventId())
                || !h.eventHash().equals(r.eventHash())) {
              v.add(m + ": read back as " + h + ", receipt " + r);
            }
            if (!(rv instanceof ReceiptVerification.Valid)) {
              v.add(m + ": visible but its receipt verifies " + rv);
            }
            continue;
          }
          EventHeader t = tombstones.get(r.eventId());
          if (t != null) {
            used.add(t.globalSequence());
            tombstoned++;
            if (!m.temp() || !tombstoneTried) {
              v.add(m + ": read back as a tombstone, no tombstone compaction could reach it");
            } else if (m.fate == Fate.DROPPED) {
              v.add(m + ": was dropped, is a tombstone now");
            }
            if (!(rv instanceof ReceiptVerification.CompactedAway a && a.tombstone())) {
              v.add(m + ": a tombstone whose receipt verifies " + rv);
            }
            if (t.globalSequence() != r.globalSequence()
                || t.streamSequence() != r.streamSequence()) {
              v.add(m + ": tombstone at " + t + ", receipt " + r);
            }
            m.fate = Fate.TOMBSTONED;
            continue;
          }
          if (rv instanceof ReceiptVerification.CompactedAway a && !a.tombstone()) {
            used.add(r.globalSequence());
            dropped++;
            if (!m.temp() || !retainTried) {
              v.add(m + ": compacted away, no retain compaction could reach it");
            } else if (m.fate == Fate.TOMBSTONED) {
              v.add(m + ": was a tombstone, is dropped now");
            }
            m.fate = Fate.DROPPED;
            continue;
          }
          v.add(m + ": acknowledged (gs " + r.globalSequence() + ") but lost: " + rv);
        }
        case FAILED, CANCELLED -> {
          if (h != null) {
            v.add(m + ": failed definitely, yet visible at " + h.globalSequence());
          }
          if (m.receipt != null) {
            // A cancelled fence's event: its sequence is used up, its receipt never valid.
            used.add(m.receipt.globalSequence());
            ReceiptVerification rv = store.verifyReceipt(m.receipt);
            if (rv.isValid() || rv instanceof ReceiptVerification.CompactedAway) {
              v.add(m + ": its receipt verifies " + rv);
            }
          }
        }
        case UNCERTAIN, FENCED -> {
          // Resolved above on a resolving check; a non-resolving one (read-only first) may see
          // either.
          if (h != null) {
            used.add(h.globalSequence());
          }
        }
      }
    }
    for (Map.Entry<String, List<long[]>> s : streams.entrySet()) {
      List<long[]> l = s.getValue();
      l.sort((a, b) -> Long.compare(a[0], b[0]));
      for (int i = 0; i < l.size(); i++) {
        if (l.get(i)[1] != i) {
          v.add(
              "stream "
                  + s.getKey()
                  + " not dense: event at gs "
                  + l.get(i)[0]
                  + " has stream sequence "
                  + l.get(i)[1]
                  + ", expected "
                  + i);
          break;
        }
      }
    }
    // A fence that never committed uses its global sequences up, those of appends through it whose
    // outcome was unknown (no receipt) too: holes between the last event acknowledged before the
    // fence and the first one after it are its.
    List<long[]> fenceWindows = new ArrayList<>();
    for (Ev m : events.values()) {
      if ((m.state != State.CANCELLED && m.state != State.FAILED)
          || m.receipt != null
          || !fenceGroups.contains(m.group)) {
        continue;
      }
      long lo = -1;
      long hi = Long.MAX_VALUE;
      for (Ev o : events.values()) {
        if (o.state != State.ACKED || o.group == m.group) {
          continue;
        }
        long g = o.receipt.globalSequence();
        if (o.tag < m.tag) {
          lo = Math.max(lo, g);
        } else {
          hi = Math.min(hi, g);
        }
      }
      fenceWindows.add(new long[] {lo, hi});
    }
    if (!used.isEmpty()) {
      long max = ((TreeSet<Long>) used).last();
      List<Long> holes = new ArrayList<>();
      for (long g = 0; g <= max && holes.size() < 5; g++) {
        boolean fenced = false;
        for (long[] w : fenceWindows) {
          fenced |= g > w[0] && g < w[1];
        }
        if (!used.contains(g) && !fenced) {
          holes.add(g);
        }
      }
      if (!holes.isEmpty()) {
        v.add("global sequence not dense: no event at " + holes + " (max " + max + ")");
      }
    }
    if (dropped < droppedAtLeast || (countsExact && dropped != droppedAtLeast)) {
      v.add(
          dropped
              + " acknowledged events compacted away, the compactions reported "
              + droppedAtLeast
              + (countsExact ? " (exact)" : " (at least)"));
    }
    if (tombstoned < tombstonedAtLeast || (countsExact && tombstoned != tombstonedAtLeast)) {
      v.add(
          tombstoned
              + " acknowledged events tombstoned, the compactions reported "
              + tombstonedAtLeast
              + (countsExact ? " (exact)" : " (at least)"));
    }
    if (cursor) {
      try (Cursor c = store.cursor(Region.all(), LifetimeExplorerIT.CURSOR_ID)) {
        long p = c.position();
        if (!cursorAllowed.contains(p)) {
          v.add("the cursor resumed at " + p + ", saved positions allow " + cursorAllowed);
        }
        if (resolve && !cursorUnsynced) {
          cursorAllowed = new TreeSet<>(Set.of(p));
        }
        var next = c.poll();
        if (next.isPresent()) {
          long g = next.get().header().globalSequence();
          Long want = null;
          for (EventHeader h : visible) {
            if (h.globalSequence() > p) {
              want = h.globalSequence();
              break;
            }
          }
          if (want == null || want != g) {
            v.add("the cursor at " + p + " delivered " + g + ", expected " + want);
          }
        }
      }
    }
    return v;
  }

  /** Settles every uncertain event by what the store shows, all or nothing per group. */
  private void resolve(Map<Integer, EventHeader> byTag, List<String> v) {
    Map<Integer, Set<Boolean>> groups = new HashMap<>();
    for (Ev m : events.values()) {
      if (m.state == State.FENCED) {
        // A session ended with its fence open: the reopen cancels it.
        m.state = State.CANCELLED;
        m.why += ", fence open at the session's end";
        if (byTag.containsKey(m.tag)) {
          v.add(m + ": its fence never committed, yet it is visible");
        }
        continue;
      }
      if (m.state != State.UNCERTAIN) {
        continue;
      }
      EventHeader h = byTag.get(m.tag);
      if (m.group >= 0) {
        groups.computeIfAbsent(m.group, k -> new HashSet<>()).add(h != null);
      }
      if (h != null) {
        if (m.receipt != null
            && (m.receipt.globalSequence() != h.globalSequence()
                || !m.receipt.eventId().equals(h.eventId()))) {
          v.add(m + ": its fence receipt " + m.receipt + " differs from what is stored " + h);
        }
        m.state = State.ACKED;
        m.receipt = h.toReceipt();
        m.why += ", found after the reopen";
      } else {
        m.state = State.FAILED;
        m.why += ", absent after the reopen";
      }
    }
    groups.forEach(
        (g, seen) -> {
          if (seen.size() > 1) {
            v.add("group " + g + " (a batch or a fence) is partly visible");
          }
        });
  }
}
