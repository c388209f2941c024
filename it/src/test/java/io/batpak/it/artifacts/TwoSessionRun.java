package io.batpak.it.artifacts;

import io.batpak.Coordinate;
import io.batpak.EventKind;
import io.batpak.Store;
import io.batpak.fs.sim.FaultAction;
import io.batpak.fs.sim.FaultRule;
import io.batpak.fs.sim.FaultTrigger;
import io.batpak.fs.sim.FsOp;
import io.batpak.fs.sim.OpRecord;
import io.batpak.fs.sim.SimStoreFs;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The scenario of the routing tests, on a simulator: a first session appends {@link #FIRST} events
 * and closes cleanly (so a previous checkpoint and sealed segments exist), then a second session
 * appends up to {@link #SECOND} more over several rotations and closes, with the given fault rules
 * installed when it starts. The store is deterministic (simulated clock and entropy, no committer
 * thread), so one seed gives one sequence of operations: a run without faults (the control) locates
 * a step in its op log, and a run with a rule on that step's occurrence hits exactly it.
 *
 * @param fs the simulator after the run (the store closed, or its close failed)
 * @param ledger what was appended and acknowledged
 * @param secondStart the op-log sequence number at which the second session started
 * @param appendFailure the first append of the second session that failed, or null
 * @param closeFailure what the second session's close threw, or null
 */
record TwoSessionRun(
    SimStoreFs fs,
    Ledger ledger,
    long secondStart,
    RuntimeException appendFailure,
    RuntimeException closeFailure) {

  static final int FIRST = 40;
  static final int SECOND = 60;

  /** Runs the scenario; {@code rules} are installed as the second session starts. */
  static TwoSessionRun run(
      long seed, long checkpointEveryBytes, Consumer<SimStoreFs> beforeSecond, FaultRule... rules) {
    SimStoreFs fs = SimStoreFs.builder().seed(seed).build();
    Ledger ledger = new Ledger();
    try (Store s =
        Store.open(
            ArtifactStores.simConfig(fs, seed)
                .checkpointEveryBytes(checkpointEveryBytes)
                .build())) {
      appendSession(s, ledger, 1, FIRST);
    }
    if (beforeSecond != null) {
      beforeSecond.accept(fs);
    }
    long start = fs.operationCount();
    for (FaultRule r : rules) {
      fs.addFault(r);
    }
    RuntimeException appendFailure = null;
    RuntimeException closeFailure = null;
    Store s =
        Store.open(
            ArtifactStores.simConfig(fs, seed + 1)
                .checkpointEveryBytes(checkpointEveryBytes)
                .build());
    try {
      appendFailure = appendSession(s, ledger, 2, SECOND);
    } finally {
      try {
        s.close();
      } catch (RuntimeException e) {
        closeFailure = e;
      }
    }
    fs.clearFaults();
    return new TwoSessionRun(fs, ledger, start, appendFailure, closeFailure);
  }

  /** Appends up to {@code count} events; stops at the first failed call and returns it. */
  private static RuntimeException appendSession(Store s, Ledger ledger, int session, int count) {
    int call = 0;
    int done = 0;
    while (done < count) {
      int items = call % 5 == 4 && count - done >= 3 ? 3 : 1;
      List<Ledger.Intent> intents = new ArrayList<>();
      for (int i = 0; i < items; i++) {
        int n = done + i;
        EventKind kind = items > 1 ? ArtifactStores.OTHER_KIND : ArtifactStores.KIND;
        intents.add(
            Ledger.intent(
                session,
                call,
                i,
                Coordinate.of("order-" + (n % 3), "shop"),
                kind,
                40 + (n * 37) % 100,
                session * 1_000_003L + n));
      }
      RuntimeException failed = ledger.call(s, intents);
      if (failed != null) {
        return failed;
      }
      done += items;
      call++;
    }
    return null;
  }

  /** The second session's operations, in the order they ran (a publish before its steps). */
  List<OpRecord> secondSessionOps() {
    List<OpRecord> out = new ArrayList<>();
    for (OpRecord r : fs.opLog()) {
      if (r.seq() > secondStart && isFsOp(r.op())) {
        out.add(r);
      }
    }
    out.sort(Comparator.comparingLong(OpRecord::seq));
    return out;
  }

  private static boolean isFsOp(String op) {
    for (FsOp o : FsOp.values()) {
      if (o.name().equals(op)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether record {@code r} is an operation of kind {@code op} that a rule on {@code path}
   * matches.
   */
  static boolean about(OpRecord r, FsOp op, String path) {
    return r.op().equals(op.name())
        && (r.path().equals(path)
            || r.path().startsWith(path + " -> ")
            || r.path().endsWith(" -> " + path));
  }

  /**
   * A located step: the operation {@code record}, and its occurrence among the second session's
   * operations of its kind on {@code path} (what a rule on that kind and path, installed when the
   * session starts, counts).
   */
  record Step(String name, FsOp op, String path, long nth, OpRecord record) {
    /** A rule that fires on exactly this step. */
    FaultRule rule(FaultAction action) {
      return FaultRule.on(op, path, FaultTrigger.nth(nth), action);
    }
  }

  /**
   * Locates, in the second session, the operation at {@code index} of {@link #secondSessionOps}.
   */
  Step step(String name, FsOp op, String path, int index) {
    List<OpRecord> ops = secondSessionOps();
    OpRecord target = ops.get(index);
    if (!about(target, op, path)) {
      throw new AssertionError(name + ": record " + target + " is not a " + op + " of " + path);
    }
    long nth = 0;
    for (int i = 0; i <= index; i++) {
      if (about(ops.get(i), op, path)) {
        nth++;
      }
    }
    return new Step(name, op, path, nth, target);
  }

  /** The index in {@link #secondSessionOps} of the first operation after {@code from} matching. */
  int find(int from, Predicate<OpRecord> p) {
    List<OpRecord> ops = secondSessionOps();
    for (int i = Math.max(from, 0); i < ops.size(); i++) {
      if (p.test(ops.get(i))) {
        return i;
      }
    }
    throw new AssertionError("no such operation after index " + from + " in " + ops);
  }

  /** The index of the last operation before {@code before} matching. */
  int findBefore(int before, Predicate<OpRecord> p) {
    List<OpRecord> ops = secondSessionOps();
    for (int i = before - 1; i >= 0; i--) {
      if (p.test(ops.get(i))) {
        return i;
      }
    }
    throw new AssertionError("no such operation before index " + before + " in " + ops);
  }

  /** The record the fault rule fired on, or null. */
  OpRecord injected() {
    for (OpRecord r : fs.opLog()) {
      if (r.injected()) {
        return r;
      }
    }
    return null;
  }
}
