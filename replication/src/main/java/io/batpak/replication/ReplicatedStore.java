package io.batpak.replication;

import static java.util.concurrent.CompletableFuture.completedFuture;
import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.CompactionConfig;
import io.batpak.CompactionResult;
import io.batpak.ConcurrencyConflictException;
import io.batpak.Coordinate;
import io.batpak.CursorWorker;
import io.batpak.CursorWorkerConfig;
import io.batpak.DenialPayload;
import io.batpak.EventKind;
import io.batpak.EventTypes;
import io.batpak.ExtensionKey;
import io.batpak.IdempotencyKey;
import io.batpak.Outbox;
import io.batpak.OutcomeUnknownException;
import io.batpak.Payload;
import io.batpak.Reactor;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreClosedException;
import io.batpak.StoreTimeoutException;
import io.batpak.ValidationException;
import io.batpak.VisibilityFence;
import io.batpak.Watermark;
import io.batpak.port.StoreClock;
import io.batpak.spi.ReactorHandler;
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
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.proto.RaftProtos.CommitInfoProto;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.LeaderSteppingDownException;
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
  private final MemberClient client;
  private final RaftGroupId groupId;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final ExecutorService submitter;
  private final ProposerGates gates;
  private final MemberCodec codec;
  private final Proposals proposals;

  /** How long a stopping leader waits for the others to learn its commit index. */
  private static final Duration FOLLOWERS_LEARN_COMMITS = Duration.ofSeconds(3);

  /** Who this member's own entries come from when it leads and submits them directly. */
  private final ClientId localClientId = ClientId.randomId();

  private final AtomicLong localCalls = new AtomicLong();

  private ReplicatedStore(
      ReplicationConfig config,
      BatpakStateMachine stateMachine,
      RaftServer server,
      Supplier<RaftClient> clients,
      RaftGroupId groupId) {
    this.config = config;
    this.stateMachine = stateMachine;
    this.server = server;
    this.client = new MemberClient(config.memberId(), clients, config.store().clock());
    this.groupId = groupId;
    this.submitter =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "batpak-replication-submit-" + config.memberId());
              t.setDaemon(true);
              return t;
            });
    this.gates = new ProposerGates(config.memberId(), config.store().gateBudget());
    this.codec = new MemberCodec(config.memberId());
    this.proposals =
        new Proposals(
            config.memberId(), this::sendEntry, config.requestTimeout(), config.store().clock());
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
      ReplicatedStore store = new ReplicatedStore(config, sm, server, clients, groupId);
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
   * event the leader had applied and has recorded its head for it. After it returns, reads on this
   * member see every append that returned before the call began, and {@link #head()} is at the
   * leader's Raft index or past it.
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
    Message query = Message.valueOf(ByteString.copyFrom(Entries.encodeHeadQuery()));
    try {
      reply = send(c -> c.async().sendReadOnly(query), wait);
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
    long deadline = clock.monoNanos() + timeout.toNanos();
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
    return propose(List.of(item(coordinate, kind, payload, options, -1)), Entries.APPEND, 0);
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
      entryItems.add(entryItem(b));
    }
    return propose(entryItems, Entries.APPEND, 0);
  }

  private Entries.Item item(
      Coordinate coordinate, EventKind kind, Bytes payload, AppendOptions options, int causedBy) {
    for (ExtensionKey reserved : List.of(RaftPlacement.RAFT_INDEX, RaftPlacement.RAFT_PART)) {
      if (options.extensions().containsKey(reserved)) {
        throw new ValidationException(
            "the extension "
                + reserved
                + " is reserved by batpak-replication (it places each event in the Raft log);"
                + " rename yours");
      }
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

  /**
   * Proposes one entry of {@code items} of {@code type} ({@link Entries#APPEND}, {@link
   * Entries#APPEND_DENIAL} or {@link Entries#APPEND_TYPED} with its payload version).
   */
  private ReplicatedReceipt propose(List<Entries.Item> items, int type, int payloadVersion) {
    local();
    for (Entries.Item it : items) {
      if (!it.options().gates().isEmpty()) {
        return proposeGated(items, type, payloadVersion);
      }
    }
    return propose(
        new Entries.Append(
            stateMachine.head(), config.store().clock().wallMicros(), items, type, payloadVersion));
  }

  /**
   * Decides the atomic gates of {@code items} on this member and proposes the entry expecting the
   * stream versions they were decided on (ADR 0041); when a stream moved before the entry
   * committed, catches up with the leader and decides again, until the request timeout.
   */
  private ReplicatedReceipt proposeGated(List<Entries.Item> items, int type, int payloadVersion) {
    StoreClock clock = config.store().clock();
    long deadline = clock.monoNanos() + config.requestTimeout().toNanos();
    boolean caughtUp = false;
    ConcurrencyConflictException lost = null;
    while (true) {
      ProposerGates.Check check = gates.check(local(), items, caughtUp);
      if (check instanceof ProposerGates.Ready ready) {
        try {
          return propose(
              new Entries.Append(
                  stateMachine.head(), clock.wallMicros(), ready.items(), type, payloadVersion));
        } catch (ConcurrencyConflictException e) {
          if (!ready.pinned().contains(e.entity())) {
            throw e;
          }
          lost = e;
        }
      }
      long left = deadline - clock.monoNanos();
      if (left <= 0) {
        String why =
            lost == null
                ? "this member did not catch up with the leader"
                : "the stream its gates were decided on kept changing before the entry committed"
                    + " (last: "
                    + lost.getMessage()
                    + ")";
        String message =
            "member "
                + memberId()
                + " could not commit an append with atomic gates within "
                + config.requestTimeout()
                + ": "
                + why
                + ". Nothing was written; retry";
        throw lost == null
            ? new StoreTimeoutException(message)
            : new StoreTimeoutException(message, lost);
      }
      awaitLeaderHead(Duration.ofNanos(left));
      caughtUp = true;
    }
  }

  /** Proposes {@code append} as it is (tests use it to send a doctored head claim). */
  ReplicatedReceipt propose(Entries.Append append) {
    List<Entries.Item> items = append.items();
    byte[] bytes = Entries.encodeAppend(append);
    Entries.Reply r;
    Duration timeout = config.requestTimeout();
    try {
      r = proposals.submit(bytes).get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw outcomeUnknown(items, "no commit was confirmed within " + timeout, e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof StoreClosedException closing) {
        throw new StoreClosedException(closing.getMessage(), closing);
      }
      throw outcomeUnknown(items, String.valueOf(e.getCause()), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw outcomeUnknown(items, "the appending thread was interrupted", e);
    }
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

  /**
   * Sends one entry to the Raft leader. On the leader it goes to the local Raft server directly (no
   * client round trip over the network); elsewhere, or when this member stopped leading, it goes
   * through the member's Raft client, which finds the leader and retries. A second send of an entry
   * is harmless: its appends carry idempotency keys.
   */
  private CompletableFuture<RaftClientReply> sendEntry(Message entry) {
    if (!isLeader()) {
      return viaClient(entry);
    }
    RaftClientRequest request =
        RaftClientRequest.newBuilder()
            .setClientId(localClientId)
            .setServerId(server.getId())
            .setGroupId(groupId)
            .setCallId(localCalls.incrementAndGet())
            .setMessage(entry)
            .setType(RaftClientRequest.writeRequestType())
            .build();
    try {
      return server
          .submitClientRequestAsync(request)
          .thenCompose(reply -> leads(reply) ? completedFuture(reply) : viaClient(entry));
    } catch (IOException e) {
      return viaClient(entry);
    }
  }

  /** False when the local server refused the request because it does not lead (any longer). */
  private static boolean leads(RaftClientReply reply) {
    return reply.getNotLeaderException() == null
        && !(reply.getException() instanceof LeaderNotReadyException)
        && !(reply.getException() instanceof LeaderSteppingDownException);
  }

  private CompletableFuture<RaftClientReply> viaClient(Message entry) {
    return client.sendAsync(c -> c.async().send(entry));
  }

  /**
   * Proposes {@code parts} as one group entry, as a member's sender would, and returns each part's
   * outcome (tests use it to make groups of a chosen shape).
   */
  List<Entries.Reply> proposeGroup(List<Entries.Append> parts) throws Exception {
    List<byte[]> encoded = new ArrayList<>();
    for (Entries.Append part : parts) {
      encoded.add(Entries.encodeAppend(part));
    }
    RaftClientReply reply =
        sendEntry(Message.valueOf(ByteString.copyFrom(Entries.encodeGroup(encoded))))
            .get(config.requestTimeout().toNanos(), TimeUnit.NANOSECONDS);
    if (!reply.isSuccess()) {
      throw reply.getException();
    }
    return ((Entries.Grouped) Entries.decodeReply(reply.getMessage().getContent().toByteArray()))
        .parts();
  }

  private RaftClientReply send(
      Function<RaftClient, CompletableFuture<RaftClientReply>> request, Duration timeout)
      throws ExecutionException, TimeoutException, InterruptedException {
    return client.send(request, timeout);
  }

  /** The Raft client this member sends through now (a test makes it run out of retries). */
  RaftClient raftClient() {
    return client.current();
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

  /**
   * Encodes {@code value} on this member with its local store's codec and appends the bytes through
   * the Raft leader, so every member stores the same payload (ADR 0041).
   *
   * @throws io.batpak.CodecException if this member's store has no codec, or it cannot encode
   *     {@code value}; nothing is proposed
   * @see #append(Coordinate, EventKind, Bytes, AppendOptions)
   */
  @Override
  public AppendReceipt appendEncoded(
      Coordinate coordinate, EventKind kind, Object value, AppendOptions options) {
    Objects.requireNonNull(value, "value");
    return append(coordinate, kind, bytesOf(Payload.encoded(value)), options);
  }

  /**
   * Appends a typed event ({@link io.batpak.EventType}) through the Raft leader. This member
   * encodes the record with its local codec; every member decodes that encoding to the registered
   * type of the event's kind and schema version and appends it with its store's {@code
   * appendTyped}, so the event carries the type's schema version as on one node (ADR 0041). The
   * record's class must be in every member's {@link io.batpak.StoreConfig#eventTypes()}.
   *
   * @throws ValidationException if the class has no {@code @EventType}, or is not registered in
   *     this member's store config; nothing is proposed
   * @throws io.batpak.CodecException if the record does not encode, or its encoding does not decode
   *     back to its class; nothing is proposed
   * @see #append(Coordinate, EventKind, Bytes, AppendOptions) for the other exceptions
   */
  @Override
  public AppendReceipt appendTyped(Coordinate coordinate, Object record, AppendOptions options) {
    Objects.requireNonNull(coordinate, "coordinate");
    Objects.requireNonNull(record, "record");
    Objects.requireNonNull(options, "options");
    Class<?> type = record.getClass();
    EventKind kind = EventTypes.kindOf(type);
    if (!config.store().eventTypes().contains(type)) {
      throw new ValidationException(
          "appendTyped of "
              + type.getName()
              + " through a replicated store: the class is not in member "
              + memberId()
              + "'s StoreConfig.eventTypes(). Every member decodes a typed event to its"
              + " registered type before appending it, so register the class, the same on every"
              + " member");
    }
    String codecName = local().openReport().codec();
    Bytes bytes = codec.encode(codecName, record);
    codec.decode(codecName, bytes, type); // the round trip every member makes, checked first
    return propose(
            List.of(item(coordinate, kind, bytes, options, -1)),
            Entries.APPEND_TYPED,
            EventTypes.versionOf(type))
        .receipt();
  }

  /**
   * Encodes {@code value} on the calling thread (as {@link #appendEncoded}), then appends on this
   * member's submit thread.
   *
   * @throws io.batpak.CodecException if the value cannot be encoded; nothing is submitted
   */
  @Override
  public CompletableFuture<AppendReceipt> submitEncoded(
      Coordinate coordinate, EventKind kind, Object value, AppendOptions options) {
    Objects.requireNonNull(value, "value");
    return submit(coordinate, kind, bytesOf(Payload.encoded(value)), options);
  }

  /** The payload's bytes: raw as they are, an object encoded with this member's local codec. */
  private Bytes bytesOf(Payload payload) {
    if (payload instanceof Payload.Raw raw) {
      return raw.bytes();
    }
    return codec.encode(local().openReport().codec(), ((Payload.Encoded) payload).value());
  }

  /**
   * Records a denial as an event of the system kind {@link EventKind#SYSTEM_DENIAL} through the
   * Raft leader: every member writes it with its store's own {@code appendDenial}, from the same
   * encoded payload. Same contract as {@link Store#appendDenial}.
   */
  @Override
  public AppendReceipt appendDenial(
      Coordinate coordinate, DenialPayload denial, AppendOptions options) {
    Objects.requireNonNull(coordinate, "coordinate");
    Objects.requireNonNull(denial, "denial");
    Objects.requireNonNull(options, "options");
    return propose(
            List.of(item(coordinate, EventKind.SYSTEM_DENIAL, denial.encode(), options, -1)),
            Entries.APPEND_DENIAL,
            0)
        .receipt();
  }

  /**
   * Compacts every member's sealed segments.
   *
   * <ul>
   *   <li>{@link CompactionConfig#merge()} merges small sealed segments of <em>this member's</em>
   *       local journal only: it keeps every event, so every member answers reads as before and
   *       each may merge on its own schedule.
   *   <li>{@code retain} and {@code tombstone} drop (or tombstone) events by a predicate, which is
   *       code: this member first catches up with the leader, runs the predicate over every event
   *       below the leader's head (the cut), and proposes one Raft entry naming the rejected events
   *       by global sequence. Every member then compacts its own sealed segments, keeping exactly
   *       the events the predicate kept (and every event at or above the cut), when the entry
   *       applies; the leader's result is returned. Appends wait on every member while it compacts
   *       (it runs in the apply order). {@code progress} is told how many events of the cut the
   *       predicate has seen. A dry run plans on this member only.
   * </ul>
   *
   * <p>See {@link Store#compact} for the rest of the contract (ADR 0041).
   *
   * @throws OutcomeUnknownException if the compaction entry was not confirmed within the request
   *     timeout: it may still run; compacting again with the same predicate is harmless
   */
  @Override
  public CompactionResult compact(CompactionConfig config) {
    Objects.requireNonNull(config, "config");
    if (config.strategy() == CompactionConfig.Strategy.MERGE || config.dryRun()) {
      return local().compact(config);
    }
    long cut = awaitLeaderHead(this.config.requestTimeout()).nextGlobalSequence();
    long[] rejected = rejected(local(), config, cut);
    Entries.Compact entry =
        new Entries.Compact(
            config.strategy() == CompactionConfig.Strategy.TOMBSTONE,
            config.maxBytesPerSecond(),
            cut,
            rejected);
    Message message = Message.valueOf(ByteString.copyFrom(Entries.encodeCompact(entry)));
    Duration timeout = this.config.requestTimeout();
    RaftClientReply reply;
    try {
      reply = send(c -> c.async().send(message), timeout);
    } catch (TimeoutException | ExecutionException e) {
      throw compactionUnknown("it was not confirmed within " + timeout + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw compactionUnknown("the calling thread was interrupted", e);
    }
    if (!reply.isSuccess()) {
      throw compactionUnknown(String.valueOf(reply.getException()), reply.getException());
    }
    Entries.Reply r = Entries.decodeReply(reply.getMessage().getContent().toByteArray());
    if (r instanceof Entries.Compacted done) {
      return done.result();
    }
    throw compactionUnknown("the leader answered " + r, null);
  }

  private OutcomeUnknownException compactionUnknown(String why, @Nullable Throwable cause) {
    String message =
        "member "
            + memberId()
            + " could not confirm the replicated compaction ("
            + why
            + "); it may or may not run on the members. Compacting again with the same predicate"
            + " is harmless";
    return cause == null
        ? new OutcomeUnknownException(message)
        : new OutcomeUnknownException(message, cause);
  }

  /** The global sequences below {@code cut} whose events the predicate rejects, as ranges. */
  private static long[] rejected(Store local, CompactionConfig config, long cut) {
    long[] ranges = new long[16];
    int n = 0;
    long seen = 0;
    for (long after = -1; after < cut - 1; ) {
      List<io.batpak.EventHeader> page = local.queryAfter(Region.all(), after, 1024);
      if (page.isEmpty()) {
        break;
      }
      for (io.batpak.EventHeader h : page) {
        long g = h.globalSequence();
        if (g >= cut) {
          break;
        }
        if (!config.keep().test(local.get(h.eventId()))) {
          if (n > 0 && ranges[n - 1] == g) {
            ranges[n - 1] = g + 1;
          } else {
            if (n == ranges.length) {
              ranges = java.util.Arrays.copyOf(ranges, 2 * n);
            }
            ranges[n++] = g;
            ranges[n++] = g + 1;
          }
        }
        seen++;
      }
      after = page.get(page.size() - 1).globalSequence();
      config.progress().copied(seen, cut);
    }
    return java.util.Arrays.copyOf(ranges, n);
  }

  /**
   * Not supported: see the exception's reason.
   *
   * @throws ReplicationUnsupportedException always
   */
  @Override
  public VisibilityFence beginFence() {
    throw new ReplicationUnsupportedException(
        "beginFence",
        "a member that crashed with the fence open would cancel it locally and consume global"
            + " sequences the other members did not, so the members' journals would diverge; stage"
            + " the events in an outbox() and flush them as one atomic batch instead");
  }

  /**
   * Starts a reactor on this member: a {@link #cursorWorker} over this member's local store whose
   * follow-ups are appended through the Raft leader, one atomic batch per source, with the source's
   * correlation, its id as causation, and the single-node reactor's idempotency keys (derived from
   * {@code checkpointId}, the source's id and the index), so a redelivered source appends nothing
   * twice. The checkpoint is this member's; run a reactor of one checkpoint id on one member at a
   * time. Same contract as {@link Store#reactor} otherwise.
   */
  @Override
  public CursorWorker reactor(
      Region region, String checkpointId, CursorWorkerConfig config, Reactor reactor) {
    Objects.requireNonNull(reactor, "reactor");
    return cursorWorker(
        region, checkpointId, config, new ReactorHandler(this::appendBatch, checkpointId, reactor));
  }

  /**
   * An outbox whose {@code flush} proposes every staged event as one Raft entry, committed as one
   * atomic batch on every member. Each event's payload is encoded and its idempotency key (so its
   * id) fixed when it is staged; its timestamp is the entry's. Same contract as {@link
   * Store#outbox()} otherwise.
   */
  @Override
  public Outbox outbox() {
    local();
    return new ReplicatedOutbox(this, config.store().maxBatchEvents());
  }

  /** A batch item as a Raft entry carries it: payload encoded, idempotency key fixed. */
  Entries.Item entryItem(BatchItem b) {
    return item(b.coordinate(), b.kind(), bytesOf(b.payload()), b.options(), b.causedByItem());
  }

  /** Appends {@code items} as one entry, one atomic batch. */
  List<AppendReceipt> appendItems(List<Entries.Item> items) {
    return propose(items, Entries.APPEND, 0).receipts();
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
    submitter.shutdown();
    gates.close();
    proposals.close();
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
