package io.batpak.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.CausationId;
import io.batpak.ConcurrencyConflictException;
import io.batpak.Coordinate;
import io.batpak.EventHeader;
import io.batpak.EventKind;
import io.batpak.ExpectedVersion;
import io.batpak.IdempotencyKey;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group entries (ADR 0042) of a chosen shape: every part gets its own outcome, a group of plain
 * appends is written as one batch with the same events as part by part, and a group the store
 * refuses as a batch falls back to parts, each refused or written on its own, alike on every
 * member.
 */
class GroupEntriesTest {
  private static final EventKind KIND = EventKind.custom(1, 7);
  private static long keys = 0x6e0;

  private static Entries.Item item(
      String entity, String payload, AppendOptions options, int cause) {
    return new Entries.Item(
        Coordinate.of(entity, "group"),
        KIND,
        Bytes.utf8(payload),
        options.withIdempotencyKey(IdempotencyKey.of(0x6e, keys++)),
        cause);
  }

  private static Entries.Append part(ReplicaHead claim, long micros, Entries.Item... items) {
    return new Entries.Append(claim, micros, List.of(items));
  }

  private static List<AppendReceipt> ok(Entries.Reply reply) {
    return assertInstanceOf(Entries.Ok.class, reply).receipts();
  }

  @Test
  void aGroupOfPlainAppendsGivesEachPartItsOwnReceiptsAndOneTimeOnEveryMember(@TempDir Path dir)
      throws Exception {
    try (Cluster c = Cluster.start(dir, 3)) {
      ReplicatedStore leader = c.leader();
      ReplicaHead claim = leader.head();
      AppendOptions none = AppendOptions.defaults();
      // Part 2 builds on part 1's event in the same stream; part 3 is a batch whose second item
      // names its first as cause (an index within the part, moved when the parts are joined).
      List<Entries.Reply> replies =
          leader.proposeGroup(
              List.of(
                  part(
                      claim,
                      1_000,
                      item("a", "a0", none.withExpectedVersion(ExpectedVersion.noStream()), -1)),
                  part(
                      claim,
                      3_000,
                      item("a", "a1", none.withExpectedVersion(ExpectedVersion.exactly(0)), -1)),
                  part(claim, 2_000, item("b", "b0", none, -1), item("b", "b1", none, 0))));
      assertEquals(3, replies.size());
      List<AppendReceipt> receipts = new ArrayList<>();
      for (Entries.Reply r : replies) {
        receipts.addAll(ok(r));
      }
      assertEquals(4, receipts.size());
      assertEquals(1, ok(replies.get(2)).get(1).streamSequence());
      c.assertConverged();
      for (ReplicatedStore s : c.live()) {
        List<EventHeader> all = Cluster.all(s);
        assertEquals(4, all.size(), "events on " + s.memberId());
        int[] parts = {1, 2, 3, 3};
        for (int i = 0; i < 4; i++) {
          EventHeader h = all.get(i);
          assertEquals(receipts.get(i).eventId(), h.eventId());
          assertEquals(parts[i], RaftPlacement.raftPartOf(h), "part of event " + i);
          assertEquals(3_000, h.timestampMicros(), "a group's events carry its newest part's time");
        }
        assertEquals(
            Optional.of(CausationId.of(all.get(2).eventId())),
            all.get(3).causation(),
            "the cause named within part 3");
      }
    }
  }

  @Test
  void aGroupTheStoreRefusesAsOneBatchAppliesPartByPartWithEachPartsOutcome(@TempDir Path dir)
      throws Exception {
    try (Cluster c = Cluster.start(dir, 3)) {
      ReplicatedStore leader = c.leader();
      AppendOptions none = AppendOptions.defaults();
      IdempotencyKey earlierKey = IdempotencyKey.of(0x6e, 0xfff);
      AppendReceipt earlier =
          leader.append(
              Coordinate.of("c", "group"),
              KIND,
              Bytes.utf8("c0"),
              none.withIdempotencyKey(earlierKey));
      c.assertConverged();
      ReplicaHead claim = leader.head();
      Entries.Item retried =
          new Entries.Item(
              Coordinate.of("c", "group"),
              KIND,
              Bytes.utf8("c0"),
              none.withIdempotencyKey(earlierKey),
              -1);
      AppendOptions afterC0 = none.withExpectedVersion(ExpectedVersion.exactly(0));
      List<Entries.Reply> replies =
          leader.proposeGroup(
              List.of(
                  part(claim, 1_000, item("c", "c1", afterC0, -1)),
                  // Expects the version part 1 moved on from: refused, as it would be alone.
                  part(claim, 1_000, item("c", "c1 again", afterC0, -1)),
                  // A retry of an append committed before the group: its original receipt.
                  part(claim, 1_000, retried),
                  part(claim, 1_000, item("d", "d0", none, -1))));
      assertEquals(4, replies.size());
      assertEquals(1, ok(replies.get(0)).get(0).streamSequence());
      Entries.Rejected refused = assertInstanceOf(Entries.Rejected.class, replies.get(1));
      assertInstanceOf(ConcurrencyConflictException.class, refused.error());
      assertEquals(earlier.eventId(), ok(replies.get(2)).get(0).eventId());
      assertEquals(earlier.globalSequence(), ok(replies.get(2)).get(0).globalSequence());
      AppendReceipt d0 = ok(replies.get(3)).get(0);
      c.assertConverged();
      for (ReplicatedStore s : c.live()) {
        List<EventHeader> all = Cluster.all(s);
        Set<String> payloads = new HashSet<>();
        for (EventHeader h : all) {
          payloads.add(s.get(h.eventId()).payload().toUtf8());
        }
        assertEquals(Set.of("c0", "c1", "d0"), payloads, "events on " + s.memberId());
        assertEquals(d0.eventId(), all.get(all.size() - 1).eventId());
        assertEquals(4, RaftPlacement.raftPartOf(all.get(all.size() - 1)));
        assertEquals(3, all.size(), "the retried part wrote nothing on " + s.memberId());
      }
    }
  }
}
