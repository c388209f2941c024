package io.batpak.replication;

import io.batpak.AppendReceipt;
import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.ConcurrencyConflictException;
import io.batpak.DenialPayload;
import io.batpak.EventHeader;
import io.batpak.EventId;
import io.batpak.EventKind;
import io.batpak.EventTypes;
import io.batpak.ExtensionKey;
import io.batpak.IdempotencyConflictException;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StoreException;
import io.batpak.ValidationException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.jspecify.annotations.Nullable;

/**
 * One member's Raft state machine: it applies each committed append entry to the member's local
 * store, in log order, on Ratis's apply thread (ADR 0037).
 *
 * <p>Apply is idempotent across restarts: every event it writes carries the entry's Raft index in
 * the extension {@link #RAFT_INDEX}, and on start the member reads the newest event's index; Ratis
 * then replays its log, and entries at or below that index are skipped (their events are in the
 * journal already, or they were rejected, and re-running a rejected entry against a later state
 * could wrongly accept it). Entries above it are applied against exactly the state they first saw,
 * because the journal is a prefix of the applied history.
 *
 * <p>After each entry it records the member's {@link ReplicaHead}; every entry carries its
 * proposer's latest head, and a member whose own head at that index differs stops ({@link #stop}).
 */
final class BatpakStateMachine extends BaseStateMachine {
  /** The extension every replicated event carries: its Raft log index, 8 bytes big-endian. */
  static final ExtensionKey RAFT_INDEX = ExtensionKey.of("raft.index");

  /** How many recent heads a member keeps to check other members' claims against. */
  static final int HEAD_WINDOW = 4096;

  private static final System.Logger LOG = System.getLogger(BatpakStateMachine.class.getName());

