package io.batpak.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.ConcurrencyConflictException;
import io.batpak.Coordinate;
import io.batpak.EventKind;
import io.batpak.ExpectedVersion;
import io.batpak.IdempotencyKey;
import io.batpak.OutcomeUnknownException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshots and Raft log purge (ADR 0038): members snapshot every few entries and Ratis purges its
 * log past them; a member cut off past the purge, or added after it, catches up by snapshot and
 * then by log; the log stays bounded; interrupted installs and restarts after a purge lose nothing
 * acknowledged; a member that installed a snapshot applies the next entries from its head.
 */
class SnapshotTest {
  private static final EventKind KIND = EventKind.custom(1, 9);
  private static final ReplicationConfig.Snapshots EVERY_20 =
      new ReplicationConfig.Snapshots(20, 4096);

  /** Appends op {@code n} through {@code via}, retrying by key while leadership settles. */
  private static AppendReceipt appendSurely(ReplicatedStore via, long n) {
    AppendOptions keyed = AppendOptions.defaults().withIdempotencyKey(IdempotencyKey.of(0x5A, n));
    while (true) {
      try {
        return via.append(
            Coordinate.of("snap-" + (n % 7), "s"), KIND, Bytes.utf8("op " + n), keyed);
      } catch (OutcomeUnknownException e) {
        // maybe committed, maybe not: the retry with the same key settles it
      }
    }
  }

  private static List<AppendReceipt> appendRange(Cluster c, long from, long to)
      throws InterruptedException {
    List<AppendReceipt> out = new ArrayList<>();
    for (long n = from; n < to; n++) {
      out.add(appendSurely(c.leader(), n));
    }
    return out;
  }

  private static void assertHeldEverywhere(Cluster c, List<AppendReceipt> held) {
    c.assertConverged();
    for (ReplicatedStore s : c.live()) {
      assertEquals(held.size(), Cluster.all(s).size(), "events on " + s.memberId());
      for (AppendReceipt r : held) {
        assertEquals(
            r.eventHash(),
            s.get(r.eventId()).header().eventHash(),
            r.eventId() + " on " + s.memberId());
      }
    }
  }

  /**
   * Appends to stream {@code entity} through {@code via} expecting a version it does not have, and
   * returns the refusal, retrying while leadership settles (a refused append writes nothing).
   */
  private static ConcurrencyConflictException refusedSurely(ReplicatedStore via, String entity) {
    AppendOptions wrong =
        AppendOptions.defaults().withExpectedVersion(ExpectedVersion.exactly(1_000_000));
    long deadline = System.nanoTime() + Cluster.WAIT.toNanos();
    while (true) {
      try {
        return assertThrows(
            ConcurrencyConflictException.class,
            () -> via.append(Coordinate.of(entity, "s"), KIND, Bytes.utf8("refused"), wrong));
      } catch (AssertionError e) {
        if (!(e.getCause() instanceof OutcomeUnknownException) || System.nanoTime() > deadline) {
          throw e;
        }
      }
    }
  }

  /** Every running member has the same head. */
  private static void assertSameHeads(Cluster c) throws InterruptedException {
    ReplicaHead leader = c.leader().head();
    for (ReplicatedStore s : c.live()) {
      assertEquals(leader, s.head(), "head of " + s.memberId());
    }
  }

