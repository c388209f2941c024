package io.batpak.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.replication.ReplicatedStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The batpak-replicated system on its own: three members start and elect a leader, the appends the
 * harness makes (single and batch, at expected versions) land on every member, reads find them, and
 * the fairness check fails when a follower cannot show that it holds the leader's events.
 */
class ReplicatedSystemTest {
  private static final long SEED = Long.getLong("batpak.test.seed", 20261204L);

  private final ReplicatedSystem replicated = new ReplicatedSystem();

  @AfterEach
  void close() throws Exception {
    replicated.close();
  }

  @Test
  void everyMemberHoldsWhatTheLeaderAcknowledged(@TempDir Path dir) throws Exception {
    String seed = "seed " + SEED + " (replay with -Dbatpak.test.seed=" + SEED + ")";
    SplittableRandom r = new SplittableRandom(SEED);
    EventGenerator g = new EventGenerator(Payloads.create(256, SEED), SEED, 0, 1);
    replicated.open(dir);
    assertEquals(ReplicatedSystem.MEMBERS, replicated.members().size());
    assertTrue(replicated.leader().isLeader(), seed);

    long count = 0;
    long sum = 0;
    Map<String, Integer> perStream = new HashMap<>();
    List<Object> keys = new ArrayList<>();
    while (count < 300) {
      List<EventToAppend> batch = new ArrayList<>();
      int size = r.nextInt(4) == 0 ? 2 + r.nextInt(40) : 1;
      for (int i = 0; i < size; i++) {
        batch.add(g.next());
      }
      if (size == 1) {
        keys.add(replicated.append(batch.get(0)));
      } else {
        keys.addAll(replicated.appendBatch(batch));
      }
      for (EventToAppend e : batch) {
        count++;
        sum += e.contribution();
        perStream.merge(e.stream(), 1, Integer::sum);
      }
    }
    EventChecksum sent = new EventChecksum(count, sum);
    assertEquals(sent, replicated.scan(), seed);
    for (Object k : keys) {
      assertEquals(256, replicated.readPoint(k), seed);
    }
    for (Map.Entry<String, Integer> e : perStream.entrySet()) {
      assertEquals(e.getValue(), replicated.readStream(e.getKey()), e.getKey() + ", " + seed);
    }
    for (ReplicatedStore m : replicated.members()) {
      assertEquals(
          count, m.head().nextGlobalSequence(), "member " + m.memberId() + " after the scan");
    }

    // A follower that cannot answer its read barrier fails the check instead of being skipped.
    ReplicatedStore follower =
        replicated.members().stream().filter(m -> m != replicated.leader()).findFirst().get();
    assertNotSame(replicated.leader(), follower);
    follower.close();
    RuntimeException e = assertThrows(RuntimeException.class, replicated::scan, seed);
    assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), e.toString());
  }

  @Test
  void hasNoReopenWorkloadAndSaysSo() {
    UnsupportedOperationException e =
        assertThrows(UnsupportedOperationException.class, () -> replicated.openAndCount(null));
    assertTrue(e.getMessage().contains("batpak-replicated"), e.getMessage());
  }
}
