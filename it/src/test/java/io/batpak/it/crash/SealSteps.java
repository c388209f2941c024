package io.batpak.it.crash;

import io.batpak.fs.sim.ErrorKind;
import io.batpak.fs.sim.FaultAction;
import io.batpak.fs.sim.FaultPlan;
import io.batpak.fs.sim.FaultRule;
import io.batpak.fs.sim.FaultTrigger;
import io.batpak.fs.sim.FsOp;
import io.batpak.fs.sim.OpRecord;
import io.batpak.fs.sim.SimSnapshot;
import io.batpak.fs.sim.SimStoreFs;
import io.batpak.it.crash.History.Call;
import io.batpak.it.crash.History.Type;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The steps of a fault-free workload run that the seal explorer ({@link SealCrashExplorerIT}) puts
 * a fault on, found in the run's op log: every operation of sealing a segment on rotation (the seal
 * write, its sync, the next segment's creation, header write, sync and directory sync), of sealing
 * and publishing the index checkpoint on a clean close (the temporary file's removal, creation and
 * writes, the publish, its sync, rename and directory sync), of a periodic checkpoint, and of an
 * open that found a checkpoint (cutting a torn tail, removing a torn segment, starting a new one).
 *
 * <p>A seal write is recognised by what it left: the snapshot after it shows, at the end of the
 * write, a trailer (see {@link CrashShape}) naming the write's own position as the footer offset.
 */
final class SealSteps {
  private SealSteps() {}

  /** Which procedure a step belongs to. */
  enum Phase {
    ROTATION_SEAL,
    CLOSE_SEAL,
    CLOSE_CHECKPOINT,
    PERIODIC_CHECKPOINT,
    OPEN_AFTER_CHECKPOINT;

    String label() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  /**
   * One step: the procedure it belongs to, its role there (such as {@code seal-sync} or {@code
   * temp-write-2}), its record in the op log, and which occurrence it is of its kind of operation
   * on its path ({@code nth}, as a {@link FaultTrigger#nth} rule counts).
   */
  record Step(Phase phase, String role, OpRecord rec, long nth, boolean sealWrite) {
    /** The operation's (first) path: the op log shows a rename or publish as {@code from -> to}. */
    String path() {
      int arrow = rec.path().indexOf(" -> ");
      return arrow < 0 ? rec.path() : rec.path().substring(0, arrow);
    }

    String file() {
      return path().substring(path().lastIndexOf('/') + 1);
    }
  }

  /**
   * A fault on one step.
   *
   * @param step where
   * @param label what, such as {@code failed-sync}
   * @param action the simulator's action
   */
  record Aim(Step step, String label, FaultAction action) {
    /** The fault, as the workload runs it: the action on the step's operation, once. */
    Fault fault() {
      FsOp op = FsOp.valueOf(step.rec().op());
      String spec =
          label
              + "@"
              + step.phase().label()
              + ":"
              + step.role()
              + ":"
              + op
              + ":"
              + step.file()
              + "#"
              + step.nth()
              + "(op "
              + step.rec().seq()
              + ")";
      return new Fault(
          spec,
          FaultPlan.of(FaultRule.on(op, step.path(), FaultTrigger.nth(step.nth()), action)),
          Fault.Mode.HONEST);
    }
  }

