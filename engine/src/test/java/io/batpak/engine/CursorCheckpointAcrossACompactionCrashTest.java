package io.batpak.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.batpak.Bytes;
import io.batpak.CompactionConfig;
import io.batpak.CompactionResult;
import io.batpak.Coordinate;
import io.batpak.Cursor;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StoredEvent;
import io.batpak.fs.sim.CrashProfile;
import io.batpak.fs.sim.FaultRule;
import io.batpak.fs.sim.SimEntropy;
import io.batpak.fs.sim.SimSnapshot;
import io.batpak.fs.sim.SimStoreClock;
import io.batpak.fs.sim.SimStoreFs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A durable cursor that is part-way through the journal when a {@code RETAIN} compaction drops
 * events it has not reached yet, then goes on and saves its checkpoint; a power loss before each
 * file system operation of that session (compaction and checkpoint interleaved), under a profile
 * chosen by the operation's number. After the reopen, the cursor resumes from one of the two
 * checkpoints the session saved (never a damaged one, never before the first, never the first once
 * the second returned), and delivers exactly what the journal holds after it: no skip, no event
 * from before it, in global order. The compaction's own guarantee is checked on the side: every
 * event it keeps is still there.
 */
@ExtendWith(Seeded.class)
class CursorCheckpointAcrossACompactionCrashTest {
  static final Path DIR = Path.of("/sim/cursor-compaction");
  static final String ID = "billing";

  private static StoreConfig config(SimStoreFs fs, int open) {
    return StoreConfig.builder(DIR)
        .fs(fs)
        .clock(new SimStoreClock())
        .entropy(new SimEntropy(11 + 1_000_003L * open))
        .deterministic(true)
        .segmentMaxBytes(4096)
        .build();
  }

  private static boolean kept(StoredEvent e) {
    return !e.header().coordinate().entity().startsWith("temp-");
  }

  private static List<Long> seqs(List<StoredEvent> events) {
    return events.stream().map(e -> e.header().globalSequence()).toList();
  }

  private static List<StoredEvent> drain(Cursor c) {
    List<StoredEvent> all = new ArrayList<>();
    for (List<StoredEvent> b = c.pollBatch(7); !b.isEmpty(); b = c.pollBatch(7)) {
      all.addAll(b);
    }
    return all;
  }

  /** What the session got to. */
  static final class Progress {
    long firstThrough = -2;
    long secondThrough = -2;
    boolean secondReturned;
    boolean compacted;
  }

  /**
   * The session: the cursor takes {@code head} events and saves; takes a few more; a compaction
   * drops the temp- events; the cursor drains the rest and saves again.
   */
  private static void session(SimStoreFs fs, int head, Progress p) {
    Store s = null;
    try {
      s = Store.open(config(fs, 1));
      Cursor c = s.cursor(Region.all(), ID);
      c.pollBatch(head);
      c.checkpoint();
      p.firstThrough = head - 1;
      c.pollBatch(5); // delivered, not saved: the compaction may drop events past these
      CompactionResult r =
          s.compact(CompactionConfig.retain(CursorCheckpointAcrossACompactionCrashTest::kept));
      p.compacted = r.outcome() == CompactionResult.Outcome.PERFORMED;
      drain(c);
      c.checkpoint();
      p.secondReturned = true;
      p.secondThrough = c.position();
      c.close();
      s.close();
    } catch (RuntimeException crashed) {
      // the power loss: everything after it fails; the disk is judged after the crash
      if (s != null) {
        try {
          s.close();
        } catch (RuntimeException ignored) {
          // the simulated crash froze the file system
        }
      }
    }
  }

  @Test
  void theCheckpointAndTheDeliveryAfterAPowerLossAtEveryStep(Random random) {
    SimStoreFs fs = SimStoreFs.builder().seed(random.nextLong()).build();
    TreeSet<Long> keptSeqs = new TreeSet<>();
    int total = 0;
    for (int round = 0; round < 3; round++) { // sealed segments for the compaction to take
      try (Store s = Store.open(config(fs, 0))) {
        for (int i = 0; i < 12; i++) {
          String entity = (random.nextInt(3) == 0 ? "temp-" : "order-") + random.nextInt(4);
          long g =
              s.append(
                      Coordinate.of(entity, "s"),
                      StoreFixtures.KIND,
                      Bytes.utf8(entity + "/" + round + "/" + i + "/" + "x".repeat(200)))
                  .globalSequence();
          if (!entity.startsWith("temp-")) {
            keptSeqs.add(g);
          }
          total++;
        }
      }
    }
    int head = 3 + random.nextInt(total / 3);
    SimSnapshot base = fs.snapshot();

    Progress clean = new Progress();
    long before = fs.operationCount();
    session(fs, head, clean);
    long ops = fs.operationCount() - before;
    assertTrue(clean.compacted, "the seed's compaction dropped nothing; rerun");
    assertTrue(clean.secondReturned, "the clean session failed");

    int judged = 0;
    for (long k = 1; k <= ops; k++) {
      fs.restore(base);
      fs.addFault(FaultRule.crashBeforeNth(k));
      Progress p = new Progress();
      session(fs, head, p);
      fs.clearFaults();
      if (!fs.isFrozen()) {
        continue; // the session ended before operation k (the clean run's count was higher)
      }
      CrashProfile profile = CrashProfile.values()[(int) (k % CrashProfile.values().length)];
      fs.crash(profile);
      String where = "crash before operation " + k + " of " + ops + ", profile " + profile;
      judge(fs, p, keptSeqs, where);
      judged++;
    }
    assertTrue(judged > 10, "only " + judged + " crash points fired");
  }

  private static void judge(SimStoreFs fs, Progress p, TreeSet<Long> keptSeqs, String where) {
    try (Store s = Store.open(config(fs, 2))) {
      List<StoredEvent> journal;
      try (Cursor all = s.cursor(Region.all())) {
        journal = drain(all);
      }
      TreeSet<Long> now = new TreeSet<>(seqs(journal));
      if (!now.containsAll(keptSeqs)) {
        fail(where + ": the compaction lost kept events; journal holds " + now);
      }
      try (Cursor c = s.cursor(Region.all(), ID)) {
        long resumed = c.position();
        if (p.secondReturned) {
          assertEquals(p.secondThrough, resumed, where + ": the second checkpoint returned");
        } else if (p.firstThrough >= -1) {
          assertTrue(
              resumed >= p.firstThrough,
              where + ": resumed at " + resumed + ", before the first saved checkpoint");
        }
        List<Long> expected = now.stream().filter(g -> g > resumed).toList();
        assertEquals(expected, seqs(drain(c)), where + ": resumed at " + resumed);
      }
    } catch (RuntimeException e) {
      throw new AssertionError(where + ": " + e, e);
    }
  }
}
