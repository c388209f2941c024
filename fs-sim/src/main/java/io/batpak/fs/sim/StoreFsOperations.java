package io.batpak.fs.sim;

import io.batpak.port.FileHandle;
import io.batpak.port.LockMode;
import io.batpak.port.RenameMode;
import io.batpak.port.StoreLock;
import io.batpak.port.SyncMode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What each {@link io.batpak.port.StoreFs} call of a {@link SimStoreFs} does: one logged, faultable
 * {@link SimState#run} of its {@link FsOp}, whose body changes the {@link Namespace} or makes
 * something durable ({@link Durability}). {@link #publish} is four runs: its own, then one per
 * step. {@link #link} ({@link FsOp#LINK}) and {@link #deleteDirectory} ({@link FsOp#RMDIR}) are one
 * run each; a reflink is refused before any run (the simulator has no reflink). The contract of
 * each call is written on {@link SimStoreFs}.
 *
 * <p>Thread-safe: every call runs under the simulator's lock.
 */
final class StoreFsOperations {
  private final SimState sim;

  StoreFsOperations(SimState sim) {
    this.sim = sim;
  }

  void createDirectories(Path dir) throws IOException {
    List<String> comps = Namespace.components(dir);
    String p = Namespace.pathString(comps);
    sim.run(
        FsOp.MKDIR,
        p,
        null,
        "",
        null,
        a -> {
          sim.namespace.createDirectories(comps, p);
          return null;
        });
  }

  List<String> list(Path dir) throws IOException {
    List<String> comps = Namespace.components(dir);
    String p = Namespace.pathString(comps);
    return sim.run(
        FsOp.LIST, p, null, "", null, a -> sim.namespace.directory(comps, p).volEntries.names());
  }

  boolean exists(Path path) throws IOException {
    List<String> comps = Namespace.components(path);
    String p = Namespace.pathString(comps);
    return sim.run(FsOp.EXISTS, p, null, "", null, a -> sim.namespace.exists(comps, p));
  }

  FileHandle create(Path file) throws IOException {
    List<String> comps = Namespace.components(file);
    String p = Namespace.pathString(comps);
    return sim.run(
        FsOp.CREATE,
        p,
        null,
        "",
        null,
        a -> newHandle(file, p, sim.namespace.createFile(comps, p), true));
  }

  FileHandle open(Path file, boolean write) throws IOException {
    List<String> comps = Namespace.components(file);
    String p = Namespace.pathString(comps);
    return sim.run(
        FsOp.OPEN,
        p,
        null,
        write ? "write" : "read",
        null,
        a -> newHandle(file, p, sim.namespace.openFile(comps, p, write), write));
  }

  private SimHandle newHandle(Path path, String p, int id, boolean writable) {
    SimHandle h = new SimHandle(sim, path, p, id, writable);
    sim.open.opened(h);
    return h;
  }

  void rename(Path from, Path to, RenameMode mode) throws IOException {
    Objects.requireNonNull(mode, "mode");
    List<String> cf = Namespace.components(from);
    String pf = Namespace.pathString(cf);
    List<String> ct = Namespace.components(to);
    String pt = Namespace.pathString(ct);
    sim.run(
        FsOp.RENAME,
        pf,
        pt,
        mode.name(),
        null,
        a -> {
          rename(cf, pf, ct, pt, mode);
          return null;
        });
  }

  private void rename(List<String> cf, String pf, List<String> ct, String pt, RenameMode mode)
      throws IOException {
    sim.namespace.rename(cf, pf, ct, pt, mode, sim.config.windowsMode(), sim.open::isOpen);
  }

  boolean deleteIfExists(Path file) throws IOException {
    List<String> comps = Namespace.components(file);
    String p = Namespace.pathString(comps);
    return sim.run(
        FsOp.DELETE,
        p,
        null,
        "",
        null,
        a -> sim.namespace.delete(comps, p, sim.config.windowsMode(), sim.open::isOpen));
  }

  void syncDirectory(Path dir) throws IOException {
    List<String> comps = Namespace.components(dir);
    String p = Namespace.pathString(comps);
    sim.run(
        FsOp.DIR_SYNC,
        p,
        null,
        "",
        null,
        a -> {
          Durability.syncDirectory(sim.namespace, comps, p, a);
          return null;
        });
  }

  void publish(Path temp, Path target, SyncMode mode) throws IOException {
    Objects.requireNonNull(mode, "mode");
    List<String> cTemp = Namespace.components(temp);
    String pTemp = Namespace.pathString(cTemp);
    List<String> cTarget = Namespace.components(target);
    String pTarget = Namespace.pathString(cTarget);
    sim.run(
        FsOp.PUBLISH,
        pTemp,
        pTarget,
        mode.name(),
        null,
        a -> {
          int id = sim.namespace.publishSource(cTemp, pTemp, cTarget, pTarget);
          sim.run(
              FsOp.SYNC,
              pTemp,
              null,
              "publish " + mode.name(),
              null,
              s -> {
                Durability.syncFile(sim.namespace, id, pTemp, s);
                return null;
              });
          sim.run(
              FsOp.RENAME,
              pTemp,
              pTarget,
              "publish REPLACE",
              null,
              r -> {
                rename(cTemp, pTemp, cTarget, pTarget, RenameMode.REPLACE);
                return null;
              });
          List<String> cDir = cTarget.subList(0, cTarget.size() - 1);
          String pDir = Namespace.pathString(cDir);
          sim.run(
              FsOp.DIR_SYNC,
              pDir,
              null,
              "publish",
              null,
              d -> {
                Durability.syncDirectory(sim.namespace, cDir, pDir, d);
                return null;
              });
          return null;
        });
  }

  void copy(Path from, Path to) throws IOException {
    List<String> cf = Namespace.components(from);
    String pf = Namespace.pathString(cf);
    List<String> ct = Namespace.components(to);
    String pt = Namespace.pathString(ct);
    sim.run(
        FsOp.COPY,
        pf,
        pt,
        "",
        null,
        a -> {
          boolean quota = a instanceof FaultAction.NoSpaceQuota;
          long quotaBytes = quota ? ((FaultAction.NoSpaceQuota) a).quotaBytes() : -1;
          sim.namespace.copy(cf, pf, ct, pt, quotaBytes);
          if (quota) {
            sim.actionHadNoEffect();
          }
          return null;
        });
  }

  void link(Path existing, Path newLink) throws IOException {
    List<String> cf = Namespace.components(existing);
    String pf = Namespace.pathString(cf);
    List<String> ct = Namespace.components(newLink);
    String pt = Namespace.pathString(ct);
    sim.run(
        FsOp.LINK,
        pf,
        pt,
        "",
        null,
        a -> {
          sim.namespace.link(cf, pf, ct, pt);
          return null;
        });
  }

  void deleteDirectory(Path dir) throws IOException {
    List<String> comps = Namespace.components(dir);
    String p = Namespace.pathString(comps);
    sim.run(
        FsOp.RMDIR,
        p,
        null,
        "",
        null,
        a -> {
          sim.namespace.deleteDirectory(comps, p);
          return null;
        });
  }

  StoreLock lock(Path lockFile, LockMode mode) throws IOException {
    Objects.requireNonNull(mode, "mode");
    List<String> comps = Namespace.components(lockFile);
    String p = Namespace.pathString(comps);
    return sim.run(
        FsOp.LOCK,
        p,
        null,
        mode.name(),
        null,
        a -> {
          int id = sim.namespace.lockFile(comps, p, mode);
          SimLock lock = new SimLock(sim, lockFile, p, id, mode);
          sim.open.lock(lock, p);
          return lock;
        });
  }
}
