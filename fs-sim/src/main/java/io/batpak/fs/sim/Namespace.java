package io.batpak.fs.sim;

import io.batpak.port.LockMode;
import io.batpak.port.NoSpaceException;
import io.batpak.port.RenameMode;
import io.batpak.port.SymlinkRefusedException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.function.IntPredicate;

/**
 * The simulated directory tree: the inode table (a {@link PersistentArray}, so a snapshot shares
 * it), the next free inode number, path resolution (normalised, absolute, following symbolic links
 * to directories on the way) and every change of names a {@link SimStoreFs} operation makes. It
 * changes volatile state only; what becomes durable is {@link Durability}'s, what a power loss
 * keeps is {@link PowerLoss}'s.
 *
 * <p>Not thread-safe: the simulator calls it under its one lock.
 */
final class Namespace {
  /** The inode of the root directory {@code /}. */
  static final int ROOT = 0;

  private static final int MAX_SYMLINK_HOPS = 40;

  private PersistentArray<Inode> inodes;
  private int nextInode;

  /** A namespace holding only the root directory, durable. */
  Namespace() {
    this.inodes = PersistentArray.<Inode>empty().set(ROOT, Inode.dir(ROOT));
    this.nextInode = ROOT + 1;
  }

  /** The inode table as it is now (immutable: later changes make a new table). */
  PersistentArray<Inode> table() {
    return inodes;
  }

  /** One more than the highest inode number ever handed out. */
  int nextInode() {
    return nextInode;
  }

  /** Replaces the whole table (after a crash, or from a snapshot). */
  void restore(PersistentArray<Inode> table, int next) {
    this.inodes = table;
    this.nextInode = next;
  }

  Inode inode(int id) {
    Inode n = inodes.get(id);
    if (n == null) {
      throw new IllegalStateException("simulator bug: no inode " + id);
    }
    return n;
  }

  /** The inode {@code id}, or {@code null} if there is none. */
  Inode inodeOrNull(int id) {
    return inodes.get(id);
  }

  void put(Inode n) {
    inodes = inodes.set(n.id, n);
  }

  // ---------------------------------------------------------------------------------------------
  // Paths
  // ---------------------------------------------------------------------------------------------

  /** Where a path leads: its parent directory, its last name, and its inode or -1. */
  static final class Location {
    final int parent;
    final String name;
    final int inode;
    final String real;

    Location(int parent, String name, int inode, String real) {
      this.parent = parent;
      this.name = name;
      this.inode = inode;
      this.real = real;
    }
  }

  /** The normalised components of {@code p}, resolved against the virtual root. */
  static List<String> components(Path p) {
    Objects.requireNonNull(p, "path");
    List<String> out = new ArrayList<>();
    for (Path name : p) {
      addComponent(out, name.toString());
    }
    return out;
  }

  private static void addComponent(List<String> out, String name) {
    if (name.isEmpty() || ".".equals(name)) {
      return;
    }
    if ("..".equals(name)) {
      if (!out.isEmpty()) {
        out.remove(out.size() - 1);
      }
      return;
    }
    out.add(name);
  }

  static String pathString(Path p) {
    return pathString(components(p));
  }

  static String pathString(List<String> comps) {
    return comps.isEmpty() ? "/" : "/" + String.join("/", comps);
  }

  /**
   * Resolves {@code comps}, following symbolic links to directories along the way and, if {@code
   * followLeaf}, at the end; {@code shown} is the path exceptions name.
   */
  Location resolve(List<String> comps, boolean followLeaf, String shown) throws IOException {
    return resolve(comps, followLeaf, 0, shown);
  }

  private Location resolve(List<String> comps, boolean followLeaf, int hops, String shown)
      throws IOException {
    if (hops > MAX_SYMLINK_HOPS) {
      throw new FileSystemException(shown, null, "too many levels of symbolic links");
    }
    if (comps.isEmpty()) {
      return new Location(-1, "", ROOT, "/");
    }
    int cur = ROOT;
    List<String> walked = new ArrayList<>();
    for (int i = 0; i < comps.size(); i++) {
      String name = comps.get(i);
      Inode dir = inode(cur);
      long child = dir.volEntries.get(name);
      if (i == comps.size() - 1) {
        if (child >= 0 && followLeaf && inode((int) child).isSymlink()) {
          return resolveLink(inode((int) child), walked, hops + 1, shown);
        }
        walked.add(name);
        return new Location(cur, name, (int) child, pathString(walked));
      }
      if (child < 0) {
        throw new NoSuchFileException(
            shown, null, "no such directory: " + pathString(comps.subList(0, i + 1)));
      }
      Inode c = inode((int) child);
      if (c.isSymlink()) {
        Location t = resolveLink(c, walked, hops + 1, shown);
        if (t.inode < 0) {
          throw new NoSuchFileException(
              shown, null, "dangling link: " + pathString(comps.subList(0, i + 1)));
        }
        cur = t.inode;
        walked = new ArrayList<>();
        for (String part : t.real.split("/")) {
          addComponent(walked, part);
        }
      } else {
        cur = c.id;
        walked.add(name);
      }
      if (!inode(cur).isDir()) {
        // A path below a non-directory does not exist (StoreFs, "Missing paths").
        throw new NoSuchFileException(
            shown, null, "not a directory: " + pathString(comps.subList(0, i + 1)));
      }
    }
    throw new AssertionError("unreachable");
  }

