package io.batpak.bench.harness;

import io.batpak.AppendReceipt;
import io.batpak.EventId;
import io.batpak.StoreConfig;
import io.batpak.replication.ReplicaHead;
import io.batpak.replication.ReplicatedStore;
import io.batpak.replication.ReplicationConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * batpak replicated over Apache Ratis (issue 18, ADR 0037): three members in the harness's JVM, on
 * loopback ports that were free when the trial opened, each with its own Raft directory and store
 * directory under the trial's folder. The producers write through the leader's {@link
 * ReplicatedStore} (no redirect hop): an append returns after two of the three members' Raft logs
 * fsynced its entry and the leader applied it to its store. Each member's store is configured like
 * {@code batpak-visible}'s (the posix backend, fsync every 1000 events or 100 ms): the Raft log is
 * the durable copy (ADR 0037), so a journal fsync per append would be a second, needless one.
 *
 * <p>The fairness check reads every member: after a read barrier each follower must hold exactly
 * the leader's events (same checksum, same newest event hash). Ratis types are never named here
 * (ADR 0039): the bench reaches replication through its public API only.
 */
final class ReplicatedSystem implements SystemUnderTest {
  /** The name on the command line and in the table. */
  static final String NAME = "batpak-replicated";

  /** Members of the group. */
  static final int MEMBERS = 3;

  /**
   * The members' progress lines (a store opened, entries replayed) go to the JDK's logger at INFO;
   * the harness prints only its own progress, so they are raised to WARNING (errors and a stopped
   * member still print). Held here so the setting is not collected with the logger.
   */
  private static final Logger MEMBER_LOG = Logger.getLogger("io.batpak.replication");

  static {
    MEMBER_LOG.setLevel(Level.WARNING);
  }

  /** How long the trial waits for an election, a barrier or one append. */
  private static final Duration WAIT = Duration.ofSeconds(60);

  private final List<ReplicatedStore> members = new ArrayList<>();
  private ReplicatedStore leader;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String durability() {
    return "Raft quorum (3 members on loopback, Apache Ratis): acknowledged after 2 of 3 members'"
        + " Raft logs fsynced the entry and the leader applied it (survives the loss of one"
        + " member, or power loss); member journals VISIBLE (fsync every 1000 events or 100 ms),"
        + " the Raft log is the durable copy (ADR 0037); client writes through the leader";
  }

  @Override
  public void open(Path dir) throws Exception {
    List<ReplicationConfig.Peer> peers = new ArrayList<>();
    for (int i = 1; i <= MEMBERS; i++) {
      peers.add(new ReplicationConfig.Peer("n" + i, "127.0.0.1", freeLoopbackPort()));
    }
    // One group per trial, named by its folder: no randomness, and never two groups alike.
    UUID group =
        UUID.nameUUIDFromBytes(dir.toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8));
    for (ReplicationConfig.Peer p : peers) {
      Path home = dir.resolve(p.id());
      StoreConfig store =
          StoreConfig.builder(home.resolve("store")).visible(1000, Duration.ofMillis(100)).build();
      members.add(
          ReplicatedStore.start(
              new ReplicationConfig(p.id(), peers, group, home.resolve("raft"), store, WAIT)));
    }
    leader = awaitLeader();
  }

  private static int freeLoopbackPort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port for a member: " + e.getMessage(), e);
    }
  }

  /** The member that leads, waiting for the first election. */
  private ReplicatedStore awaitLeader() throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      for (ReplicatedStore m : members) {
        if (m.isLeader()) {
          return m;
        }
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException(
        "no leader among the " + MEMBERS + " members within " + WAIT + "; is loopback usable?");
  }

  /** The running members, the leader among them (for tests). */
  List<ReplicatedStore> members() {
    return List.copyOf(members);
  }

  /** The member the producers write through. */
  ReplicatedStore leader() {
    return leader;
  }

  @Override
  public Object append(EventToAppend e) {
    return BatpakSystem.append(leader, e).eventId();
  }

  @Override
  public List<Object> appendBatch(List<EventToAppend> events) {
    List<Object> keys = new ArrayList<>(events.size());
    for (AppendReceipt r : leader.appendBatch(BatpakSystem.batchItems(events))) {
      keys.add(r.eventId());
    }
    return keys;
  }

  @Override
  public int readPoint(Object key) {
    return leader.get((EventId) key).payload().size();
  }

  @Override
  public int readStream(String stream) {
    return BatpakSystem.readStream(leader, stream);
  }

  /**
   * The leader's events; throws when a follower, after a read barrier, holds anything else (count,
   * checksum or newest event hash), so a trial whose members diverge fails its fairness check.
   */
  @Override
  public EventChecksum scan() {
    EventChecksum held = BatpakSystem.scan(leader);
    ReplicaHead head = leader.head();
    for (ReplicatedStore m : members) {
      if (m == leader) {
        continue;
      }
      m.awaitLeaderHead(WAIT);
      EventChecksum other = BatpakSystem.scan(m);
      if (!other.equals(held)
          || m.head().nextGlobalSequence() != head.nextGlobalSequence()
          || !m.head().lastEventHash().equals(head.lastEventHash())) {
        throw new IllegalStateException(
            "member "
                + m.memberId()
                + " holds "
                + other
                + " (head "
                + m.head()
                + ") but the leader "
                + leader.memberId()
                + " holds "
                + held
                + " (head "
                + head
                + ")");
      }
    }
    return held;
  }

  @Override
  public long openAndCount(Path dir) {
    throw new UnsupportedOperationException(
        NAME + " has no reopen workload: a member reopens its local store like batpak-durable");
  }

  @Override
  public void close() throws Exception {
    RuntimeException failure = null;
    for (ReplicatedStore m : members) {
      try {
        m.close();
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    members.clear();
    leader = null;
    if (failure != null) {
      throw failure;
    }
  }
}
