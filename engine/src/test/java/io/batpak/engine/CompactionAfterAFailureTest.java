package io.batpak.engine;

import static io.batpak.engine.StoreFixtures.KIND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.CompactionConfig;
import io.batpak.CompactionResult;
import io.batpak.Coordinate;
import io.batpak.CorruptStoreException;
import io.batpak.OutcomeUnknownException;
import io.batpak.Store;
import io.batpak.StoreClosedException;
import io.batpak.StoreConfig;
import io.batpak.engine.internal.recovery.CompactionSettle;
import io.batpak.fs.sim.ErrorKind;
import io.batpak.fs.sim.FaultAction;
import io.batpak.fs.sim.FaultRule;
import io.batpak.fs.sim.FaultTrigger;
import io.batpak.fs.sim.FsOp;
import io.batpak.fs.sim.OpRecord;
import io.batpak.fs.sim.SimEntropy;
import io.batpak.fs.sim.SimSnapshot;
import io.batpak.fs.sim.SimStoreClock;
import io.batpak.fs.sim.SimStoreFs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A compaction that fails, at any of its file system operations, leaves a store the same session
 * can go on with: a second compaction, more appends, a close; the store then opens holding every
 * acknowledged event, with no compaction's leftovers in its directory. (The crash-point explorer in
 * the it module ends each faulted session right after its compaction; this is about what comes
 * next. A compaction that failed after its switch leaves the segments it replaced and its intent,
 * their only record: a second compaction that published its own intent over it left a store that
 * did not open.)
 */
@ExtendWith(Seeded.class)
class CompactionAfterAFailureTest {
  private static final Path DIR = Path.of("/sim/store");

  /** A store of four sealed segments, and the events acknowledged into it. */
  private record Setup(SimSnapshot disk, List<AppendReceipt> acked, long seed) {}

  private static StoreConfig config(SimStoreFs fs, long seed, int open) {
    return StoreConfig.builder(DIR)
        .fs(fs)
        .clock(new SimStoreClock())
        .entropy(new SimEntropy(seed + 1_000_003L * open)) // event ids never repeat across opens
        .deterministic(true)
        .segmentMaxBytes(64 << 10)
        .build();
  }

  private static Setup setup(Random random) {
    long seed = random.nextLong();
    SimStoreFs fs = SimStoreFs.builder().seed(seed).build();
    List<AppendReceipt> acked = new ArrayList<>();
    for (int open = 0; open < 4; open++) { // each open starts a segment, each close seals it
      try (Store s = Store.open(config(fs, seed, open))) {
        for (int i = 0; i < 5; i++) {
          byte[] payload = new byte[50 + random.nextInt(100)];
          random.nextBytes(payload);
          acked.add(s.append(Coordinate.of("e" + (i % 3), "s"), KIND, Bytes.of(payload)));
        }
      }
    }
    return new Setup(fs.snapshot(), acked, seed);
  }

  /** The file system operations of a clean merge of the setup's segments, in order. */
  private static List<OpRecord> cleanMergeOps(Setup setup) {
    SimStoreFs fs = SimStoreFs.fromSnapshot(setup.disk());
    try (Store s = Store.open(config(fs, setup.seed(), 4))) {
      long before = fs.operationCount();
      CompactionResult r = s.compact(CompactionConfig.merge());
      assertEquals(CompactionResult.Outcome.PERFORMED, r.outcome(), r.toString());
      List<OpRecord> ops = new ArrayList<>();
      for (OpRecord o : fs.opLog()) {
        if (o.seq() > before && isFsOp(o.op())) {
          ops.add(o);
        }
      }
      return ops;
    }
  }

  private static boolean isFsOp(String name) {
    return Arrays.stream(FsOp.values()).anyMatch(o -> o.name().equals(name));
  }

  private static List<FaultAction> actions(FsOp kind) {
    return switch (kind) {
      case WRITE, CREATE ->
          List.of(new FaultAction.Fail(ErrorKind.IO), new FaultAction.Fail(ErrorKind.NO_SPACE));
      case SYNC, DIR_SYNC ->
          List.of(new FaultAction.Fail(ErrorKind.IO), new FaultAction.FailedSync());
      default -> List.of(new FaultAction.Fail(ErrorKind.IO));
    };
  }