  private Location resolveLink(Inode link, List<String> linkDir, int hops, String shown)
      throws IOException {
    List<String> target = new ArrayList<>();
    String t = link.linkTarget;
    if (!t.startsWith("/")) {
      target.addAll(linkDir);
    }
    for (String part : t.split("/")) {
      addComponent(target, part);
    }
    return resolve(target, true, hops, shown);
  }

  /** The regular file at {@code comps} (links followed), or {@link NoSuchFileException}. */
  Inode file(List<String> comps, String p) throws IOException {
    Location l = resolve(comps, true, p);
    if (l.inode < 0 || !inode(l.inode).isFile()) {
      throw new NoSuchFileException(p);
    }
    return inode(l.inode);
  }

  /** The directory at {@code comps} (links followed), or the exception a listing throws. */
  Inode directory(List<String> comps, String p) throws IOException {
    Location l = resolve(comps, true, p);
    if (l.inode < 0) {
      throw new NoSuchFileException(p);
    }
    Inode d = inode(l.inode);
    if (!d.isDir()) {
      throw new NotDirectoryException(p);
    }
    return d;
  }

  /** Bytes of file content reachable through volatile entries, each file counted once. */
  long usedBytes() {
    long total = 0;
    BitSet seen = new BitSet();
    Deque<Integer> todo = new ArrayDeque<>();
    todo.push(ROOT);
    seen.set(ROOT);
    while (!todo.isEmpty()) {
      Inode n = inode(todo.pop());
      if (n.isFile()) {
        total += n.vol.size();
      } else if (n.isDir()) {
        for (int i = 0; i < n.volEntries.size(); i++) {
          int child = (int) n.volEntries.inodeAt(i);
          if (!seen.get(child)) {
            seen.set(child);
            todo.push(child);
          }
        }
      }
    }
    return total;
  }

  // ---------------------------------------------------------------------------------------------
  // Changes of names (volatile until the directory is synced)
  // ---------------------------------------------------------------------------------------------

  private int newInode(Inode.Kind kind, String linkTarget) {
    int id = nextInode++;
    put(
        switch (kind) {
          case FILE -> Inode.file(id);
          case DIR -> Inode.dir(id);
          case SYMLINK -> Inode.symlink(id, linkTarget);
        });
    return id;
  }

  private void link(int parentId, String name, int id) {
    Inode parent = inode(parentId);
    put(parent.withVolEntries(parent.volEntries.put(name, id)));
  }

  private void unlink(int parentId, String name) {
    Inode parent = inode(parentId);
    put(parent.withVolEntries(parent.volEntries.remove(name)));
  }

  void createSymlink(List<String> comps, String p, String target) throws IOException {
    Location l = resolve(comps, false, p);
    if (l.inode >= 0 || l.parent < 0) {
      throw new FileAlreadyExistsException(p);
    }
    link(l.parent, l.name, newInode(Inode.Kind.SYMLINK, target));
  }

  void createDirectories(List<String> comps, String p) throws IOException {
    int cur = ROOT;
    for (int i = 0; i < comps.size(); i++) {
      Inode d = inode(cur);
      long child = d.volEntries.get(comps.get(i));
      if (child < 0) {
        int id = newInode(Inode.Kind.DIR, null);
        link(d.id, comps.get(i), id);
        cur = id;
        continue;
      }
      Inode c = inode((int) child);
      if (c.isSymlink()) {
        Location t = resolveLink(c, comps.subList(0, i), 0, p);
        if (t.inode < 0 || !inode(t.inode).isDir()) {
          throw new FileAlreadyExistsException(p, null, "a non-directory is in the way");
        }
        cur = t.inode;
      } else if (c.isDir()) {
        cur = c.id;
      } else {
        throw new FileAlreadyExistsException(p, null, "a non-directory is in the way");
      }
    }
  }

  boolean exists(List<String> comps, String p) throws IOException {
    try {
      return resolve(comps, false, p).inode >= 0;
    } catch (NoSuchFileException e) {
      return false;
    }
  }