  /**
   * A member that installed a snapshot applies the next entries from the snapshot's head. The
   * leader snapshots past its last write before the cut-off member is let back in, so the install
   * holds every event and each entry the member applies after it writes nothing: refused appends,
   * and a retry of a key the snapshot holds. The heads the member records for them must be the
   * other members' (an apply thread that kept its head from before the install records that one
   * instead), and so must its head after it restarts.
   */
  @Test
  void aMemberThatInstalledASnapshotRecordsTheSameHeadsForARefusalAndARetryAndAfterARestart(
      @TempDir Path dir) throws Exception {
    try (Cluster c = Cluster.start(dir, 3, EVERY_20)) {
      try {
        ReplicatedStore follower = c.follower();
        String id = follower.memberId();
        List<AppendReceipt> held = appendRange(c, 0, 3);
        c.assertConverged();
        long cutAt = follower.head().appliedIndex();
        Cluster.cutOff(id);
        held.addAll(appendRange(c, 3, 150));
        ReplicatedStore leader = c.leader();
        long lastWrite = leader.head().appliedIndex();
        Cluster.await(
            "the leader purges past the follower", () -> leader.raftLogStartIndex() > cutAt + 1);
        // Entries that write nothing, until the leader snapshots past its last write.
        Cluster.await(
            "the leader snapshots past its last write, index " + lastWrite,
            () -> {
              refusedSurely(leader, "snap-0");
              return leader.latestSnapshotIndex() >= lastWrite;
            });
        Cluster.heal();
        assertHeldEverywhere(c, held);
        assertTrue(follower.snapshotsInstalled() >= 1, "the follower installed a snapshot");
        assertTrue(
            follower.latestSnapshotIndex() >= lastWrite,
            "the installed snapshot (Raft index "
                + follower.latestSnapshotIndex()
                + ") holds the last write (index "
                + lastWrite
                + ")");
        assertSameHeads(c);

        // A conflicting expected version, proposed by the member that installed the snapshot.
        ConcurrencyConflictException refused = refusedSurely(follower, "snap-3");
        assertEquals("snap-3", refused.entity());
        assertEquals(follower.stream("snap-3").size(), refused.actualNextSequence());
        // A retry of an append the follower holds only through the snapshot: the original receipt.
        assertEquals(held.get(10), appendSurely(c.leader(), 10));
        assertHeldEverywhere(c, held);
        assertSameHeads(c);

        // The member comes back from its journal, the snapshot and the entries after it.
        c.kill(id);
        c.startMember(id);
        assertHeldEverywhere(c, held);
        assertSameHeads(c);
        held.addAll(appendRange(c, 150, 151));
        assertHeldEverywhere(c, held);
        assertSameHeads(c);
      } finally {
        Cluster.heal();
      }
    }
  }

  private static Path storeDir(Cluster c, String id) {
    return c.root.resolve(id).resolve("store");
  }

  @Test
  void aFollowerCutOffPastThePurgeCatchesUpBySnapshotThenByLog(@TempDir Path dir) throws Exception {
    try (Cluster c = Cluster.start(dir, 3, EVERY_20)) {
      try {
        ReplicatedStore follower = c.follower();
        List<AppendReceipt> held = appendRange(c, 0, 3);
        c.assertConverged();
        long cutAt = follower.head().appliedIndex();
        Cluster.cutOff(follower.memberId());
        held.addAll(appendRange(c, 3, 150));
        ReplicatedStore leader = c.leader();
        Cluster.await(
            "the leader purges its log past the cut-off follower's index " + cutAt,
            () -> leader.raftLogStartIndex() > cutAt + 1);
        assertTrue(leader.latestSnapshotIndex() > cutAt, "the leader has a snapshot past the cut");
        assertEquals(3, Cluster.all(follower).size(), "the cut-off follower applied nothing new");
        assertEquals(0, follower.snapshotsInstalled());

        Cluster.heal();
        assertHeldEverywhere(c, held);
        assertTrue(
            follower.snapshotsInstalled() >= 1,
            "the follower caught up by snapshot: installed " + follower.snapshotsInstalled());
        // And by log from there on.
        held.addAll(appendRange(c, 150, 160));
        assertHeldEverywhere(c, held);
      } finally {
        Cluster.heal();
      }
    }
  }

  @Test
  void aMemberAddedAfterAPurgeCatchesUpBySnapshot(@TempDir Path dir) throws Exception {
    try (Cluster c = Cluster.start(dir, 3, EVERY_20)) {
      List<AppendReceipt> held = appendRange(c, 0, 120);
      ReplicatedStore leader = c.leader();
      Cluster.await("the leader purges its log", () -> leader.raftLogStartIndex() > 1);
      ReplicatedStore joined = c.joinMember("n4");
      c.leader().setMembers(c.peers);
      held.addAll(appendRange(c, 120, 125));
      assertHeldEverywhere(c, held);
      assertEquals(4, c.live().size());
      assertTrue(joined.snapshotsInstalled() >= 1, "n4 caught up by snapshot");
    }
  }

