package io.batpak.replication;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.CompactionConfig;
import io.batpak.CompactionResult;
import io.batpak.Coordinate;
import io.batpak.CursorWorker;
import io.batpak.CursorWorkerConfig;
import io.batpak.DenialPayload;
import io.batpak.EventKind;
import io.batpak.IdempotencyKey;
import io.batpak.Outbox;
import io.batpak.OutcomeUnknownException;
import io.batpak.Payload;
import io.batpak.Reactor;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreClosedException;
import io.batpak.ValidationException;
import io.batpak.VisibilityFence;
import io.batpak.Watermark;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
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
public final class ReplicatedStore extends LocalReads {

  private final ReplicationConfig config;
  private final BatpakStateMachine stateMachine;
  private final RaftServer server;
  private final RaftClient client;
  private final RaftGroupId groupId;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final ExecutorService submitter;

  private ReplicatedStore(
      ReplicationConfig config,
      BatpakStateMachine stateMachine,
      RaftServer server,
      RaftClient client,
      RaftGroupId groupId) {
    this.config = config;
    this.stateMachine = stateMachine;
    this.server = server;
    this.client = client;
    this.groupId = groupId;
    this.submitter =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "batpak-replication-submit-" + config.memberId());
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Starts this member: opens (or recovers) its Raft log under {@link
   * ReplicationConfig#raftDirectory()}, opens its local store, replays committed entries the store
   * lacks, and joins the group. Returns once the member runs; a leader is elected once a quorum of
   * members runs.
   *
   * @throws NullPointerException if {@code config} is null
   * @throws io.batpak.StoreException if the local store cannot open (its own typed errors)
   * @throws UncheckedIOException if Ratis cannot start (a port in use, an unreadable log)
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
   * @throws io.batpak.StoreException if the local store cannot open (its own typed errors)
   * @throws UncheckedIOException if Ratis cannot start (a port in use, an unreadable log)
   */
  public static ReplicatedStore join(ReplicationConfig config) {
    Objects.requireNonNull(config, "config");
    return start(config, true);
  }

  private static ReplicatedStore start(ReplicationConfig config, boolean join) {
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
            config.snapshots().enabled(),
            stopped -> {
              ReplicatedStore s = self[0];
              if (s != null) {
                s.leaveGroup();
              }
            });
    boolean recover =
        Files.isDirectory(config.raftDirectory().resolve(config.groupId().toString()));
    try {
      RaftServer server =
          RaftServer.newBuilder()
              .setServerId(RaftPeerId.valueOf(config.memberId()))
              .setGroup(join ? RaftGroup.valueOf(groupId) : group)
              .setProperties(props)
              .setStateMachine(sm)
              .setOption(
                  recover ? RaftStorage.StartupOption.RECOVER : RaftStorage.StartupOption.FORMAT)
              .build();
      server.start();
      RaftClient client =
          RaftClient.newBuilder()
              .setProperties(props)
              .setRaftGroup(group)
              .setRetryPolicy(
                  RetryPolicies.retryUpToMaximumCountWithFixedSleep(
                      (int) Math.max(1, config.requestTimeout().toMillis() / 100),
                      TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)))
              .build();
      ReplicatedStore store = new ReplicatedStore(config, sm, server, client, groupId);
      self[0] = store;
      return store;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "member " + config.memberId() + " could not start its Raft server: " + e.getMessage(), e);
    }
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
    RaftConfigKeys.Rpc.setType(props, SupportedRpcType.GRPC);
    GrpcConfigKeys.Server.setHost(props, config.self().host());
    GrpcConfigKeys.Server.setPort(props, config.self().port());
    RaftServerConfigKeys.setStorageDir(props, List.of(config.raftDirectory().toFile()));
    snapshotProperties(props, config.snapshots());
    RaftServerConfigKeys.Read.setOption(props, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
    RaftServerConfigKeys.Rpc.setTimeoutMin(props, TimeDuration.valueOf(1, TimeUnit.SECONDS));
    RaftServerConfigKeys.Rpc.setTimeoutMax(props, TimeDuration.valueOf(2, TimeUnit.SECONDS));
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
      RaftServerConfigKeys.Log.Appender.setInstallSnapshotEnabled(props, true);
    }
  }

  /** This member's id. */
  public String memberId() {
    return config.memberId();
  }

  /** Whether this member is the Raft leader right now (it may stop being so at any moment). */
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
   * event the leader had applied. After it returns, reads on this member see every append that
   * returned before the call began.
   *
   * @return the leader's head this member has now caught up with
   * @throws io.batpak.StoreTimeoutException if this member did not catch up within {@code timeout}
   * @throws OutcomeUnknownException if no leader answered within the request timeout (nothing was
   *     written; retry)
   */
  public ReplicaHead awaitLeaderHead(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    RaftClientReply reply;
    Duration wait = config.requestTimeout();
    try {
      reply =
          client
              .async()
              .sendReadOnly(Message.valueOf(ByteString.copyFrom(Entries.encodeHeadQuery())))
              .get(wait.toNanos(), TimeUnit.NANOSECONDS);
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
    if (leader.nextGlobalSequence() > 0) {
      waitFor(Watermark.VISIBLE, leader.nextGlobalSequence() - 1, timeout);
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
      reply = client.admin().setConfiguration(peers);
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

  // --- writes: proposed to the Raft leader ---

  /**
   * Appends one event through the Raft leader and returns its receipt with the Raft term and index
   * that committed it. The options' idempotency key, when set, becomes the event id as in {@link
   * Store#append}; without one, this member draws a random key (so a Raft-level retry never writes
   * the event twice) and names it in an outcome-unknown error.
   *
   * @throws ReplicationUnsupportedException if the options carry gates (not replicated yet)
   * @throws ValidationException if the options carry the reserved extension {@code raft.index}
   * @throws io.batpak.ConcurrencyConflictException if the expected version did not hold when the
   *     entry applied
   * @throws io.batpak.IdempotencyConflictException if the key was used for different content
   * @throws OutcomeUnknownException if the entry's commit was not confirmed within the request
   *     timeout: it may or may not be committed; retry with the key the message names
   * @throws ReplicaStoppedException if this member stopped
   */
  public ReplicatedReceipt appendReplicated(
      Coordinate coordinate, EventKind kind, Bytes payload, AppendOptions options) {
    Objects.requireNonNull(coordinate, "coordinate");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(options, "options");
    return propose(List.of(item(coordinate, kind, payload, options, -1)));
  }

  /**
   * Appends a batch atomically through the Raft leader (one Raft entry, one journal frame on every
   * member). Items must carry raw payloads.
   *
   * @throws ReplicationUnsupportedException if an item carries gates or an encoded payload
   * @see #appendReplicated
   */
  public ReplicatedReceipt appendBatchReplicated(List<BatchItem> items) {
    Objects.requireNonNull(items, "items");
    if (items.isEmpty()) {
      throw new ValidationException("a batch holds at least one item, got none");
    }
    List<Entries.Item> entryItems = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      BatchItem b = Objects.requireNonNull(items.get(i), "items[" + i + "]");
      if (!(b.payload() instanceof Payload.Raw raw)) {
        throw new ReplicationUnsupportedException(
            "appendBatch with an encoded payload (item " + i + ")",
            "members would each encode it with their own codec; encode it to bytes first and"
                + " pass a raw payload");
      }
      entryItems.add(item(b.coordinate(), b.kind(), raw.bytes(), b.options(), b.causedByItem()));
    }
    return propose(entryItems);
  }

  private Entries.Item item(
      Coordinate coordinate, EventKind kind, Bytes payload, AppendOptions options, int causedBy) {
    if (!options.gates().isEmpty()) {
      throw new ReplicationUnsupportedException(
          "append with gates",
          "a gate is code, which a Raft entry cannot carry to the other members; check the"
              + " condition before appending and use an expected version");
    }
    if (options.extensions().containsKey(BatpakStateMachine.RAFT_INDEX)) {
      throw new ValidationException(
          "the extension "
              + BatpakStateMachine.RAFT_INDEX
              + " is reserved by batpak-replication (it records each event's Raft index);"
              + " rename yours");
    }
    AppendOptions keyed = options;
    if (options.idempotencyKey() == null) {
      keyed =
          options.withIdempotencyKey(
              IdempotencyKey.of(
                  config.store().entropy().nextLong(), config.store().entropy().nextLong()));
    }
    return new Entries.Item(coordinate, kind, payload, keyed, causedBy);
  }

  private ReplicatedReceipt propose(List<Entries.Item> items) {
    local();
    return propose(
        new Entries.Append(stateMachine.head(), config.store().clock().wallMicros(), items));
  }

  /** Proposes {@code append} as it is (tests use it to send a doctored head claim). */
  ReplicatedReceipt propose(Entries.Append append) {
    List<Entries.Item> items = append.items();
    byte[] bytes = Entries.encodeAppend(append);
    RaftClientReply reply;
    Duration timeout = config.requestTimeout();
    try {
      reply =
          client
              .async()
              .send(Message.valueOf(ByteString.copyFrom(bytes)))
              .get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw outcomeUnknown(items, "no commit was confirmed within " + timeout, e);
    } catch (ExecutionException e) {
      throw outcomeUnknown(items, String.valueOf(e.getCause()), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw outcomeUnknown(items, "the appending thread was interrupted", e);
    }
    if (!reply.isSuccess()) {
      throw outcomeUnknown(items, String.valueOf(reply.getException()), reply.getException());
    }
    Entries.Reply r = Entries.decodeReply(reply.getMessage().getContent().toByteArray());
    if (r instanceof Entries.Ok ok) {
      return new ReplicatedReceipt(ok.receipts(), ok.term(), ok.index());
    }
    if (r instanceof Entries.Rejected rej) {
      throw rej.error();
    }
    Entries.Replayed rep = (Entries.Replayed) r;
    throw outcomeUnknown(
        items,
        "the leader had applied Raft entry "
            + rep.index()
            + " before it restarted and kept no outcome for it",
        null);
  }

  private OutcomeUnknownException outcomeUnknown(
      List<Entries.Item> items, String why, @Nullable Throwable cause) {
    List<String> keys = new ArrayList<>();
    for (Entries.Item it : items) {
      keys.add(String.valueOf(it.options().idempotencyKey()));
    }
    String message =
        "member "
            + memberId()
            + " could not confirm the commit of an append of "
            + items.size()
            + " event(s) ("
            + why
            + "); it may or may not be committed. Retry with the idempotency key(s) "
            + keys
            + " to get its receipt without writing it twice.";
    return cause == null
        ? new OutcomeUnknownException(message)
        : new OutcomeUnknownException(message, cause);
  }

  @Override
  public AppendReceipt append(
      Coordinate coordinate, EventKind kind, Bytes payload, AppendOptions options) {
    return appendReplicated(coordinate, kind, payload, options).receipt();
  }

  @Override
  public List<AppendReceipt> appendBatch(List<BatchItem> items) {
    return appendBatchReplicated(items).receipts();
  }

  /**
   * Runs {@link #append} on this member's own submit thread; the future completes with its receipt
   * or its exception, never on a Ratis thread.
   */
  @Override
  public CompletableFuture<AppendReceipt> submit(
      Coordinate coordinate, EventKind kind, Bytes payload, AppendOptions options) {
    Objects.requireNonNull(coordinate, "coordinate");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(options, "options");
    local();
    return CompletableFuture.supplyAsync(
        () -> append(coordinate, kind, payload, options), submitter);
  }

  @Override
  public AppendReceipt appendEncoded(
      Coordinate coordinate, EventKind kind, Object value, AppendOptions options) {
    throw unsupportedEncoding("appendEncoded");
  }

  @Override
  public AppendReceipt appendTyped(Coordinate coordinate, Object record, AppendOptions options) {
    throw unsupportedEncoding("appendTyped");
  }

  @Override
  public CompletableFuture<AppendReceipt> submitEncoded(
      Coordinate coordinate, EventKind kind, Object value, AppendOptions options) {
    throw unsupportedEncoding("submitEncoded");
  }

  private static ReplicationUnsupportedException unsupportedEncoding(String op) {
    return new ReplicationUnsupportedException(
        op,
        "encoding runs in the writer with the local codec, and a Raft entry carries bytes; encode"
            + " the value yourself (or with config().codec()) and call append with the bytes");
  }

  @Override
  public AppendReceipt appendDenial(
      Coordinate coordinate, DenialPayload denial, AppendOptions options) {
    throw new ReplicationUnsupportedException(
        "appendDenial", "denials come from gates, which are not replicated yet");
  }

  @Override
  public CompactionResult compact(CompactionConfig config) {
    throw new ReplicationUnsupportedException(
        "compact",
        "each member would compact on its own schedule and their journals would stop being"
            + " byte-identical; replicated compaction is a later step of issue 18");
  }

  @Override
  public VisibilityFence beginFence() {
    throw new ReplicationUnsupportedException(
        "beginFence", "a fence is one writer's open transaction, not yet a Raft entry");
  }

  @Override
  public CursorWorker reactor(
      Region region, String checkpointId, CursorWorkerConfig config, Reactor reactor) {
    throw new ReplicationUnsupportedException(
        "reactor",
        "a reactor appends through the local writer, which on a member belongs to the state"
            + " machine; run a cursorWorker and append through this store instead");
  }

  @Override
  public Outbox outbox() {
    throw new ReplicationUnsupportedException(
        "outbox",
        "the outbox appends through the local writer, which belongs to the state machine");
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

  /** How many head claims of other members this member checked. */
  long claimsChecked() {
    return stateMachine.claimsChecked();
  }

  /** Closes the Raft server when the state machine stopped the member, off Ratis's thread. */
  private void leaveGroup() {
    Thread t = new Thread(this::close, "batpak-replication-stop-" + memberId());
    t.setDaemon(true);
    t.start();
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
    submitter.shutdown();
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
