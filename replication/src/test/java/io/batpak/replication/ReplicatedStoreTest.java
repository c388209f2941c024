package io.batpak.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.CompactionConfig;
import io.batpak.ConcurrencyConflictException;
import io.batpak.Coordinate;
import io.batpak.EventHeader;
import io.batpak.EventKind;
import io.batpak.ExpectedVersion;
import io.batpak.ExtensionKey;
import io.batpak.IdempotencyKey;
import io.batpak.OutcomeUnknownException;
import io.batpak.StoreInterruptedException;
import io.batpak.ValidationException;
import io.batpak.Watermark;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three members in one JVM on loopback, each on its own real directories. */
class ReplicatedStoreTest {

  private static final EventKind KIND = EventKind.custom(1, 1);

  private static Bytes payload(String s) {
    return Bytes.utf8(s);
  }

  @Test
  void appendsThroughAnyMemberCommitOnTheLeaderAndEveryMemberHoldsTheSameBytes(@TempDir Path dir)
      throws Exception {
    try (Cluster c = Cluster.start(dir, 3)) {
      ReplicatedStore leader = c.leader();
      ReplicatedStore follower = c.follower();
      List<ReplicatedReceipt> receipts = new ArrayList<>();
      long lastIndex = 0;
      for (int i = 0; i < 30; i++) {
        ReplicatedStore via = c.live().get(i % 3);
        ReplicatedReceipt r =
            via.appendReplicated(
                Coordinate.of("order-" + (i % 4), "shop"),
                KIND,
                payload("event " + i),
                AppendOptions.defaults());
        assertTrue(r.term() >= 1, "term " + r.term());
        assertTrue(r.index() > lastIndex, "Raft index " + r.index() + " after " + lastIndex);
        assertEquals(i, r.receipt().globalSequence());
        lastIndex = r.index();
        receipts.add(r);
      }
      // A follower reads "at least this sequence" through its local store's waitFor.
      AppendReceipt last = receipts.get(receipts.size() - 1).receipt();
      follower.waitFor(Watermark.VISIBLE, last.globalSequence(), Cluster.WAIT);
      assertEquals(payload("event 29"), follower.get(last.eventId()).payload());
      // "As long as it takes" is a wait on a member too, never an ArithmeticException.
      java.time.Duration forever = java.time.temporal.ChronoUnit.FOREVER.getDuration();
      follower.waitFor(Watermark.VISIBLE, last.globalSequence(), forever);
      follower.awaitLeaderHead(forever);
      try (io.batpak.Subscription sub =
          follower.subscribeFrom(
              io.batpak.Region.all(), -1, io.batpak.SubscriptionOptions.defaults())) {
        assertTrue(sub.poll(forever).isPresent(), "a subscription's first event");
      }
      for (ReplicatedStore s : c.live()) {
        s.awaitLeaderHead(Cluster.WAIT);
        for (ReplicatedReceipt r : receipts) {
          assertEquals(
              r.receipt().eventHash(),
              s.get(r.receipt().eventId()).header().eventHash(),
              "member " + s.memberId() + " at Raft index " + r.index());
          assertTrue(s.verifyReceipt(r.receipt()).isValid(), "receipt verifies on " + s.memberId());
        }
      }
      c.assertConverged();
      assertTrue(leader.claimsChecked() + follower.claimsChecked() > 0, "heads were cross-checked");
    }
  }

  @Test
  void rejectionsAreTheSameOnEveryMemberAndWriteNothing(@TempDir Path dir) throws Exception {
    try (Cluster c = Cluster.start(dir, 3)) {
      ReplicatedStore follower = c.follower();
      Coordinate cart = Coordinate.of("cart-1", "shop");
      follower.append(cart, KIND, payload("a"), AppendOptions.defaults());
      ConcurrencyConflictException conflict =
          assertThrows(
              ConcurrencyConflictException.class,
              () ->
                  follower.append(
                      cart,
                      KIND,
                      payload("b"),
                      AppendOptions.defaults().withExpectedVersion(ExpectedVersion.exactly(5))));
      assertEquals("cart-1", conflict.entity());
      assertEquals(1, conflict.actualNextSequence());
      AppendReceipt ok =
          follower.append(
              cart,
              KIND,
              payload("c"),
              AppendOptions.defaults().withExpectedVersion(ExpectedVersion.exactly(0)));
      assertEquals(1, ok.streamSequence());
      // A thread already interrupted when it appends (a cancelled task) is refused before
      // anything is proposed, on the leader and through a follower; its status is kept.
      for (ReplicatedStore via : List.of(c.leader(), follower)) {
        java.util.concurrent.atomic.AtomicReference<Object> seen =
            new java.util.concurrent.atomic.AtomicReference<>();
        Thread t =
            new Thread(
                () -> {
                  Thread.currentThread().interrupt();
                  try {
                    seen.set(via.append(cart, KIND, payload("interrupted")));
                  } catch (RuntimeException e) {
                    seen.set(e);
                  }
                  if (!Thread.currentThread().isInterrupted()) {
                    seen.set("the interrupt status was lost");
                  }
                });
        t.start();
        t.join();
        assertInstanceOf(StoreInterruptedException.class, seen.get(), "via " + via.memberId());
      }
      c.assertConverged();
      for (ReplicatedStore s : c.live()) {
        assertEquals(2, s.stream("cart-1").size(), "member " + s.memberId());
      }
    }
  }