  /** Every step of {@code h} (a fault-free run with snapshots). */
  static List<Step> of(History h) {
    Map<Long, SimSnapshot> afterOp = new HashMap<>();
    Map<Long, SimSnapshot> atChanges = new HashMap<>();
    for (SimSnapshot s : h.snapshots) {
      afterOp.put(s.operationCount(), s);
      atChanges.put(s.stateChangingOperationCount(), s);
    }
    SimStoreFs scratch = SimStoreFs.builder().seed(h.workload.seed).build();
    List<OpRecord> log = h.opLog;
    long[] before = new long[log.size()];
    long[] nth = new long[log.size()];
    Map<String, Long> counts = new HashMap<>();
    long changes = 0;
    for (int j = 0; j < log.size(); j++) {
      OpRecord r = log.get(j);
      before[j] = changes;
      nth[j] = counts.merge(r.op() + " " + r.path(), 1L, Long::sum);
      if (r.stateChanging()) {
        changes++;
      }
    }
    Map<Integer, Step> steps = new LinkedHashMap<>();
    int tempWrites = 0;
    Map<Call, Integer> openOps = new HashMap<>();
    for (int j = 0; j < log.size(); j++) {
      OpRecord r = log.get(j);
      Call close = within(h, Type.CLOSE, r, before[j]);
      boolean checkpointFile = r.path().contains(CrashShape.CHECKPOINT);
      boolean publishDirSync = r.op().equals("DIR_SYNC") && r.args().contains("publish");
      if (checkpointFile || publishDirSync) {
        Phase p = close != null ? Phase.CLOSE_CHECKPOINT : Phase.PERIODIC_CHECKPOINT;
        String role;
        switch (r.op()) {
          case "CREATE":
            tempWrites = 0;
            role = "temp-create";
            break;
          case "WRITE":
            role = "temp-write-" + ++tempWrites;
            break;
          case "SYNC":
            role = "publish-sync";
            break;
          case "RENAME":
            role = "publish-rename";
            break;
          case "DIR_SYNC":
            role = "publish-dirsync";
            break;
          default:
            role = r.op().toLowerCase(Locale.ROOT);
        }
        steps.put(j, new Step(p, role, r, nth[j], false));
        continue;
      }
      if (r.op().equals("WRITE") && r.path().endsWith(".seg") && isSealWrite(r, afterOp, scratch)) {
        Phase p = close != null ? Phase.CLOSE_SEAL : Phase.ROTATION_SEAL;
        steps.put(j, new Step(p, "seal-write", r, nth[j], true));
        int sync = next(log, j, "SYNC", r.path());
        if (sync >= 0) {
          steps.put(sync, new Step(p, "seal-sync", log.get(sync), nth[sync], false));
        }
        if (p == Phase.ROTATION_SEAL) {
          int create = next(log, j, "CREATE", null);
          if (create >= 0 && log.get(create).path().endsWith(".seg")) {
            String fresh = log.get(create).path();
            steps.put(create, new Step(p, "next-create", log.get(create), nth[create], false));
            for (String op : new String[] {"WRITE", "SYNC"}) {
              int k = next(log, create, op, fresh);
              if (k >= 0) {
                String role = "next-header-" + op.toLowerCase(Locale.ROOT);
                steps.put(k, new Step(p, role, log.get(k), nth[k], false));
              }
            }
            int dir = next(log, create, "DIR_SYNC", null);
            if (dir >= 0) {
              steps.put(dir, new Step(p, "next-dirsync", log.get(dir), nth[dir], false));
            }
          }
        }
        continue;
      }
      Call open = within(h, Type.OPEN, r, before[j]);
      if (open != null
          && OPEN_OPS.contains(r.op())
          && (r.path().endsWith(".seg") || r.op().equals("DIR_SYNC"))
          && checkpointAt(atChanges.get(open.start), scratch)) {
        int k = openOps.merge(open, 1, Integer::sum);
        String role = "open-" + k + "-" + r.op().toLowerCase(Locale.ROOT);
        steps.put(j, new Step(Phase.OPEN_AFTER_CHECKPOINT, role, r, nth[j], false));
      }
    }
    List<Step> out = new ArrayList<>(steps.values());
    out.sort((a, b) -> Long.compare(a.rec().seq(), b.rec().seq()));
    return out;
  }

  private static final List<String> OPEN_OPS =
      List.of("TRUNCATE", "SYNC", "DELETE", "CREATE", "WRITE", "DIR_SYNC");

