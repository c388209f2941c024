package io.batpak.replication;

import static java.util.concurrent.CompletableFuture.completedFuture;

import io.batpak.ConcurrencyConflictException;
import io.batpak.OutcomeUnknownException;
import io.batpak.StoreClosedException;
import io.batpak.StoreInterruptedException;
import io.batpak.StoreTimeoutException;
import io.batpak.port.StoreClock;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.LeaderSteppingDownException;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.jspecify.annotations.Nullable;

/**
 * Proposes a member's append entries to the Raft leader and turns each one's outcome into its
 * receipts (ADR 0037). An entry claims the member's latest head; an append with atomic gates is
 * decided on this member first and proposed again while a stream it pinned moves ({@link
 * ProposerGates}, ADR 0041). Entries wait in the member's group commit ({@link Proposals}, ADR
 * 0042), which sends each one through {@link #sendEntry}: to the local Raft server while this
 * member leads, through the member's Raft client otherwise. An outcome that is not confirmed
 * becomes an {@link OutcomeUnknownException} naming the idempotency keys to retry with.
 *
 * <p>Threads: {@link #propose} runs on the appending threads, many at a time; {@link #sendEntry} on
 * the sender thread of {@link Proposals}; replies complete on Ratis's threads.
 */
final class EntryProposer implements AutoCloseable {
  private final LeaderWrites member;
  private final ReplicationConfig config;
  private final BatpakStateMachine stateMachine;
  private final RaftServer server;
  private final RaftGroupId groupId;
  private final MemberClient client;
  private final ProposerGates gates;
  private final Proposals proposals;

  /** Who this member's own entries come from when it leads and submits them directly. */
  private final ClientId localClientId = ClientId.randomId();

  private final AtomicLong localCalls = new AtomicLong();

  /**
   * @param member the member whose appends these are: its local store, whether it leads, and its
   *     read barrier
   */
  EntryProposer(
      LeaderWrites member,
      ReplicationConfig config,
      BatpakStateMachine stateMachine,
      RaftServer server,
      RaftGroupId groupId,
      MemberClient client) {
    this.member = member;
    this.config = config;
    this.stateMachine = stateMachine;
    this.server = server;
    this.groupId = groupId;
    this.client = client;
    this.gates = new ProposerGates(config.memberId(), config.store().gateBudget());
    this.proposals =
        new Proposals(
            config.memberId(), this::sendEntry, config.requestTimeout(), config.store().clock());
  }

  /**
   * Proposes one entry of {@code items} of {@code type} ({@link Entries#APPEND}, {@link
   * Entries#APPEND_DENIAL} or {@link Entries#APPEND_TYPED} with its payload version).
   */
  ReplicatedReceipt propose(List<Entries.Item> items, int type, int payloadVersion) {
    member.local();
    refuseIfInterrupted();
    ProposerGates.refuseFromAGate("an append");
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
      ProposerGates.Check check = gates.check(member.local(), items, caughtUp);
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
                + config.memberId()
                + " could not commit an append with atomic gates within "
                + config.requestTimeout()
                + ": "
                + why
                + ". Nothing was written; retry";
        throw lost == null
            ? new StoreTimeoutException(message)
            : new StoreTimeoutException(message, lost);
      }
      member.awaitLeaderHead(Duration.ofNanos(left));
      caughtUp = true;
    }
  }

  /**
   * Refuses an append from a thread whose interrupt status is already set, before anything is
   * proposed: the wait for its commit would end at once while the entry went on to commit, and the
   * caller would hear "outcome unknown" of an append it can be told was never made.
   *
   * @throws StoreInterruptedException if the status is set; it is kept
   */
  private static void refuseIfInterrupted() {
    if (Thread.currentThread().isInterrupted()) {
      throw new StoreInterruptedException(
          "the calling thread's interrupt status is set, so the append was refused before it was"
              + " proposed: nothing was written. Clear the status (Thread.interrupted()) to append"
              + " from this thread");
    }
  }

  /**
   * Proposes {@code append} as it is and waits for its outcome (tests also use it, through {@link
   * LeaderWrites#propose}, to send a doctored head claim).
   */
  ReplicatedReceipt propose(Entries.Append append) {
    refuseIfInterrupted();
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
    if (!member.isLeader()) {
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
    return client.sendAsync(c -> c.async().send(entry), config.requestTimeout());
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

  private OutcomeUnknownException outcomeUnknown(
      List<Entries.Item> items, String why, @Nullable Throwable cause) {
    List<String> keys = new ArrayList<>();
    for (Entries.Item it : items) {
      keys.add(String.valueOf(it.options().idempotencyKey()));
    }
    String message =
        "member "
            + config.memberId()
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

  /** Stops proposing: the gates, and the group commit's sender (waiting appends fail). */
  @Override
  public void close() {
    gates.close();
    proposals.close();
  }
}
