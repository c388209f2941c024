package io.batpak.replication;

import io.batpak.AppendReceipt;
import io.batpak.BatchItem;
import io.batpak.ConcurrencyConflictException;
import io.batpak.DenialPayload;
import io.batpak.EventHeader;
import io.batpak.EventId;
import io.batpak.EventKind;
import io.batpak.EventTypes;
import io.batpak.IdempotencyConflictException;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.ValidationException;
import io.batpak.port.StoreClock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Applies committed entries to a member's local store, in log order, and keeps the member's head
 * (ADR 0037): {@link BatpakStateMachine} hands it each entry.
 *
 * <p>It owns the journal's place in the Raft log: the (index, part) of the newest event's entry,
 * which every event it writes carries ({@link RaftPlacement}), its timestamp and the store's clock.
 * A position at or before it was applied before a restart and is answered from the journal; a later
 * one is applied against exactly the state it first met.
 *
 * <p>It owns the head, in one place: {@link #setHead} changes the published head and the apply
 * thread's copy together and wakes {@link #awaitHead}. After each entry it records the head by Raft
 * index (the most recent {@value #HEAD_WINDOW}); every entry carries its proposer's latest head,
 * and a member whose own head at that index differs stops ({@link ReplicaStoppedException}).
 *
 * <p>Threads: {@link #apply} runs on Ratis's apply thread only. {@link #openedAt} and {@link
 * #reachedSnapshot} run on the thread that opens the store ({@link SnapshotReconciler}): Ratis's
 * start thread before any entry applies, or the apply thread when a snapshot is installed. {@link
 * #head}, {@link #awaitHead}, {@link #recordedHeads} and {@link #claimsChecked} run on any thread:
 * the head is volatile, and it changes, like the recorded heads, under this object's monitor.
 */
final class EntryApplier {
  /** How many recent heads a member keeps to check other members' claims against. */
  static final int HEAD_WINDOW = 4096;

  private static final System.Logger LOG = System.getLogger(EntryApplier.class.getName());

  private final String memberId;
  private final StoreConfig storeConfig;
  private final Supplier<Store> store;
  private final MemberCodec codec;
  private final Map<Long, ReplicaHead> heads =
      new LinkedHashMap<>() {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, ReplicaHead> eldest) {
          return size() > HEAD_WINDOW;
        }
      };

  private @Nullable ReplicaClock clock;
  private volatile ReplicaHead head = ReplicaHead.EMPTY;

  /** The head as the apply thread has it, ahead of {@link #head} inside a group entry. */
  private ReplicaHead current = ReplicaHead.EMPTY;

  /** With {@link #journalIndex}: the part of a group entry the newest event came from, or 0. */
  private int journalPart;

  private long journalIndex;
  private long newestEventMicros;
  private long claimsChecked;

  /** Set once the member closes or stops: {@link #awaitHead} waits no more. Guarded by this. */
  private boolean halted;

  /**
   * @param store the member's local store, as it is when an entry applies
   */
  EntryApplier(String memberId, StoreConfig storeConfig, Supplier<Store> store) {
    this.memberId = memberId;
    this.storeConfig = storeConfig;
    this.store = store;
    this.codec = new MemberCodec(memberId);
  }

  /**
   * Takes the journal's place, the head and the clock from {@code s}, just opened with clock {@code
   * c}, and forgets the heads recorded for the store it replaces.
   */
  void openedAt(Store s, ReplicaClock c) {
    synchronized (this) {
      heads.clear();
    }
    journalIndex = 0;
    journalPart = 0;
    newestEventMicros = 0;
    setHead(ReplicaHead.EMPTY);
    Optional<EventHeader> newest = newestEvent(s);
    if (newest.isPresent()) {
      EventHeader h = newest.get();
      journalIndex = RaftPlacement.raftIndexOf(h);
      journalPart = RaftPlacement.raftPartOf(h);
      newestEventMicros = h.timestampMicros();
      c.advanceTo(newestEventMicros, newestEventMicros);
      setHead(new ReplicaHead(journalIndex, h.globalSequence() + 1, h.eventHash()));
    }
    this.clock = c;
  }

  /** The newest event of {@code s}, whatever the exact meaning of its visible watermark. */
  private static Optional<EventHeader> newestEvent(Store s) {
    long visible = s.watermarks().visible();
    List<EventHeader> page = s.queryAfter(Region.all(), Math.max(-1, visible - 2), 3);
    return page.isEmpty() ? Optional.empty() : Optional.of(page.get(page.size() - 1));
  }

  /**
   * Records {@code snapshotHead}, a snapshot's head at Raft index {@code index}, once the store was
   * opened level with that snapshot: it becomes the head when the journal holds exactly the
   * snapshot's events, and it is the head recorded at that index also when the journal is ahead.
   */
  void reachedSnapshot(long index, ReplicaHead snapshotHead) {
    if (head.nextGlobalSequence() == snapshotHead.nextGlobalSequence()) {
      setHead(snapshotHead);
    }
    synchronized (this) {
      heads.put(index, snapshotHead);
    }
  }

  /** The Raft index of the entry the journal's newest event came from (0 when it has none). */
  long journalIndex() {
    return journalIndex;
  }

  /**
   * The registered event type of {@code kind} at schema {@code version}. A member without it cannot
   * apply the entry as the others do, so it stops (the caller turns this into a stop).
   */
  private Class<?> registeredType(EventKind kind, int version) {
    for (Class<?> type : storeConfig.eventTypes()) {
      if (EventTypes.kindOf(type).equals(kind) && EventTypes.versionOf(type) == version) {
        return type;
      }
    }
    throw new IllegalStateException(
        "member "
            + memberId
            + " has no registered event type of kind "
            + kind
            + " at schema version "
            + version
            + " (StoreConfig.eventTypes) for a typed event another member proposed; every member"
            + " must register the same event types");
  }

  /**
   * Applies committed entry {@code index} of {@code term}, its bytes {@code bytes}, and records the
   * head after it; returns its outcome.
   *
   * @throws ReplicaStoppedException if the entry shows this member diverged
   * @throws RuntimeException if the entry cannot apply here (the caller stops the member)
   */
  Entries.Reply apply(long term, long index, byte[] bytes) {
    int type = Entries.type(bytes);
    if (type == Entries.COMPACT) {
      boolean replay = index <= journalIndex;
      Entries.Reply compacted = compact(term, index, Entries.decodeCompact(bytes));
      if (!replay) {
        record(index, current);
      }
      return compacted;
    }
    if (type == Entries.GROUP) {
      return applyGroup(term, index, Entries.decodeGroup(bytes));
    }
    Entries.Append append = decodeAppend(index, 0, bytes);
    boolean replay = isReplay(index, 0);
    Entries.Reply reply = applyAppend(term, index, 0, append, append.timestampMicros());
    if (!replay) {
      record(index, current);
    }
    return reply;
  }

  /**
   * Applies a group entry ({@link Entries#GROUP}, ADR 0042). Every part is stamped with the group's
   * time (its newest part's), so the events are the same whichever way they are written. A group of
   * plain appends none of which is applied yet is written as one atomic batch, one journal write
   * instead of one per part; when the batch is refused (a part's expected version, a retried key, a
   * limit), nothing was written and the parts apply one by one, each with its own outcome. Both
   * ways are deterministic, so every member takes the same one. The head is published once, after
   * the last part, so a claim never names a head in the middle of a group.
   */
  private Entries.Reply applyGroup(long term, long index, List<byte[]> encoded) {
    List<Entries.Append> parts = new ArrayList<>(encoded.size());
    long micros = 0;
    for (int part = 1; part <= encoded.size(); part++) {
      Entries.Append append = decodeAppend(index, part, encoded.get(part - 1));
      parts.add(append);
      micros = Math.max(micros, append.timestampMicros());
    }
    boolean replay = isReplay(index, parts.size());
    List<Entries.Reply> replies =
        isReplay(index, 1) ? null : applyTogether(term, index, parts, micros);
    if (replies == null) {
      replies = new ArrayList<>(parts.size());
      for (int part = 1; part <= parts.size(); part++) {
        replies.add(applyAppend(term, index, part, parts.get(part - 1), micros));
      }
    }
    if (!replay) {
      record(index, current);
    }
    return new Entries.Grouped(term, index, replies);
  }

  /**
   * Writes a group of plain appends as one batch; null, with nothing written, when a part is not a
   * plain append, the group exceeds the store's batch limit, or the store refuses the batch.
   */
  private @Nullable List<Entries.Reply> applyTogether(
      long term, long index, List<Entries.Append> parts, long proposedMicros) {
    List<BatchItem> batch = new ArrayList<>();
    for (int part = 1; part <= parts.size(); part++) {
      Entries.Append append = parts.get(part - 1);
      if (append.type() != Entries.APPEND) {
        return null;
      }
      RaftPlacement placed = new RaftPlacement(index, part);
      int offset = batch.size();
      for (Entries.Item it : append.items()) {
        batch.add(it.toBatchItem(placed.apply(it.options()), offset));
      }
    }
    if (batch.size() > storeConfig.maxBatchEvents()) {
      return null;
    }
    long micros = clock().advanceTo(proposedMicros, newestEventMicros);
    List<AppendReceipt> receipts;
    try {
      receipts = store.get().appendBatch(batch);
    } catch (ConcurrencyConflictException | IdempotencyConflictException | ValidationException e) {
      return null;
    }
    wrote(index, parts.size(), micros, receipts);
    List<Entries.Reply> replies = new ArrayList<>(parts.size());
    int from = 0;
    for (Entries.Append append : parts) {
      int to = from + append.items().size();
      replies.add(new Entries.Ok(term, index, List.copyOf(receipts.subList(from, to))));
      from = to;
    }
    return replies;
  }

  /**
   * Decodes part {@code part} (0 for a whole entry) of entry {@code index} and checks its claim.
   */
  private Entries.Append decodeAppend(long index, int part, byte[] bytes) {
    int type = Entries.type(bytes);
    if (type != Entries.APPEND && type != Entries.APPEND_DENIAL && type != Entries.APPEND_TYPED) {
      throw new ValidationException(
          "Raft entry "
              + index
              + (part > 0 ? " part " + part : "")
              + " has type "
              + type
              + ", which is not an append");
    }
    Entries.Append append = Entries.decodeAppend(bytes);
    checkClaim(index, append.claim());
    return append;
  }

  private ReplicaClock clock() {
    ReplicaClock c = clock;
    if (c == null) {
      throw new IllegalStateException("member " + memberId + " has no clock yet");
    }
    return c;
  }

  /**
   * Advances {@link #current} past {@code receipts}, written at position ({@code index}, {@code
   * part}) with {@code micros}; receipts of an idempotent retry (events already in the journal)
   * leave the journal's position as it was.
   */
  private void wrote(long index, int part, long micros, List<AppendReceipt> receipts) {
    AppendReceipt last = receipts.get(receipts.size() - 1);
    if (last.globalSequence() >= current.nextGlobalSequence()) {
      journalIndex = index;
      journalPart = part;
      newestEventMicros = micros;
      current = new ReplicaHead(index, last.globalSequence() + 1, last.eventHash());
    } else {
      current = new ReplicaHead(index, current.nextGlobalSequence(), current.lastEventHash());
    }
  }

  /**
   * Whether the journal already holds the effects of position ({@code index}, {@code part}), so it
   * is answered from the journal and records no head (the member's head then is a later one).
   */
  private boolean isReplay(long index, int part) {
    return index < journalIndex || index == journalIndex && part <= journalPart;
  }

  /**
   * Applies one append entry, or part {@code part} (from 1) of a group entry, stamped with {@code
   * proposedMicros}, advancing {@link #current}. A position at or before the journal's newest
   * event's (index, part) was applied before a restart, and is answered from the journal.
   */
  private Entries.Reply applyAppend(
      long term, long index, int part, Entries.Append append, long proposedMicros) {
    Store s = store.get();
    if (isReplay(index, part)) {
      return replayed(s, term, index, append);
    }
    long micros = clock().advanceTo(proposedMicros, newestEventMicros);
    RaftPlacement placed = new RaftPlacement(index, part);
    List<AppendReceipt> receipts;
    try {
      if (append.type() == Entries.APPEND_TYPED) {
        Entries.Item it = append.items().get(0);
        Object record =
            codec.decode(
                s.openReport().codec(),
                it.payload(),
                registeredType(it.kind(), append.payloadVersion()));
        receipts = List.of(s.appendTyped(it.coordinate(), record, placed.apply(it.options())));
      } else if (append.type() == Entries.APPEND_DENIAL) {
        Entries.Item it = append.items().get(0);
        receipts =
            List.of(
                s.appendDenial(
                    it.coordinate(),
                    DenialPayload.decode(it.payload()),
                    placed.apply(it.options())));
      } else if (append.items().size() == 1) {
        Entries.Item it = append.items().get(0);
        receipts =
            List.of(s.append(it.coordinate(), it.kind(), it.payload(), placed.apply(it.options())));
      } else {
        List<BatchItem> batch = new ArrayList<>(append.items().size());
        for (Entries.Item it : append.items()) {
          batch.add(it.toBatchItem(placed.apply(it.options()), 0));
        }
        receipts = s.appendBatch(batch);
      }
    } catch (ConcurrencyConflictException | IdempotencyConflictException | ValidationException e) {
      // A deterministic refusal: every member refuses the same entry the same way.
      current = new ReplicaHead(index, current.nextGlobalSequence(), current.lastEventHash());
      return new Entries.Rejected(term, index, e);
    }
    wrote(index, part, micros, receipts);
    return new Entries.Ok(term, index, receipts);
  }

  /**
   * Compacts this member's sealed segments as the entry says, on the apply thread, so every member
   * compacts at the same point of the log. An entry at or below the journal's index ran before a
   * restart (events were applied after it); one above it runs (again): compaction is idempotent.
   *
   * <p>The journal's newest event stays, whatever the predicate said: a restarted member finds its
   * place in the Raft log from it ({@link #openedAt}; a dropped event is read by nobody). Dropped,
   * the member would take an older event's place, or none, and re-run entries it had applied,
   * accepting one it (and every member) had refused against the state it met then. Every member
   * holds the same newest event at this entry, so they keep the same events.
   */
  private Entries.Reply compact(long term, long index, Entries.Compact c) {
    if (index <= journalIndex) {
      return new Entries.Replayed(term, index);
    }
    long newest = current.nextGlobalSequence() - 1;
    java.util.function.Predicate<io.batpak.StoredEvent> keep =
        e -> e.header().globalSequence() == newest || c.keeps(e.header().globalSequence());
    io.batpak.CompactionConfig config =
        c.tombstone()
            ? io.batpak.CompactionConfig.tombstone(keep)
            : io.batpak.CompactionConfig.retain(keep);
    if (c.maxBytesPerSecond() > 0) {
      config = config.maxBytesPerSecond(c.maxBytesPerSecond());
    }
    io.batpak.CompactionResult result = store.get().compact(config);
    if (result.outcome() == io.batpak.CompactionResult.Outcome.FAILED) {
      LOG.log(
          System.Logger.Level.ERROR,
          "member {0}: the compaction of Raft entry {1} failed ({2}); this member keeps events the"
              + " others dropped until a compaction succeeds here",
          memberId,
          index,
          result.reason());
    }
    current = new ReplicaHead(index, current.nextGlobalSequence(), current.lastEventHash());
    return new Entries.Compacted(term, index, result);
  }

  /**
   * An entry this member applied before it restarted: its events, if any, are in the journal under
   * their idempotency keys; read their receipts back.
   */
  private Entries.Reply replayed(Store s, long term, long index, Entries.Append append) {
    List<AppendReceipt> receipts = new ArrayList<>(append.items().size());
    for (Entries.Item it : append.items()) {
      try {
        EventId id = EventId.of(java.util.Objects.requireNonNull(it.options().idempotencyKey()));
        receipts.add(s.get(id).header().toReceipt());
      } catch (io.batpak.EventNotFoundException e) {
        return new Entries.Replayed(term, index);
      }
    }
    return new Entries.Ok(term, index, receipts);
  }

  private synchronized void record(long index, ReplicaHead h) {
    heads.put(index, h);
    setHead(h);
  }

  /**
   * The one place the head changes: the published {@link #head}, the apply thread's {@link
   * #current}, and a wake-up for {@link #awaitHead}.
   */
  private synchronized void setHead(ReplicaHead h) {
    head = h;
    current = h;
    notifyAll();
  }

  /**
   * Waits until this member's head is at Raft index {@code index} or past it: every entry up to it
   * applied and its head recorded (its events are visible before that).
   *
   * @return false if {@code nanos} passed first, or the member stopped applying ({@link #halt})
   */
  synchronized boolean awaitHead(long index, long nanos) throws InterruptedException {
    StoreClock clock = storeConfig.clock();
    long deadline = clock.monoNanos() + nanos;
    while (head.appliedIndex() < index) {
      long left = deadline - clock.monoNanos();
      if (left <= 0 || halted) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return true;
  }

  /**
   * Ends every {@link #awaitHead}, now and later, unanswered: the member closes or stopped, and
   * applies nothing more.
   */
  synchronized void halt() {
    halted = true;
    notifyAll();
  }

  private void checkClaim(long index, ReplicaHead claim) {
    if (claim.appliedIndex() == 0) {
      return;
    }
    ReplicaHead mine;
    synchronized (this) {
      mine = heads.get(claim.appliedIndex());
      if (mine != null) {
        claimsChecked++;
      }
    }
    if (mine != null && !mine.sameChain(claim)) {
      throw new ReplicaStoppedException(
          "member "
              + memberId
              + " diverged: Raft entry "
              + index
              + " carries its proposer's head after index "
              + claim.appliedIndex()
              + " ("
              + claim.nextGlobalSequence()
              + " events, newest hash "
              + claim.lastEventHash().toHex()
              + ") but this member's head there is ("
              + mine.nextGlobalSequence()
              + " events, newest hash "
              + mine.lastEventHash().toHex()
              + "); it stops applying and leaves the group. Rebuild it from a healthy member.");
    }
  }

  /** This member's latest head. */
  ReplicaHead head() {
    return head;
  }

  /** The heads this member recorded, by Raft index (the most recent {@value #HEAD_WINDOW}). */
  synchronized Map<Long, ReplicaHead> recordedHeads() {
    return new LinkedHashMap<>(heads);
  }

  /** How many other members' head claims this member has checked against its own. */
  synchronized long claimsChecked() {
    return claimsChecked;
  }
}
