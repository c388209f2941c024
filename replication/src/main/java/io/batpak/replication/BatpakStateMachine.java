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
import io.batpak.StoreClosedException;
import io.batpak.StoreConfig;
import io.batpak.StoreException;
import io.batpak.ValidationException;
import io.batpak.port.StoreClock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.LifeCycle;
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
  /** How many snapshots a member keeps (the newest and the one before it). */
  static final int SNAPSHOTS_KEPT = 2;

  /** How often a member starts loading a received snapshot over when it was replaced meanwhile. */
  static final int LOAD_ATTEMPTS = 40;

  /** How long a member waits for a snapshot whose chunks arrived while another one loaded. */
  static final long NEWER_SNAPSHOT_WAIT_MILLIS = 30_000;

  /** The extension every replicated event carries: its Raft log index, 8 bytes big-endian. */
  static final ExtensionKey RAFT_INDEX = ExtensionKey.of("raft.index");

  /**
   * The extension of events written by a part of a group entry ({@link Entries#GROUP}): the part's
   * number, from 1, 4 bytes big-endian. With {@link #RAFT_INDEX} it places the event in the log.
   */
  static final ExtensionKey RAFT_PART = ExtensionKey.of("raft.part");

  /** How many recent heads a member keeps to check other members' claims against. */
  static final int HEAD_WINDOW = 4096;

  private static final System.Logger LOG = System.getLogger(BatpakStateMachine.class.getName());

  private final String memberId;
  private final StoreConfig storeConfig;
  private final Consumer<ReplicaStoppedException> onStop;
  private final MemberCodec codec;
  private final boolean snapshots;
  private final MemberSnapshots storage;
  private final AtomicLong snapshotsInstalled = new AtomicLong();
  private final Map<Long, ReplicaHead> heads =
      new LinkedHashMap<>() {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, ReplicaHead> eldest) {
          return size() > HEAD_WINDOW;
        }
      };

  private volatile @Nullable Store store;
  private final Object swap = new Object();
  private boolean installing; // guarded by swap
  private boolean pausedDuringLoad; // guarded by swap
  private @Nullable ReplicaClock clock;
  private volatile ReplicaHead head = ReplicaHead.EMPTY;

  /** The head as the apply thread has it, ahead of {@link #head} inside a group entry. */
  private ReplicaHead current = ReplicaHead.EMPTY;

  /** With {@link #journalIndex}: the part of a group entry the newest event came from, or 0. */
  private int journalPart;

  private volatile @Nullable ReplicaStoppedException stopped;
  private long journalIndex;
  private long newestEventMicros;
  private long claimsChecked;

  BatpakStateMachine(
      String memberId,
      StoreConfig storeConfig,
      boolean snapshots,
      Consumer<ReplicaStoppedException> onStop) {
    this.memberId = memberId;
    this.storeConfig = storeConfig;
    this.snapshots = snapshots;
    this.storage = new MemberSnapshots(memberId, SNAPSHOTS_KEPT);
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
    getLifeCycle().transition(LifeCycle.State.STARTING);
    openReconciled(false);
    getLifeCycle().transition(LifeCycle.State.RUNNING);
  }

  /**
   * Opens the local store and brings it level with the latest snapshot (ADR 0038): first finishes
   * or undoes a swap a crash interrupted; then, when the journal holds fewer events than the
   * snapshot, replaces the store by the snapshot's; when it holds as many or more, keeps it after
   * checking that it holds the snapshot's newest event (a different one stops the member). Sets the
   * journal index, head, clock and Ratis's applied index from what it opened.
   *
   * @param received whether the snapshot just arrived from the leader (its files are then checked
   *     against their CRCs and synced before they are believed)
   */
  private void openReconciled(boolean received) throws IOException {
    Path dir = storeConfig.directory();
    if (storeConfig.fs().isEmpty()) {
      String recovered = MemberSnapshots.recoverSwap(dir);
      if (recovered != null) {
        LOG.log(System.Logger.Level.WARNING, "member {0}: {1} ({2})", memberId, recovered, dir);
      }
    }
    MemberSnapshots.Snapshot snap = storage.latest();
    if (snap != null && received) {
      MemberSnapshots.verifyAndSync(snap);
    }
    Store s = openStore();
    synchronized (this) {
      heads.clear();
    }
    if (snap != null) {
      ReplicaHead mine = head;
      if (mine.nextGlobalSequence() < snap.head().nextGlobalSequence()) {
        s.close();
        if (!received) {
          MemberSnapshots.verifyAndSync(snap);
        }
        MemberSnapshots.installInto(snap, dir);
        s = openStore();
        snapshotsInstalled.incrementAndGet();
        LOG.log(
            System.Logger.Level.INFO,
            "member {0}: installed snapshot {1} (Raft index {2}, {3} events) into {4}, replacing a"
                + " journal of {5} events",
            memberId,
            snap.dir(),
            snap.index(),
            snap.head().nextGlobalSequence(),
            dir,
            mine.nextGlobalSequence());
      } else if (mine.nextGlobalSequence() > snap.head().nextGlobalSequence()) {
        // Normal after a restart (the member applied entries after its own latest snapshot);
        // unusual for a snapshot from the leader, which Ratis sends only past the commit index.
        LOG.log(
            received ? System.Logger.Level.WARNING : System.Logger.Level.INFO,
            "member {0}: its journal ({1} events, through Raft index {2}) is ahead of snapshot {3}"
                + " ({4} events); it keeps its journal, and entries up to index {2} are skipped",
            memberId,
            mine.nextGlobalSequence(),
            journalIndex,
            snap.dir(),
            snap.head().nextGlobalSequence());
      }
      checkHolds(s, snap);
      if (head.nextGlobalSequence() == snap.head().nextGlobalSequence()) {
        setHead(snap.head());
      }
      synchronized (this) {
        // The head at the snapshot's index is the snapshot's, also when the journal is ahead.
        heads.put(snap.index(), snap.head());
      }
      setLastAppliedTermIndex(snap.termIndex());
    }
    this.store = s;
    LOG.log(
        System.Logger.Level.INFO,
        "member {0}: local store open at {1}, journal holds Raft entries through index {2}{3}",
        memberId,
        head.nextGlobalSequence(),
        journalIndex,
        snap == null ? "" : ", latest snapshot at index " + snap.index());
  }

  /** Opens the store at its directory and reads the journal index, head and clock from it. */
  private Store openStore() {
    ReplicaClock c = new ReplicaClock(0);
    Store s = Store.open(storeConfig.toBuilder().clock(c).deterministic(true).build());
    journalIndex = 0;
    journalPart = 0;
    newestEventMicros = 0;
    setHead(ReplicaHead.EMPTY);
    Optional<EventHeader> newest = newestEvent(s);
    if (newest.isPresent()) {
      EventHeader h = newest.get();
      journalIndex = raftIndexOf(h);
      journalPart = raftPartOf(h);
      newestEventMicros = h.timestampMicros();
      c.advanceTo(newestEventMicros, newestEventMicros);
      setHead(new ReplicaHead(journalIndex, h.globalSequence() + 1, h.eventHash()));
    }
    this.clock = c;
    return s;
  }

  /** Stops loudly unless {@code s} holds the snapshot's newest event, with the same hash. */
  private void checkHolds(Store s, MemberSnapshots.Snapshot snap) {
    long n = snap.head().nextGlobalSequence();
    if (n == 0) {
      return;
    }
    List<EventHeader> at = s.queryAfter(Region.all(), n - 2, 1);
    Bytes hash = at.isEmpty() ? null : at.get(0).eventHash();
    if (hash == null
        || at.get(0).globalSequence() != n - 1
        || !hash.equals(snap.head().lastEventHash())) {
      s.close();
      throw new ReplicaStoppedException(
          "member "
              + memberId
              + " diverged from snapshot "
              + snap.dir()
              + ": the snapshot's event "
              + (n - 1)
              + " has hash "
              + snap.head().lastEventHash().toHex()
              + " but the local store "
              + storeConfig.directory()
              + (hash == null ? " has no such event" : " holds hash " + hash.toHex())
              + "; the member does not start. Rebuild it from a healthy member.");
    }
  }

  @Override
  public void pause() {
    synchronized (swap) {
      pausedDuringLoad = true;
      LifeCycle lc = getLifeCycle();
      if (lc.getCurrentState() == LifeCycle.State.RUNNING) {
        lc.transition(LifeCycle.State.PAUSING);
        lc.transition(LifeCycle.State.PAUSED);
      }
    }
  }

  /**
   * Called by Ratis on its apply thread after it installed a snapshot from the leader into the
   * state-machine directory: closes the local store, re-reads the snapshots, and opens the store
   * level with the newest one ({@link #openReconciled}).
   */
  @Override
  public void reinitialize() throws IOException {
    synchronized (swap) {
      installing = true;
      pausedDuringLoad = false;
    }
    try {
      reload();
    } finally {
      synchronized (swap) {
        installing = false;
        swap.notifyAll();
        // Ratis pauses the state machine for every received chunk and asserts it is paused before
        // it reloads; a snapshot that arrived while this one loaded is reloaded next, so the state
        // machine stays paused for it.
        if (!pausedDuringLoad) {
          getLifeCycle().transition(LifeCycle.State.STARTING);
          getLifeCycle().transition(LifeCycle.State.RUNNING);
        }
      }
    }
  }

  /**
   * Loads the newest received snapshot. Ratis writes a second snapshot from the leader on its RPC
   * thread while this apply thread may still be loading the first (it replaces the whole
   * state-machine directory), so files can vanish mid-load: the load then starts over with the
   * newest snapshot, up to {@value #LOAD_ATTEMPTS} times, and only a snapshot that stays put and
   * still fails stops the member.
   */
  private void reload() throws IOException {
    Store old = store;
    if (old != null) {
      old.close();
    }
    MemberSnapshots.Snapshot before = storage.latest();
    for (int attempt = 1; ; attempt++) {
      MemberSnapshots.Snapshot now = storage.reload();
      if (now == null && attempt < LOAD_ATTEMPTS) {
        pauseBriefly();
        continue;
      }
      if (now == null) {
        throw stop(
            new ReplicaStoppedException(
                "member "
                    + memberId
                    + " was told to load a snapshot from the leader, but its state-machine"
                    + " directory holds no valid snapshot (had "
                    + (before == null ? "none" : before.dir())
                    + "); it stops. Rebuild it from a healthy member."));
      }
      try {
        openReconciled(true);
        if (!newerSnapshotArrived(now)) {
          return;
        }
        Store loaded = store; // not store(): that waits for this very install
        if (loaded != null) {
          loaded.close();
        }
        attempt = 0;
        continue;
      } catch (ReplicaStoppedException e) {
        throw stop(e);
      } catch (IOException | RuntimeException e) {
        MemberSnapshots.Snapshot newest = storage.reload();
        if (attempt < LOAD_ATTEMPTS && (newest == null || !newest.dir().equals(now.dir()))) {
          LOG.log(
              System.Logger.Level.INFO,
              "member {0}: snapshot {1} was replaced while it loaded ({2}); loading the newest",
              memberId,
              now.dir(),
              e.toString());
          pauseBriefly();
          continue;
        }
        throw stop(
            new ReplicaStoppedException(
                "member "
                    + memberId
                    + " could not load snapshot "
                    + now.dir()
                    + " from the leader and stops: "
                    + e,
                e));
      }
    }
  }

  /**
   * Whether Ratis received another snapshot while {@code loaded} was loading: its chunks paused the
   * state machine, and Ratis asks for its reload right after it renames it into place. That request
   * can be lost when it comes while this reload is still running (Ratis marks the reload done after
   * it), and the member would then wait for entries its leader has purged; so wait for the newer
   * snapshot to appear (up to {@value #NEWER_SNAPSHOT_WAIT_MILLIS} ms) and load it too.
   */
  private boolean newerSnapshotArrived(MemberSnapshots.Snapshot loaded) throws IOException {
    synchronized (swap) {
      if (!pausedDuringLoad) {
        return false;
      }
    }
    for (long waited = 0; waited < NEWER_SNAPSHOT_WAIT_MILLIS; waited += 50) {
      MemberSnapshots.Snapshot newest = storage.scan();
      if (newest != null && newest.index() > loaded.index()) {
        LOG.log(
            System.Logger.Level.INFO,
            "member {0}: snapshot {1} arrived while {2} loaded; loading it too",
            memberId,
            newest.dir(),
            loaded.dir());
        synchronized (swap) {
          pausedDuringLoad = false;
        }
        return true;
      }
      pauseBriefly();
    }
    return false;
  }

  private static void pauseBriefly() throws IOException {
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while loading a snapshot");
    }
  }

  /**
   * Ratis's snapshot trigger, on its apply thread (no apply runs meanwhile): forks the store into a
   * new snapshot at the last applied term and index. Returns that index; Ratis may then purge its
   * log up to it, because the fork synced the journal through it first.
   */
  @Override
  public long takeSnapshot() throws IOException {
    TermIndex ti = getLastAppliedTermIndex();
    MemberSnapshots.Snapshot latest = storage.latest();
    if (!snapshots || stopped != null || ti == null || ti.getIndex() <= 0) {
      return latest == null ? RaftLog.INVALID_LOG_INDEX : latest.index();
    }
    if (latest != null && latest.index() >= ti.getIndex()) {
      return latest.index();
    }
    ReplicaHead h = head;
    ReplicaHead at = new ReplicaHead(ti.getIndex(), h.nextGlobalSequence(), h.lastEventHash());
    long micros = newestEventMicros;
    try {
      return storage
          .take(
              store(),
              forkDir -> {
                ReplicaClock c = new ReplicaClock(0);
                c.advanceTo(micros, micros);
                return configAt(storeConfig, forkDir, c);
              },
              ti,
              at)
          .index();
    } catch (StoreException e) {
      // Ratis logs a failed snapshot and purges nothing; the member goes on applying.
      throw new IOException(
          "member "
              + memberId
              + " could not snapshot its store at Raft index "
              + ti.getIndex()
              + ": "
              + e.getMessage(),
          e);
    }
  }

  /** How many snapshots this member installed into its store since it started. */
  long snapshotsInstalled() {
    return snapshotsInstalled.get();
  }

  /** The Raft index of this member's latest snapshot, or -1. */
  long latestSnapshotIndex() {
    MemberSnapshots.Snapshot s = storage.latest();
    return s == null ? -1 : s.index();
  }

  /**
   * {@code c}'s settings that reading and closing a store depend on, for a store at {@code dir}
   * (the builder cannot move a configuration to another directory).
   */
  static StoreConfig configAt(StoreConfig c, Path dir, ReplicaClock clock) {
    StoreConfig.Builder b =
        StoreConfig.builder(dir)
            .segmentMaxBytes(c.segmentMaxBytes())
            .checkpointEveryBytes(c.checkpointEveryBytes())
            .maxPayloadBytes(c.maxPayloadBytes())
            .maxBatchEvents(c.maxBatchEvents())
            .maxBatchBytes(c.maxBatchBytes())
            .codec(c.codec().orElse(null))
            .fsBackend(c.fsBackend().orElse(null))
            .compression(c.compression())
            .compressionThreshold(c.compressionThreshold())
            .compressionDictionaryBytes(c.compressionDictionaryBytes())
            .signingPolicy(c.signingPolicy())
            .entropy(c.entropy())
            .clock(clock)
            .deterministic(true);
    for (Bytes k : c.signingKeys()) {
      b.signingKey(k);
    }
    for (Bytes k : c.verifyingKeys()) {
      b.verifyingKey(k);
    }
    return b.build();
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

  /** The part of a group entry a replicated event came from, or 0 for a whole entry. */
  static int raftPartOf(EventHeader h) {
    Bytes b = h.extensions().get(RAFT_PART);
    return b == null || b.size() != Integer.BYTES ? 0 : ByteBuffer.wrap(b.toByteArray()).getInt();
  }

  @Override
  public StateMachineStorage getStateMachineStorage() {
    return storage;
  }

  /**
   * The local store; present once Ratis initialized this state machine. While a snapshot from the
   * leader replaces it ({@link #reinitialize}), callers wait for the new one.
   */
  Store store() {
    synchronized (swap) {
      while (installing) {
        try {
          swap.wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new StoreClosedException(
              "interrupted while member " + memberId + " installs a snapshot");
        }
      }
    }
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
      Placement placed = new Placement(index, part);
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
      receipts = store().appendBatch(batch);
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
    Store s = store();
    if (isReplay(index, part)) {
      return replayed(s, term, index, append);
    }
    long micros = clock().advanceTo(proposedMicros, newestEventMicros);
    Placement placed = new Placement(index, part);
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
   * The extensions that place an event in the Raft log: {@link #RAFT_INDEX}, and {@link #RAFT_PART}
   * for a part of a group entry.
   */
  private static final class Placement
      implements java.util.function.UnaryOperator<io.batpak.AppendOptions> {
    private final Bytes index;
    private final @Nullable Bytes part;

    Placement(long index, int part) {
      this.index = Bytes.ofOwned(ByteBuffer.allocate(Long.BYTES).putLong(index).array());
      this.part =
          part == 0 ? null : Bytes.ofOwned(ByteBuffer.allocate(Integer.BYTES).putInt(part).array());
    }

    @Override
    public io.batpak.AppendOptions apply(io.batpak.AppendOptions o) {
      io.batpak.AppendOptions placed = o.withExtension(RAFT_INDEX, index);
      return part == null ? placed : placed.withExtension(RAFT_PART, part);
    }
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
   * @return false if {@code nanos} passed first
   */
  synchronized boolean awaitHead(long index, long nanos) throws InterruptedException {
    StoreClock clock = storeConfig.clock();
    long deadline = clock.monoNanos() + nanos;
    while (head.appliedIndex() < index) {
      long left = deadline - clock.monoNanos();
      if (left <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return true;
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