  @Test
  void aRetryWithTheSameKeyReturnsTheOriginalReceiptAndBatchesAreOneEntry(@TempDir Path dir)
      throws Exception {
    try (Cluster c = Cluster.start(dir, 3)) {
      ReplicatedStore a = c.live().get(0);
      ReplicatedStore b = c.live().get(1);
      IdempotencyKey key = IdempotencyKey.of(7, 9);
      AppendOptions keyed = AppendOptions.defaults().withIdempotencyKey(key);
      ReplicatedReceipt first =
          a.appendReplicated(Coordinate.of("k", "s"), KIND, payload("x"), keyed);
      ReplicatedReceipt again =
          b.appendReplicated(Coordinate.of("k", "s"), KIND, payload("x"), keyed);
      assertEquals(first.receipt(), again.receipt());
      assertTrue(again.index() > first.index(), "the retry is its own Raft entry");
      ReplicatedReceipt batch =
          b.appendBatchReplicated(
              List.of(
                  BatchItem.of(Coordinate.of("b", "s"), KIND, payload("1")),
                  BatchItem.of(Coordinate.of("b", "s"), KIND, payload("2")).causedBy(0)));
      assertEquals(2, batch.receipts().size());
      assertEquals(1, batch.receipts().get(0).globalSequence());
      assertEquals(2, batch.receipts().get(1).globalSequence());
      c.assertConverged();
      for (ReplicatedStore s : c.live()) {
        List<EventHeader> all = Cluster.all(s);
        assertEquals(3, all.size(), "member " + s.memberId());
        assertEquals(
            batch.index(),
            RaftPlacement.raftIndexOf(all.get(2)),
            "each event records the Raft index that committed it");
      }
    }
  }

  @Test
  void unsupportedOperationsAndReservedExtensionsAreRefusedByName(@TempDir Path dir)
      throws Exception {
    try (Cluster c = Cluster.start(dir, 3)) {
      ReplicatedStore s = c.live().get(0);
      ValidationException negative =
          assertThrows(
              ValidationException.class,
              () -> s.waitFor(Watermark.VISIBLE, 0, java.time.Duration.ofMillis(-5)));
      assertTrue(negative.getMessage().contains("timeout >= 0"), negative.getMessage());
      assertEquals(
          "beginFence",
          assertThrows(ReplicationUnsupportedException.class, s::beginFence).operation());
      assertThrows(
          ValidationException.class,
          () -> s.appendTyped(Coordinate.of("g", "s"), "no @EventType", AppendOptions.defaults()));
      ValidationException reserved =
          assertThrows(
              ValidationException.class,
              () ->
                  s.append(
                      Coordinate.of("g", "s"),
                      KIND,
                      payload("x"),
                      AppendOptions.defaults()
                          .withExtension(ExtensionKey.of("raft.index"), payload("1"))));
      assertTrue(reserved.getMessage().contains("raft.index"), reserved.getMessage());
      assertTrue(Cluster.all(s).isEmpty(), "nothing was proposed");
    }
  }

