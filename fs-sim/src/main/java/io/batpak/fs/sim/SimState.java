package io.batpak.fs.sim;

import io.batpak.port.FileHandle;
import io.batpak.port.StoreLock;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Everything one {@link SimStoreFs} holds, and the one path every operation takes through it. The
 * rooms: the {@link Namespace} (directory tree, inodes, names), the seeded {@link Rng}, the {@link
 * OpLog}, the {@link FaultInjector}, the {@link OpenHandles}, and whether a crash fault froze the
 * simulator; {@link Durability} and {@link PowerLoss} act on the namespace. {@link #run} is the
 * pipeline: frozen check, precheck, fault, body, log. Control calls that are not faultable log
 * through {@link #logControl}.
 *
 * <p>Every method must be called holding {@link #mutex}, except those that take it themselves
 * ({@link #run}, {@link #createSymlink}, {@link #file}, {@link #snapshot}, {@link #restore}).
 */
final class SimState {

  /** The work of one operation, given the fault action it meets (or null). */
  @FunctionalInterface
  interface OperationBody<T> {
    T run(FaultAction action) throws IOException;
  }

  /** A check that runs before faults are evaluated (a closed handle fails without counting). */
  @FunctionalInterface
  interface Precheck {
    void run() throws IOException;
  }

  /** The one lock every call, on the file system, a handle or a lock, holds for its duration. */
  final Object mutex = new Object();

  final SimStoreFs.Config config;

  // ---- persistent state (everything here is captured by snapshot()) ----
  final Namespace namespace = new Namespace();
  final Rng rng;
  final OpLog log = new OpLog();
  final FaultInjector faults;
  private boolean frozen;
  private String frozenReason;
  private PersistentArray<Inode> lastRecordedInodes;

  // ---- transient state ----
  final OpenHandles open = new OpenHandles();
  private final List<SimSnapshot> recorded = new ArrayList<>();
  private boolean actionWasNoop;

  SimState(SimStoreFs.Config config, FaultPlan plan) {
    this.config = config;
    this.rng = new Rng(config.seed());
    this.faults = new FaultInjector(rng, plan);
    this.lastRecordedInodes = namespace.table();
  }

  /**
   * Runs one logged, faultable operation under the lock: fails if frozen, runs {@code precheck},
   * asks the fault injector for an action, applies a failure or a crash before, runs {@code body},
   * applies a crash after, and logs the outcome (also of a failure) with the sequence number taken
   * at the start.
   */
  <T> T run(FsOp op, String p1, String p2, String args, Precheck precheck, OperationBody<T> body)
      throws IOException {
    synchronized (mutex) {
      long seq = log.nextSequence();
      String shown = p2 == null ? p1 : p1 + " -> " + p2;
      FaultAction action = null;
      try {
        if (frozen) {
          throw frozenException();
        }
        if (precheck != null) {
          precheck.run();
        }
        action = faults.evaluate(op, p1, p2, seq);
        actionWasNoop = false;
        if (action instanceof FaultAction.Fail) {
          throw ((FaultAction.Fail) action).kind().newException(p1, op);
        }
        if (action instanceof FaultAction.CrashBefore) {
          freeze("crash before " + op + " " + shown);
          throw new SimulatedCrashException("simulated crash before " + op + " " + shown);
        }
        T result = body.run(action);
        if (action instanceof FaultAction.CrashAfter) {
          freeze("crash after " + op + " " + shown);
          throw new SimulatedCrashException("simulated crash after " + op + " " + shown);
        }
        record(seq, op.name(), shown, args, describe(result), action != null && !actionWasNoop);
        return result;
      } catch (IOException | RuntimeException e) {
        record(seq, op.name(), shown, args, outcome(e), action != null && !actionWasNoop);
        throw e;
      }
    }
  }

  /** Marks the current operation's fault action as one that changed nothing (a quota not hit). */
  void actionHadNoEffect() {
    actionWasNoop = true;
  }

  /** Logs a call that is not faultable (control calls, closes) with the next sequence number. */
  void logControl(String op, String path, String args, String outcome) {
    record(log.nextSequence(), op, path, args, outcome, false);
  }

  /** Logs and throws a {@link SimulatedCrashException} if frozen. */
  void checkNotFrozen(String op, String p) throws SimulatedCrashException {
    if (frozen) {
      SimulatedCrashException e = frozenException();
      logControl(op, p, "", outcome(e));
      throw e;
    }
  }

  boolean frozen() {
    return frozen;
  }

  void unfreeze() {
    frozen = false;
    frozenReason = null;
  }

  private void freeze(String reason) {
    frozen = true;
    frozenReason = reason;
  }

  private SimulatedCrashException frozenException() {
    return new SimulatedCrashException(
        "the simulator is frozen after a simulated crash ("
            + frozenReason
            + "); call crash(profile) or restart()");
  }

  /** A power loss: handles and locks invalid, the namespace what {@link PowerLoss} keeps. */
  void crash(CrashProfile profile) {
    open.invalidateAll();
    namespace.restore(PowerLoss.survivors(namespace, profile, rng), namespace.nextInode());
    unfreeze();
    logControl("CRASH", "/", profile.name(), "ok");
  }

  /** A process crash: handles and locks invalid, all state kept. */
  void restart() {
    open.invalidateAll();
    unfreeze();
    logControl("RESTART", "/", "", "ok");
  }

  /** Everything durable, as a clean shutdown would leave it; fails if frozen. */
  void syncAll() throws SimulatedCrashException {
    checkNotFrozen("SYNC_ALL", "/");
    Durability.syncAll(namespace);
    logControl("SYNC_ALL", "/", "", "ok");
  }

  /** Creates the symbolic link {@code link} to {@code target}; not faultable, but logged. */
  void createSymlink(Path link, Path target) throws IOException {
    List<String> comps = Namespace.components(link);
    String p = Namespace.pathString(comps);
    String t = target.toString().replace('\\', '/');
    if (target.isAbsolute() && !t.startsWith("/")) {
      t = "/" + t;
    }
    String linkTarget = t;
    synchronized (mutex) {
      checkNotFrozen("SYMLINK", p);
      try {
        namespace.createSymlink(comps, p, linkTarget);
        logControl("SYMLINK", p, linkTarget, "ok");
      } catch (IOException | RuntimeException e) {
        logControl("SYMLINK", p, linkTarget, outcome(e));
        throw e;
      }
    }
  }

  /** The regular file at {@code file}, read without logging or faults (for test helpers). */
  Inode file(Path file) throws IOException {
    synchronized (mutex) {
      List<String> comps = Namespace.components(file);
      return namespace.file(comps, Namespace.pathString(comps));
    }
  }

  SimSnapshot snapshot() {
    synchronized (mutex) {
      return new SimSnapshot(
          config,
          namespace.table(),
          namespace.nextInode(),
          rng.state(),
          log.save(),
          frozen,
          frozenReason,
          faults.save());
    }
  }

  void restore(SimSnapshot snapshot) {
    Objects.requireNonNull(snapshot, "snapshot");
    synchronized (mutex) {
      open.invalidateAll();
      namespace.restore(snapshot.inodes, snapshot.nextInode);
      rng.setState(snapshot.rngState);
      log.restore(snapshot.log);
      frozen = snapshot.frozen;
      frozenReason = snapshot.frozenReason;
      faults.restore(snapshot.faults);
      lastRecordedInodes = namespace.table();
    }
  }

  List<SimSnapshot> recordedSnapshots() {
    return List.copyOf(recorded);
  }

  void clearRecordedSnapshots() {
    recorded.clear();
  }

  private void record(
      long seq, String op, String path, String args, String outcome, boolean injected) {
    boolean changed = namespace.table() != lastRecordedInodes;
    lastRecordedInodes = namespace.table();
    log.append(new OpRecord(seq, op, path, args, outcome, injected, changed));
    if (changed && config.recordSnapshots()) {
      recorded.add(snapshot());
    }
  }

  private static String describe(Object result) {
    if (result == null || result instanceof FileHandle || result instanceof StoreLock) {
      return "ok";
    }
    return "ok " + result;
  }

  static String outcome(Throwable e) {
    return e.getClass().getSimpleName() + ": " + e.getMessage();
  }
}
