package io.batpak.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.EventKind;
import io.batpak.ValidationException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Membership change through Raft: three members become five and then three again. */
class MembershipTest {
  private static final EventKind KIND = EventKind.custom(1, 4);

  @Test
  void threeBecomeFiveWhoCatchUpByLogAndOutliveTwoOriginalsThenBackToThree(@TempDir Path dir)
      throws Exception {
    try (Cluster c = Cluster.start(dir, 3)) {
      List<AppendReceipt> held = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        held.add(append(c.leader(), "three " + i));
      }
      c.joinMember("n4");
      c.joinMember("n5");
      c.leader().setMembers(c.peers);
      assertEquals(Set.of("n1", "n2", "n3", "n4", "n5"), c.leader().members());
      for (int i = 0; i < 5; i++) {
        held.add(append(c.member("n4"), "five " + i));
      }
      c.assertConverged();
      assertEquals(5, c.live().size());

      // With five members, losing two of the original three keeps a quorum (it would not with 3).
      List<String> gone = new ArrayList<>();
      String leader = c.leader().memberId();
      gone.add(leader);
      for (String id : List.of("n1", "n2", "n3")) {
        if (!id.equals(leader) && gone.size() < 2) {
          gone.add(id);
        }
      }
      for (String id : gone) {
        c.kill(id);
      }
      held.add(append(c.member("n5"), "after losing " + gone));

      // Back to three: the survivors.
      List<ReplicationConfig.Peer> survivors = new ArrayList<>();
      for (ReplicationConfig.Peer p : c.peers) {
        if (!gone.contains(p.id())) {
          survivors.add(p);
        }
      }
      c.leader().setMembers(survivors);
      Set<String> ids = c.leader().members();
      assertEquals(3, ids.size(), ids.toString());
      held.add(append(c.leader(), "three again"));
      c.assertConverged();
      for (ReplicatedStore s : c.live()) {
        assertEquals(held.size(), Cluster.all(s).size(), "events on " + s.memberId());
        for (AppendReceipt r : held) {
          assertEquals(r.eventHash(), s.get(r.eventId()).header().eventHash());
        }
      }
      ValidationException empty =
          assertThrows(ValidationException.class, () -> c.leader().setMembers(List.of()));
      assertEquals("a replicated store needs at least one member, got none", empty.getMessage());
    }
  }

  private static AppendReceipt append(ReplicatedStore via, String text) {
    return via.append(Coordinate.of("m", "s"), KIND, Bytes.utf8(text), AppendOptions.defaults());
  }
}
