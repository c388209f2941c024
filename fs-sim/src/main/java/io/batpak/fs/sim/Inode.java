package io.batpak.fs.sim;

/**
 * One immutable version of a simulated inode: a file (volatile and durable content), a directory
 * (volatile and durable entries) or a symbolic link (its target, fixed at creation).
 */
final class Inode {
  enum Kind {
    FILE,
    DIR,
    SYMLINK
  }

  final int id;
  final Kind kind;
  final Content vol;
  final Content dur;
  final Entries volEntries;
  final Entries durEntries;
  final String linkTarget;

  private Inode(
      int id,
      Kind kind,
      Content vol,
      Content dur,
      Entries volEntries,
      Entries durEntries,
      String linkTarget) {
    this.id = id;
    this.kind = kind;
    this.vol = vol;
    this.dur = dur;
    this.volEntries = volEntries;
    this.durEntries = durEntries;
    this.linkTarget = linkTarget;
  }

  static Inode file(int id) {
    return new Inode(id, Kind.FILE, Content.EMPTY, Content.EMPTY, null, null, null);
  }

  static Inode dir(int id) {
    return new Inode(id, Kind.DIR, null, null, Entries.EMPTY, Entries.EMPTY, null);
  }

  static Inode symlink(int id, String target) {
    return new Inode(id, Kind.SYMLINK, null, null, null, null, target);
  }

  boolean isDir() {
    return kind == Kind.DIR;
  }

  boolean isFile() {
    return kind == Kind.FILE;
  }

  boolean isSymlink() {
    return kind == Kind.SYMLINK;
  }

  Inode withVol(Content c) {
    return c == vol ? this : new Inode(id, kind, c, dur, volEntries, durEntries, linkTarget);
  }

  Inode withDur(Content c) {
    return c == dur ? this : new Inode(id, kind, vol, c, volEntries, durEntries, linkTarget);
  }

  Inode withVolEntries(Entries e) {
    return e == volEntries ? this : new Inode(id, kind, vol, dur, e, durEntries, linkTarget);
  }

  Inode withDurEntries(Entries e) {
    return e == durEntries ? this : new Inode(id, kind, vol, dur, volEntries, e, linkTarget);
  }
}