  /** Creates an empty file at {@code comps} and returns its inode. */
  int createFile(List<String> comps, String p) throws IOException {
    Location l = resolve(comps, false, p);
    if (l.parent < 0) {
      throw new FileAlreadyExistsException(p);
    }
    if (l.inode >= 0) {
      if (inode(l.inode).isSymlink()) {
        throw new SymlinkRefusedException(p, "create");
      }
      throw new FileAlreadyExistsException(p);
    }
    int id = newInode(Inode.Kind.FILE, null);
    link(l.parent, l.name, id);
    return id;
  }

  /** The inode of the existing regular file at {@code comps}, to open a handle on. */
  int openFile(List<String> comps, String p, boolean write) throws IOException {
    Location l = resolve(comps, false, p);
    if (l.inode < 0) {
      throw new NoSuchFileException(p);
    }
    Inode n = inode(l.inode);
    if (n.isSymlink()) {
      throw new SymlinkRefusedException(p, write ? "open for writing" : "open for reading");
    }
    if (!n.isFile()) {
      throw new FileSystemException(p, null, "is a directory");
    }
    return n.id;
  }

  /** Renames {@code pf} to {@code pt}; in Windows mode a file {@code isOpen} reports is refused. */
  void rename(
      List<String> cf,
      String pf,
      List<String> ct,
      String pt,
      RenameMode mode,
      boolean windowsMode,
      IntPredicate isOpen)
      throws IOException {
    Location lf = resolve(cf, false, pf);
    if (lf.inode < 0) {
      throw new NoSuchFileException(pf);
    }
    if (lf.parent < 0) {
      throw new FileSystemException(pf, pt, "cannot rename the root directory");
    }
    Location lt = resolve(ct, false, pt);
    if (lt.parent < 0) {
      throw new FileSystemException(pf, pt, "cannot rename onto the root directory");
    }
    if (inode(lf.inode).isSymlink()) {
      throw new SymlinkRefusedException(pf, "rename");
    }
    if (lt.inode >= 0 && inode(lt.inode).isSymlink()) {
      throw new SymlinkRefusedException(pt, "rename");
    }
    if (lt.inode == lf.inode) {
      return; // the same file: POSIX rename does nothing
    }
    if (mode == RenameMode.NO_REPLACE && lt.inode >= 0) {
      throw new FileAlreadyExistsException(pt);
    }
    Inode src = inode(lf.inode);
    if (windowsMode) {
      if (isOpen.test(lf.inode)) {
        throw new AccessDeniedException(pf, pt, "the file is open (Windows mode)");
      }
      if (lt.inode >= 0 && isOpen.test(lt.inode)) {
        throw new AccessDeniedException(pt, pf, "the target is open (Windows mode)");
      }
    }
    if (lt.inode >= 0) {
      Inode target = inode(lt.inode);
      if (target.isDir() && !src.isDir()) {
        throw new FileSystemException(pt, pf, "is a directory");
      }
      if (!target.isDir() && src.isDir()) {
        throw new NotDirectoryException(pt);
      }
      if (target.isDir() && target.volEntries.size() > 0) {
        throw new DirectoryNotEmptyException(pt);
      }
    }
    if (src.isDir() && (lt.real + "/").startsWith(lf.real + "/")) {
      throw new FileSystemException(pf, pt, "cannot move a directory into itself");
    }
    unlink(lf.parent, lf.name);
    link(lt.parent, lt.name, lf.inode);
  }

  /** Deletes the file or link at {@code comps}; whether there was one. */
  boolean delete(List<String> comps, String p, boolean windowsMode, IntPredicate isOpen)
      throws IOException {
    Location l;
    try {
      l = resolve(comps, false, p);
    } catch (NoSuchFileException e) {
      return false;
    }
    if (l.inode < 0) {
      return false;
    }
    if (l.parent < 0) {
      throw new FileSystemException(p, null, "cannot delete the root directory");
    }
    Inode n = inode(l.inode);
    if (n.isDir()) {
      throw new FileSystemException(
          p, null, "deleteIfExists refused: it is a directory, and only files are deleted");
    }
    if (windowsMode && isOpen.test(n.id)) {
      throw new AccessDeniedException(p, null, "the file is open (Windows mode)");
    }
    unlink(l.parent, l.name);
    return true;
  }

  /**
   * Checks the two paths of a publish and returns the inode of the temporary file: both in one
   * directory, neither a symbolic link, the temporary file a regular file.
   */
  int publishSource(List<String> cTemp, String pTemp, List<String> cTarget, String pTarget)
      throws IOException {
    if (cTemp.isEmpty()
        || cTarget.isEmpty()
        || !cTemp.subList(0, cTemp.size() - 1).equals(cTarget.subList(0, cTarget.size() - 1))) {
      throw new IllegalArgumentException(
          "publish needs both paths in one directory: " + pTemp + ", " + pTarget);
    }
    Location lt = resolve(cTarget, false, pTarget);
    if (lt.inode >= 0 && inode(lt.inode).isSymlink()) {
      throw new SymlinkRefusedException(pTarget, "publish");
    }
    Location ls = resolve(cTemp, false, pTemp);
    if (ls.inode < 0) {
      throw new NoSuchFileException(pTemp);
    }
    Inode src = inode(ls.inode);
    if (src.isSymlink()) {
      throw new SymlinkRefusedException(pTemp, "publish");
    }
    if (!src.isFile()) {
      throw new FileSystemException(pTemp, null, "not a regular file");
    }
    return src.id;
  }

