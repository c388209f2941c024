package io.batpak.replication;

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
import io.batpak.EventTypes;
import io.batpak.ExtensionKey;
import io.batpak.IdempotencyKey;
import io.batpak.Outbox;
import io.batpak.OutcomeUnknownException;
import io.batpak.Payload;
import io.batpak.Reactor;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.ValidationException;
import io.batpak.VisibilityFence;
import io.batpak.spi.ReactorHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.jspecify.annotations.Nullable;

/**
 * The writes of a {@link ReplicatedStore}: each is proposed to the Raft leader as one Raft entry,
 * and every member applies it to its own local store (ADR 0037; ADR 0041 for gates, encoded and
 * typed payloads, denials and compaction). This class turns each write into an entry's items
 * (payload encoded on this member, idempotency key fixed, reserved extensions refused); the {@link
 * EntryProposer} gets an append's entry committed, and a compaction's entry goes through the
 * member's Raft client. {@link ReplicatedStore} keeps the lifecycle, the membership and the read
 * barrier, which the writes use through {@link #isLeader} and {@link #awaitLeaderHead}.
 *
 * <p>Threads: the write methods run on their callers' threads, many at a time; {@link #submit} and
 * {@link #submitEncoded} append on this member's submit thread.
 */
abstract class LeaderWrites extends LocalReads {
  private final ReplicationConfig config;
  private final MemberClient client;
  private final ExecutorService submitter;
  private final MemberCodec codec;
  private final EntryProposer proposer;

  LeaderWrites(
      ReplicationConfig config,
      BatpakStateMachine stateMachine,
      RaftServer server,
      RaftGroupId groupId,
      MemberClient client) {
    this.config = config;
    this.client = client;
    this.submitter =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "batpak-replication-submit-" + config.memberId());
              t.setDaemon(true);
              return t;
            });
    this.codec = new MemberCodec(config.memberId());
    this.proposer = new EntryProposer(this, config, stateMachine, server, groupId, client);
  }

  /** This member's id. */
  abstract String memberId();

  /** Whether this member is the Raft leader right now. */
  abstract boolean isLeader();

  /** The read barrier ({@link ReplicatedStore#awaitLeaderHead}). */
  abstract ReplicaHead awaitLeaderHead(Duration timeout);

  /** Stops taking writes, when the member closes: the submit thread, then the proposer. */
  void stopWrites() {
    submitter.shutdown();
    proposer.close();
  }

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
    return proposer.propose(
        List.of(item(coordinate, kind, payload, options, -1)), Entries.APPEND, 0);
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
    return proposer.propose(entryItems, Entries.APPEND, 0);
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
    try {
      return CompletableFuture.supplyAsync(
          () -> append(coordinate, kind, payload, options), submitter);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // The member closed between the check above and here: its submit thread has stopped.
      throw new io.batpak.StoreClosedException(
          "member " + memberId() + " closed while this append was submitted; nothing was written",
          e);
    }
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
    return proposer
        .propose(
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
    return proposer
        .propose(
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
   *       applies; the leader's result is returned. The newest event the members hold when the
   *       entry applies stays even when the predicate rejects it: a restarted member finds its
   *       place in the Raft log from its journal's newest event. Appends wait on every member while
   *       it compacts (it runs in the apply order). {@code progress} is told how many events of the
   *       cut the predicate has seen. A dry run plans on this member only.
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
    ProposerGates.refuseFromAGate("compact()");
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
      reply = client.send(c -> c.async().send(message), timeout);
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

  /**
   * The global sequences below {@code cut} whose events the predicate rejects, as ranges. Reads
   * each event once, in global order, through a cursor that saves nothing.
   */
  private static long[] rejected(Store local, CompactionConfig config, long cut) {
    long[] ranges = new long[16];
    int n = 0;
    long seen = 0;
    try (io.batpak.Cursor events = local.cursor(Region.all())) {
      boolean below = true;
      while (below) {
        List<io.batpak.StoredEvent> page = events.pollBatch(1024);
        if (page.isEmpty()) {
          break;
        }
        for (io.batpak.StoredEvent e : page) {
          long g = e.header().globalSequence();
          if (g >= cut) {
            below = false;
            break;
          }
          if (!config.keep().test(e)) {
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
        config.progress().copied(seen, cut);
      }
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
    return proposer.propose(items, Entries.APPEND, 0).receipts();
  }

  /** Proposes {@code append} as it is (tests use it to send a doctored head claim). */
  ReplicatedReceipt propose(Entries.Append append) {
    return proposer.propose(append);
  }

  /**
   * Proposes {@code parts} as one group entry, as a member's sender would, and returns each part's
   * outcome (tests use it to make groups of a chosen shape).
   */
  List<Entries.Reply> proposeGroup(List<Entries.Append> parts) throws Exception {
    return proposer.proposeGroup(parts);
  }
}
