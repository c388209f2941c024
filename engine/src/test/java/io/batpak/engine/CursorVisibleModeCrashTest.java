package io.batpak.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.Cursor;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StoreListener;
import io.batpak.StoredEvent;
import io.batpak.fs.sim.CrashProfile;
import io.batpak.fs.sim.FaultRule;
import io.batpak.fs.sim.SimEntropy;
import io.batpak.fs.sim.SimSnapshot;
import io.batpak.fs.sim.SimStoreClock;
import io.batpak.fs.sim.SimStoreFs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A durable cursor in {@code VISIBLE} mode, where a power loss may take back visible events and
 * reuse their global sequences (DESIGN decision 3): a seeded session of appends, polls and
 * checkpoints, crashed before each of its file system operations. After the reopen the cursor opens
 * (its checkpoint, capped at the durable watermark, never lies past the surviving journal), resumes
 * no earlier than the last checkpoint that returned, and delivers exactly the surviving events
 * after it and then the events appended after the reopen in their reused numbers: no skip.
 */
@ExtendWith(Seeded.class)
class CursorVisibleModeCrashTest {
  static final Path DIR = Path.of("/sim/visible-cursor");
  static final String ID = "mailer";

  /** The through of the last checkpoint that returned (the listener is told after the save). */
  static final class LastSaved implements StoreListener {
    volatile long through = -1;

    @Override
    public void cursorCheckpointed(String checkpointId, long through, long visible) {
      this.through = through;
    }
  }

  private static StoreConfig config(SimStoreFs fs, int open, StoreListener listener) {
    return StoreConfig.builder(DIR)
        .fs(fs)
        .clock(new SimStoreClock())
        .entropy(new SimEntropy(23 + 1_000_003L * open))
        .deterministic(true)
        .visible(4, Duration.ofHours(1))
        .listener(listener)
        .build();
  }

  private static List<Long> seqs(List<StoredEvent> events) {
    return events.stream().map(e -> e.header().globalSequence()).toList();
  }

  private static List<StoredEvent> drain(Cursor c) {
    List<StoredEvent> all = new ArrayList<>();
    for (List<StoredEvent> b = c.pollBatch(5); !b.isEmpty(); b = c.pollBatch(5)) {
      all.addAll(b);
    }
    return all;
  }

  /** Appends, polls and checkpoints, by {@code seed}; ends at the first failure (the crash). */
  private static void session(SimStoreFs fs, long seed, LastSaved saved) {
    Random rnd = new Random(seed);
    Store s = null;
    try {
      s = Store.open(config(fs, 0, saved));
      Cursor c = s.cursor(Region.all(), ID);
      for (int step = 0; step < 40; step++) {
        int what = rnd.nextInt(10);
        if (what < 5) {
          s.append(
              Coordinate.of("mail:" + rnd.nextInt(3), "s"),
              StoreFixtures.KIND,
              Bytes.utf8("m" + step));
        } else if (what < 8) {
          c.pollBatch(1 + rnd.nextInt(4));
        } else if (what < 9) {
          c.checkpoint();
        } else {
          s.sync();
        }
      }
    } catch (RuntimeException crashed) {
      // the power loss
    } finally {
      if (s != null) {
        try {
          s.close();
        } catch (RuntimeException ignored) {
          // frozen by the crash
        }
      }
    }
  }

  @Test
  void aCheckpointNeverLiesPastTheSurvivingJournalNorSkipsItsReusedNumbers(Random random) {
    long seed = random.nextLong();
    SimStoreFs fs = SimStoreFs.builder().seed(seed).build();
    SimSnapshot empty = fs.snapshot();
    long before = fs.operationCount();
    session(fs, seed, new LastSaved());
    long ops = fs.operationCount() - before;
    int fired = 0;
    for (long k = 1; k <= ops; k++) {
      fs.restore(empty);
      fs.addFault(FaultRule.crashBeforeNth(k));
      LastSaved saved = new LastSaved();
      session(fs, seed, saved);
      fs.clearFaults();
      if (!fs.isFrozen()) {
        continue;
      }
      fired++;
      CrashProfile profile = CrashProfile.values()[(int) (k % CrashProfile.values().length)];
      fs.crash(profile);
      String where = "crash before operation " + k + " of " + ops + ", profile " + profile;
      try (Store s = Store.open(config(fs, 1, StoreListener.none()))) {
        List<Long> journal;
        try (Cursor all = s.cursor(Region.all())) {
          journal = seqs(drain(all));
        }
        try (Cursor c = s.cursor(Region.all(), ID)) {
          long resumed = c.position();
          assertTrue(
              resumed >= saved.through,
              where + ": resumed at " + resumed + ", before the checkpoint at " + saved.through);
          assertEquals(
              journal.stream().filter(g -> g > resumed).toList(),
              seqs(drain(c)),
              where + ": resumed at " + resumed);
          long next = journal.isEmpty() ? 0 : journal.get(journal.size() - 1) + 1;
          for (int i = 0; i < 3; i++) {
            s.append(Coordinate.of("mail:new", "s"), StoreFixtures.KIND, Bytes.utf8("n" + i));
          }
          assertEquals(
              List.of(next, next + 1, next + 2),
              seqs(drain(c)),
              where + ": the events appended after the reopen");
        }
      } catch (RuntimeException e) {
        throw new AssertionError(where + ": " + e, e);
      }
    }
    assertTrue(fired > 10, "only " + fired + " crash points fired");
  }
}
