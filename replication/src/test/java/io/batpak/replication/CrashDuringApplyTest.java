package io.batpak.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.EventHeader;
import io.batpak.EventKind;
import io.batpak.IdempotencyKey;
import io.batpak.OutcomeUnknownException;
import io.batpak.fs.sim.CrashProfile;
import io.batpak.fs.sim.FaultAction;
import io.batpak.fs.sim.FaultRule;
import io.batpak.fs.sim.FaultTrigger;
import io.batpak.fs.sim.FsOp;
import io.batpak.fs.sim.SimStoreFs;
import io.batpak.test.BatpakTest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every member's store on its own fs-sim; one member loses power in the middle of applying an entry
 * (a crash fault on a journal write), stops, comes back after a simulated power loss that drops or
 * tears its un-synced journal tail, and Raft replay brings it to the same head as the members that
 * never crashed (ADR 0037, "Crash argument").
 */
@BatpakTest
class CrashDuringApplyTest {
  private static final EventKind KIND = EventKind.custom(1, 2);

  /** Three members, each store on its own simulated disk (kept in {@code fs} by member id). */
  private static Cluster onSimulatedDisks(Path dir, Map<String, SimStoreFs> fs, long seed) {
    return Cluster.start(
        dir, 3, id -> fs.computeIfAbsent(id, k -> new SimStoreFs(seed ^ k.hashCode())));
  }

  @Test
  void aMemberThatCrashesDuringApplyRecoversAndReplaysToTheSameHead(
      Random random, @TempDir Path dir) throws Exception {
    Map<String, SimStoreFs> fs = new HashMap<>();
    try (Cluster c = onSimulatedDisks(dir, fs, random.nextLong())) {
      List<AppendReceipt> held = new ArrayList<>();
      int counter = 0;
      for (; counter < 15; counter++) {
        held.add(append(c, random, counter));
      }
      ReplicatedStore victim = random.nextBoolean() ? c.leader() : c.follower();
      String victimId = victim.memberId();
      SimStoreFs victimFs = fs.get(victimId);
      int nth = 1 + random.nextInt(4);
      victimFs.addFault(FaultRule.on(FsOp.WRITE, FaultTrigger.nth(nth), FaultAction.crashAfter()));
      // Keep writing through the others until the victim has crashed in an apply and stopped.
      while (victim.stoppedReason() == null) {
        held.add(append(c, random, counter++));
      }
      ReplicaStoppedException why = victim.stoppedReason();
      assertNotNull(why);
      c.kill(victimId);
      victimFs.clearFaults();
      victimFs.crash(random.nextBoolean() ? CrashProfile.STRICT : CrashProfile.PREFIX);
      for (int i = 0; i < 5; i++) {
        held.add(append(c, random, counter++));
      }
      c.startMember(victimId);
      held.add(append(c, random, counter++));
      c.assertConverged();
      for (ReplicatedStore s : c.live()) {
        assertEquals(held.size(), Cluster.all(s).size(), "events on " + s.memberId());
        for (AppendReceipt r : held) {
          assertEquals(
              r.eventHash(), s.get(r.eventId()).header().eventHash(), "on " + s.memberId());
        }
      }
    }
  }

  /**
   * Appends event {@code n} through a running member that has not stopped, retrying with the same
   * idempotency key while leadership moves (a retry never writes it twice).
   */
  private static AppendReceipt append(Cluster c, Random random, int n) throws InterruptedException {
    AppendOptions options =
        AppendOptions.defaults().withIdempotencyKey(IdempotencyKey.of(0x5EED, n));
    Coordinate where = Coordinate.of("stream-" + random.nextInt(3), "crash");
    while (true) {
      List<ReplicatedStore> live = new ArrayList<>();
      for (ReplicatedStore s : c.live()) {
        if (s.stoppedReason() == null) {
          live.add(s);
        }
      }
      ReplicatedStore via = live.get(random.nextInt(live.size()));
      try {
        return via.append(where, KIND, Bytes.utf8("event " + n), options);
      } catch (OutcomeUnknownException | ReplicaStoppedException e) {
        Thread.sleep(20);
      }
    }
  }

  /**
   * Appends from eight threads at once, so a member's proposals travel in group entries, and half
   * of them conditional on a version that does not hold, so groups mix written and refused parts. A
   * member loses power in the middle of a group: its restart must re-apply exactly the parts its
   * journal lacks, and never re-run a part that was refused (against the later state it could be
   * accepted, and the member would hold an event the others refused).
   */
  @Test
  void aMemberThatCrashesInTheMiddleOfAGroupReappliesOnlyThePartsItLacks(
      Random random, @TempDir Path dir) throws Exception {
    Map<String, SimStoreFs> fs = new HashMap<>();
    try (Cluster c = onSimulatedDisks(dir, fs, random.nextLong())) {
      ReplicatedStore via = c.leader();
      ReplicatedStore victim = c.follower();
      SimStoreFs victimFs = fs.get(victim.memberId());
      java.util.concurrent.atomic.AtomicInteger next =
          new java.util.concurrent.atomic.AtomicInteger();
      List<AppendReceipt> held = java.util.Collections.synchronizedList(new ArrayList<>());
      Runnable burst =
          () -> {
            for (int i = 0; i < 12; i++) {
              int n = next.getAndIncrement();
              AppendOptions options =
                  AppendOptions.defaults().withIdempotencyKey(IdempotencyKey.of(0x6209, n));
              if (n % 2 == 1) {
                options = options.withExpectedVersion(io.batpak.ExpectedVersion.exactly(1_000_000));
              }
              try {
                held.add(
                    via.append(
                        Coordinate.of("g-" + (n % 3), "crash"),
                        KIND,
                        Bytes.utf8("e" + n),
                        options));
              } catch (io.batpak.ConcurrencyConflictException refused) {
                // refused on every member alike
              }
            }
          };
      runConcurrently(burst, 8);
      int nth = 1 + random.nextInt(6);
      victimFs.addFault(FaultRule.on(FsOp.WRITE, FaultTrigger.nth(nth), FaultAction.crashAfter()));
      while (victim.stoppedReason() == null) {
        runConcurrently(burst, 8);
      }
      c.kill(victim.memberId());
      victimFs.clearFaults();
      victimFs.crash(random.nextBoolean() ? CrashProfile.STRICT : CrashProfile.PREFIX);
      c.startMember(victim.memberId());
      runConcurrently(burst, 8);
      c.assertConverged();
      boolean grouped = false;
      for (ReplicatedStore s : c.live()) {
        List<EventHeader> all = Cluster.all(s);
        assertEquals(held.size(), all.size(), "events on " + s.memberId());
        for (EventHeader h : all) {
          grouped |= RaftPlacement.raftPartOf(h) > 0;
        }
      }
      assertTrue(grouped, "some appends travelled in group entries");
    }
  }

  private static void runConcurrently(Runnable task, int threads) throws Exception {
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(threads);
    try {
      List<java.util.concurrent.Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(pool.submit(task));
      }
      for (java.util.concurrent.Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
