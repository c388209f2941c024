package io.batpak.it.projection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.Projection;
import io.batpak.ProjectionCacheStats;
import io.batpak.ProjectionResult;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.fs.sim.CrashProfile;
import io.batpak.fs.sim.SimEntropy;
import io.batpak.fs.sim.SimSnapshot;
import io.batpak.fs.sim.SimStoreClock;
import io.batpak.fs.sim.SimStoreFs;
import io.batpak.it.projection.Folds.Acc;
import io.batpak.test.BatpakTest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The projection cache under crashes on fs-sim: a seeded workload in {@code VISIBLE} mode (so cache
 * entries are written for events a crash can still take) appends, projects with the cache writing
 * after every call, syncs now and then and reopens; snapshots after every state-changing operation
 * are crashed with every {@link CrashProfile} and reopened. On every reopened disk each stream's
 * projection equals the plain loop over what survived, before and after new appends (an entry that
 * folded events the crash took, or torn mid-publish, is a miss, never a wrong state), and again
 * from the cache.
 */
@BatpakTest
class ProjectionCrashIT {
  private static final Path DIR = Path.of("/sim/store");
  private static final int STREAMS = 3;

  /** A store on {@code fs}; {@code seed} seeds its ids, so each open needs another one. */
  private static StoreConfig config(SimStoreFs fs, long seed) {
    return StoreConfig.builder(DIR)
        .fs(fs)
        .clock(new SimStoreClock())
        .entropy(new SimEntropy(seed))
        .deterministic(true)
        .segmentMaxBytes(4096)
        .visible(5, Duration.ofHours(1))
        .projectionCache(true)
        .projectionCacheEvery(1)
        .build();
  }

  private static Projection<Acc> pick(Random rnd) {
    return rnd.nextBoolean() ? Folds.all(1) : Folds.onlyA();
  }

  @Test
  void noCrashMakesTheCacheGiveAWrongState(Random seeds) {
    long base = seeds.nextLong();
    long reopened = 0;
    long stale = 0;
    long hits = 0;
    for (int run = 0; run < 2; run++) {
      long seed = base + run;
      SimStoreFs fs = SimStoreFs.builder().seed(seed).recordSnapshots(true).build();
      Random rnd = new Random(seed);
      long opens = seed * 1_000;
      Store store = Store.open(config(fs, opens++));
      try {
        for (int step = 0; step < 70; step++) {
          int what = rnd.nextInt(10);
          if (what < 5) {
            Folds.append(store, rnd, 1 + rnd.nextInt(4), STREAMS);
          } else if (what < 9) {
            String entity = Folds.entity(rnd.nextInt(STREAMS));
            Projection<Acc> p = pick(rnd);
            assertEquals(
                Folds.loop(store, entity, p),
                store.project(entity, p).state(),
                "seed " + seed + " step " + step);
          } else if (rnd.nextBoolean()) {
            store.sync();
          } else {
            store.close();
            store = Store.open(config(fs, opens++));
          }
        }
      } finally {
        store.close();
      }
      List<SimSnapshot> snaps = new ArrayList<>(fs.recordedSnapshots());
      int stride = Math.max(1, snaps.size() / 50);
      for (int i = 0; i < snaps.size(); i += stride) {
        for (CrashProfile profile : CrashProfile.values()) {
          SimStoreFs disk = SimStoreFs.builder().seed(seed).build();
          disk.restore(snaps.get(i));
          disk.crash(profile);
          String where = "seed " + seed + " snapshot " + i + " " + profile;
          long ids = seed * 1_000 + 500 + i * 3L + profile.ordinal();
          ProjectionCacheStats st = judge(disk, ids, new Random(ids), where);
          reopened++;
          stale += st.stale();
          hits += st.hits();
        }
      }
    }
    System.out.println(
        "ProjectionCrashIT: "
            + reopened
            + " crashed disks, "
            + hits
            + " hits, "
            + stale
            + " stale");
    assertTrue(hits > 0, "the cache was used after crashes");
    assertTrue(stale > 0, "some entries had folded events a crash took (VISIBLE mode)");
  }

  /** Reopens a crashed disk and checks every stream's projections. */
  private static ProjectionCacheStats judge(SimStoreFs disk, long seed, Random rnd, String where) {
    try (Store s = Store.open(config(disk, seed))) {
      for (int round = 0; round < 3; round++) {
        for (int i = 0; i < STREAMS; i++) {
          String entity = Folds.entity(i);
          for (Projection<Acc> p : List.of(Folds.all(1), Folds.onlyA())) {
            ProjectionResult<Acc> r = s.project(entity, p);
            assertEquals(
                Folds.loop(s, entity, p), r.state(), where + " round " + round + " " + entity);
          }
        }
        Folds.append(s, rnd, 2 + rnd.nextInt(5), STREAMS); // new events where lost ones were
      }
      return s.projectionCacheStats();
    }
  }
}