  @Test
  void whenTheLeaderDiesANewOneIsElectedAndEveryHeldReceiptIsOnEverySurvivor(@TempDir Path dir)
      throws Exception {
    try (Cluster c = Cluster.start(dir, 3)) {
      List<AppendReceipt> held = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        held.add(
            c.live()
                .get(i % 3)
                .append(
                    Coordinate.of("s" + (i % 2), "x"),
                    KIND,
                    payload("before " + i),
                    AppendOptions.defaults()));
      }
      ReplicatedStore old = c.leader();
      String oldId = old.memberId();
      c.kill(oldId);
      ReplicatedStore next = c.leader();
      assertFalse(next.memberId().equals(oldId));
      for (int i = 0; i < 10; i++) {
        held.add(
            c.live()
                .get(i % 2)
                .append(
                    Coordinate.of("s" + (i % 2), "x"),
                    KIND,
                    payload("after " + i),
                    AppendOptions.defaults()));
      }
      c.assertConverged();
      for (ReplicatedStore s : c.live()) {
        for (AppendReceipt r : held) {
          assertEquals(
              r.eventHash(), s.get(r.eventId()).header().eventHash(), "on " + s.memberId());
        }
      }
      // The old leader comes back on its old directories and catches up by log.
      c.startMember(oldId);
      held.add(
          c.member(oldId)
              .append(
                  Coordinate.of("s0", "x"), KIND, payload("rejoined"), AppendOptions.defaults()));
      c.assertConverged();
      assertEquals(held.size(), Cluster.all(c.member(oldId)).size());
      for (AppendReceipt r : held) {
        assertEquals(r.eventHash(), c.member(oldId).get(r.eventId()).header().eventHash());
      }
    }
  }

  @Test
  void aMemberWhoseHeadDiffersFromAClaimStopsLoudly(@TempDir Path dir) throws Exception {
    try (Cluster c = Cluster.start(dir, 3)) {
      ReplicatedStore a = c.leader();
      for (int i = 0; i < 3; i++) {
        a.append(Coordinate.of("d", "s"), KIND, payload("real " + i), AppendOptions.defaults());
      }
      c.assertConverged();
      ReplicaHead real = a.head();
      ReplicaHead forged =
          new ReplicaHead(real.appliedIndex(), real.nextGlobalSequence(), Bytes.of(new byte[32]));
      Entries.Item item =
          new Entries.Item(
              Coordinate.of("d", "s"),
              KIND,
              payload("forged"),
              AppendOptions.defaults().withIdempotencyKey(IdempotencyKey.of(3, 3)),
              -1);
      assertThrows(
          OutcomeUnknownException.class,
          () -> a.propose(new Entries.Append(forged, 0, List.of(item))));
      for (ReplicatedStore s : c.live()) {
        long deadline = System.nanoTime() + Cluster.WAIT.toNanos();
        while (s.stoppedReason() == null && System.nanoTime() < deadline) {
          Thread.sleep(50);
        }
        ReplicaStoppedException why = s.stoppedReason();
        assertTrue(why != null, "member " + s.memberId() + " did not stop");
        assertTrue(why.getMessage().contains("diverged"), why.getMessage());
        assertTrue(
            why.getMessage().contains(real.lastEventHash().toHex()),
            "the message names the member's own head: " + why.getMessage());
        ReplicaStoppedException later =
            assertThrows(ReplicaStoppedException.class, () -> s.stream("d"));
        assertTrue(later.getMessage().contains(s.memberId()), later.getMessage());
      }
    }
  }

  @Test
  void aLeaderCutOffFromItsQuorumKeepsNoWriteAndAKeyedRetryLandsOnce(@TempDir Path dir)
      throws Exception {
    try (Cluster c = Cluster.start(dir, 3, id -> null, java.time.Duration.ofSeconds(3))) {
      ReplicatedStore leader = c.leader();
      AppendReceipt before =
          leader.append(Coordinate.of("p", "s"), KIND, payload("before"), AppendOptions.defaults());
      c.assertConverged();
      List<String> others = c.killAllBut(leader);
      AppendOptions keyed = AppendOptions.defaults().withIdempotencyKey(IdempotencyKey.of(5, 5));
      OutcomeUnknownException unknown =
          assertThrows(
              OutcomeUnknownException.class,
              () -> leader.append(Coordinate.of("p", "s"), KIND, payload("alone"), keyed));
      assertTrue(
          unknown.getMessage().contains(IdempotencyKey.of(5, 5).toString()),
          "the error names the key to retry with: " + unknown.getMessage());
      assertEquals(
          List.of(before.eventId()),
          Cluster.all(leader).stream().map(EventHeader::eventId).toList(),
          "the cut-off leader applied nothing it could not commit");
      for (String id : others) {
        c.startMember(id);
      }
      // Retried once the quorum is back (a leader is elected), not while it still elects one: that
      // can take longer than the request timeout, and then the retry is rightly unconfirmed too.
      c.leader();
      AppendReceipt retried =
          c.member(others.get(0)).append(Coordinate.of("p", "s"), KIND, payload("alone"), keyed);
      c.assertConverged();
      for (ReplicatedStore s : c.live()) {
        List<EventHeader> all = Cluster.all(s);
        assertEquals(2, all.size(), "events on " + s.memberId());
        assertEquals(retried.eventId(), all.get(1).eventId());
      }
    }
  }

  @Test
  void aMemberWhoseRaftClientRanOutOfRetriesWritesAndReadsAgainOnceAQuorumIsBack(@TempDir Path dir)
      throws Exception {
    try (Cluster c = Cluster.start(dir, 3, id -> null, java.time.Duration.ofSeconds(2))) {
      ReplicatedStore member = c.leader();
      member.append(Coordinate.of("r", "s"), KIND, payload("before"), AppendOptions.defaults());
      List<String> others = c.killAllBut(member);
      // With no quorum, an append through the member's own Raft client runs out of retries; Ratis
      // then refuses every later request of that client.
      Entries.Item item =
          new Entries.Item(
              Coordinate.of("r", "s"),
              KIND,
              payload("doomed"),
              AppendOptions.defaults().withIdempotencyKey(IdempotencyKey.of(0xD00, 1)),
              -1);
      byte[] entry = Entries.encodeAppend(new Entries.Append(member.head(), 0, List.of(item)));
      org.apache.ratis.client.RaftClient doomedClient = member.raftClient();
      java.util.concurrent.CompletableFuture<org.apache.ratis.protocol.RaftClientReply> doomed =
          doomedClient
              .async()
              .send(
                  org.apache.ratis.protocol.Message.valueOf(
                      org.apache.ratis.thirdparty.com.google.protobuf.ByteString.copyFrom(entry)));
      assertThrows(
          java.util.concurrent.ExecutionException.class,
          () -> doomed.get(2, java.util.concurrent.TimeUnit.MINUTES));
      for (String id : others) {
        c.startMember(id);
      }
      // The quorum is back once a leader is elected. The member's writes go through its client
      // only while it follows, so leadership moves away from it if it won the election.
      if (c.leader() == member) {
        ReplicatedStore next = c.member(others.get(0));
        org.apache.ratis.protocol.RaftClientReply moved =
            next.raftClient()
                .admin()
                .transferLeadership(
                    org.apache.ratis.protocol.RaftPeerId.valueOf(next.memberId()),
                    Cluster.WAIT.toMillis());
        assertTrue(moved.isSuccess(), "leadership moved: " + moved);
      }
      assertFalse(member.isLeader(), "the member follows, so it writes through its client");
      AppendReceipt after =
          member.append(Coordinate.of("r", "s"), KIND, payload("after"), AppendOptions.defaults());
      member.awaitLeaderHead(Cluster.WAIT);
      assertTrue(member.raftClient() != doomedClient, "the refused client was replaced");
      c.assertConverged();
      for (ReplicatedStore s : c.live()) {
        assertEquals(after.eventHash(), s.get(after.eventId()).header().eventHash());
      }
    }
  }

  @Test
  void receiptsCarryTheLeadersSignatureAndVerifyOnEveryMember(@TempDir Path dir) throws Exception {
    byte[] seed = new byte[32];
    java.util.Arrays.fill(seed, (byte) 7);
    try (Cluster c =
        Cluster.startTuned(
            dir,
            3,
            b -> b.signingKey(Bytes.of(seed)).signingPolicy(io.batpak.SigningPolicy.REQUIRED))) {
      ReplicatedStore via = c.follower();
      List<AppendReceipt> receipts = new ArrayList<>();
      receipts.add(via.append(Coordinate.of("sig", "s"), KIND, payload("one")));
      receipts.addAll(
          via.appendBatch(
              List.of(
                  new BatchItem(
                      Coordinate.of("sig", "s"),
                      KIND,
                      new io.batpak.Payload.Raw(payload("two")),
                      AppendOptions.defaults(),
                      -1),
                  new BatchItem(
                      Coordinate.of("sig-2", "s"),
                      KIND,
                      new io.batpak.Payload.Raw(payload("three")),
                      AppendOptions.defaults(),
                      -1))));
      for (AppendReceipt r : receipts) {
        assertTrue(r.signature().isPresent(), "the leader's signature travels with " + r);
      }
      for (ReplicatedStore s : c.live()) {
        s.awaitLeaderHead(Cluster.WAIT);
        for (AppendReceipt r : receipts) {
          assertTrue(s.verifyReceipt(r).isValid(), "verifies on " + s.memberId() + ": " + r);
        }
      }
    }
  }

  @Test
  void aMemberMergesItsOwnSealedSegmentsAndKeepsEveryEvent(@TempDir Path dir) throws Exception {
    try (Cluster c = Cluster.start(dir, 3)) {
      String id = c.follower().memberId();
      List<AppendReceipt> receipts = new ArrayList<>();
      // Each restart seals the member's active segment: three small sealed segments to merge.
      for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 3; i++) {
          receipts.add(
              c.leader()
                  .append(Coordinate.of("m-" + i, "s"), KIND, payload("round " + round + " " + i)));
        }
        c.member(id).awaitLeaderHead(Cluster.WAIT);
        c.kill(id);
        c.startMember(id);
      }
      ReplicatedStore member = c.member(id);
      member.awaitLeaderHead(Cluster.WAIT);
      io.batpak.CompactionResult merged = member.compact(CompactionConfig.merge());
      assertEquals(
          io.batpak.CompactionResult.Outcome.PERFORMED, merged.outcome(), merged.toString());
      assertTrue(merged.segmentsAfter() < merged.segmentsBefore(), merged.toString());
      receipts.add(member.append(Coordinate.of("m-0", "s"), KIND, payload("after the merge")));
      for (ReplicatedStore s : c.live()) {
        s.awaitLeaderHead(Cluster.WAIT);
        for (AppendReceipt r : receipts) {
          assertTrue(s.verifyReceipt(r).isValid(), "on " + s.memberId() + ": " + r);
        }
      }
      c.assertConverged();
    }
  }

  /**
   * A read barrier ends when its member closes: it waits for the member to apply the leader's
   * entries, and a closed member applies none.
   */
  @Test
  void aReadBarrierEndsWhenItsMemberCloses(@TempDir Path dir) throws Exception {
    EventKind kind = EventKind.custom(1, 4);
    try (Cluster c = Cluster.start(dir, 3, id -> null, java.time.Duration.ofSeconds(5))) {
      java.util.concurrent.ExecutorService waiter =
          java.util.concurrent.Executors.newSingleThreadExecutor();
      try {
        ReplicatedStore leader = c.leader();
        ReplicatedStore follower = c.follower();
        leader.append(Coordinate.of("barrier", "s"), kind, Bytes.utf8("e0"));
        c.assertConverged();
        // Cut off, the follower holds every event but applies none of the leader's next entries:
        // refused appends, which write nothing.
        Cluster.cutOff(follower.memberId());
        for (int i = 0; i < 3; i++) {
          assertThrows(
              ConcurrencyConflictException.class,
              () ->
                  leader.append(
                      Coordinate.of("barrier", "s"),
                      kind,
                      Bytes.utf8("refused"),
                      AppendOptions.defaults().withExpectedVersion(ExpectedVersion.exactly(99))));
        }
        java.util.concurrent.Future<ReplicaHead> barrier =
            waiter.submit(() -> follower.awaitLeaderHead(java.time.Duration.ofMinutes(10)));
        Thread.sleep(2_000);
        assertFalse(barrier.isDone(), "the cut-off follower has not applied the leader's entries");
        Thread closing = new Thread(() -> c.kill(follower.memberId()));
        closing.setDaemon(true);
        closing.start();
        java.util.concurrent.ExecutionException ended =
            assertThrows(
                java.util.concurrent.ExecutionException.class,
                () -> barrier.get(20, java.util.concurrent.TimeUnit.SECONDS),
                "the barrier ends once its member closes");
        assertTrue(
            ended.getCause() instanceof io.batpak.StoreClosedException,
            String.valueOf(ended.getCause()));
      } finally {
        Cluster.heal(); // blocked handler threads would hold up the servers' close
        waiter.shutdownNow();
      }
    }
  }

  /**
   * A member whose local store cannot open does not start, and says why with the store's own typed
   * error (start's contract), not a wrapper of Ratis's start.
   */
  @Test
  void aMemberWhoseStoreCannotOpenFailsToStartWithTheStoresTypedError(@TempDir Path dir)
      throws Exception {
    try (Cluster c = Cluster.start(dir, 3)) {
      ReplicatedStore follower = c.follower();
      String id = follower.memberId();
      c.kill(id);
      // Another holder of the store's directory: the member's own open is refused.
      io.batpak.Store holder = io.batpak.Store.open(c.storeConfig(id));
      try {
        io.batpak.StoreLockedException locked =
            assertThrows(io.batpak.StoreLockedException.class, () -> c.startMember(id));
        assertTrue(locked.getMessage() != null, "the refusal says why");
      } finally {
        holder.close();
      }
      c.startMember(id);
      c.assertConverged();
    }
  }
}