  private final String memberId;
  private final StoreConfig storeConfig;
  private final Consumer<ReplicaStoppedException> onStop;
  private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
  private final MemberCodec codec;
  private final Map<Long, ReplicaHead> heads =
      new LinkedHashMap<>() {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, ReplicaHead> eldest) {
          return size() > HEAD_WINDOW;
        }
      };

  private @Nullable Store store;
  private @Nullable ReplicaClock clock;
  private volatile ReplicaHead head = ReplicaHead.EMPTY;
  private volatile @Nullable ReplicaStoppedException stopped;
  private long journalIndex;
  private long newestEventMicros;
  private long claimsChecked;

  BatpakStateMachine(
      String memberId, StoreConfig storeConfig, Consumer<ReplicaStoppedException> onStop) {
    this.memberId = memberId;
    this.storeConfig = storeConfig;
    this.onStop = onStop;
    this.codec = new MemberCodec(memberId);
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

  @Override
  public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage)
      throws IOException {
    super.initialize(server, groupId, raftStorage);
    storage.init(raftStorage);
    ReplicaClock c = new ReplicaClock(0);
    Store s = Store.open(storeConfig.toBuilder().clock(c).deterministic(true).build());
    Optional<EventHeader> newest = newestEvent(s);
    if (newest.isPresent()) {
      EventHeader h = newest.get();
      journalIndex = raftIndexOf(h);
      newestEventMicros = h.timestampMicros();
      c.advanceTo(newestEventMicros, newestEventMicros);
      head = new ReplicaHead(journalIndex, h.globalSequence() + 1, h.eventHash());
    }
    this.clock = c;
    this.store = s;
    LOG.log(
        System.Logger.Level.INFO,
        "member {0}: local store open at {1}, journal holds Raft entries through index {2}",
        memberId,
        head.nextGlobalSequence(),
        journalIndex);
  }

  /** The newest event of {@code s}, whatever the exact meaning of its visible watermark. */
  static Optional<EventHeader> newestEvent(Store s) {
    long visible = s.watermarks().visible();
    List<EventHeader> page = s.queryAfter(Region.all(), Math.max(-1, visible - 2), 3);
    return page.isEmpty() ? Optional.empty() : Optional.of(page.get(page.size() - 1));
  }

  /** The Raft index recorded in a replicated event. */
  static long raftIndexOf(EventHeader h) {
    Bytes b = h.extensions().get(RAFT_INDEX);
    if (b == null || b.size() != Long.BYTES) {
      throw new ReplicaStoppedException(
          "event "
              + h.eventId()
              + " (global sequence "
              + h.globalSequence()
              + ") has no 8-byte "
              + RAFT_INDEX
              + " extension: this store was not written by batpak-replication, or was written"
              + " outside it; a member's store must only ever be written by its state machine");
    }
    return ByteBuffer.wrap(b.toByteArray()).getLong();
  }

  @Override
  public StateMachineStorage getStateMachineStorage() {
    return storage;
  }

  /** The local store; present once Ratis initialized this state machine. */
  Store store() {
    Store s = store;
    if (s == null) {
      throw new IllegalStateException("member " + memberId + " has not started its store yet");
    }
    return s;
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

  /** Why this member stopped, if it did. */
  @Nullable ReplicaStoppedException stopped() {
    return stopped;
  }

  @Override
  public CompletableFuture<Message> query(Message request) {
    byte[] bytes = request.getContent().toByteArray();
    if (Entries.type(bytes) != Entries.QUERY_HEAD) {
      return CompletableFuture.failedFuture(
          new ValidationException("unknown read-only query type " + bytes[1]));
    }
    return CompletableFuture.completedFuture(
        Message.valueOf(ByteString.copyFrom(Entries.encodeHead(head))));
  }

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    LogEntryProto entry = trx.getLogEntry();
    long term = entry.getTerm();
    long index = entry.getIndex();
    ReplicaStoppedException halted = stopped;
    if (halted != null) {
      return CompletableFuture.failedFuture(halted);
    }
    try {
      Entries.Reply reply = apply(term, index, entry.getStateMachineLogEntry().getLogData());
      updateLastAppliedTermIndex(term, index);
      return CompletableFuture.completedFuture(
          Message.valueOf(ByteString.copyFrom(Entries.encodeReply(reply))));
    } catch (ReplicaStoppedException e) {
      return CompletableFuture.failedFuture(stop(e));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(
          stop(
              new ReplicaStoppedException(
                  "member "
                      + memberId
                      + " failed to apply committed Raft entry "
                      + index
                      + " (term "
                      + term
                      + ") and stops: "
                      + e.getMessage(),
                  e)));
    }
  }

  private Entries.Reply apply(long term, long index, ByteString data) {
    byte[] bytes = data.toByteArray();
    int type = Entries.type(bytes);
    if (type == Entries.COMPACT) {
      return compact(term, index, Entries.decodeCompact(bytes));
    }
    if (type != Entries.APPEND && type != Entries.APPEND_DENIAL && type != Entries.APPEND_TYPED) {
      throw new ValidationException(
          "Raft entry " + index + " has type " + type + ", which is not an append");
    }
    Entries.Append append = Entries.decodeAppend(bytes);
    checkClaim(index, append.claim());
    Store s = store();
    if (index <= journalIndex) {
      return replayed(s, term, index, append);
    }
    ReplicaClock c = clock;
    if (c == null) {
      throw new IllegalStateException("member " + memberId + " has no clock yet");
    }
    long micros = c.advanceTo(append.timestampMicros(), newestEventMicros);
    Bytes indexBytes = Bytes.ofOwned(ByteBuffer.allocate(Long.BYTES).putLong(index).array());
    List<AppendReceipt> receipts;
    try {
      if (append.type() == Entries.APPEND_TYPED) {
        Entries.Item it = append.items().get(0);
        Object record =
            codec.decode(
                s.openReport().codec(),
                it.payload(),
                registeredType(it.kind(), append.payloadVersion()));
        receipts =
            List.of(
                s.appendTyped(
                    it.coordinate(), record, it.options().withExtension(RAFT_INDEX, indexBytes)));
      } else if (append.type() == Entries.APPEND_DENIAL) {
        Entries.Item it = append.items().get(0);
        receipts =
            List.of(
                s.appendDenial(
                    it.coordinate(),
                    DenialPayload.decode(it.payload()),
                    it.options().withExtension(RAFT_INDEX, indexBytes)));
      } else if (append.items().size() == 1) {
        Entries.Item it = append.items().get(0);
        receipts =
            List.of(
                s.append(
                    it.coordinate(),
                    it.kind(),
                    it.payload(),
                    it.options().withExtension(RAFT_INDEX, indexBytes)));
      } else {
        List<BatchItem> batch = new ArrayList<>(append.items().size());
        for (Entries.Item it : append.items()) {
          batch.add(it.toBatchItem(it.options().withExtension(RAFT_INDEX, indexBytes)));
        }
        receipts = s.appendBatch(batch);
      }
    } catch (ConcurrencyConflictException | IdempotencyConflictException | ValidationException e) {
      // A deterministic refusal: every member refuses the same entry the same way.
      record(index, new ReplicaHead(index, head.nextGlobalSequence(), head.lastEventHash()));
      return new Entries.Rejected(term, index, e);
    }
    AppendReceipt last = receipts.get(receipts.size() - 1);
    boolean wrote = last.globalSequence() >= head.nextGlobalSequence();
    if (wrote) {
      journalIndex = index;
      newestEventMicros = micros;
      record(index, new ReplicaHead(index, last.globalSequence() + 1, last.eventHash()));
    } else {
      // An idempotent retry of an earlier entry's events: the journal is unchanged.
      record(index, new ReplicaHead(index, head.nextGlobalSequence(), head.lastEventHash()));
    }
    return new Entries.Ok(term, index, receipts);
  }

  /**
   * Compacts this member's sealed segments as the entry says, on the apply thread, so every member
   * compacts at the same point of the log. An entry at or below the journal's index ran before a
   * restart (events were applied after it); one above it runs (again): compaction is idempotent.
   */
  private Entries.Reply compact(long term, long index, Entries.Compact c) {
    if (index <= journalIndex) {
      return new Entries.Replayed(term, index);
    }
    java.util.function.Predicate<io.batpak.StoredEvent> keep =
        e -> c.keeps(e.header().globalSequence());
    io.batpak.CompactionConfig config =
        c.tombstone()
            ? io.batpak.CompactionConfig.tombstone(keep)
            : io.batpak.CompactionConfig.retain(keep);
    if (c.maxBytesPerSecond() > 0) {
      config = config.maxBytesPerSecond(c.maxBytesPerSecond());
    }
    io.batpak.CompactionResult result = store().compact(config);
    if (result.outcome() == io.batpak.CompactionResult.Outcome.FAILED) {
      LOG.log(
          System.Logger.Level.ERROR,
          "member {0}: the compaction of Raft entry {1} failed ({2}); this member keeps events the"
              + " others dropped until a compaction succeeds here",
          memberId,
          index,
          result.reason());
    }
    record(index, new ReplicaHead(index, head.nextGlobalSequence(), head.lastEventHash()));
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
    head = h;
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

  /** Records {@code e} as the reason this member stopped, closes its store, and reports it. */
  ReplicaStoppedException stop(ReplicaStoppedException e) {
    synchronized (this) {
      if (stopped != null) {
        return java.util.Objects.requireNonNull(stopped);
      }
      stopped = e;
    }
    LOG.log(System.Logger.Level.ERROR, e.getMessage(), e);
    Store s = store;
    if (s != null) {
      try {
        s.close();
      } catch (StoreException closing) {
        e.addSuppressed(closing);
      }
    }
    onStop.accept(e);
    return e;
  }

  @Override
  public void close() throws IOException {
    super.close();
    Store s = store;
    if (s != null) {
      s.close();
    }
  }
}
