package io.batpak.replication;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import io.batpak.OutcomeUnknownException;
import io.batpak.Store;
import io.batpak.StoreClosedException;
import io.batpak.StoreTimeoutException;
import io.batpak.ValidationException;
import io.batpak.Watermark;
import io.batpak.port.StoreClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.proto.RaftProtos.CommitInfoProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.ExitUtils;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * One member of a batpak store replicated over Apache Ratis (ADR 0037). Writes go to the Raft
 * leader, whichever member takes them (a follower's Raft client redirects them); the leader commits
 * each append as one Raft log entry on a quorum, and every member applies the entry to its own
 * local store, so every member's journal holds the same events with the same hashes. Reads are
 * served by this member's local store: a follower may be behind, so a reader that needs its own
 * writes or the latest state calls {@link #awaitLeaderHead(Duration)} (a linearizable read barrier
 * through Raft's read index) or {@link #waitFor} with a sequence it saw.
 *
 * <p>Durability on return: an append returns after its entry is in the durable Raft log of a quorum
 * and the leader applied it. The local journals apply with the local store's own durability
 * setting; the Raft log is the durable copy, and a member that crashes re-applies the entries its
 * journal lost (ADR 0037).
 *
 * <p>Operations a replicated store does not support yet throw {@link
 * ReplicationUnsupportedException} naming the operation and the reason (replication/README.md).
 *
 * <p>Thread-safety: safe for concurrent use by many threads.
 *
 * @since 0.2
 */
@API(status = EXPERIMENTAL, since = "0.2")
public final class ReplicatedStore extends LeaderWrites {

  private final ReplicationConfig config;
  private final BatpakStateMachine stateMachine;
  private final RaftServer server;
  private final MemberClient client;
  private final RaftGroupId groupId;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** How long a stopping leader waits for the others to learn its commit index. */
  private static final Duration FOLLOWERS_LEARN_COMMITS = Duration.ofSeconds(3);

  private ReplicatedStore(
      ReplicationConfig config,
      BatpakStateMachine stateMachine,
      RaftServer server,
      MemberClient client,
      RaftGroupId groupId) {
    super(config, stateMachine, server, groupId, client);
    this.config = config;
    this.stateMachine = stateMachine;
    this.server = server;
    this.client = client;
    this.groupId = groupId;
  }

  /**
   * Starts this member: opens (or recovers) its Raft log under {@link
   * ReplicationConfig#raftDirectory()}, opens its local store, replays committed entries the store
   * lacks, and joins the group. Returns once the member runs; a leader is elected once a quorum of
   * members runs.
   *
   * @throws NullPointerException if {@code config} is null
   * @throws ValidationException if the Raft directory belongs to another member (it records whose
   *     it is when a member first starts on it)
   * @throws io.batpak.StoreException if the local store cannot open (its own typed errors)
   * @throws UncheckedIOException if this member cannot listen on its address (named in the
   *     message), or Ratis cannot start (an unreadable log)
   */
  public static ReplicatedStore start(ReplicationConfig config) {
    Objects.requireNonNull(config, "config");
    return start(config, false);
  }

  /**
   * Starts a member that joins a running group: unlike {@link #start}, it begins with no Raft
   * configuration of its own and waits until a member of the group adds it with {@link
   * #setMembers}; it then catches up by log. {@link ReplicationConfig#peers()} is the group as it
   * will be with this member (its Raft client uses it to find the leader). Restart a joined member
   * with {@link #start}: its Raft log remembers the configuration.
   *
   * @throws NullPointerException if {@code config} is null
   * @throws ValidationException if the Raft directory belongs to another member (it records whose
   *     it is when a member first starts on it)
   * @throws io.batpak.StoreException if the local store cannot open (its own typed errors)
   * @throws UncheckedIOException if this member cannot listen on its address (named in the
   *     message), or Ratis cannot start (an unreadable log)
   */
  public static ReplicatedStore join(ReplicationConfig config) {
    Objects.requireNonNull(config, "config");
    return start(config, true);
  }

  static {
    // Ratis ends the JVM (System.exit) when its gRPC server cannot start; an embedded store must
    // never take its host process down. Disabled, Ratis throws instead, and start() reports it.
    ExitUtils.disableSystemExit();
  }

  private static ReplicatedStore start(ReplicationConfig config, boolean join) {
    MemberStartChecks.claimRaftDirectory(config);
    MemberStartChecks.requireListenable(config);
    RaftProperties props = properties(config);
    RaftGroupId groupId = RaftGroupId.valueOf(config.groupId());
    List<RaftPeer> peers = new ArrayList<>();
    for (ReplicationConfig.Peer p : config.peers()) {
      peers.add(RaftPeer.newBuilder().setId(p.id()).setAddress(p.address()).build());
    }
    RaftGroup group = RaftGroup.valueOf(groupId, peers);
    ReplicatedStore[] self = new ReplicatedStore[1];
    BatpakStateMachine sm =
        new BatpakStateMachine(
            config.memberId(),
            config.store(),
            config.snapshots(),
            stopped -> {
              ReplicatedStore s = self[0];
              if (s != null) {
                s.leaveGroup();
              }
            });
    boolean recover =
        Files.isDirectory(config.raftDirectory().resolve(config.groupId().toString()));
    RaftServer server = null;
    try {
      server =
          RaftServer.newBuilder()
              .setServerId(RaftPeerId.valueOf(config.memberId()))
              .setGroup(join ? RaftGroup.valueOf(groupId) : group)
              .setProperties(props)
              .setStateMachine(sm)
              .setOption(
                  recover ? RaftStorage.StartupOption.RECOVER : RaftStorage.StartupOption.FORMAT)
              .build();
      server.start();
      Supplier<RaftClient> clients =
          () ->
              RaftClient.newBuilder()
                  .setProperties(props)
                  .setRaftGroup(group)
                  .setRetryPolicy(
                      RetryPolicies.retryUpToMaximumCountWithFixedSleep(
                          (int) Math.max(1, config.requestTimeout().toMillis() / 100),
                          TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)))
                  .build();
      MemberClient client = new MemberClient(config.memberId(), clients, config.store().clock());
      sm.fetchSnapshotsThrough(leader -> new MemberQueries(clients.get(), leader, config));
      ReplicatedStore store = new ReplicatedStore(config, sm, server, client, groupId);
      self[0] = store;
      return store;
    } catch (IOException | RuntimeException e) {
      // Ratis wraps what the state machine's initialize threw (the local store's open) in its own
      // exceptions: the store's typed error is what start reports.
      RuntimeException typed = storeErrorIn(e);
      Throwable report = typed != null ? typed : e;
      // Close what started (the Raft server closes the state machine, and so the store).
      if (server != null) {
        try {
          server.close();
        } catch (IOException | RuntimeException closing) {
          report.addSuppressed(closing);
        }
      }
      if (typed != null) {
        throw typed;
      }
      if (e instanceof RuntimeException r && !(e instanceof ExitUtils.ExitException)) {
        throw r;
      }
      throw new UncheckedIOException(
          "member " + config.memberId() + " could not start its Raft server: " + e.getMessage(),
          e instanceof IOException io ? io : new IOException(e.getMessage(), e));
    }
  }

  /**
   * The first {@link io.batpak.StoreException} (a {@link ValidationException}, a {@link
   * ReplicaStoppedException}, the local store's open errors) in {@code e}'s cause chain, or null.
   */
  private static @Nullable RuntimeException storeErrorIn(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof io.batpak.StoreException s) {
        return s;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }

  /** The Ratis settings of a member; package-private so a test can pin the durability ones. */
  static RaftProperties properties(ReplicationConfig config) {
    RaftProperties props = new RaftProperties();
    // The Raft log is the durable copy (ADR 0037): an entry counts toward a commit only after the
    // log worker's fsync covers it. Ratis's defaults say so; they are pinned here, not inherited,
    // because "unsafe" or asynchronous flushing would let a quorum acknowledge what a power loss
    // takes back.
    RaftServerConfigKeys.Log.setUnsafeFlushEnabled(props, false);
    RaftServerConfigKeys.Log.setAsyncFlushEnabled(props, false);
    // No commit-index records in the log (Ratis's "log metadata"): they doubled the log's records
    // and fsyncs. Raft needs no durable commit index; a restarted member answers entries up to its
    // journal's index from the journal and applies the rest once a leader confirms their commit.
    RaftServerConfigKeys.Log.setLogMetadataEnabled(props, false);
    RaftConfigKeys.Rpc.setType(props, SupportedRpcType.GRPC);
    GrpcConfigKeys.Server.setHost(props, config.self().host());
    GrpcConfigKeys.Server.setPort(props, config.self().port());
    RaftServerConfigKeys.setStorageDir(props, List.of(config.raftDirectory().toFile()));
    snapshotProperties(props, config.snapshots());
    RaftServerConfigKeys.Read.setOption(props, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
    RaftServerConfigKeys.Rpc.setTimeoutMin(props, TimeDuration.valueOf(1, TimeUnit.SECONDS));
    RaftServerConfigKeys.Rpc.setTimeoutMax(props, TimeDuration.valueOf(2, TimeUnit.SECONDS));
    // Send an entry to a follower as soon as it is in the log (ADR 0044). Ratis's default spaces a
    // follower's appendEntries calls at least 1 ms apart, and the call that tells followers the
    // new commit index usually goes out just before the next entry is proposed, so each entry
    // waited out most of that millisecond on top of its commit.
    RaftServerConfigKeys.Log.Appender.setWaitTimeMin(props, TimeDuration.ZERO);
    return props;
  }

  /**
   * Snapshots and log purge (ADR 0038): Ratis takes a snapshot every {@code everyEntries} applied
   * entries (on its apply thread, so the store holds exactly what was applied), keeps two, and
   * purges its log up to the newest snapshot's index even when a member is behind it (that member
   * installs the snapshot). No snapshot on stop: a restart replays from the journal and the log.
   */
  static void snapshotProperties(RaftProperties props, ReplicationConfig.Snapshots snapshots) {
    RaftServerConfigKeys.Snapshot.setTriggerWhenStopEnabled(props, false);
    RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(props, snapshots.enabled());
    RaftServerConfigKeys.Log.setSegmentSizeMax(
        props, SizeInBytes.valueOf(snapshots.raftLogSegmentBytes()));
    if (snapshots.enabled()) {
      RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(props, snapshots.everyEntries());
      RaftServerConfigKeys.Snapshot.setRetentionFileNum(props, BatpakStateMachine.SNAPSHOTS_KEPT);
      RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(props, true);
      RaftServerConfigKeys.Log.setPurgeGap(
          props, (int) Math.min(Integer.MAX_VALUE, snapshots.everyEntries()));
      // A follower fetches the leader's snapshot itself and syncs it before Ratis hears of it
      // (ADR 0043); Ratis's own transfer renames unsynced files into place.
      RaftServerConfigKeys.Log.Appender.setInstallSnapshotEnabled(props, false);
    }
  }

  /** This member's id. */
  @Override
  public String memberId() {
    return config.memberId();
  }

  /** Whether this member is the Raft leader right now (it may stop being so at any moment). */
  @Override
  public boolean isLeader() {
    try {
      return server.getDivision(groupId).getInfo().isLeader();
    } catch (IOException e) {
      return false;
    }
  }

  /** This member's latest chain head: the Raft index it applied last and its journal's head. */
  public ReplicaHead head() {
    local();
    return stateMachine.head();
  }

  /**
   * A linearizable read barrier: asks the leader (through Raft's read index, which confirms its
   * leadership with a quorum) for its head, then waits until this member's local store holds every
   * event the leader had applied and has recorded its head for it. After it returns, reads on this
   * member see every append that returned before the call began, and {@link #head()} is at the
   * leader's Raft index or past it.
   *
   * @return the leader's head this member has now caught up with
   * @throws io.batpak.StoreTimeoutException if this member did not catch up within {@code timeout}
   * @throws OutcomeUnknownException if no leader answered within the request timeout (nothing was
   *     written; retry)
   * @throws StoreClosedException if this member closed meanwhile
   * @throws ReplicaStoppedException if this member stopped meanwhile
   */
  @Override
  public ReplicaHead awaitLeaderHead(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    RaftClientReply reply;
    Duration wait = config.requestTimeout();
    Message query = Message.valueOf(ByteString.copyFrom(Entries.encodeHeadQuery()));
    try {
      reply = client.send(c -> c.async().sendReadOnly(query), wait);
    } catch (TimeoutException | ExecutionException e) {
      throw new OutcomeUnknownException(
          "member "
              + memberId()
              + " could not get the Raft leader's head for a read barrier within "
              + wait
              + ": "
              + e,
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OutcomeUnknownException(
          "member " + memberId() + " was interrupted waiting for a read barrier", e);
    }
    if (!reply.isSuccess()) {
      throw new OutcomeUnknownException(
          "the Raft leader refused a read barrier: " + reply.getException(), reply.getException());
    }
    ReplicaHead leader = Entries.decodeHead(reply.getMessage().getContent().toByteArray());
    StoreClock clock = config.store().clock();
    long deadline = Waits.deadline(clock.monoNanos(), timeout);
    if (leader.nextGlobalSequence() > 0) {
      waitFor(Watermark.VISIBLE, leader.nextGlobalSequence() - 1, timeout);
    }
    // The events are visible a moment before the apply thread records the head: wait for that too,
    // so head() after the barrier is at the leader's index or past it.
    boolean applied;
    try {
      applied = stateMachine.awaitHead(leader.appliedIndex(), deadline - clock.monoNanos());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OutcomeUnknownException(
          "member " + memberId() + " was interrupted waiting for a read barrier", e);
    }
    if (!applied) {
      local(); // a member that closed or stopped meanwhile says so
      throw new StoreTimeoutException(
          "member "
              + memberId()
              + " did not apply the leader's Raft entry "
              + leader.appliedIndex()
              + " within "
              + timeout
              + " (its head: "
              + stateMachine.head()
              + ")");
    }
    return leader;
  }

  /**
   * Changes the group's members to {@code members} (for instance from 3 to 5 and back) through
   * Raft's configuration change: members being added must run already ({@link #join}), and the
   * leader brings them up to date before the new configuration commits. Returns once it has
   * committed. A removed member stops taking part; close it.
   *
   * @throws ValidationException if {@code members} is empty or names a member twice
   * @throws OutcomeUnknownException if the change was not confirmed within the client's retries;
   *     read {@link #members()} to see whether it happened
   */
  public void setMembers(List<ReplicationConfig.Peer> members) {
    Objects.requireNonNull(members, "members");
    if (members.isEmpty()) {
      throw new ValidationException("a replicated store needs at least one member, got none");
    }
    List<RaftPeer> peers = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (ReplicationConfig.Peer p : members) {
      if (!ids.add(Objects.requireNonNull(p, "members[i]").id())) {
        throw new ValidationException("member '" + p.id() + "' appears twice in " + members);
      }
      peers.add(RaftPeer.newBuilder().setId(p.id()).setAddress(p.address()).build());
    }
    local();
    RaftClientReply reply;
    try {
      reply = client.current().admin().setConfiguration(peers);
    } catch (IOException e) {
      throw new OutcomeUnknownException(
          "the change of members to " + ids + " was not confirmed: " + e + "; read members()", e);
    }
    if (!reply.isSuccess()) {
      throw new OutcomeUnknownException(
          "the change of members to "
              + ids
              + " was not confirmed: "
              + reply.getException()
              + "; read members()",
          reply.getException());
    }
  }

  /** The ids of the group's members in this member's current Raft configuration. */
  public Set<String> members() {
    local();
    try {
      Set<String> ids = new TreeSet<>();
      for (RaftPeer p : server.getDivision(groupId).getGroup().getPeers()) {
        ids.add(p.getId().toString());
      }
      return ids;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "member " + memberId() + " could not read its Raft configuration: " + e.getMessage(), e);
    }
  }

  // --- reads: this member's local store (LocalReads) ---

  @Override
  Store local() {
    ReplicaStoppedException stopped = stateMachine.stopped();
    if (stopped != null) {
      throw new ReplicaStoppedException(
          "member " + memberId() + " stopped: " + stopped.getMessage(), stopped);
    }
    if (closed.get()) {
      throw new StoreClosedException("replicated store member " + memberId() + " is closed");
    }
    return stateMachine.store();
  }

  /** The heads this member recorded, by Raft index (tests compare members with it). */
  Map<Long, ReplicaHead> recordedHeads() {
    return stateMachine.recordedHeads();
  }

  /** Why the state machine stopped this member, or null while it runs. */
  @Nullable ReplicaStoppedException stoppedReason() {
    return stateMachine.stopped();
  }

  /** How many snapshots this member installed into its store since it started (tests). */
  long snapshotsInstalled() {
    return stateMachine.snapshotsInstalled();
  }

  /** The Raft index of this member's latest snapshot, or -1 (tests). */
  long latestSnapshotIndex() {
    return stateMachine.latestSnapshotIndex();
  }

  /** The first index this member's Raft log still holds (tests check the log is purged). */
  long raftLogStartIndex() {
    try {
      return server.getDivision(groupId).getRaftLog().getStartIndex();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * This member's Raft state in one line (tests print it when a member does not catch up): role,
   * life cycle, term, the Raft log's start, commit, flush and last entry, the applied index, the
   * state machine's life cycle, snapshots, and why it stopped, if it did.
   */
  String raftState() {
    try {
      org.apache.ratis.server.RaftServer.Division d = server.getDivision(groupId);
      org.apache.ratis.server.raftlog.RaftLog log = d.getRaftLog();
      return memberId()
          + ": "
          + d.getInfo().getCurrentRole()
          + " "
          + d.getInfo().getLifeCycleState()
          + " term "
          + d.getInfo().getCurrentTerm()
          + ", log start "
          + log.getStartIndex()
          + " commit "
          + log.getLastCommittedIndex()
          + " flush "
          + log.getFlushIndex()
          + " last "
          + log.getLastEntryTermIndex()
          + ", applied "
          + d.getInfo().getLastAppliedIndex()
          + ", state machine "
          + stateMachine.getLifeCycleState()
          + ", snapshot "
          + latestSnapshotIndex()
          + " (installed "
          + snapshotsInstalled()
          + "), head "
          + head()
          + (stoppedReason() == null ? "" : ", stopped: " + stoppedReason().getMessage());
    } catch (IOException | RuntimeException e) {
      return memberId() + ": " + e;
    }
  }

  /** How many head claims of other members this member checked. */
  long claimsChecked() {
    return stateMachine.claimsChecked();
  }

  /** The Raft client this member sends through now (a test makes it run out of retries). */
  RaftClient raftClient() {
    return client.current();
  }

  /** Closes the Raft server when the state machine stopped the member, off Ratis's thread. */
  private void leaveGroup() {
    Thread t =
        new Thread(
            () -> {
              letFollowersLearnTheCommitIndex();
              close();
            },
            "batpak-replication-stop-" + memberId());
    t.setDaemon(true);
    t.start();
  }

  /**
   * A leader that stops waits, up to {@link #FOLLOWERS_LEARN_COMMITS}, until every member knows the
   * commit index it reached, so the others apply (and judge) every entry it applied. Members learn
   * a commit index from the leader's next appendEntries call (ADR 0042: the log carries no
   * commit-index records); a leader that closed at once would send none, and members that cannot
   * elect a new one would never apply those entries.
   */
  private void letFollowersLearnTheCommitIndex() {
    StoreClock clock = config.store().clock();
    long deadline = clock.monoNanos() + FOLLOWERS_LEARN_COMMITS.toNanos();
    try {
      RaftServer.Division division = server.getDivision(groupId);
      if (!division.getInfo().isLeader()) {
        return;
      }
      long committed = division.getRaftLog().getLastCommittedIndex();
      while (clock.monoNanos() < deadline) {
        boolean known = true;
        for (CommitInfoProto member : division.getCommitInfos()) {
          known &= member.getCommitIndex() >= committed;
        }
        if (known) {
          return;
        }
        clock.sleepNanos(TimeUnit.MILLISECONDS.toNanos(20));
      }
    } catch (IOException e) {
      // The division is gone: there is no one to tell.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Leaves the group and closes this member: its Raft client, its Raft server (the others elect a
   * new leader if this was it) and its local store. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    stateMachine.halt(); // read barriers waiting for this member's applies end now
    stopWrites();
    IOException failure = null;
    try {
      client.close();
    } catch (IOException e) {
      failure = e;
    }
    try {
      server.close();
    } catch (IOException e) {
      if (failure == null) {
        failure = e;
      } else {
        failure.addSuppressed(e);
      }
    }
    if (failure != null) {
      throw new UncheckedIOException(
          "member " + memberId() + " did not close cleanly: " + failure.getMessage(), failure);
    }
  }
}
