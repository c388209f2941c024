package io.batpak.it.artifacts;

import static io.batpak.it.artifacts.ArtifactStores.DIR;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.Coordinate;
import io.batpak.EventKind;
import io.batpak.OpenReport;
import io.batpak.OpenReport.IndexSource;
import io.batpak.Store;
import io.batpak.StoreStats;
import io.batpak.fs.sim.CrashProfile;
import io.batpak.fs.sim.FaultAction;
import io.batpak.fs.sim.FaultRule;
import io.batpak.fs.sim.FaultTrigger;
import io.batpak.fs.sim.SimSeed;
import io.batpak.fs.sim.SimSnapshot;
import io.batpak.fs.sim.SimStoreFs;
import io.batpak.it.crash.CrashShape;
import io.batpak.port.SyncMode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The three open paths give identical reads (issue 10, "Done when"): seeded random workloads on the
 * simulator (single appends and batches over several streams, 4 KiB segments so they rotate,
 * periodic checkpoints or none, sessions ended by a clean close or by a crash between calls, in the
 * middle of an append or in the middle of a close; a crash is a power loss under one of the
 * simulator's profiles or a killed process), after which the same directory is opened three ways:
 *
 * <ol>
 *   <li>as it is: from {@code index.ckpt} if there is one ({@code CHECKPOINT}), else seals;
 *   <li>with {@code index.ckpt} deleted: from the seals of sealed segments ({@code SEALS}, or
 *       {@code SCAN} when no segment is sealed);
 *   <li>with the seals stripped too (each segment ending in a valid trailer truncated to the footer
 *       offset the trailer names): a full scan ({@code SCAN}).
 * </ol>
 *
 * Each is opened read-only (which changes nothing) and then mutable (which cuts torn tails and may
 * start a segment). The source each reports is asserted, nothing may be distrusted (crashes never
 * damage a published checkpoint or a synced seal), and every read must be identical to the full
 * scan's: each event by id (header and payload), the global order in pages, each stream whole and
 * in pages, {@code latest}, the event and stream counts; read-only, also the segment count and the
 * journal bytes (less the stripped seal bytes). The full scan must also agree with the ledger:
 * every acknowledged event there and unchanged, nothing no call wrote.
 *
 * <p>Each run has its own seed, printed with any failure; {@code -Dbatpak.test.seed=<seed>} replays
 * that one run. The runs are fixed, as in the crash explorers, so a failure is never a matter of
 * luck: first every seed of {@link #REGRESSIONS} (runs that once failed), then {@code
 * -Dbatpak.test.runs=<n>} runs (default 40) whose seeds are drawn from the base seed {@code
 * -Dbatpak.test.seed=<base>} (default {@link #DEFAULT_SEED}); a new base explores new runs.
 */
class OpenPathsAgreeIT {
  private static final int RUNS = Integer.getInteger("batpak.test.runs", 40);

  /** The base seed of the drawn runs, unless {@code -Dbatpak.test.seed} names another. */
  static final long DEFAULT_SEED = 0xBA7BAC0011L;

  /**
   * Runs that once failed; each always runs. 7596459003943699936: a process killed before the sync
   * of a rotation's seal, a later session that started the next segment on the unsynced seal, then
   * a power loss that kept a prefix of it, so the sealed segment, no longer the newest, ended in a
   * torn footer frame and the open refused it (fixed in Journal.openForAppends; the class is swept
   * by the engine's KilledProcessOpenTest).
   */
  static final long[] REGRESSIONS = {7596459003943699936L};

  private static final long[] CHECKPOINT_EVERY = {0, 4096, 8192, 16384};
  private static final long[] SEGMENT_BYTES = {4096, 4096, 8192, 65536};

  /** How a session ends. */
  enum Ending {
    CLEAN_CLOSE,
    CRASH_BETWEEN_CALLS,
    CRASH_DURING_APPENDS,
    CRASH_DURING_CLOSE
  }

  /** What one run saw, for the coverage summary. */
  record Seen(IndexSource asIs, IndexSource withoutCheckpoint, boolean tornTail, int crashes) {}

  @Test
  void checkpointSealsAndFullScanGiveIdenticalReads() {
    Long fixed = Long.getLong("batpak.test.seed");
    List<Long> seeds = new ArrayList<>();
    if (fixed != null) {
      seeds.add(fixed);
    } else {
      for (long seed : REGRESSIONS) {
        seeds.add(seed);
      }
      long base = SimSeed.resolve(DEFAULT_SEED);
      System.out.println(
          "OpenPathsAgreeIT: base seed " + base + " (-Dbatpak.test.seed=" + base + ")");
      SplittableRandom pick = new SplittableRandom(base);
      for (int i = 0; i < RUNS; i++) {
        seeds.add(pick.nextLong());
      }
    }
    Map<IndexSource, Integer> asIs = new EnumMap<>(IndexSource.class);
    Map<IndexSource, Integer> withoutCheckpoint = new EnumMap<>(IndexSource.class);
    int torn = 0;
    int crashes = 0;
    for (long seed : seeds) {
      Seen seen;
      try {
        seen = runOne(seed);
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError(
            "[seed " + seed + ": rerun with -Dbatpak.test.seed=" + seed + "] " + e.getMessage(), e);
      }
      asIs.merge(seen.asIs(), 1, Integer::sum);
      withoutCheckpoint.merge(seen.withoutCheckpoint(), 1, Integer::sum);
      torn += seen.tornTail() ? 1 : 0;
      crashes += seen.crashes();
    }
    System.out.println(
        "OpenPathsAgreeIT: "
            + seeds.size()
            + " runs, as-is sources "
            + asIs
            + ", without checkpoint "
            + withoutCheckpoint
            + ", "
            + crashes
            + " crashes, "
            + torn
            + " torn tails");
    if (fixed == null && RUNS >= 20) {
      // The property is only as good as the shapes it met: each open path must have been taken.
      assertTrue(asIs.getOrDefault(IndexSource.CHECKPOINT, 0) > 0, "no run opened a checkpoint");
      assertTrue(withoutCheckpoint.getOrDefault(IndexSource.SEALS, 0) > 0, "no run loaded seals");
      assertTrue(crashes > 0, "no run crashed");
    }
  }

  private static Seen runOne(long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    SimStoreFs fs = SimStoreFs.builder().seed(seed).build();
    Ledger ledger = new Ledger();
    long every = CHECKPOINT_EVERY[rnd.nextInt(CHECKPOINT_EVERY.length)];
    long segmentBytes = SEGMENT_BYTES[rnd.nextInt(SEGMENT_BYTES.length)];
    SyncMode syncMode = rnd.nextBoolean() ? SyncMode.DATA : SyncMode.ALL;
    int streams = 1 + rnd.nextInt(6);
    int sessions = 1 + rnd.nextInt(4);
    int crashes = 0;
    for (int session = 1; session <= sessions; session++) {
      Store store =
          Store.open(
              ArtifactStores.simConfig(fs, seed * 31 + session)
                  .checkpointEveryBytes(every)
                  .segmentMaxBytes(segmentBytes)
                  .syncMode(syncMode)
                  .build());
      Ending ending = Ending.values()[rnd.nextInt(Ending.values().length)];
      int calls = 5 + rnd.nextInt(70);
      boolean crashed = false;
      for (int call = 0; call < calls && !crashed; call++) {
        if (call == 1 && ending == Ending.CRASH_DURING_APPENDS) {
          // After the first call, so the store directory and one event are durable.
          fs.addFault(crashRule(rnd, 1 + rnd.nextInt(3 * calls)));
        }
        RuntimeException failed = ledger.call(store, intents(rnd, session, call, streams));
        if (failed != null && !fs.isFrozen()) {
          throw new AssertionError("an append failed without a crash: " + failed, failed);
        }
        // A crash in a periodic checkpoint after the append's sync is logged, not thrown: the
        // append succeeded, and the simulator is frozen all the same.
        crashed = fs.isFrozen();
      }
      fs.clearFaults();
      if (!crashed) {
        switch (ending) {
          case CLEAN_CLOSE, CRASH_DURING_APPENDS -> store.close();
          case CRASH_BETWEEN_CALLS -> crashed = true;
          case CRASH_DURING_CLOSE -> {
            fs.addFault(crashRule(rnd, 1 + rnd.nextInt(30)));
            try {
              store.close();
            } catch (RuntimeException e) {
              if (!fs.isFrozen()) {
                throw new AssertionError("close failed without a crash: " + e, e);
              }
            }
            crashed = fs.isFrozen();
            fs.clearFaults();
          }
        }
      }
      if (crashed) {
        // A power loss (one of the simulator's profiles) or a killed process (every byte stays).
        int kind = rnd.nextInt(CrashProfile.values().length + 1);
        if (kind == CrashProfile.values().length) {
          fs.restart();
        } else {
          fs.crash(CrashProfile.values()[kind]);
        }
        crashes++;
      }
    }
    return openThreeWays(fs.snapshot(), seed, ledger, crashes);
  }

  private static FaultRule crashRule(SplittableRandom rnd, long nth) {
    FaultAction crash = rnd.nextBoolean() ? FaultAction.crashBefore() : FaultAction.crashAfter();
    return new FaultRule(null, "**", FaultTrigger.nth(nth), crash);
  }

  private static List<Ledger.Intent> intents(
      SplittableRandom rnd, int session, int call, int streams) {
    int items = rnd.nextInt(4) == 0 ? 2 + rnd.nextInt(7) : 1;
    List<Ledger.Intent> out = new ArrayList<>();
    for (int i = 0; i < items; i++) {
      int stream = rnd.nextInt(streams);
      EventKind kind = rnd.nextBoolean() ? ArtifactStores.KIND : ArtifactStores.OTHER_KIND;
      out.add(
          Ledger.intent(
              session,
              call,
              i,
              Coordinate.of("entity-" + stream, "scope-" + (stream % 2)),
              kind,
              rnd.nextInt(320),
              rnd.nextLong()));
    }
    return out;
  }

  private static Seen openThreeWays(SimSnapshot state, long seed, Ledger ledger, int crashes) {
    try {
      return openThreeWaysOrExplain(state, seed, ledger, crashes);
    } catch (AssertionError e) {
      throw new AssertionError(
          e.getMessage() + "; the directory: " + files(SimStoreFs.fromSnapshot(state)), e);
    }
  }

  private static Seen openThreeWaysOrExplain(
      SimSnapshot state, long seed, Ledger ledger, int crashes) {
    try {
      SimStoreFs asIs = SimStoreFs.fromSnapshot(state);
      SimStoreFs noCheckpoint = SimStoreFs.fromSnapshot(state);
      SimStoreFs fullScan = SimStoreFs.fromSnapshot(state);
      boolean hasCheckpoint = asIs.exists(DIR.resolve(ArtifactStores.CHECKPOINT));
      List<String> sealed = ArtifactStores.sealedSegments(asIs, DIR);
      ArtifactStores.deleteCheckpoint(noCheckpoint, DIR);
      long stripped = CrashShape.strip(fullScan, DIR).bytes();
      IndexSource fromSeals = sealed.isEmpty() ? IndexSource.SCAN : IndexSource.SEALS;
      IndexSource expectedAsIs = hasCheckpoint ? IndexSource.CHECKPOINT : fromSeals;

      Opened scan = open(fullScan, seed, true, IndexSource.SCAN, "full scan");
      List<String> broken = ledger.violations(scan.reads());
      assertTrue(broken.isEmpty(), "the full scan breaks the ledger: " + broken);
      Opened one = open(asIs, seed, true, expectedAsIs, "as is");
      Opened two = open(noCheckpoint, seed, true, fromSeals, "without checkpoint");
      for (Opened o : List.of(one, two)) {
        assertEquals(List.of(), scan.reads().differencesFrom(o.reads()), o.label() + " vs scan");
      }
      StoreStats a = one.reads().stats();
      StoreStats b = two.reads().stats();
      StoreStats c = scan.reads().stats();
      assertEquals(a, b, "stats as is vs without checkpoint");
      assertEquals(a.segmentCount(), c.segmentCount(), "segment count vs scan");
      assertEquals(a.journalBytes() - stripped, c.journalBytes(), "journal bytes less the seals");

      for (Opened o :
          List.of(
              open(fullScan, seed, false, IndexSource.SCAN, "full scan, mutable"),
              open(asIs, seed, false, expectedAsIs, "as is, mutable"),
              open(noCheckpoint, seed, false, fromSeals, "without checkpoint, mutable"))) {
        assertEquals(List.of(), scan.reads().differencesFrom(o.reads()), o.label() + " vs scan");
      }
      return new Seen(expectedAsIs, fromSeals, one.report().tornTail().isPresent(), crashes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private record Opened(String label, OpenReport report, StoreReads reads) {}

  private static Opened open(
      SimStoreFs fs, long seed, boolean readOnly, IndexSource expected, String label) {
    String how = label + (readOnly ? ", read-only" : "");
    try (Store s = Store.open(ArtifactStores.simConfig(fs, seed).readOnly(readOnly).build())) {
      OpenReport.IndexLoad load = s.openReport().indexLoad();
      assertEquals(expected, load.source(), how + ": " + load);
      assertEquals(List.of(), load.distrusted(), how + ": nothing is distrusted");
      return new Opened(how, s.openReport(), StoreReads.of(s));
    }
  }

  /** Files and sizes, for messages. */
  static Map<String, Integer> files(SimStoreFs fs) {
    Map<String, Integer> out = new TreeMap<>();
    try {
      for (String f : fs.list(DIR)) {
        out.put(f, fs.contentOf(DIR.resolve(f)).length);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }
}