  /** The faults that fit {@code step}. */
  static List<Aim> aims(Step step) {
    List<Aim> out = new ArrayList<>();
    String op = step.rec().op();
    switch (op) {
      case "WRITE":
        out.add(new Aim(step, "failed-write", FaultAction.fail(ErrorKind.IO)));
        if (step.rec().path().endsWith(".tmp")) {
          out.add(new Aim(step, "torn-temp-file", FaultAction.tornWrite(9)));
        }
        if (step.sealWrite()) {
          out.add(new Aim(step, "short-seal-write", FaultAction.shortWrite(7)));
        }
        break;
      case "SYNC":
        out.add(new Aim(step, "failed-sync", FaultAction.failedSync()));
        break;
      case "DIR_SYNC":
        out.add(new Aim(step, "failed-dirsync", FaultAction.failedSync()));
        break;
      case "PUBLISH":
      case "RENAME":
      case "CREATE":
      case "DELETE":
      case "TRUNCATE":
        out.add(
            new Aim(step, "failed-" + op.toLowerCase(Locale.ROOT), FaultAction.fail(ErrorKind.IO)));
        break;
      default:
        break;
    }
    return out;
  }

  /**
   * The aims for {@code steps}, {@code perKind} of each kind (phase, role and fault), drawn with
   * {@code seed} among the occurrences of that kind.
   */
  static List<Aim> sample(List<Step> steps, int perKind, long seed) {
    Map<String, List<Aim>> byKind = new LinkedHashMap<>();
    for (Step s : steps) {
      for (Aim a : aims(s)) {
        String kind = s.phase() + " " + s.role() + " " + a.label();
        byKind.computeIfAbsent(kind, k -> new ArrayList<>()).add(a);
      }
    }
    SplittableRandom rnd = new SplittableRandom(seed);
    List<Aim> out = new ArrayList<>();
    for (List<Aim> kind : byKind.values()) {
      List<Aim> left = new ArrayList<>(kind);
      for (int i = 0; i < perKind && !left.isEmpty(); i++) {
        out.add(left.remove(rnd.nextInt(left.size())));
      }
    }
    out.sort((a, b) -> Long.compare(a.step().rec().seq(), b.step().rec().seq()));
    return out;
  }

  /** The call of {@code type} that record {@code r} (after {@code changes} changes) is part of. */
  private static Call within(History h, Type type, OpRecord r, long changes) {
    for (Call c : h.calls) {
      if (c.type != type) {
        continue;
      }
      boolean in =
          r.stateChanging()
              ? changes >= c.start && changes < c.end
              : changes >= c.start && changes <= c.end && c.end > c.start;
      if (in) {
        return c;
      }
    }
    return null;
  }

  /** The index of the first record after {@code from} of {@code op} (on {@code path}), or -1. */
  private static int next(List<OpRecord> log, int from, String op, String path) {
    for (int k = from + 1; k < log.size(); k++) {
      OpRecord r = log.get(k);
      if (r.op().equals(op) && (path == null || r.path().equals(path))) {
        return k;
      }
    }
    return -1;
  }

  private static boolean isSealWrite(
      OpRecord r, Map<Long, SimSnapshot> afterOp, SimStoreFs scratch) {
    SimSnapshot after = afterOp.get(r.seq());
    long pos = arg(r.args(), "pos=");
    long len = arg(r.args(), "len=");
    if (after == null || pos < 0 || len < CrashShape.TRAILER) {
      return false;
    }
    try {
      scratch.restore(after);
      byte[] content = scratch.contentOf(Path.of(r.path()));
      if (content.length < pos + len) {
        return false;
      }
      byte[] upTo = java.util.Arrays.copyOf(content, (int) (pos + len));
      return CrashShape.footerOffset(upTo) == pos;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean checkpointAt(SimSnapshot s, SimStoreFs scratch) {
    if (s == null) {
      return false;
    }
    try {
      scratch.restore(s);
      return scratch.exists(Workload.DIR.resolve(CrashShape.CHECKPOINT));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long arg(String args, String name) {
    int i = args.indexOf(name);
    if (i < 0) {
      return -1;
    }
    int j = args.indexOf(' ', i);
    return Long.parseLong(
        j < 0 ? args.substring(i + name.length()) : args.substring(i + name.length(), j));
  }
}