  /**
   * Every member's build held open (ADR 0044): applies go on, no snapshot is published and Ratis
   * purges nothing, since takeSnapshot reports no index until the build ends; closing a member
   * waits for its build; once released, the others publish and purge.
   */
  @Test
  void aBuildHeldOpenHoldsUpNoApplyNoPurgeButTheClose(@TempDir Path dir) throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    Queue<String> order = new ConcurrentLinkedQueue<>();
    BatpakStateMachine.beforeBuild =
        () -> {
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          order.add("released " + Thread.currentThread().getName());
        };
    try (Cluster c = Cluster.start(dir, 3, EVERY_20)) {
      heldOpen(c, release, order);
    } finally {
      BatpakStateMachine.beforeBuild = () -> {};
    }
  }

  private static void heldOpen(Cluster c, CountDownLatch release, Queue<String> order)
      throws Exception {
    try { // released before the cluster closes, which waits for every build
      List<AppendReceipt> held = appendRange(c, 0, 100); // five intervals past the first cut
      c.assertConverged();
      for (ReplicatedStore s : c.live()) {
        assertEquals(-1, s.latestSnapshotIndex(), s.memberId() + " published a held build");
        assertTrue( // a log never purged starts at its first entry, 0
            s.raftLogStartIndex() <= 0, s.memberId() + " purged its log without a snapshot");
      }
      ReplicatedStore follower = c.follower();
      Thread closer =
          new Thread(
              () -> {
                c.kill(follower.memberId());
                order.add("closed");
              });
      closer.start();
      closer.join(5_000); // a close that does not wait returns well within this; 0.5 s was not
      assertTrue(closer.isAlive(), "the close returned while its member's build was held open");
      release.countDown();
      closer.join();
      List<String> seen = List.copyOf(order);
      String own = "released batpak-snapshot-build " + follower.memberId();
      assertTrue(
          seen.contains(own) && seen.indexOf(own) < seen.indexOf("closed"),
          "the close waits for its own build: " + seen);
      held = new ArrayList<>(held);
      held.addAll(appendRange(c, 100, 110)); // the next applies report the snapshots to Ratis
      for (ReplicatedStore s : c.live()) {
        Cluster.await(
            s.memberId() + " publishes its snapshot and purges",
            () -> s.latestSnapshotIndex() > 0 && s.raftLogStartIndex() > 0);
      }
      assertHeldEverywhere(c, held);
    } finally {
      release.countDown();
    }
  }

  /**
   * Installing a fetched snapshot waits for the member's own build in progress (ADR 0044): the
   * install re-reads {@code sm/} and removes unfinished builds, so it must not run beside one. A
   * follower whose build is held open is cut off until the leader purges past it; after the heal it
   * fetches the leader's snapshot, and installs it only once its own build is released.
   */
  @Test
  void anInstallWaitsForTheMembersOwnBuildInProgress(@TempDir Path dir) throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    try (Cluster c = Cluster.start(dir, 3, EVERY_20)) {
      String id = c.follower().memberId();
      String heldThread = "batpak-snapshot-build " + id;
      BatpakStateMachine.beforeBuild =
          () -> {
            if (Thread.currentThread().getName().equals(heldThread)) {
              entered.countDown();
              try {
                release.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
          };
      try {
        installBesideAHeldBuild(c, id, entered, release);
      } finally {
        release.countDown(); // before the cluster closes, which waits for every build
        Cluster.heal();
      }
    } finally {
      BatpakStateMachine.beforeBuild = () -> {};
    }
  }

  private static void installBesideAHeldBuild(
      Cluster c, String id, CountDownLatch entered, CountDownLatch release) throws Exception {
    ReplicatedStore follower = c.member(id);
    List<AppendReceipt> held = appendRange(c, 0, 25); // one snapshot interval and a little more
    assertTrue(
        entered.await(Cluster.WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS),
        id + " started its build");
    c.assertConverged();
    long cutAt = follower.head().appliedIndex();
    Cluster.cutOff(id);
    held.addAll(appendRange(c, 25, 150));
    ReplicatedStore leader = c.leader();
    Cluster.await(
        "the leader purges its log past the cut-off follower's index " + cutAt,
        () -> leader.raftLogStartIndex() > cutAt + 1);
    Cluster.heal();
    Cluster.await(
        id + " fetches the leader's snapshot into sm/", () -> newestSnapshotDir(c, id) > cutAt);
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(2);
    while (System.nanoTime()
        < deadline) { // an install that does not wait comes within ms of the fetch
      assertEquals(0, follower.snapshotsInstalled(), "installed while its own build was held");
      Thread.sleep(50);
    }
    release.countDown();
    assertHeldEverywhere(c, held);
    assertEquals(1, follower.snapshotsInstalled(), "installed the fetched snapshot once released");
    assertTrue(
        follower.latestSnapshotIndex() > cutAt,
        "the fetched snapshot, not the held build, is latest");
  }

  @Test
  void theRaftLogStaysBoundedWithSnapshotsOn(@TempDir Path dir) throws Exception {
    try (Cluster c = Cluster.start(dir, 3, EVERY_20)) {
      List<AppendReceipt> held = appendRange(c, 0, 400);
      c.assertConverged();
      for (ReplicatedStore s : c.live()) {
        // 400 entries are about twenty 4 KiB segments; snapshots every 20 entries and the purge
        // keep only the segments after the newest snapshot, plus the open one.
        Cluster.await(
            s.memberId() + " purges its log to the last snapshots",
            () -> s.raftLogStartIndex() > 300);
        long segments = raftLogSegments(c, s.memberId());
        assertTrue(segments <= 8, s.memberId() + " keeps " + segments + " log segments");
        assertTrue(snapshotDirs(c, s.memberId()) <= BatpakStateMachine.SNAPSHOTS_KEPT);
      }
      assertHeldEverywhere(c, held);
    }
  }

  @Test
  void restartsAfterAPurgeAndAroundAnInstallLoseNothing(@TempDir Path dir) throws Exception {
    try (Cluster c = Cluster.start(dir, 3, EVERY_20)) {
      try {
        ReplicatedStore follower = c.follower();
        String id = follower.memberId();
        List<AppendReceipt> held = appendRange(c, 0, 2);
        c.assertConverged();
        Cluster.cutOff(id);
        held.addAll(appendRange(c, 2, 120));
        ReplicatedStore leader = c.leader();
        long cutAt = follower.head().appliedIndex();
        Cluster.await(
            "the leader purges past the follower", () -> leader.raftLogStartIndex() > cutAt + 1);
        Cluster.heal();
        assertHeldEverywhere(c, held);
        assertTrue(follower.snapshotsInstalled() >= 1);

        // A crash between the install's two renames: the store directory is gone, the replaced
        // one is there, and an unfinished build lies beside it. The restart puts the store back.
        c.kill(id);
        Path store = storeDir(c, id);
        Files.move(store, store.resolveSibling("store.snapshot-replaced"));
        Files.createDirectories(store.resolveSibling("store.snapshot-install"));
        Files.writeString(store.resolveSibling("store.snapshot-install").resolve("junk"), "x");
        c.startMember(id);
        held.addAll(appendRange(c, 120, 125));
        assertHeldEverywhere(c, held);
        assertFalse(Files.exists(store.resolveSibling("store.snapshot-install")));
        assertFalse(Files.exists(store.resolveSibling("store.snapshot-replaced")));

        // A crash after Ratis put the received snapshot in place and before it reached the store
        // (here: the store lost everything): the restart installs the member's latest snapshot
        // and replays its log from there.
        c.kill(id);
        MemberSnapshots.deleteTree(store);
        c.startMember(id);
        assertTrue(c.member(id).snapshotsInstalled() >= 1, "the restart installed the snapshot");
        held.addAll(appendRange(c, 125, 130));
        assertHeldEverywhere(c, held);

        // Every member restarted right after purging: each comes back from its journal, its
        // snapshot and the rest of its log.
        for (ReplicatedStore s : c.live()) {
          assertTrue(s.raftLogStartIndex() > 1, s.memberId() + " purged its log");
        }
        long next = 130;
        for (String m : List.of("n1", "n2", "n3")) {
          c.kill(m);
          c.startMember(m);
          held.addAll(appendRange(c, next, next + 1));
          next++;
        }
        assertHeldEverywhere(c, held);
      } finally {
        Cluster.heal();
      }
    }
  }

  private static long raftLogSegments(Cluster c, String id) throws IOException {
    Path current =
        c.root.resolve(id).resolve("raft").resolve(c.group.toString()).resolve("current");
    try (Stream<Path> files = Files.list(current)) {
      return files.filter(p -> p.getFileName().toString().startsWith("log_")).count();
    }
  }

  /** The Raft index of the newest snapshot directory in {@code id}'s {@code sm/}, or -1. */
  private static long newestSnapshotDir(Cluster c, String id) {
    try (Stream<Path> files = Files.list(smDir(c, id))) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.matches("snapshot\\.\\d+_\\d+"))
          .mapToLong(n -> Long.parseLong(n.substring(n.indexOf('_') + 1)))
          .max()
          .orElse(-1);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Path smDir(Cluster c, String id) {
    return c.root.resolve(id).resolve("raft").resolve(c.group.toString()).resolve("sm");
  }

  private static long snapshotDirs(Cluster c, String id) throws IOException {
    try (Stream<Path> files = Files.list(smDir(c, id))) {
      return files.filter(p -> p.getFileName().toString().matches("snapshot\\.\\d+_\\d+")).count();
    }
  }

  /**
   * A member that restarts checks that its journal holds its latest snapshot's newest event. A
   * replicated retain compaction after the snapshot may drop that event (it is no longer the
   * journal's newest): the member must still start, and not take the dropped event for a
   * divergence.
   */
  @Test
  void aMemberRestartsAfterACompactionDroppedItsSnapshotsNewestEvent(@TempDir Path dir)
      throws Exception {
    try (Cluster c = Cluster.start(dir, 3, EVERY_20)) {
      List<AppendReceipt> held = appendRange(c, 0, 20);
      ReplicatedStore victim = c.follower();
      String victimId = victim.memberId();
      Cluster.await("the member snapshots", () -> victim.latestSnapshotIndex() > 0);
      held.addAll(appendRange(c, 20, 25));
      // Restarted, the member's events all sit in sealed segments, which a compaction rewrites.
      c.kill(victimId);
      c.startMember(victimId).awaitLeaderHead(Cluster.WAIT);
      long keepFrom = held.get(held.size() - 2).globalSequence();
      c.leader()
          .compact(io.batpak.CompactionConfig.retain(e -> e.header().globalSequence() >= keepFrom));
      c.member(victimId).awaitLeaderHead(Cluster.WAIT);
      assertEquals(2, Cluster.all(c.member(victimId)).size(), "events the compaction kept");
      c.kill(victimId);
      ReplicatedStore restarted = c.startMember(victimId);
      restarted.awaitLeaderHead(Cluster.WAIT);
      assertEquals(null, restarted.stoppedReason(), "the restarted member runs");
      assertEquals(2, Cluster.all(restarted).size(), "events the compaction kept");
      // It goes on applying (the others hold their events in active segments, which no compaction
      // rewrites, so their contents differ).
      appendSurely(c.leader(), 25);
      restarted.awaitLeaderHead(Cluster.WAIT);
      assertEquals(null, restarted.stoppedReason(), "the restarted member runs");
      assertEquals(3, Cluster.all(restarted).size(), "events after the next append");
    }
  }

  /**
   * A member whose newest snapshot is damaged falls back to the one before it (ADR 0038) only while
   * its Raft log still holds the entries after that one. Here the log was purged up to the damaged
   * snapshot, so no entry after the older one is left: the member refuses to start, naming the
   * snapshot and the gap, instead of starting with an apply thread that looks for the missing entry
   * forever (it spun at full CPU, and its close never returned). The others go on.
   */
  @Test
  void aMemberWhoseNewestSnapshotIsDamagedPastItsLogRefusesToStart(@TempDir Path dir)
      throws Exception {
    try (Cluster c = Cluster.start(dir, 3, EVERY_20)) {
      List<AppendReceipt> held = appendRange(c, 0, 70);
      ReplicatedStore victim = c.follower();
      String victimId = victim.memberId();
      Path sm = c.root.resolve(victimId).resolve("raft").resolve(c.group.toString()).resolve("sm");
      Cluster.await(
          "two snapshots, and the log purged past the older one",
          () -> {
            List<Long> indexes = snapshotIndexes(sm);
            return indexes.size() >= 2
                && victim.raftLogStartIndex() > indexes.get(indexes.size() - 2) + 1;
          });
      c.kill(victimId);
      List<Long> indexes = snapshotIndexes(sm);
      long newest = indexes.get(indexes.size() - 1);
      Path damaged;
      try (Stream<Path> dirs = Files.list(sm)) {
        damaged =
            dirs.filter(p -> p.getFileName().toString().endsWith("_" + newest))
                .findFirst()
                .orElseThrow();
      }
      Files.writeString(damaged.resolve("snapshot.meta"), "garbage");

      ReplicaStoppedException refused =
          assertThrows(ReplicaStoppedException.class, () -> c.startMember(victimId));
      assertTrue(
          refused.getMessage().contains("its newest snapshot " + damaged)
              && refused.getMessage().contains("Rebuild it from a healthy member"),
          refused.getMessage());

      held.add(appendSurely(c.leader(), 70));
      assertHeldEverywhere(c, held);
    }
  }

  /** The Raft indexes of the snapshot directories in {@code sm}, ascending. */
  private static List<Long> snapshotIndexes(Path sm) {
    try (Stream<Path> dirs = Files.list(sm)) {
      return dirs.map(p -> p.getFileName().toString())
          .filter(n -> n.matches("snapshot\\.\\d+_\\d+"))
          .map(n -> Long.parseLong(n.substring(n.indexOf('_') + 1)))
          .sorted()
          .toList();
    } catch (IOException e) {
      return List.of();
    }
  }
}
