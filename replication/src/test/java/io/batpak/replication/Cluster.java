package io.batpak.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.EventHeader;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.port.StoreFs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.apache.ratis.server.impl.BlockRequestHandlingInjection;

/**
 * Members of one replicated group in this JVM, on loopback, each with its own Raft directory and
 * store directory under {@code root}. The store's filesystem is chosen per member ({@code fsOf}
 * returns null for the default real backend).
 */
final class Cluster implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(60);

  final Path root;
  final UUID group = UUID.randomUUID();
  final List<ReplicationConfig.Peer> peers = new ArrayList<>();
  private final Function<String, StoreFs> fsOf;
  private final Duration requestTimeout;
  private ReplicationConfig.Snapshots snapshots = ReplicationConfig.Snapshots.DEFAULT;
  private final Map<String, ReplicatedStore> live = new LinkedHashMap<>();
  private UnaryOperator<StoreConfig.Builder> tune = b -> b;

  private Cluster(Path root, int members, Function<String, StoreFs> fsOf, Duration requestTimeout) {
    this.root = root;
    this.fsOf = fsOf;
    this.requestTimeout = requestTimeout;
    for (int i = 1; i <= members; i++) {
      peers.add(new ReplicationConfig.Peer("n" + i, "127.0.0.1", freePort()));
    }
  }

  /** Starts {@code members} members on real directories. */
  static Cluster start(Path root, int members) {
    return start(root, members, id -> null);
  }

  /** Starts {@code members} members, each store on {@code fsOf.apply(id)} when not null. */
  static Cluster start(Path root, int members, Function<String, StoreFs> fsOf) {
    return start(root, members, fsOf, Duration.ofSeconds(30));
  }

  /** As {@link #start(Path, int, Function)}, appends giving up after {@code requestTimeout}. */
  static Cluster start(
      Path root, int members, Function<String, StoreFs> fsOf, Duration requestTimeout) {
    Cluster c = new Cluster(root, members, fsOf, requestTimeout);
    for (ReplicationConfig.Peer p : c.peers) {
      c.startMember(p.id());
    }
    return c;
  }

  /** Starts {@code members} members whose store settings {@code tune} adjusts (the same on all). */
  static Cluster startTuned(Path root, int members, UnaryOperator<StoreConfig.Builder> tune) {
    Cluster c = new Cluster(root, members, id -> null, Duration.ofSeconds(30));
    c.tune = tune;
    for (ReplicationConfig.Peer p : c.peers) {
      c.startMember(p.id());
    }
    return c;
  }

  /**
   * Starts {@code members} members on real directories that snapshot every {@code
   * snapshots.everyEntries()} entries.
   */
  static Cluster start(Path root, int members, ReplicationConfig.Snapshots snapshots) {
    Cluster c = new Cluster(root, members, id -> null, Duration.ofSeconds(5));
    c.snapshots = snapshots;
    for (ReplicationConfig.Peer p : c.peers) {
      c.startMember(p.id());
    }
    return c;
  }

  /** A loopback port that is free now and no peer of this group has (see {@link #freePort}). */
  private int freePort() {
    java.util.Set<Integer> taken = new java.util.HashSet<>();
    peers.forEach(p -> taken.add(p.port()));
    int port;
    do {
      port = freePort(taken.size() + 1);
    } while (taken.contains(port));
    return port;
  }

  /**
   * A loopback port that is free now, below Linux's ephemeral range (32768 and up). A port the
   * kernel hands out ({@code new ServerSocket(0)}) lies in that range, where the outgoing
   * connection of a member that started first may take it as its local port before the member it
   * was chosen for binds it ("Address already in use"). {@code salt} varies the first port tried.
   */
  static int freePort(int salt) {
    java.util.SplittableRandom random = new java.util.SplittableRandom(System.nanoTime() + salt);
    for (int tries = 0; tries < 200; tries++) {
      int port = 20_000 + random.nextInt(12_000);
      try (ServerSocket s = new ServerSocket()) {
        s.bind(new java.net.InetSocketAddress("127.0.0.1", port));
        return port;
      } catch (IOException e) {
        // in use: try another
      }
    }
    throw new UncheckedIOException(
        new IOException("no free loopback port in 20000-31999 after 200 tries"));
  }

  StoreConfig storeConfig(String id) {
    StoreConfig.Builder b =
        StoreConfig.builder(root.resolve(id).resolve("store"))
            .visible(64, Duration.ofMillis(50))
            .segmentMaxBytes(64 * 1024);
    StoreFs fs = fsOf.apply(id);
    if (fs != null) {
      b.fs(fs);
    }
    return tune.apply(b).build();
  }

  /** Starts (or restarts, on its old directories) member {@code id}. */
  ReplicatedStore startMember(String id) {
    return launch(id, false);
  }

  /**
   * Adds a peer {@code id} on a free port to this cluster's peer list and starts it as a joining
   * member (it waits for {@link ReplicatedStore#setMembers}).
   */
  ReplicatedStore joinMember(String id) {
    peers.add(new ReplicationConfig.Peer(id, "127.0.0.1", freePort()));
    return launch(id, true);
  }

  private ReplicatedStore launch(String id, boolean join) {
    StoreConfig store = storeConfig(id);
    // Snapshots need the store on the real disk (ReplicationConfig refuses them on a StoreFs).
    ReplicationConfig config =
        new ReplicationConfig(
            id,
            peers,
            group,
            root.resolve(id).resolve("raft"),
            store,
            requestTimeout,
            store.fs().isPresent() ? ReplicationConfig.Snapshots.OFF : snapshots);
    ReplicatedStore s = join ? ReplicatedStore.join(config) : ReplicatedStore.start(config);
    live.put(id, s);
    return s;
  }

  /** Stops member {@code id} at once (its Raft server and store close; nothing is handed over). */
  void kill(String id) {
    ReplicatedStore s = live.remove(id);
    if (s != null) {
      s.close();
    }
  }

  /**
   * Cuts member {@code id} off: Ratis's request-blocking hook drops every server-to-server request
   * it sends and every one it would handle, until {@link #heal}.
   */
  static void cutOff(String id) {
    BlockRequestHandlingInjection.getInstance().blockReplier(id);
    BlockRequestHandlingInjection.getInstance().blockRequestor(id);
  }

  /** Ends every cut (blocked handler threads would also hold up the servers' close). */
  static void heal() {
    BlockRequestHandlingInjection.getInstance().unblockAll();
  }

  /** Kills every live member but {@code keep}; returns their ids, to restart them. */
  List<String> killAllBut(ReplicatedStore keep) {
    List<String> others = new ArrayList<>();
    for (ReplicatedStore s : live()) {
      if (s != keep) {
        others.add(s.memberId());
      }
    }
    for (String id : others) {
      kill(id);
    }
    return others;
  }

  ReplicatedStore member(String id) {
    ReplicatedStore s = live.get(id);
    if (s == null) {
      throw new IllegalArgumentException("member " + id + " is not running");
    }
    return s;
  }

  List<ReplicatedStore> live() {
    return new ArrayList<>(live.values());
  }

  /** The current leader among the running members, waiting for an election if there is none. */
  ReplicatedStore leader() throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      for (ReplicatedStore s : live.values()) {
        if (s.isLeader()) {
          return s;
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no leader among " + live.keySet() + " within " + WAIT);
  }

  /** A running member that is not the leader. */
  ReplicatedStore follower() throws InterruptedException {
    ReplicatedStore leader = leader();
    for (ReplicatedStore s : live.values()) {
      if (s != leader) {
        return s;
      }
    }
    throw new AssertionError("only the leader runs");
  }

  /**
   * Brings every running member up to the leader's head (a read barrier on each), then checks that
   * they all hold the same events with the same bytes and that their recorded heads agree at every
   * Raft index two of them both recorded.
   */
  void assertConverged() {
    List<EventHeader> reference = null;
    String referenceId = null;
    for (ReplicatedStore s : live.values()) {
      ReplicaHead leader;
      try {
        leader = s.awaitLeaderHead(WAIT);
      } catch (io.batpak.StoreTimeoutException e) {
        StringBuilder states = new StringBuilder();
        for (ReplicatedStore m : live.values()) {
          states.append("\n  ").append(m.raftState());
        }
        throw new AssertionError(
            "member "
                + s.memberId()
                + " did not catch up with the leader: "
                + e.getMessage()
                + states,
            e);
      }
      assertTrue(
          s.head().appliedIndex() >= leader.appliedIndex(),
          "after a read barrier member "
              + s.memberId()
              + " has head "
              + s.head()
              + ", behind the leader's "
              + leader);
    }
    for (ReplicatedStore s : live.values()) {
      List<EventHeader> all = all(s);
      if (reference == null) {
        reference = all;
        referenceId = s.memberId();
      } else {
        assertEquals(
            reference,
            all,
            "members " + referenceId + " and " + s.memberId() + " hold different events");
      }
    }
    List<ReplicatedStore> members = live();
    for (int i = 0; i < members.size(); i++) {
      for (int j = i + 1; j < members.size(); j++) {
        Map<Long, ReplicaHead> a = members.get(i).recordedHeads();
        Map<Long, ReplicaHead> b = members.get(j).recordedHeads();
        for (Map.Entry<Long, ReplicaHead> e : a.entrySet()) {
          ReplicaHead other = b.get(e.getKey());
          if (other != null) {
            assertEquals(
                e.getValue(),
                other,
                "members "
                    + members.get(i).memberId()
                    + " and "
                    + members.get(j).memberId()
                    + " recorded different heads at Raft index "
                    + e.getKey());
          }
        }
      }
    }
  }

  /** Waits (up to {@link #WAIT}) until {@code condition} holds, failing with {@code what}. */
  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + WAIT + ": " + what);
      }
      Thread.sleep(20);
    }
  }

  /** Every event of {@code s}, in global order. */
  static List<EventHeader> all(Store s) {
    List<EventHeader> out = new ArrayList<>();
    long after = -1;
    while (true) {
      List<EventHeader> page = s.queryAfter(Region.all(), after, 500);
      if (page.isEmpty()) {
        return out;
      }
      out.addAll(page);
      after = page.get(page.size() - 1).globalSequence();
    }
  }

  @Override
  public void close() {
    for (String id : new ArrayList<>(live.keySet())) {
      kill(id);
    }
  }
}
