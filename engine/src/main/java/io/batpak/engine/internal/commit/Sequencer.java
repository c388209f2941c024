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
import io.batpak.engine.internal.format.Blake3;
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
  private final Blake3 blake3 = new Blake3();
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
    SequencedGroup out = new SequencedGroup(index.size());
    Map<String, Head> heads = new HashMap<>();
    Map<Key, EventRecord> groupKeys = new HashMap<>();
    PendingEvents[] pending = new PendingEvents[1]; // built at the group's first gated event
    for (AppendRequest request : group) {
      try {
        List<EventRecord> known = knownEvents(request, groupKeys);
        if (known != null) {
          out.retried(request, known);
          continue;
        }
        List<EventRecord> records = place(request, heads, out.endGlobal(), out, pending);
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
   */
  private List<EventRecord> place(
      AppendRequest request,
      Map<String, Head> heads,
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
    List<EventRecord> records = new ArrayList<>(events.size());
    Map<String, Head> local = new HashMap<>();
    for (UnsequencedEvent e : events) {
      Head head = local.computeIfAbsent(e.entity(), entity -> headOf(entity, heads));
      if (head.next >= Index.MAX_STREAM_EVENTS) {
        throw new ValidationException(
            "stream '"
                + e.entity()
                + "' holds "
                + head.next
                + " events, the most one stream can hold; append to a new stream");
      }
      if (!e.expected().matches(head.next)) {
        throw new ConcurrencyConflictException(e.entity(), e.expected().toString(), head.next);
      }
      if (!e.gates().isEmpty()) {
        gate(e, head.next, records, group, pending, events.size() > 1 ? records.size() : -1);
      }
      long global = nextGlobal + records.size();
      byte[] hash = FrameCodec.eventHash(blake3, head.hash, e, head.next, global);
      records.add(EventRecord.sequenced(e, head.next, global, head.hash, hash));
      head.next++;
      head.hash = hash;
    }
    heads.putAll(local);
    return records;
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
    List<EventRecord> known = new ArrayList<>();
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
        known.add(found);
      }
    }
    if (known.isEmpty()) {
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
