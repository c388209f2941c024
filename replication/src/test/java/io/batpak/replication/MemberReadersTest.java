package io.batpak.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.CompactionConfig;
import io.batpak.CompactionResult;
import io.batpak.Coordinate;
import io.batpak.Cursor;
import io.batpak.CursorWorker;
import io.batpak.CursorWorkerConfig;
import io.batpak.EventHeader;
import io.batpak.EventKind;
import io.batpak.IdempotencyKey;
import io.batpak.OutcomeUnknownException;
import io.batpak.Region;
import io.batpak.StoredEvent;
import io.batpak.Subscription;
import io.batpak.SubscriptionOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Readers on a member (a cursor, a reactor) go on through what changes the member's store under
 * them: a compaction proposed through the leader, and a snapshot install that swaps the store for
 * the leader's copy. They deliver every event the member holds, in order, and a reactor's
 * follow-ups are appended once each.
 */
class MemberReadersTest {
  private static final EventKind PLACED = EventKind.custom(6, 1);
  private static final EventKind NOISE = EventKind.custom(6, 2);
  private static final EventKind SHIPPED = EventKind.custom(6, 3);
  private static final ReplicationConfig.Snapshots EVERY_20 =
      new ReplicationConfig.Snapshots(20, 4096);

  /** Appends op {@code n} through the leader, retrying by key while leadership settles. */
  private static AppendReceipt appendSurely(Cluster c, EventKind kind, long n)
      throws InterruptedException {
    return appendSurely(c, kind, n, Bytes.utf8("op " + n));
  }

  private static AppendReceipt appendSurely(Cluster c, EventKind kind, long n, Bytes payload)
      throws InterruptedException {
    AppendOptions keyed = AppendOptions.defaults().withIdempotencyKey(IdempotencyKey.of(0x6B, n));
    while (true) {
      try {
        return c.leader().append(Coordinate.of("order-" + (n % 5), "shop"), kind, payload, keyed);
      } catch (OutcomeUnknownException e) {
        // maybe committed, maybe not: the retry with the same key settles it
      }
    }
  }

  /** Polls {@code cursor} until it returns nothing for a while; every event, in order. */
  private static List<StoredEvent> drain(Cursor cursor) {
    List<StoredEvent> out = new ArrayList<>();
    while (true) {
      List<StoredEvent> batch = cursor.pollBatch(64, Duration.ofMillis(200));
      if (batch.isEmpty()) {
        return out;
      }
      out.addAll(batch);
    }
  }

  private static List<Long> sequences(List<StoredEvent> events) {
    return events.stream().map(e -> e.header().globalSequence()).toList();
  }

  private static List<Long> sequencesAbove(ReplicatedStore m, long position) {
    return Cluster.all(m).stream()
        .map(EventHeader::globalSequence)
        .filter(s -> s > position)
        .toList();
  }

  @Test
  void aCursorOnAFollowerReadsOnThroughACompactionAndResumesFromItsCheckpoint(@TempDir Path dir)
      throws Exception {
    try (Cluster c = Cluster.start(dir, 3)) {
      // 8 KiB payloads in the members' 64 KiB segments: most events lie in sealed segments, which
      // compaction rewrites.
      for (long n = 0; n < 30; n++) {
        byte[] filler = new byte[8 * 1024];
        filler[0] = (byte) n;
        appendSurely(c, n % 3 == 0 ? PLACED : NOISE, n, Bytes.of(filler));
      }
      ReplicatedStore follower = c.follower();
      follower.awaitLeaderHead(Cluster.WAIT);
      List<Long> before = sequencesAbove(follower, -1);
      long position;
      try (Cursor cursor = follower.cursor(Region.all(), "audit")) {
        List<StoredEvent> first = cursor.pollBatch(10, Duration.ofSeconds(5));
        assertEquals(before.subList(0, 10), sequences(first), "the first ten events, in order");
        cursor.checkpoint();
        position = cursor.position();

        // The leader drops the noise; the open cursor then reads what the follower kept.
        CompactionResult r =
            c.leader().compact(CompactionConfig.retain(e -> !e.header().kind().equals(NOISE)));
        assertEquals(CompactionResult.Outcome.PERFORMED, r.outcome(), r.toString());
        for (long n = 30; n < 36; n++) {
          appendSurely(c, PLACED, n);
        }
        follower.awaitLeaderHead(Cluster.WAIT);
        List<Long> kept = sequencesAbove(follower, position);
        List<StoredEvent> rest = drain(cursor);
        assertEquals(kept, sequences(rest), "the cursor delivers exactly what the follower kept");
        assertTrue(r.eventsDropped() > 0, r.toString());
        assertTrue(
            sequencesAbove(follower, position).size() < before.size() - 10 + 6,
            "the follower dropped events the cursor had not read yet");
      }
      // Reopened by its id, the cursor starts after its checkpoint, over the compacted store.
      try (Cursor again = follower.cursor(Region.all(), "audit")) {
        assertEquals(position, again.position());
        assertEquals(sequencesAbove(follower, position), sequences(drain(again)));
      }
      c.assertConverged();
    }
  }

