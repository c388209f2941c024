package io.batpak.engine.internal.commit;

import io.batpak.Bytes;
import io.batpak.ConcurrencyConflictException;
import io.batpak.Denial;
import io.batpak.EventId;
import io.batpak.EventKind;
import io.batpak.GateDeniedException;
import io.batpak.IdempotencyConflictException;
import io.batpak.StoreException;
import io.batpak.StoreFullException;
import io.batpak.ValidationException;
import io.batpak.engine.internal.format.EventHashes;
import io.batpak.engine.internal.format.EventRecord;
import io.batpak.engine.internal.format.FrameCodec;
import io.batpak.engine.internal.gate.AtomicGates;
import io.batpak.engine.internal.gate.PendingEvents;
import io.batpak.engine.internal.index.Index;
import io.batpak.engine.internal.index.StreamState;
import io.batpak.engine.internal.read.EventReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Decides, for each append of a group in queue order, what the store makes of it
 * (docs/architecture.md decisions 3 and 5): a retry answered by the events its idempotency keys
 * already name (checked first, so a retry of a conditional append that succeeded gets its receipt
 * instead of a conflict), a refusal (a failed expected version, a full stream or store), or new
 * events, which it places: stream sequence, global sequence, previous hash and event hash, building
 * each stored record exactly once. Later appends of the group see the heads and keys of earlier
 * ones. An event's atomic gates run right before it is placed, against its stream as the group has
 * it (ADR 0018); a denial refuses that append alone. Used by the committer with its commit lock
 * held; not thread-safe.
 */
final class Sequencer {
  private final Index index;
  private final EventReader reader;
  private final EventHashes hashes = new EventHashes();
  private final AtomicGates gates;

  Sequencer(Index index, EventReader reader, AtomicGates gates) {
    this.index = index;
    this.reader = reader;
    this.gates = gates;
  }

  /** The atomic gates' runner (ADR 0018); closed with the committer. */
  AtomicGates gates() {
    return gates;
  }

  /** One stream's head as this group moves it. */
  private static final class Head {
    long next;
    byte[] hash;

    Head(long next, byte[] hash) {
      this.next = next;
      this.hash = hash;
    }
  }

  /** A 128-bit id as a map key. */
  private record Key(long hi, long lo) {}

  /** Sequences {@code group}, whose first new event gets global sequence {@code index.size()}. */
  SequencedGroup sequence(List<AppendRequest> group) {
    SequencedGroup out = new SequencedGroup(index.size(), group.size());
    Map<String, Head> heads = new HashMap<>();
    Map<Key, EventRecord> groupKeys = new HashMap<>();
    PendingEvents[] pending = new PendingEvents[1]; // built at the group's first gated event
    for (int a = 0; a < group.size(); a++) {
      AppendRequest request = group.get(a);
      boolean last = a == group.size() - 1; // no later append reads the heads it leaves
      try {
        List<EventRecord> known = knownEvents(request, groupKeys);
        if (known != null) {
          out.retried(request, known);
          continue;
        }
        List<EventRecord> records = place(request, heads, last, out.endGlobal(), out, pending);
        out.placed(new GroupFrame(request, records));
        if (pending[0] != null) {
          pending[0].add(records);
        }
        for (int i = 0; i < records.size(); i++) {
          if (request.events().get(i).keyed()) {
            EventRecord r = records.get(i);
            groupKeys.put(new Key(r.idHi(), r.idLo()), r);
          }
        }
      } catch (StoreException e) {
        // Completed with the group, not now: the refusal may rest on events earlier in this
        // group (a key, a stream version) that are neither visible nor durable yet.
        out.refused(request, e);
      }
    }
    return out;
  }

  /**
   * Places the events of one append after the heads the group has reached, all or none: the group's
   * heads move only when every event of the append fits.
   *
   * @param last whether this is the group's last append: then the heads are left as they are, since
   *     nothing reads them after it
   */
  private List<EventRecord> place(
      AppendRequest request,
      Map<String, Head> heads,
      boolean last,
      long nextGlobal,
      SequencedGroup group,
      PendingEvents[] pending) {
    List<UnsequencedEvent> events = request.events();
    if (nextGlobal + events.size() > Index.MAX_EVENTS) {
      throw new StoreFullException(
          "the store holds "
              + nextGlobal
              + " events and this append would pass the most one store can index ("
              + Index.MAX_EVENTS
              + "); nothing was written. Start a new store for new events.");
    }
    if (events.size() == 1) {
      return List.of(placeOne(events.get(0), heads, last, nextGlobal, group, pending));
    }
    List<EventRecord> records = new ArrayList<>(events.size());
    Map<String, Head> local = new HashMap<>();
    Function<String, Head> fromGroup = entity -> headOf(entity, heads); // one per append
    for (UnsequencedEvent e : events) {
      Head head = local.computeIfAbsent(e.entity(), fromGroup);
      check(e, head.next);
      if (!e.gates().isEmpty()) {
        gate(e, head.next, records, group, pending, records.size());
      }
      long global = nextGlobal + records.size();
      byte[] hash = hashes.eventHash(head.hash, e, head.next, global);
      records.add(EventRecord.sequenced(e, head.next, global, head.hash, hash));
      head.next++;
      head.hash = hash;
    }
    if (!last) {
      heads.putAll(local);
    }
    return records;
  }