  @Test
  void aSessionGoesOnAfterACompactionFailedAtAnyStepAndTheStoreOpensWithEveryEvent(Random random)
      throws IOException {
    Setup setup = setup(random);
    List<OpRecord> ops = cleanMergeOps(setup);
    assertTrue(ops.size() > 10, "a merge of four segments takes more steps than " + ops);
    int runs = 0;
    int afterTheSwitch = 0;
    for (int k = 0; k < ops.size(); k++) {
      FsOp kind = FsOp.valueOf(ops.get(k).op());
      long nth = 0;
      for (int i = 0; i <= k; i++) {
        nth += ops.get(i).op().equals(kind.name()) ? 1 : 0;
      }
      for (FaultAction action : actions(kind)) {
        String where = "fault " + action + " on step " + (k + 1) + " (" + ops.get(k) + ")";
        CompactionResult first = session(setup, kind, nth, action, random, where);
        runs++;
        if (first != null
            && first.outcome() == CompactionResult.Outcome.FAILED
            && first.reason().endsWith("the next open removes what is left over")) {
          afterTheSwitch++;
        }
      }
    }
    System.out.printf(
        "%d faulted compactions over %d steps; %d failed after their switch%n",
        runs, ops.size(), afterTheSwitch);
    assertTrue(
        afterTheSwitch > 0,
        "no fault failed a compaction after its switch and left the store going, of " + runs);
  }

  /**
   * One session from the setup: a merge with {@code action} on its {@code nth} operation of kind
   * {@code kind}, then (faults cleared) a second compaction, three appends and a close; then an
   * open that must hold every acknowledged event. A fault that failed an fsync of the journal
   * poisons the store (the compaction throws, and the store must be closed and reopened, and says
   * so at its close), so the session ends there. Returns the first compaction's result, or null if
   * it threw.
   */
  private static CompactionResult session(
      Setup setup, FsOp kind, long nth, FaultAction action, Random random, String where)
      throws IOException {
    SimStoreFs fs = SimStoreFs.fromSnapshot(setup.disk());
    List<AppendReceipt> acked = new ArrayList<>(setup.acked());
    Store s = Store.open(config(fs, setup.seed(), 4));
    fs.addFault(FaultRule.on(kind, "**", FaultTrigger.nth(nth), action));
    CompactionResult first;
    try {
      first = s.compact(CompactionConfig.merge());
    } catch (OutcomeUnknownException e) { // an fsync of the journal failed: the store is poisoned
      first = null;
    }
    boolean fired = fs.opLog().stream().anyMatch(OpRecord::injected);
    fs.clearFaults();
    assertTrue(fired, where + ": the fault did not fire");
    boolean poisoned = poisoned(s);
    assertEquals(first == null, poisoned, where + ": " + first);
    if (!poisoned) {
      CompactionConfig again =
          random.nextBoolean() ? CompactionConfig.merge() : CompactionConfig.retain(e -> true);
      CompactionResult second = s.compact(again);
      assertTrue(
          second.outcome() != CompactionResult.Outcome.FAILED,
          where + ": the second compaction failed without a fault: " + second);
      for (int i = 0; i < 3; i++) {
        acked.add(s.append(Coordinate.of("later", "s"), KIND, Bytes.utf8("later " + i)));
      }
      assertEquals(
          List.of(), leftovers(fs), where + ", then " + first + " and " + second + ": left over");
    }
    StoreFixtures.close(s, poisoned);
    fs.restart();
    try (Store reopened = Store.open(config(fs, setup.seed(), 5))) {
      assertEquals(
          acked.size(), reopened.stats().eventCount(), where + ": events after the reopen");
      StoreFixtures.assertIntact(reopened, acked);
    }
    return first;
  }

  /** Whether a fault poisoned {@code s}: its sync then refuses. */
  private static boolean poisoned(Store s) {
    try {
      s.sync();
      return false;
    } catch (StoreClosedException | OutcomeUnknownException e) {
      return true;
    }
  }

