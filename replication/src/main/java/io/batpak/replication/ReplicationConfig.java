package io.batpak.replication;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import io.batpak.StoreConfig;
import io.batpak.ValidationException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import org.apiguardian.api.API;

/**
 * How one member of a replicated store starts: who it is, who its peers are, where Ratis keeps its
 * log, and the local store it applies entries to. Every member of a group must use the same group
 * id, the same peer list and equal store settings (segment size, codec, limits): the members run
 * the same validation on the same entries, and different limits would make them disagree (the head
 * check then stops the member that differs).
 *
 * <p>Immutable; safe to share between threads.
 *
 * @param memberId this member's id, one of {@code peers}
 * @param peers every member of the group, this one included (3 or 5 for a useful quorum)
 * @param groupId the Raft group's id, the same on every member
 * @param raftDirectory where Ratis keeps this member's log and metadata (not the store's directory)
 * @param store the local store's settings, writable; {@link ReplicatedStore} replaces its clock and
 *     deterministic flag (ADR 0037)
 * @param requestTimeout how long an append waits for its entry to commit before it gives up with an
 *     outcome-unknown error; positive, at most {@link #MAX_REQUEST_TIMEOUT}
 * @param snapshots when the member snapshots its store and purges its Raft log (ADR 0038); the
 *     six-argument constructor uses {@link Snapshots#DEFAULT}
 * @since 0.2
 */