  @Test
  void readersOnAFollowerGoOnAfterTheFollowerInstallsASnapshot(@TempDir Path dir) throws Exception {
    try (Cluster c = Cluster.start(dir, 3, EVERY_20)) {
      try {
        List<AppendReceipt> sources = new ArrayList<>();
        for (long n = 0; n < 6; n++) {
          sources.add(appendSurely(c, PLACED, n));
        }
        c.assertConverged();
        ReplicatedStore follower = c.follower();
        // A durable cursor that saved a checkpoint, an anonymous one part way, a subscription from
        // the start and a reactor: all on the follower, all opened before it falls behind.
        Cursor saved = follower.cursor(Region.all().withKind(PLACED), "audit");
        assertEquals(3, saved.pollBatch(3, Duration.ofSeconds(5)).size());
        follower.sync(); // the journal is VISIBLE: a checkpoint covers only what is synced
        saved.checkpoint();
        long savedAt = saved.position();
        Cursor reading = follower.cursor(Region.all());
        List<StoredEvent> read = new ArrayList<>(reading.pollBatch(4, Duration.ofSeconds(5)));
        Subscription sub = follower.subscribeFrom(Region.all(), -1, SubscriptionOptions.defaults());
        List<Long> subscribed = new ArrayList<>();
        CursorWorker worker =
            follower.reactor(
                Region.all().withKind(PLACED),
                "shipper",
                CursorWorkerConfig.defaults()
                    .withBatchSize(8)
                    .withBackoff(Duration.ofMillis(1), Duration.ofMillis(20)),
                (source, reactions) ->
                    reactions.append(
                        Coordinate.of("shipment-" + source.header().globalSequence(), "shop"),
                        SHIPPED,
                        source.payload()));
        try {
          long first = sources.get(5).globalSequence();
          Cluster.await("the reactor handles the first sources", () -> worker.position() >= first);

          // Cut the follower off while the leader snapshots and purges past it.
          long cutAt = follower.head().appliedIndex();
          Cluster.cutOff(follower.memberId());
          for (long n = 6; n < 120; n++) {
            sources.add(appendSurely(c, PLACED, n));
          }
          ReplicatedStore leader = c.leader();
          Cluster.await(
              "the leader purges past the follower", () -> leader.raftLogStartIndex() > cutAt + 1);
          Cluster.heal();
          Cluster.await(
              "the follower installs a snapshot", () -> follower.snapshotsInstalled() >= 1);
          for (long n = 120; n < 125; n++) {
            sources.add(appendSurely(c, PLACED, n));
          }
          long last = sources.get(sources.size() - 1).globalSequence();
          Cluster.await(
              "the reactor reaches the last source after the install",
              () -> {
                assertTrue(worker.isRunning(), "the reactor runs on after the install");
                return worker.position() >= last;
              });
        } finally {
          worker.stop();
          worker.join();
        }
        for (ReplicatedStore m : c.live()) {
          m.awaitLeaderHead(Cluster.WAIT);
          List<EventHeader> shipped =
              Cluster.all(m).stream().filter(h -> h.kind().equals(SHIPPED)).toList();
          assertEquals(
              sources.size(), shipped.size(), "one follow-up per source on " + m.memberId());
        }
        c.assertConverged();
        List<Long> all = sequencesAbove(follower, -1);

        // The anonymous cursor goes on where it was: every event once, in order.
        read.addAll(drain(reading));
        assertEquals(all, sequences(read), "the cursor read on through the install");
        reading.close();
        // The subscription too, without a gap or a duplicate.
        while (subscribed.size() < all.size()) {
          Optional<EventHeader> e = sub.poll(Duration.ofSeconds(10));
          assertTrue(
              e.isPresent(), "the subscription delivers after the install: " + sub.endReason());
          subscribed.add(e.get().globalSequence());
        }
        assertEquals(all, subscribed, "the subscription went on through the install");
        sub.close();
        // The durable cursor's checkpoint came along into the installed store.
        saved.close();
        try (Cursor again = follower.cursor(Region.all().withKind(PLACED), "audit")) {
          assertEquals(savedAt, again.position(), "the checkpoint survived the install");
          assertEquals(
              sources.stream().map(AppendReceipt::globalSequence).filter(q -> q > savedAt).toList(),
              sequences(drain(again)));
        }
      } finally {
        Cluster.heal();
      }
    }
  }

  @Test
  void readersOnAMemberEndWithItWhenItCloses(@TempDir Path dir) throws Exception {
    try (Cluster c = Cluster.start(dir, 3)) {
      for (long n = 0; n < 4; n++) {
        appendSurely(c, PLACED, n);
      }
      ReplicatedStore follower = c.follower();
      follower.awaitLeaderHead(Cluster.WAIT);
      List<Long> handled = new java.util.concurrent.CopyOnWriteArrayList<>();
      CursorWorker worker =
          follower.cursorWorker(
              Region.all(),
              "closing",
              CursorWorkerConfig.defaults(),
              batch -> batch.forEach(e -> handled.add(e.header().globalSequence())));
      Cursor cursor = follower.cursor(Region.all());
      Subscription sub = follower.subscribeFrom(Region.all(), -1, SubscriptionOptions.defaults());
      Cluster.await("the worker handles the first events", () -> handled.size() == 4);
      assertEquals(4, cursor.pollBatch(10).size());
      assertEquals(4, sub.pollBatch(10, Duration.ofSeconds(5)).size());

      c.kill(follower.memberId());
      // The worker's supervisor ends with the member, without a failure; the others refuse.
      assertTrue(worker.join(Cluster.WAIT), "the worker ended with its member");
      assertFalse(worker.isRunning());
      assertThrows(io.batpak.StoreClosedException.class, () -> cursor.pollBatch(10));
      io.batpak.SubscriptionEndedException ended =
          assertThrows(
              io.batpak.SubscriptionEndedException.class,
              () -> sub.pollBatch(10, Duration.ofSeconds(5)));
      assertEquals(Subscription.End.STORE_CLOSED, ended.reason());
      cursor.close();
      sub.close();
    }
  }
}
