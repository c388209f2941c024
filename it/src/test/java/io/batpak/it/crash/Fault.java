package io.batpak.it.crash;

import io.batpak.fs.sim.ErrorKind;
import io.batpak.fs.sim.FaultAction;
import io.batpak.fs.sim.FaultPlan;
import io.batpak.fs.sim.FaultRule;
import io.batpak.fs.sim.FaultTrigger;
import io.batpak.fs.sim.FsOp;
import java.util.Locale;

/**
 * A fault of a workload run, written as a short spec such as {@code none}, {@code lying-sync:0.3},
 * {@code failed-sync:4}, {@code failed-sync-keep:4}, {@code failed-dirsync:2}, {@code
 * short-write:9}, {@code enospc:20000}, {@code torn-write:7}, {@code crash-before:SYNC:3} or {@code
 * crash-after:WRITE:5}. The nth-occurrence faults count operations on the store's files from the
 * start of the run.
 *
 * @param spec the spec
 * @param plan the fault plan the simulator runs the workload with
 * @param mode which oracle rules apply
 */
record Fault(String spec, FaultPlan plan, Mode mode) {

  /** Which rules of the recovery oracle a fault leaves in force. */
  enum Mode {
    /**
     * The disk never lies (failures are reported): every rule applies; refusing to open is a
     * violation.
     */
    HONEST,
    /**
     * A sync may report success and keep nothing: acknowledged events may be lost, and the store
     * may refuse to open with a {@link io.batpak.CorruptStoreException}; no phantoms, a dense
     * prefix and verifying chains still apply.
     */
    LYING,
    /**
     * The plan corrupts bytes that become durable: the store opens with the damage reported or
     * refuses naming file and offset; it never returns wrong data.
     */
    CORRUPTING
  }

  private static final String SEGMENTS = "/sim/store/*.seg";

  static Fault parse(String spec) {
    String[] p = spec.split(":");
    switch (p[0]) {
      case "none":
        return new Fault(spec, FaultPlan.none(), Mode.HONEST);
      case "lying-sync":
        return new Fault(
            spec,
            FaultPlan.of(
                FaultRule.on(
                    FsOp.SYNC,
                    SEGMENTS,
                    FaultTrigger.probability(Double.parseDouble(p[1])),
                    FaultAction.lyingSync())),
            Mode.LYING);
      case "lying-dirsync":
        return new Fault(
            spec,
            FaultPlan.of(
                FaultRule.on(
                    FsOp.DIR_SYNC,
                    FaultTrigger.probability(Double.parseDouble(p[1])),
                    FaultAction.lyingSync())),
            Mode.LYING);
      case "failed-sync":
        return nth(spec, FsOp.SYNC, SEGMENTS, p[1], FaultAction.failedSync(), Mode.HONEST);
      case "failed-sync-keep":
        // The kernel keeps the failed pages readable but never writes them: a reopen in the same
        // boot sees bytes that a later power loss takes, whatever the reopen's fsync says.
        return nth(
            spec, FsOp.SYNC, SEGMENTS, p[1], FaultAction.failedSyncKeepsPages(), Mode.HONEST);
      case "failed-dirsync":
        return nth(spec, FsOp.DIR_SYNC, "**", p[1], FaultAction.failedSync(), Mode.HONEST);
      case "short-write":
        return nth(spec, FsOp.WRITE, SEGMENTS, p[1], FaultAction.shortWrite(7), Mode.HONEST);
      case "short-read":
        return nth(
            spec,
            FsOp.READ,
            SEGMENTS,
            p[1],
            FaultAction.shortRead(p.length > 2 ? Integer.parseInt(p[2]) : 0),
            Mode.HONEST);
      case "failed-read":
        return nth(spec, FsOp.READ, SEGMENTS, p[1], FaultAction.fail(ErrorKind.IO), Mode.HONEST);
      case "torn-write":
        return nth(spec, FsOp.WRITE, SEGMENTS, p[1], FaultAction.tornWrite(9), Mode.CORRUPTING);
      case "enospc":
        return new Fault(
            spec,
            FaultPlan.of(
                FaultRule.on(
                    FsOp.WRITE,
                    FaultTrigger.always(),
                    FaultAction.noSpaceQuota(Long.parseLong(p[1])))),
            Mode.HONEST);
      case "crash-before":
        return nth(
            spec,
            FsOp.valueOf(p[1].toUpperCase(Locale.ROOT)),
            "**",
            p[2],
            FaultAction.crashBefore(),
            Mode.HONEST);
      case "crash-after":
        return nth(
            spec,
            FsOp.valueOf(p[1].toUpperCase(Locale.ROOT)),
            "**",
            p[2],
            FaultAction.crashAfter(),
            Mode.HONEST);
      default:
        throw new IllegalArgumentException("unknown fault spec '" + spec + "'");
    }
  }

  private static Fault nth(
      String spec, FsOp op, String glob, String n, FaultAction action, Mode mode) {
    return new Fault(
        spec,
        FaultPlan.of(FaultRule.on(op, glob, FaultTrigger.nth(Long.parseLong(n)), action)),
        mode);
  }

  /** How many fault slots {@link #forSeed} cycles through (two of them are {@code none}). */
  static final int SLOTS = 9;

  /** The fault of the explorer's workload with this seed: a fixed mix, parameters from the seed. */
  static Fault forSeed(long seed) {
    int which = (int) ((seed >>> 8) & 0xFF) % SLOTS;
    int n = 1 + (int) ((seed >>> 16) & 0xFFFF) % 40;
    switch (which) {
      case 0:
      case 1:
        return parse("none");
      case 2:
        return parse("lying-sync:0." + (1 + n % 5));
      case 3:
        return parse("failed-sync:" + n);
      case 4:
        return parse("failed-dirsync:" + (1 + n % 6));
      case 5:
        return parse("short-write:" + n);
      case 6:
        return parse("enospc:" + (6000 + 400 * n));
      case 7:
        return parse("torn-write:" + n);
      default:
        return parse("failed-sync-keep:" + n);
    }
  }
}