  /**
   * Copies the file at {@code cf} to the new name {@code ct}, sharing its pages; with a {@code
   * quotaBytes} of zero or more, refuses with {@link NoSpaceException} a copy that would exceed it.
   */
  void copy(List<String> cf, String pf, List<String> ct, String pt, long quotaBytes)
      throws IOException {
    Location lf = resolve(cf, false, pf);
    if (lf.inode < 0) {
      throw new NoSuchFileException(pf);
    }
    Inode src = inode(lf.inode);
    if (src.isSymlink()) {
      throw new SymlinkRefusedException(pf, "copy");
    }
    if (!src.isFile()) {
      throw new FileSystemException(pf, pt, "not a regular file");
    }
    Location lt = resolve(ct, false, pt);
    if (lt.inode >= 0 && inode(lt.inode).isSymlink()) {
      throw new SymlinkRefusedException(pt, "copy");
    }
    if (lt.inode >= 0 || lt.parent < 0) {
      throw new FileAlreadyExistsException(pt);
    }
    if (quotaBytes >= 0) {
      long used = usedBytes();
      if (used + src.vol.size() > quotaBytes) {
        throw new NoSpaceException(
            pt, "injected: quota of " + quotaBytes + " bytes exceeded (" + used + " used)");
      }
    }
    int id = newInode(Inode.Kind.FILE, null);
    put(inode(id).withVol(src.vol));
    link(lt.parent, lt.name, id);
  }

  /**
   * Makes {@code ct} a second name of the regular file at {@code cf} (a hard link): the same inode,
   * so content and durability are shared; the new entry is volatile like any create.
   */
  void link(List<String> cf, String pf, List<String> ct, String pt) throws IOException {
    Location lf = resolve(cf, false, pf);
    if (lf.inode < 0) {
      throw new NoSuchFileException(pf);
    }
    Inode src = inode(lf.inode);
    if (src.isSymlink()) {
      throw new SymlinkRefusedException(pf, "link");
    }
    if (!src.isFile()) {
      throw new FileSystemException(pf, pt, "link refused: it is a directory");
    }
    Location lt = resolve(ct, false, pt);
    if (lt.inode >= 0 && inode(lt.inode).isSymlink()) {
      throw new SymlinkRefusedException(pt, "link");
    }
    if (lt.inode >= 0 || lt.parent < 0) {
      throw new FileAlreadyExistsException(pt);
    }
    link(lt.parent, lt.name, lf.inode);
  }

  /**
   * Removes the empty directory at {@code comps}; a link, a file or a full directory is refused.
   */
  void deleteDirectory(List<String> comps, String p) throws IOException {
    Location l = resolve(comps, false, p);
    if (l.inode < 0) {
      throw new NoSuchFileException(p);
    }
    if (l.parent < 0) {
      throw new FileSystemException(p, null, "cannot delete the root directory");
    }
    Inode n = inode(l.inode);
    if (n.isSymlink()) {
      throw new SymlinkRefusedException(p, "deleteDirectory");
    }
    if (!n.isDir()) {
      throw new NotDirectoryException(p);
    }
    if (n.volEntries.size() > 0) {
      throw new DirectoryNotEmptyException(p);
    }
    unlink(l.parent, l.name);
  }

  /**
   * The inode of the lock file at {@code comps}; an {@link LockMode#EXCLUSIVE} lock creates a
   * missing one, a {@link LockMode#SHARED} lock never does.
   */
  int lockFile(List<String> comps, String p, LockMode mode) throws IOException {
    Location l = resolve(comps, false, p);
    if (l.inode < 0) {
      if (l.parent < 0) {
        throw new FileSystemException(p, null, "cannot lock the root directory");
      }
      if (mode == LockMode.SHARED) {
        throw new NoSuchFileException(
            p, null, "a SHARED lock never creates its file, and there is none");
      }
      int id = newInode(Inode.Kind.FILE, null);
      link(l.parent, l.name, id);
      return id;
    }
    Inode n = inode(l.inode);
    if (n.isSymlink()) {
      throw new SymlinkRefusedException(p, "lock");
    }
    if (!n.isFile()) {
      throw new FileSystemException(p, null, "is a directory");
    }
    return n.id;
  }
}