  /**
   * {@link #place} for an append of one event, without the batch's map of heads (the common case,
   * so it allocates nothing beyond the record, its hash and the group's head).
   */
  private EventRecord placeOne(
      UnsequencedEvent e,
      Map<String, Head> heads,
      boolean last,
      long global,
      SequencedGroup group,
      PendingEvents[] pending) {
    Head known = heads.get(e.entity());
    long next;
    byte[] prev;
    if (known != null) {
      next = known.next;
      prev = known.hash;
    } else {
      StreamState s = index.stream(e.entity());
      next = s == null ? 0 : s.nextSequence();
      prev = s == null ? FrameCodec.ZERO_HASH : s.headHash();
    }
    check(e, next);
    if (!e.gates().isEmpty()) {
      gate(e, next, List.of(), group, pending, -1);
    }
    byte[] hash = hashes.eventHash(prev, e, next, global);
    EventRecord r = EventRecord.sequenced(e, next, global, prev, hash);
    if (known != null) {
      known.next = next + 1;
      known.hash = hash;
    } else if (!last) {
      heads.put(e.entity(), new Head(next + 1, hash));
    }
    return r;
  }

  /**
   * Checks that {@code e} may be the event at {@code next} of its stream.
   *
   * @throws ValidationException if the stream is full
   * @throws ConcurrencyConflictException if its expected version does not match
   */
  private static void check(UnsequencedEvent e, long next) {
    if (next >= Index.MAX_STREAM_EVENTS) {
      throw new ValidationException(
          "stream '"
              + e.entity()
              + "' holds "
              + next
              + " events, the most one stream can hold; append to a new stream");
    }
    if (!e.expected().matches(next)) {
      throw new ConcurrencyConflictException(e.entity(), e.expected().toString(), next);
    }
  }

  /**
   * Runs {@code e}'s atomic gates against its stream as the group has it, {@code records} (this
   * append's events placed so far) included (ADR 0018).
   *
   * @throws GateDeniedException with the first denial; nothing of the append is placed
   */
  private void gate(
      UnsequencedEvent e,
      long version,
      List<EventRecord> records,
      SequencedGroup group,
      PendingEvents[] pending,
      int item) {
    if (pending[0] == null) {
      pending[0] = new PendingEvents();
      for (GroupFrame f : group.frames()) {
        pending[0].add(f.records);
      }
    }
    Denial d = gates.check(e, e.gates(), version, pending[0].of(e.entity(), records));
    if (d != null) {
      throw new GateDeniedException(
          d, EventKind.fromRaw(e.kind()), Bytes.of(e.contentHash()), item);
    }
  }

  /** A copy of the stream's head as the group left it, or as the index has it. */
  private Head headOf(String entity, Map<String, Head> heads) {
    Head h = heads.get(entity);
    if (h != null) {
      return new Head(h.next, h.hash);
    }
    StreamState s = index.stream(entity);
    return s == null ? new Head(0, FrameCodec.ZERO_HASH) : new Head(s.nextSequence(), s.headHash());
  }

  /** Events already committed (or earlier in this group) for a fully keyed append, or null. */
  private List<EventRecord> knownEvents(AppendRequest request, Map<Key, EventRecord> groupKeys) {
    List<UnsequencedEvent> events = request.events();
    int keyed = 0;
    List<EventRecord> known = null;
    for (UnsequencedEvent e : events) {
      if (!e.keyed()) {
        continue;
      }
      keyed++;
      EventRecord found = groupKeys.get(new Key(e.idHi(), e.idLo()));
      if (found == null) {
        int row = index.findAdded(e.idHi(), e.idLo());
        if (row >= 0) {
          found = reader.read(row);
        }
      }
      if (found != null) {
        checkSameContent(e, found);
        if (known == null) {
          known = new ArrayList<>(events.size());
        }
        known.add(found);
      }
    }
    if (known == null) {
      return null;
    }
    if (known.size() != events.size() || keyed != events.size()) {
      throw new IdempotencyConflictException(
          "only "
              + known.size()
              + " of the "
              + events.size()
              + " events of this batch were committed before under their idempotency keys;"
              + " a batch is retried whole, with the same keys for the same items");
    }
    return known;
  }

  private static void checkSameContent(UnsequencedEvent attempt, EventRecord stored) {
    boolean same =
        attempt.entity().equals(stored.entity())
            && attempt.scope().equals(stored.scope())
            && attempt.kind() == stored.kind()
            && Arrays.equals(attempt.contentHash(), stored.contentHash());
    if (!same) {
      throw new IdempotencyConflictException(
          "idempotency key "
              + new EventId(attempt.idHi(), attempt.idLo())
              + " was already used for a different event (stored: "
              + stored.entity()
              + "@"
              + stored.scope()
              + " kind "
              + stored.kind()
              + " at global sequence "
              + stored.globalSequence()
              + "); the original stands. Use a new key for a different operation.");
    }
  }
}
