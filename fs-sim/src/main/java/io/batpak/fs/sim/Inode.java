package io.batpak.fs.sim;

/**
 * One immutable version of a simulated inode: a file (volatile and durable content, and the byte
 * ranges of the volatile content that no sync will write, see {@link LostRanges}), a directory
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
  final DirectoryListing volEntries;
  final DirectoryListing durEntries;
  final String linkTarget;
  final LostRanges lost;

  private Inode(
      int id,
      Kind kind,
      Content vol,
      Content dur,
      DirectoryListing volEntries,
      DirectoryListing durEntries,
      String linkTarget,
      LostRanges lost) {
    this.id = id;
    this.kind = kind;
    this.vol = vol;
    this.dur = dur;
    this.volEntries = volEntries;
    this.durEntries = durEntries;
    this.linkTarget = linkTarget;
    this.lost = lost;
  }

  static Inode file(int id) {
    return new Inode(
        id, Kind.FILE, Content.EMPTY, Content.EMPTY, null, null, null, LostRanges.NONE);
  }

  static Inode dir(int id) {
    return new Inode(
        id, Kind.DIR, null, null, DirectoryListing.EMPTY, DirectoryListing.EMPTY, null, null);
  }

  static Inode symlink(int id, String target) {
    return new Inode(id, Kind.SYMLINK, null, null, null, null, target, null);
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
    return c == vol ? this : new Inode(id, kind, c, dur, volEntries, durEntries, linkTarget, lost);
  }

  Inode withDur(Content c) {
    return c == dur ? this : new Inode(id, kind, vol, c, volEntries, durEntries, linkTarget, lost);
  }

  Inode withVolEntries(DirectoryListing e) {
    return e == volEntries ? this : new Inode(id, kind, vol, dur, e, durEntries, linkTarget, lost);
  }

  Inode withDurEntries(DirectoryListing e) {
    return e == durEntries ? this : new Inode(id, kind, vol, dur, volEntries, e, linkTarget, lost);
  }

  Inode withLost(LostRanges r) {
    return r.equals(lost)
        ? this
        : new Inode(id, kind, vol, dur, volEntries, durEntries, linkTarget, r);
  }

  /**
   * The file after a write of {@code [pos, pos + len)} that gave volatile content {@code c}: the
   * written bytes are dirty again, so they are no longer lost.
   */
  Inode written(Content c, long pos, long len) {
    return withVol(c).withLost(lost.minus(pos, pos + len));
  }

  /** The file after a truncation to {@code c}: lost bytes past the new size are gone. */
  Inode truncated(Content c) {
    return withVol(c).withLost(lost.clip(c.size()));
  }

  /** What a successful sync of this file makes durable: the volatile content but its lost bytes. */
  Content writeBack() {
    return lost.isEmpty() ? vol : lost.writeBack(vol, dur);
  }

  /** The file with volatile and durable content {@code c} and nothing lost (after a crash). */
  Inode settled(Content c) {
    return withVol(c).withDur(c).withLost(LostRanges.NONE);
  }
}
