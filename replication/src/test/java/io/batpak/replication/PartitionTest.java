package io.batpak.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.EventHeader;
import io.batpak.EventId;
import io.batpak.EventKind;
import io.batpak.IdempotencyKey;
import io.batpak.OutcomeUnknownException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Partitions through Ratis's request-blocking hook: a cut-off member neither handles the others'
 * log appends and votes nor has its own handled, so its server-to-server traffic is dropped. A
 * member cut off keeps no write that did not get through a quorum, and catches up by log after the
 * partition heals.
 */
class PartitionTest {
  private static final EventKind KIND = EventKind.custom(1, 6);

  private static AppendOptions keyed(long n) {
    return AppendOptions.defaults().withIdempotencyKey(IdempotencyKey.of(0xCC, n));
  }

  /** Appends through {@code via}, retrying with the same key while leadership settles. */
  private static AppendReceipt appendSurely(ReplicatedStore via, long n) {
    while (true) {
      try {
        return via.append(Coordinate.of("p", "s"), KIND, Bytes.utf8("op " + n), keyed(n));
      } catch (OutcomeUnknownException e) {
        // the entry may or may not be committed; the retry with the same key settles it
      }
    }
  }

  private static List<EventId> ids(ReplicatedStore s) {
    return Cluster.all(s).stream().map(EventHeader::eventId).toList();
  }

  @Test
  void aCutOffFollowerGetsNothingAndCatchesUpAfterTheHeal(@TempDir Path dir) throws Exception {
    try (Cluster c = Cluster.start(dir, 3, id -> null, Duration.ofSeconds(5))) {
      try {
        ReplicatedStore leader = c.leader();
        ReplicatedStore follower = c.follower();
        appendSurely(leader, 0);
        c.assertConverged();
        Cluster.cutOff(follower.memberId());
        List<AppendReceipt> during = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
          during.add(appendSurely(leader, i));
        }
        assertEquals(1, ids(follower).size(), "the cut-off follower applied nothing new");
        Cluster.heal();
        c.assertConverged();
        for (AppendReceipt r : during) {
          assertEquals(r.eventHash(), follower.get(r.eventId()).header().eventHash());
        }
      } finally {
        Cluster.heal(); // blocked handler threads would hold up the servers' close
      }
    }
  }

  @Test
  void aCutOffLeaderKeepsNoUncommittedWriteAndTheMajorityGoesOn(@TempDir Path dir)
      throws Exception {
    try (Cluster c = Cluster.start(dir, 3, id -> null, Duration.ofSeconds(3))) {
      try {
        ReplicatedStore old = c.leader();
        appendSurely(old, 0);
        c.assertConverged();
        Cluster.cutOff(old.memberId());
        // Only server-to-server traffic is cut: this member's Raft client may still reach the
        // majority's new leader (the append commits there), or give up (outcome unknown).
        try {
          old.append(Coordinate.of("p", "s"), KIND, Bytes.utf8("op 1"), keyed(1));
        } catch (OutcomeUnknownException e) {
          // either way, the cut-off member itself must not apply it
        }
        List<EventId> before = ids(old);
        assertEquals(1, before.size(), "the cut-off member applied nothing while cut off");
        ReplicatedStore majority = null;
        for (ReplicatedStore s : c.live()) {
          if (s != old) {
            majority = s;
          }
        }
        List<AppendReceipt> during = new ArrayList<>();
        for (int i = 2; i <= 4; i++) {
          during.add(appendSurely(majority, i));
        }
        assertEquals(before, ids(old), "still nothing new on the cut-off member");
        Cluster.heal();
        // Op 1 may commit late (its client still retries) or never; a keyed retry makes it one
        // copy.
        AppendReceipt op1 = appendSurely(majority, 1);
        c.assertConverged();
        for (ReplicatedStore s : c.live()) {
          List<EventId> all = ids(s);
          assertEquals(5, all.size(), "events on " + s.memberId() + ": " + all);
          assertTrue(all.contains(op1.eventId()));
          for (AppendReceipt r : during) {
            assertEquals(r.eventHash(), s.get(r.eventId()).header().eventHash());
          }
        }
      } finally {
        Cluster.heal(); // blocked handler threads would hold up the servers' close
      }
    }
  }
}