@API(status = EXPERIMENTAL, since = "0.2")
public record ReplicationConfig(
    String memberId,
    List<Peer> peers,
    UUID groupId,
    Path raftDirectory,
    StoreConfig store,
    Duration requestTimeout,
    Snapshots snapshots) {

  /** The longest {@link #requestTimeout}. */
  public static final Duration MAX_REQUEST_TIMEOUT = Duration.ofHours(1);

  // --- snapshots ---
  /**
   * When a member snapshots its store and lets Ratis purge its log (ADR 0038). A snapshot is a fork
   * of the member's store (sealed segments shared, never re-encoded) with its index checkpoint; a
   * member that falls behind the leader's log start, or joins, installs the leader's newest one and
   * catches up by log from there. The Raft log then holds about {@code everyEntries} entries plus
   * one segment.
   *
   * @param everyEntries take a snapshot after this many applied Raft entries; 0 turns snapshots and
   *     log purging off (the log then grows without bound)
   * @param raftLogSegmentBytes the size at which Ratis closes a log segment; only closed segments
   *     are purged (4 KiB to 1 GiB)
   * @since 0.2
   */
  @API(status = EXPERIMENTAL, since = "0.2")
  public record Snapshots(long everyEntries, long raftLogSegmentBytes) {
    /** Every 10,000 entries, 8 MiB Raft log segments. */
    public static final Snapshots DEFAULT = new Snapshots(10_000, 8L << 20);

    /** No snapshots and no log purge (required when the store is not on the real disk). */
    public static final Snapshots OFF = new Snapshots(0, 8L << 20);

    /** Validates the fields. */
    public Snapshots {
      if (everyEntries < 0) {
        throw new ValidationException(
            "snapshots.everyEntries is "
                + everyEntries
                + ", but it counts Raft entries between snapshots; give 0 (off) or more");
      }
      if (raftLogSegmentBytes < 4096 || raftLogSegmentBytes > (1L << 30)) {
        throw new ValidationException(
            "snapshots.raftLogSegmentBytes is "
                + raftLogSegmentBytes
                + ", outside 4096..1073741824 (4 KiB to 1 GiB); 8 MiB is the default");
      }
    }

    /** Whether snapshots (and log purge) are on. */
    public boolean enabled() {
      return everyEntries > 0;
    }
  }

  /**
   * A member with {@link Snapshots#DEFAULT} snapshots; see the canonical constructor.
   *
   * @throws ValidationException as the canonical constructor does
   */
  public ReplicationConfig(
      String memberId,
      List<Peer> peers,
      UUID groupId,
      Path raftDirectory,
      StoreConfig store,
      Duration requestTimeout) {
    this(memberId, peers, groupId, raftDirectory, store, requestTimeout, Snapshots.DEFAULT);
  }

  /** This configuration with {@code snapshots} instead. */
  public ReplicationConfig withSnapshots(Snapshots snapshots) {
    return new ReplicationConfig(
        memberId, peers, groupId, raftDirectory, store, requestTimeout, snapshots);
  }

  // --- end snapshots ---

  /**
   * One member's address.
   *
   * @param id the member's id: 1 to 64 characters of letters, digits, {@code -} and {@code _}
   * @param host the host its Raft RPC listens on
   * @param port the port its Raft RPC listens on (1..65535)
   * @since 0.2
   */
  @API(status = EXPERIMENTAL, since = "0.2")
  public record Peer(String id, String host, int port) {
    /** Validates the fields. */
    public Peer {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(host, "host");
      if (!id.matches("[A-Za-z0-9_-]{1,64}")) {
        throw new ValidationException(
            "member id '"
                + id
                + "' must be 1 to 64 letters, digits, '-' or '_'; pick a short name such as n1");
      }
      if (host.isBlank()) {
        throw new ValidationException("member '" + id + "' has a blank host; give its address");
      }
      if (port < 1 || port > 65535) {
        throw new ValidationException(
            "member '" + id + "' has port " + port + ", outside 1..65535");
      }
    }

    /** {@code host:port}. */
    public String address() {
      return host + ":" + port;
    }
  }

  /** Validates and copies. */
  public ReplicationConfig {
    Objects.requireNonNull(memberId, "memberId");
    Objects.requireNonNull(peers, "peers");
    Objects.requireNonNull(groupId, "groupId");
    Objects.requireNonNull(raftDirectory, "raftDirectory");
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    Objects.requireNonNull(snapshots, "snapshots");
    peers = List.copyOf(peers);
    Set<String> ids = new HashSet<>();
    for (Peer p : peers) {
      if (!ids.add(p.id())) {
        throw new ValidationException(
            "member id '" + p.id() + "' appears twice in the peer list " + peers);
      }
    }
    if (!ids.contains(memberId)) {
      throw new ValidationException(
          "member '" + memberId + "' is not in the peer list " + ids + "; add it to the peers");
    }
    if (store.readOnly()) {
      throw new ValidationException(
          "the store of member '"
              + memberId
              + "' is read-only, but a member applies every committed entry to it; open it"
              + " writable (read a member's directory with a plain read-only Store instead)");
    }
    if (requestTimeout.isNegative()
        || requestTimeout.isZero()
        || requestTimeout.compareTo(MAX_REQUEST_TIMEOUT) > 0) {
      throw new ValidationException(
          "requestTimeout must be positive and at most "
              + MAX_REQUEST_TIMEOUT
              + " (an append that waits longer for its commit is better told its outcome is"
              + " unknown and retried with its idempotency key), got "
              + requestTimeout);
    }
    if (raftDirectory
        .toAbsolutePath()
        .normalize()
        .equals(store.directory().toAbsolutePath().normalize())) {
      throw new ValidationException(
          "the Raft directory and the store directory are both "
              + raftDirectory
              + "; give Ratis its own directory");
    }
    if (snapshots.enabled() && store.fs().isPresent()) {
      throw new ValidationException(
          "member '"
              + memberId
              + "' takes snapshots (every "
              + snapshots.everyEntries()
              + " entries), but its store runs on the StoreFs instance "
              + store.fs().get().getClass().getName()
              + ": Ratis ships and installs snapshot files on the real disk with java.nio, which"
              + " cannot see that store's files. Turn snapshots off"
              + " (withSnapshots(Snapshots.OFF)) or use a discovered backend (fsBackend)");
    }
  }

  /** This member's entry in {@link #peers}. */
  public Peer self() {
    for (Peer p : peers) {
      if (p.id().equals(memberId)) {
        return p;
      }
    }
    throw new IllegalStateException("unreachable: the constructor checked membership");
  }
}
