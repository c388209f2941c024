package io.batpak.it.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.Store;
import io.batpak.fs.sim.CrashProfile;
import io.batpak.fs.sim.SimSnapshot;
import io.batpak.fs.sim.SimStoreFs;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Replays {@code crash-corpus.json}: each row is a seeded workload run with a fault, a crash with a
 * profile when the run ends (or when a crash fault froze the disk), a plain reopen and the {@link
 * Oracle}. A row fails when the oracle finds a violation or when the outcome class differs from the
 * one recorded. Digests are not pinned; running a row twice must give the same digests.
 *
 * <p>A row with {@code damage} instead names one case of {@link DamageExplorerIT} by its id (store,
 * segment, field, damage) and base seed: the store is built, the damage applied, and the store
 * reopened read-only and mutable under the damage oracle; its outcome is that of both opens.
 */
class CrashCorpusIT {

  /** One row of the corpus. */
  record Row(
      long seed,
      String workload,
      int steps,
      String fault,
      CrashProfile profile,
      String outcome,
      String reopenFault,
      String damage) {
    Row(long seed, String workload, int steps, String fault, CrashProfile profile, String outcome) {
      this(seed, workload, steps, fault, profile, outcome, null, null);
    }

    static Row of(Map<?, ?> m) {
      if (m.get("damage") != null) {
        return new Row(
            ((Number) m.get("seed")).longValue(),
            null,
            0,
            null,
            null,
            (String) m.get("outcome"),
            null,
            (String) m.get("damage"));
      }
      return new Row(
          ((Number) m.get("seed")).longValue(),
          (String) m.get("workload"),
          ((Number) m.get("steps")).intValue(),
          (String) m.get("fault"),
          CrashProfile.valueOf((String) m.get("profile")),
          (String) m.get("outcome"),
          (String) m.get("reopenFault"),
          null);
    }

    Workload build() {
      return new Workload(seed, Workload.kind(workload), Fault.parse(fault), steps);
    }

    @Override
    public String toString() {
      if (damage != null) {
        return "seed=" + seed + " damage=" + damage + " -> " + outcome;
      }
      return "seed="
          + seed
          + " "
          + workload
          + "/"
          + steps
          + " fault="
          + fault
          + " "
          + profile
          + (reopenFault == null ? "" : " reopen-fault=" + reopenFault)
          + " -> "
          + outcome;
    }
  }

  /** What replaying a row gave. */
  record Result(Oracle.Verdict verdict, long runDigest, long finalDigest, long crashPoint) {}

  static List<Row> rows() throws IOException {
    try (InputStream in = CrashCorpusIT.class.getResourceAsStream("/crash-corpus.json")) {
      if (in == null) {
        throw new IllegalStateException("crash-corpus.json is not on the test class path");
      }
      Map<?, ?> doc = (Map<?, ?>) Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      List<Row> rows = new ArrayList<>();
      for (Object o : (List<?>) doc.get("rows")) {
        rows.add(Row.of((Map<?, ?>) o));
      }
      return rows;
    }
  }

  /** Runs the row's workload, crashes, reopens and applies the oracle. */
  static Result replay(Row row) {
    if (row.damage() != null) {
      return replayDamage(row);
    }
    Workload w = row.build();
    SimStoreFs fs = SimStoreFs.builder().seed(row.seed()).build();
    fs.setFaultPlan(w.fault.plan());
    History h = w.run(fs);
    long s = fs.stateChangingOperationCount();
    fs.clearFaults();
    fs.crash(row.profile());
    Store store = null;
    RuntimeException failure = null;
    String prefix = "";
    if (row.reopenFault() != null) {
      // A fault during the reopen only: the open may refuse (then it is opened again without the
      // fault), but what it opens must pass the oracle.
      fs.setFaultPlan(Fault.parse(row.reopenFault()).plan());
      try {
        store = Store.open(Workload.plainConfig(fs, row.seed()));
      } catch (RuntimeException e) {
        prefix = "refused-" + e.getClass().getSimpleName() + "+";
      }
      fs.clearFaults();
    }
    SimSnapshot before = fs.snapshot();
    try {
      if (store == null) {
        store = Store.open(Workload.plainConfig(fs, row.seed()));
      }
    } catch (RuntimeException e) {
      failure = e;
    }
    Oracle.Verdict v;
    try {
      v = Oracle.check(h, s, store, failure, null, java.util.Set.of(), before);
      v = new Oracle.Verdict(prefix + v.outcome(), v.violations());
      for (String msg : h.inRunViolations) {
        v.violations().add("in run: " + msg);
      }
    } finally {
      if (store != null) {
        store.close();
      }
    }
    return new Result(v, h.digest, fs.digest(), s);
  }

  /** Builds the row's store, applies its damage, reopens both ways and applies the oracle. */
  static Result replayDamage(Row row) {
    DamageCases.Case c = DamageCases.findCase(row.seed(), row.damage());
    SimStoreFs fs = SimStoreFs.builder().seed(row.seed()).build();
    DamageOracle.Result r;
    try {
      r = DamageOracle.run(fs, c);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    List<String> violations = new ArrayList<>();
    for (String[] v : r.violations()) {
      violations.add(v[0] + ": " + v[1]);
    }
    String outcome =
        r.readOnly().equals(r.mutable())
            ? r.mutable()
            : "read-only " + r.readOnly() + ", mutable " + r.mutable();
    return new Result(
        new Oracle.Verdict(violations.isEmpty() ? outcome : "violation", violations),
        0,
        fs.digest(),
        0);
  }

  @TestFactory
  Stream<DynamicTest> everyRowKeepsItsOutcome() throws IOException {
    return rows().stream()
        .map(
            row ->
                DynamicTest.dynamicTest(
                    row.toString(),
                    () -> {
                      Result r = replay(row);
                      assertTrue(
                          r.verdict().ok(),
                          () -> row + ": oracle violations " + r.verdict().violations());
                      assertEquals(
                          row.outcome(),
                          r.verdict().outcome(),
                          () ->
                              row
                                  + ": the outcome changed (crash point "
                                  + r.crashPoint()
                                  + "); if the change is intended, update crash-corpus.json");
                    }));
  }

  @Test
  void sameSeedSameDigest() throws IOException {
    List<Row> rows = rows();
    assertFalse(rows.isEmpty());
    for (Row row : rows) {
      Result a = replay(row);
      Result b = replay(row);
      assertEquals(a.runDigest(), b.runDigest(), () -> row + ": the run's op-log digest differs");
      assertEquals(
          a.finalDigest(), b.finalDigest(), () -> row + ": the digest after the reopen differs");
      assertEquals(a.verdict(), b.verdict(), () -> row + ": the verdict differs");
    }
    // And the explorer's workloads: one per kind and fault, run twice with snapshots on.
    for (int i = 0; i < Fault.SLOTS; i++) {
      long seed = CrashExplorerIT.workloadSeed(CrashExplorerIT.DEFAULT_SEED, i);
      History a = Workload.forSeed(seed, 30).run(true);
      History b = Workload.forSeed(seed, 30).run(true);
      assertEquals(a.digest, b.digest, "explorer workload " + seed + ": digest differs");
      assertEquals(a.snapshots.size(), b.snapshots.size());
    }
  }
}
