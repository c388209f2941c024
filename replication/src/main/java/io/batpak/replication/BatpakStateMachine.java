package io.batpak.replication;

import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StoreException;
import io.batpak.ValidationException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
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
 * the extension {@link RaftPlacement#RAFT_INDEX}, and on start the member reads the newest event's
 * index; Ratis then replays its log, and entries at or below that index are skipped (their events
 * are in the journal already, or they were rejected, and re-running a rejected entry against a
 * later state could wrongly accept it). Entries above it are applied against exactly the state they
 * first saw, because the journal is a prefix of the applied history.
 *
 * <p>After each entry it records the member's {@link ReplicaHead}; every entry carries its
 * proposer's latest head, and a member whose own head at that index differs stops ({@link #stop}).
 *
 * <p>This class is the Ratis plumbing, and delegates: {@link EntryApplier} applies the entries and
 * keeps the head, {@link SnapshotReconciler} opens the local store level with the latest snapshot
 * and swaps in one received from the leader, and {@link MemberSnapshots} takes and stores the
 * snapshots. Ratis calls {@link #initialize} on its start thread; {@link #applyTransaction}, {@link
 * #takeSnapshot} and {@link #reinitialize} on its apply thread, one at a time (a snapshot cut there
 * is built on this member's own build thread, ADR 0044); {@link #pause} and {@link
 * #notifyInstallSnapshotFromLeader} on the thread that takes the leader's notices (a snapshot is
 * then fetched on this member's own fetch thread, ADR 0043), and {@link #query} on its server
 * threads. The other methods run on any thread.
 */
final class BatpakStateMachine extends BaseStateMachine {
  /** How many snapshots a member keeps (the newest and the one before it). */
  static final int SNAPSHOTS_KEPT = 2;

  /** After how many fetched bytes a snapshot fetch logs its progress again. */
  static final long FETCH_PROGRESS_BYTES = 64L << 20;

  private static final System.Logger LOG = System.getLogger(BatpakStateMachine.class.getName());

  private final String memberId;
  private final StoreConfig storeConfig;
  private final Consumer<ReplicaStoppedException> onStop;
  private final ReplicationConfig.Snapshots snapshots;
  private final MemberSnapshots storage;
  private final EntryApplier applier;
  private final SnapshotReconciler reconciler;
  private volatile @Nullable ReplicaStoppedException stopped;
  private volatile @Nullable Function<RaftPeerId, SnapshotFetch.Source> sources;
  private volatile @Nullable Path fetchTmp;

  /** The thread snapshots are fetched on: one at a time, never on Ratis's own threads. */
  private final ExecutorService fetcher;

  /** The thread a snapshot is built on once the apply thread cut it: one at a time. */
  private final ExecutorService builder;

  /**
   * Runs on the build thread before each build; the tests set it to hold builds open (a no-op
   * otherwise). Package-private, never set outside tests.
   */
  static volatile Runnable beforeBuild = () -> {};

  /** The snapshot build in progress, or null; set on the apply thread. */
  private volatile @Nullable Future<?> building;

  /** Apply thread only: the newest snapshot index {@link #takeSnapshot} has told Ratis of. */
  private long reported = RaftLog.INVALID_LOG_INDEX;

  /** No snapshot is cut below this applied index (set when a build fails; the build thread). */
  private volatile long nextCutAt;

  BatpakStateMachine(
      String memberId,
      StoreConfig storeConfig,
      ReplicationConfig.Snapshots snapshots,
      Consumer<ReplicaStoppedException> onStop) {
    this.memberId = memberId;
    this.storeConfig = storeConfig;
    this.snapshots = snapshots;
    this.storage = new MemberSnapshots(memberId, SNAPSHOTS_KEPT);
    this.onStop = onStop;
    this.applier = new EntryApplier(memberId, storeConfig, this::store);
    this.fetcher = oneDaemonThread("batpak-snapshot-fetch " + memberId);
    this.builder = oneDaemonThread("batpak-snapshot-build " + memberId);
    this.reconciler =
        new SnapshotReconciler(
            memberId,
            storeConfig,
            storage,
            applier,
            getLifeCycle(),
            this::setLastAppliedTermIndex,
            this::stop);
  }

  private static ExecutorService oneDaemonThread(String name) {
    return Executors.newSingleThreadExecutor(
        r -> {
          Thread t = new Thread(r, name);
          t.setDaemon(true);
          return t;
        });
  }

  @Override
  public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage)
      throws IOException {
    super.initialize(server, groupId, raftStorage);
    storage.init(raftStorage);
    storage.refuseAFallbackTheLogCannotFollow(raftStorage.getStorageDir().getCurrentDir().toPath());
    Path tmp = raftStorage.getStorageDir().getTmpDir().toPath();
    SnapshotFetch.removeLeftovers(tmp);
    fetchTmp = tmp;
    getLifeCycle().transition(LifeCycle.State.STARTING);
    reconciler.open();
    getLifeCycle().transition(LifeCycle.State.RUNNING);
  }

  @Override
  public void pause() {
    reconciler.pause();
  }

  /**
   * Called by Ratis on its apply thread after this member fetched a snapshot from the leader into
   * the state-machine directory: closes the local store, re-reads the snapshots, and opens the
   * store level with the newest one ({@link SnapshotReconciler#reinitialize}).
   */
  @Override
  public void reinitialize() throws IOException {
    awaitBuild(); // the reload removes unfinished builds
    reconciler.reinitialize();
  }

  /**
   * Ratis's snapshot trigger, on its apply thread (no apply runs meanwhile), called after every
   * apply once {@code everyEntries} entries passed the index this method last returned. It cuts a
   * snapshot here and builds it on the member's build thread (ADR 0044): only the fork must see the
   * store exactly as applied through the last applied index, and the rest (a CRC of each file new
   * since the last snapshot, the meta file, the rename) need not hold up applies. Returns {@link
   * RaftLog#INVALID_LOG_INDEX} while a build runs, then, at the next call, the new snapshot's
   * index: Ratis purges its log only up to what this method returns, so only up to a snapshot that
   * is whole and synced.
   */
  @Override
  public long takeSnapshot() throws IOException {
    Future<?> b = building;
    if (b != null) {
      if (!b.isDone()) {
        return RaftLog.INVALID_LOG_INDEX;
      }
      building = null;
    }
    TermIndex ti = getLastAppliedTermIndex();
    MemberSnapshots.Snapshot latest = storage.latest();
    long latestIndex = latest == null ? RaftLog.INVALID_LOG_INDEX : latest.index();
    if (latestIndex > reported
        || !snapshots.enabled()
        || stopped != null
        || ti == null
        || ti.getIndex() <= Math.max(0, latestIndex)) {
      reported = Math.max(reported, latestIndex);
      return latestIndex;
    }
    if (ti.getIndex() < nextCutAt) {
      return RaftLog.INVALID_LOG_INDEX;
    }
    ReplicaHead h = applier.head();
    ReplicaHead at = new ReplicaHead(ti.getIndex(), h.nextGlobalSequence(), h.lastEventHash());
    MemberSnapshots.Cut cut;
    try {
      cut = storage.cut(store(), ti, at);
    } catch (IOException | StoreException e) {
      // Ratis logs a failed snapshot and purges nothing; the member goes on applying.
      nextCutAt = retryAt(ti);
      throw new IOException(snapshotFailed(ti) + e.getMessage(), e);
    }
    if (cut == null) { // a snapshot at this index was on disk already and is now the latest
      reported = ti.getIndex();
      return reported;
    }
    building =
        builder.submit(
            () -> {
              try {
                beforeBuild.run();
                storage.finish(cut);
              } catch (IOException | RuntimeException e) {
                nextCutAt = retryAt(ti);
                LOG.log(
                    System.Logger.Level.WARNING,
                    snapshotFailed(ti) + e + "; the next try is at index " + nextCutAt,
                    e);
              }
            });
    return RaftLog.INVALID_LOG_INDEX;
  }

  /**
   * Where the next cut may be after one at {@code ti} failed: a tenth of the snapshot interval on,
   * so a failure that persists (a full disk) is not retried after every apply.
   */
  private long retryAt(TermIndex ti) {
    return ti.getIndex() + Math.max(1, snapshots.everyEntries() / 10);
  }

  private String snapshotFailed(TermIndex ti) {
    return "member "
        + memberId
        + " could not snapshot its store at Raft index "
        + ti.getIndex()
        + ": ";
  }

  /** Waits until the snapshot build in progress, if any, has ended (published or failed). */
  private void awaitBuild() throws IOException {
    Future<?> b = building;
    if (b == null) {
      return;
    }
    try {
      b.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException(
          "member " + memberId + " was interrupted waiting for its snapshot build");
    } catch (ExecutionException e) {
      throw new IllegalStateException("a snapshot build reports its own failures", e);
    }
  }

  /** How many snapshots this member installed into its store since it started. */
  long snapshotsInstalled() {
    return reconciler.snapshotsInstalled();
  }

  /** The Raft index of this member's latest snapshot, or -1. */
  long latestSnapshotIndex() {
    MemberSnapshots.Snapshot s = storage.latest();
    return s == null ? -1 : s.index();
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
    return reconciler.store();
  }

  /** This member's latest head. */
  ReplicaHead head() {
    return applier.head();
  }

  /**
   * Waits until this member's head is at Raft index {@code index} or past it: every entry up to it
   * applied and its head recorded (its events are visible before that).
   *
   * @return false if {@code nanos} passed first
   */
  boolean awaitHead(long index, long nanos) throws InterruptedException {
    return applier.awaitHead(index, nanos);
  }

  /** Ends the waits of {@link #awaitHead}: the member closes, and applies nothing more. */
  void halt() {
    applier.halt();
  }

  /**
   * The heads this member recorded, by Raft index (the most recent {@value
   * EntryApplier#HEAD_WINDOW}).
   */
  Map<Long, ReplicaHead> recordedHeads() {
    return applier.recordedHeads();
  }

  /** How many other members' head claims this member has checked against its own. */
  long claimsChecked() {
    return applier.claimsChecked();
  }

  /** Why this member stopped, if it did. */
  @Nullable ReplicaStoppedException stopped() {
    return stopped;
  }

  @Override
  public CompletableFuture<Message> query(Message request) {
    byte[] bytes = request.getContent().toByteArray();
    int type = Entries.type(bytes);
    try {
      byte[] answer;
      if (type == Entries.QUERY_HEAD) {
        answer = Entries.encodeHead(applier.head());
      } else if (type == SnapshotFetch.QUERY_META || type == SnapshotFetch.QUERY_CHUNK) {
        answer = SnapshotFetch.answer(storage, bytes);
      } else {
        throw new ValidationException("unknown read-only query type " + type);
      }
      return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(answer)));
    } catch (IOException | RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Lets this member fetch snapshots from the leader through {@code sources} (its Raft client,
   * which exists only after the server started): until then a request to install one fails, and the
   * leader asks again.
   */
  void fetchSnapshotsThrough(Function<RaftPeerId, SnapshotFetch.Source> sources) {
    this.sources = sources;
  }

  /**
   * Ratis's request, on a follower whose log the leader has purged past, to catch up by snapshot
   * (ADR 0043): fetches the leader's latest snapshot into the state-machine directory on this
   * member's fetch thread, every file synced before it appears there, and answers its term and
   * index (null when the leader has none: Ratis asks a joining member even then, and it catches up
   * by log), once no earlier snapshot is still being installed ({@link
   * SnapshotReconciler#awaitNoInstall}). Ratis then pauses the state machine and asks for its
   * {@link #reinitialize}, which installs the snapshot into the store; a failed fetch publishes
   * nothing, and the leader asks again.
   */
  @Override
  public CompletableFuture<TermIndex> notifyInstallSnapshotFromLeader(
      RoleInfoProto roleInfo, TermIndex firstTermIndexInLog) {
    Function<RaftPeerId, SnapshotFetch.Source> from = sources;
    Path tmp = fetchTmp; // set once the snapshot storage is initialized
    if (from == null || tmp == null) {
      return CompletableFuture.failedFuture(
          new IOException("member " + memberId + " cannot fetch snapshots yet (starting)"));
    }
    Path sm = storage.directory();
    RaftPeerId leader =
        RaftPeerId.valueOf(roleInfo.getFollowerInfo().getLeaderInfo().getId().getId());
    long atLeast = firstTermIndexInLog.getIndex() - 1;
    return CompletableFuture.supplyAsync(
        () -> {
          try (SnapshotFetch.Source source = from.apply(leader)) {
            MemberSnapshots.Snapshot s =
                SnapshotFetch.fetch(
                    source, sm, tmp, atLeast, MemberSnapshots::fsync, fetchProgress(leader));
            if (s == null) {
              // Ratis asks a joining member for a snapshot even when there is none; null tells
              // it so, and the leader sends its log instead.
              LOG.log(
                  System.Logger.Level.INFO,
                  "member {0}: leader {1} has no snapshot; the member catches up by log",
                  memberId,
                  leader);
              return null;
            }
            reconciler.awaitNoInstall();
            LOG.log(
                System.Logger.Level.INFO,
                "member {0}: fetched snapshot {1} ({2} store files) from leader {3}",
                memberId,
                s.dir(),
                s.files().size(),
                leader);
            return s.termIndex();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the member closes
            throw new CompletionException(e);
          } catch (IOException | RuntimeException e) {
            LOG.log(
                System.Logger.Level.WARNING,
                "member {0}: fetching the snapshot from leader {1} failed; it asks again: {2}",
                memberId,
                leader,
                e.toString());
            throw new CompletionException(e);
          }
        },
        fetcher);
  }

  /** Logs a fetch's start and its progress every {@value #FETCH_PROGRESS_BYTES} bytes. */
  private SnapshotFetch.Progress fetchProgress(RaftPeerId leader) {
    long[] logged = {-1};
    return (bytes, total) -> {
      if (logged[0] < 0 || bytes - logged[0] >= FETCH_PROGRESS_BYTES) {
        logged[0] = bytes;
        LOG.log(
            System.Logger.Level.INFO,
            "member {0}: fetching a snapshot from leader {1}: {2} of {3} bytes",
            memberId,
            leader,
            bytes,
            total);
      }
    };
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
      Entries.Reply reply =
          applier.apply(term, index, entry.getStateMachineLogEntry().getLogData().toByteArray());
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

  /** Records {@code e} as the reason this member stopped, closes its store, and reports it. */
  ReplicaStoppedException stop(ReplicaStoppedException e) {
    synchronized (this) {
      if (stopped != null) {
        return java.util.Objects.requireNonNull(stopped);
      }
      stopped = e;
    }
    applier.halt();
    LOG.log(System.Logger.Level.ERROR, e.getMessage(), e);
    Store s = reconciler.storeNow();
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
    applier.halt();
    fetcher.shutdownNow();
    builder.shutdown();
    awaitBuild();
    super.close();
    Store s = reconciler.storeNow();
    if (s != null) {
      s.close();
    }
  }
}