  /**
   * A compaction that failed after its switch, followed by one whose removal of what it left over
   * fails too: that second compaction compacts nothing, says why, and keeps the intent; the next
   * open finishes the first.
   */
  @Test
  void aCompactionThatCannotFinishAnEarlierOneCompactsNothingAndTheOpenFinishesIt(Random random)
      throws IOException {
    Setup setup = setup(random);
    SimStoreFs fs = SimStoreFs.fromSnapshot(setup.disk());
    try (Store s = Store.open(config(fs, setup.seed(), 4))) {
      FaultRule failDeletes =
          FaultRule.on(
              FsOp.DELETE,
              "**/0000000001.seg",
              FaultTrigger.always(),
              FaultAction.fail(ErrorKind.IO));
      fs.addFault(failDeletes);
      CompactionResult first = s.compact(CompactionConfig.merge());
      assertEquals(CompactionResult.Outcome.FAILED, first.outcome(), first.toString());
      assertTrue(
          first.reason().endsWith("the next open removes what is left over"), first.reason());
      CompactionResult second = s.compact(CompactionConfig.merge());
      assertEquals(CompactionResult.Outcome.FAILED, second.outcome(), second.toString());
      assertTrue(
          second.reason().startsWith("finishing what an earlier compaction left")
              && second.reason().endsWith("nothing was compacted, and the next open finishes it"),
          second.reason());
      assertEquals(0, second.segmentsBefore(), second.toString());
      assertTrue(
          leftovers(fs).contains("compaction.intent"), "the intent is kept: " + leftovers(fs));
      StoreFixtures.assertIntact(s, setup.acked());
      fs.clearFaults();
    }
    fs.restart();
    try (Store s = Store.open(config(fs, setup.seed(), 5))) {
      assertEquals(setup.acked().size(), s.stats().eventCount());
      StoreFixtures.assertIntact(s, setup.acked());
      assertEquals(List.of(), leftovers(fs), "the open finished the first compaction");
    }
  }

  /**
   * Segments a compaction replaced, still present after its intent was lost (nothing the store does
   * loses it; here it is removed by hand): the open refuses, naming them, since it removes segments
   * only on an intent's word; a repair moves them aside and every event stays.
   */
  @Test
  void segmentsLeftBehindWithoutTheirIntentAreNamedAndARepairMovesThemAsideKeepingEveryEvent(
      Random random) throws IOException {
    Setup setup = setup(random);
    SimStoreFs fs = SimStoreFs.fromSnapshot(setup.disk());
    try (Store s = Store.open(config(fs, setup.seed(), 4))) {
      fs.addFault(
          FaultRule.on(
              FsOp.DELETE,
              "**/0000000001.seg",
              FaultTrigger.nth(1),
              FaultAction.fail(ErrorKind.IO)));
      CompactionResult first = s.compact(CompactionConfig.merge());
      assertTrue(
          first.reason().endsWith("the next open removes what is left over"), first.reason());
      fs.clearFaults();
    }
    fs.deleteIfExists(DIR.resolve("compaction.intent"));
    fs.syncDirectory(DIR);
    CorruptStoreException refused =
        org.junit.jupiter.api.Assertions.assertThrows(
            CorruptStoreException.class, () -> Store.open(config(fs, setup.seed(), 5)));
    assertEquals(CompactionSettle.LEFT_BEHIND, refused.what(), refused.getMessage());
    assertTrue(refused.getMessage().contains("segments [1, 2, 3]"), refused.getMessage());
    Repair.Plan plan = Repair.plan(fs, DIR);
    assertEquals(Optional.of(DIR.resolve("0000000001.seg")), plan.cutFile(), plan.toString());
    assertEquals(0, plan.cutOffset(), plan.toString());
    assertEquals(
        List.of(DIR.resolve("0000000002.seg"), DIR.resolve("0000000003.seg")),
        plan.segmentsMovedAside());
    Path aside = Repair.apply(fs, plan, 42).orElseThrow();
    assertEquals(
        List.of("0000000001.seg.before-repair", "0000000002.seg", "0000000003.seg", "index.ckpt"),
        fs.list(aside).stream().sorted().toList(),
        "every segment moved aside is kept, with the checkpoint of the journal before the repair");
    try (Store s = Store.open(config(fs, setup.seed(), 6))) {
      assertEquals(setup.acked().size(), s.stats().eventCount());
      StoreFixtures.assertIntact(s, setup.acked());
    }
  }

  /** What compactions left in the directory: an intent or an output being built. */
  private static List<String> leftovers(SimStoreFs fs) throws IOException {
    List<String> out = new ArrayList<>();
    for (String name : fs.list(DIR)) {
      if (name.startsWith("compaction.intent") || name.endsWith(".compacting")) {
        out.add(name);
      }
    }
    return out;
  }
}
